/* bin_layout.c - moving binned training data between layouts (see bin_layout.h). */
#include "kernels/bin_layout.h"

void layout_pack_columns(const float *restrict x, int32_t n_feat, const int32_t *restrict rows, int64_t n, int32_t f0,
                         int32_t f1, float *restrict out)
{
    const int32_t nf = f1 - f0;
    const float *xf = x + f0;
    for (int64_t k = 0; k < n; ++k) {
        if (k + LAYOUT_PACK_AHEAD < n) {
            __builtin_prefetch(xf + (int64_t)rows[k + LAYOUT_PACK_AHEAD] * n_feat);
            __builtin_prefetch(xf + (int64_t)rows[k + LAYOUT_PACK_AHEAD] * n_feat + nf - 1);
        }
        const float *r = xf + (int64_t)rows[k] * n_feat;
        for (int32_t f = 0; f < nf; ++f) out[f * n + k] = r[f];
    }
}

void layout_pack_columns_ref(const float *x, int32_t n_feat, const int32_t *rows, int64_t n, int32_t f0, int32_t f1,
                             float *out)
{
    for (int32_t f = f0; f < f1; ++f)
        for (int64_t k = 0; k < n; ++k) out[(f - f0) * n + k] = x[(int64_t)rows[k] * n_feat + f];
}

void layout_transpose(const uint8_t *restrict rows, int64_t n, int32_t n_feat, uint8_t *restrict cols)
{
    for (int64_t i0 = 0; i0 < n; i0 += LAYOUT_TRANSPOSE_ROWS) {
        const int64_t i1 = i0 + LAYOUT_TRANSPOSE_ROWS < n ? i0 + LAYOUT_TRANSPOSE_ROWS : n;
        for (int32_t f = 0; f < n_feat; ++f) {
            uint8_t *col = cols + (int64_t)f * n;
            for (int64_t i = i0; i < i1; ++i) col[i] = rows[i * n_feat + f];
        }
    }
}

void layout_transpose_ref(const uint8_t *rows, int64_t n, int32_t n_feat, uint8_t *cols)
{
    for (int64_t i = 0; i < n; ++i)
        for (int32_t f = 0; f < n_feat; ++f) cols[(int64_t)f * n + i] = rows[i * n_feat + f];
}

int64_t layout_encode_sparse(const uint8_t *restrict bins, int64_t n, int32_t n_feat, const layout_row_feats *rf,
                             int64_t *restrict start, uint16_t *restrict cells)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; ++i) {
        const uint8_t *r = bins + i * n_feat;
        start[i] = k;
        for (int32_t v = 0; v < rf->n_single; ++v) { /* branch-free: the cell is written, kept if not the skipped one */
            const int32_t cell = rf->base[v] + r[rf->member_feat[v]];
            cells[k] = (uint16_t)cell;
            k += cell != rf->skip[v];
        }
        for (int32_t v = rf->n_single; v < rf->n_row_feat; ++v) {
            int32_t cell = rf->base[v];
            for (int32_t m = rf->member_start[v]; m < rf->member_start[v + 1]; ++m)
                cell += r[rf->member_feat[m]] * rf->member_stride[m];
            cells[k] = (uint16_t)cell;
            k += cell != rf->skip[v];
        }
    }
    start[n] = k;
    return k;
}

int64_t layout_encode_sparse_ref(const uint8_t *bins, int64_t n, int32_t n_feat, const layout_row_feats *rf,
                                 int64_t *start, uint16_t *cells)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; ++i) {
        start[i] = k;
        for (int32_t v = 0; v < rf->n_row_feat; ++v) {
            int32_t cell = rf->base[v];
            for (int32_t m = rf->member_start[v]; m < rf->member_start[v + 1]; ++m)
                cell += bins[i * n_feat + rf->member_feat[m]] * rf->member_stride[m];
            if (cell != rf->skip[v]) cells[k++] = (uint16_t)cell;
        }
    }
    start[n] = k;
    return k;
}
