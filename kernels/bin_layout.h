/* bin_layout.h - moving binned training data between layouts: the sampled
 * rows' features packed into columns (for the quantile cuts), row-major bins
 * transposed to column-major, and row-major bins encoded as sparse rows.
 * Pure and local; each has a plain twin (_ref) that the tests compare it with. */
#ifndef SB_BIN_LAYOUT_H
#define SB_BIN_LAYOUT_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t, uint16_t */

/* How many rows ahead layout_pack_columns fetches the features it will read. */
#define LAYOUT_PACK_AHEAD 32
/* Rows per block of layout_transpose: the block's columns stay cached. */
#define LAYOUT_TRANSPOSE_ROWS 4096

/* layout_pack_columns - features [f0, f1) of the rows rows[0 .. n) of the
 * row-major x (n_feat floats per row) as f1 - f0 columns of n floats:
 * out[(f - f0) * n + k] = x[rows[k] * n_feat + f]. The rows are scattered
 * over x, so the line(s) of the row LAYOUT_PACK_AHEAD ahead are fetched. */
void layout_pack_columns(const float *x, int32_t n_feat, const int32_t *rows, int64_t n, int32_t f0, int32_t f1,
                         float *out);
void layout_pack_columns_ref(const float *x, int32_t n_feat, const int32_t *rows, int64_t n, int32_t f0, int32_t f1,
                             float *out);

/* layout_transpose - cols[f * n + i] = rows[i * n_feat + f], in blocks of
 * LAYOUT_TRANSPOSE_ROWS rows. */
void layout_transpose(const uint8_t *rows, int64_t n, int32_t n_feat, uint8_t *cols);
void layout_transpose_ref(const uint8_t *rows, int64_t n, int32_t n_feat, uint8_t *cols);

/* Row features of the sparse rows: row feature v has the members
 * member_feat[member_start[v] .. member_start[v + 1]) with strides
 * member_stride[..]; its cell in a row is base[v] + sum of member bin *
 * stride, left out when it equals skip[v]. The first n_single row features
 * are single features of stride 1 (member_feat[v] for v < n_single). */
typedef struct {
    int32_t n_row_feat, n_single;
    const int32_t *member_start, *member_feat, *member_stride, *base, *skip;
} layout_row_feats;

/* layout_encode_sparse - the sparse rows of the row-major bins (n rows of
 * n_feat): row i's cells, in row-feature order, are cells[start[i] ..
 * start[i + 1]); returns start[n]. start holds n + 1 values, cells the cells
 * plus one: the encoder writes every cell and advances past the kept ones
 * (branch-free), so it writes one cell beyond the last kept. */
int64_t layout_encode_sparse(const uint8_t *bins, int64_t n, int32_t n_feat, const layout_row_feats *rf, int64_t *start,
                             uint16_t *cells);
int64_t layout_encode_sparse_ref(const uint8_t *bins, int64_t n, int32_t n_feat, const layout_row_feats *rf,
                                 int64_t *start, uint16_t *cells);

#endif
