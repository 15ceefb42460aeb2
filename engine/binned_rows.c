/* binned_rows.c - the row layout the histograms read, chosen from global bin
 * counts: dense row-major bins, or sparse rows that leave out each feature's
 * most frequent bin (small features bundled, bundles.c), stored with row
 * pointers or as 64-byte records. The choice is the same on every rank. */
#include <stdlib.h> /* for free, malloc, aligned_alloc */
#include <string.h> /* for memcpy */

#include "engine/booster_internal.h"
#include "kernels/bin_layout.h"
#include "kernels/hist.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "mpi/run.h"

/* Sparse rows only pay when they drop a quarter of the scatter-adds. */
#define SPARSE_MAX_KEPT 0.75
/* Records are used when they cost at most this many times the row-pointer
 * format's bytes, or at most this many bytes per feature (half of what the
 * column-major bins already take per row). */
#define RECORD_MAX_BYTES_RATIO 1.5
#define RECORD_MAX_BYTES_PER_FEAT 0.5

/* Global counts and what they decide. */
typedef struct {
    int64_t *cnt;       /* global rows per histogram cell */
    int64_t kept;       /* global cells outside each feature's most frequent bin */
    int64_t kept_local; /* this rank's */
    int sparse;         /* sparse rows pay */
} cell_counts;

/* Rows per cell over all ranks, each feature's most frequent bin (ties:
 * lower bin) into b->skip_cell, and the dense/sparse choice. Collective. */
static int count_cells(run_ctx *run, sb_binned *b, cell_counts *c)
{
    const int32_t nf = b->n_feat;
    const int64_t n = b->n_rows;
    int rc = SB_OK;
    b->n_cells = sb_alloc(run, (size_t)nf, sizeof *b->n_cells);
    b->skip_cell = sb_alloc(run, (size_t)nf, sizeof *b->skip_cell);
    c->cnt = sb_alloc(run, (size_t)b->hist_cells + 1, sizeof *c->cnt);
    int64_t *local = sb_alloc(run, (size_t)b->hist_cells + 1, sizeof *local);
    SB_CHECK(run, run_agree_rc(run, b->n_cells && b->skip_cell && c->cnt && local ? SB_OK : SB_ENOMEM));
    for (int32_t f = 0; f < nf; ++f) {
        b->n_cells[f] = b->n_value[f] + b->has_missing[f];
        const uint8_t *col = b->bins_col + (int64_t)f * n;
        int64_t *cf = local + b->cell_off[f];
        for (int64_t i = 0; i < n; ++i) cf[col[i]]++;
    }
    memcpy(c->cnt, local, (size_t)b->hist_cells * sizeof *local);
    SB_CHECK(run, comm_sum_i64(run, c->cnt, b->hist_cells));
    c->kept = 0;
    c->kept_local = n * nf;
    for (int32_t f = 0; f < nf; ++f) {
        const int64_t *cf = c->cnt + b->cell_off[f];
        int32_t best = 0;
        for (int32_t k = 1; k < b->n_cells[f]; ++k)
            if (cf[k] > cf[best]) best = k;
        b->skip_cell[f] = b->cell_off[f] + best;
        c->kept += b->n_rows_global - cf[best];
        c->kept_local -= local[b->cell_off[f] + best];
    }
    c->sparse = b->hist_cells <= SPARSE_MAX_CELLS && (double)c->kept <= SPARSE_MAX_KEPT * (double)b->n_rows_global * nf;
out:
    free(local);
    return rc;
}

static void log_choice(run_ctx *run, const sb_binned *b, const cell_counts *c)
{
    sb_verbose(run, "bins: %d cells, %.1f of %d features per row outside their most frequent bin: %s histograms\n",
               b->hist_cells, (double)c->kept / (double)(b->n_rows_global ? b->n_rows_global : 1), b->n_feat,
               c->sparse ? "sparse-row" : "dense-row");
    if (b->n_bundles > 0)
        sb_verbose(run, "bins: %d features in %d bundles of one cell per row (%d joint cells)\n",
                   b->member_start[b->n_row_feat] - b->member_start[b->n_row_feat - b->n_bundles], b->n_bundles,
                   b->row_cells - b->hist_cells);
}

/* Dense rows: the row-major bins (taken from *rowmajor, or the transpose of
 * the columns). Collective. */
static int dense_rows(run_ctx *run, sb_binned *b, uint8_t **rowmajor)
{
    const int32_t nf = b->n_feat;
    const int64_t n = b->n_rows;
    for (int32_t f = 0; f < nf; ++f) b->skip_cell[f] = -1;
    if (*rowmajor) {
        b->bins_row = *rowmajor;
        *rowmajor = NULL;
        return SB_OK;
    }
    b->bins_row = sb_alloc(run, (size_t)(n * nf) + 1, 1);
    SB_TRY(run, run_agree_rc(run, b->bins_row ? SB_OK : SB_ENOMEM));
    for (int32_t f = 0; f < nf; ++f)
        for (int64_t i = 0; i < n; ++i) b->bins_row[i * nf + f] = b->bins_col[(int64_t)f * n + i];
    return SB_OK;
}

static layout_row_feats row_feats_of(const sb_binned *b)
{
    return (layout_row_feats){b->n_row_feat,     b->n_row_feat - b->n_bundles, b->member_start, b->member_feat,
                              b->member_stride,  b->row_feat_base,             b->row_feat_skip};
}

/* Row feature v's cell of every local row, from the column-major bins. */
static void row_feature_cells(const sb_binned *b, int32_t v, uint16_t *cell)
{
    const int64_t n = b->n_rows;
    for (int64_t i = 0; i < n; ++i) cell[i] = (uint16_t)b->row_feat_base[v];
    for (int32_t m = b->member_start[v]; m < b->member_start[v + 1]; ++m) {
        const uint8_t *col = b->bins_col + (int64_t)b->member_feat[m] * n;
        const int32_t stride = b->member_stride[m];
        for (int64_t i = 0; i < n; ++i) cell[i] = (uint16_t)(cell[i] + col[i] * stride);
    }
}

/* Sparse rows from the columns: count per row, prefix sums, fill row feature by row feature. */
static void sparse_from_cols(sb_binned *b, uint16_t *cell)
{
    const int64_t n = b->n_rows;
    int64_t *start = b->sparse_start;
    for (int32_t v = 0; v < b->n_row_feat; ++v) {
        row_feature_cells(b, v, cell);
        for (int64_t i = 0; i < n; ++i) start[i + 1] += cell[i] != b->row_feat_skip[v];
    }
    for (int64_t i = 0; i < n; ++i) start[i + 1] += start[i];
    for (int32_t v = 0; v < b->n_row_feat; ++v) { /* start[i] advances to the end of row i ... */
        row_feature_cells(b, v, cell);
        for (int64_t i = 0; i < n; ++i)
            if (cell[i] != b->row_feat_skip[v]) b->sparse_cells[start[i]++] = cell[i];
    }
    for (int64_t i = n; i > 0; --i) start[i] = start[i - 1]; /* ... so shift back by one row */
    start[0] = 0;
}

/* Sparse rows (row pointers), from the row-major bins when there are any
 * (one pass over the rows), else from the columns. kept_local bounds the
 * cells (a bundle keeps a cell only where one of its members does). Collective. */
static int sparse_rows(run_ctx *run, sb_binned *b, const uint8_t *rowmajor, int64_t kept_local)
{
    const int64_t n = b->n_rows;
    int rc = SB_OK;
    uint16_t *cell = NULL;
    b->sparse_start = sb_alloc(run, (size_t)n + 1, sizeof *b->sparse_start);
    b->sparse_cells =
        sb_alloc(run, (size_t)kept_local + 1, sizeof *b->sparse_cells); /* +1: the encoder writes one ahead */
    if (!rowmajor) cell = sb_alloc(run, (size_t)n + 1, sizeof *cell); /* one row feature's cells */
    SB_CHECK(run, run_agree_rc(run, b->sparse_start && b->sparse_cells && (rowmajor || cell) ? SB_OK : SB_ENOMEM));
    if (rowmajor) {
        const layout_row_feats rf = row_feats_of(b);
        layout_encode_sparse(rowmajor, n, b->n_feat, &rf, b->sparse_start, b->sparse_cells);
    } else {
        sparse_from_cols(b, cell);
    }
out:
    free(cell);
    return rc;
}

/* The pointer-format sparse rows as 64-byte records (hist_build_fixed) when
 * that costs at most RECORD_MAX_BYTES_RATIO times the pointer format's bytes
 * over all ranks, or at most RECORD_MAX_BYTES_PER_FEAT bytes per feature,
 * and the cells plus the sinks have uint16 offsets. Deep tree nodes read
 * their rows scattered in memory, so cache lines per row (one record against
 * two or three) is what their histograms cost; peak RSS does not grow (it is
 * reached while binning; tests/bench/perf-log.md). The pointer format is
 * freed. Collective. */
static int make_fixed_width(run_ctx *run, sb_binned *b)
{
    const int64_t n = b->n_rows;
    const int64_t local_spill = hist_fixed_spill_len(b->sparse_start, n);
    int64_t sums[3] = {b->sparse_start[n], n, local_spill}; /* cells, rows, spill slots */
    SB_TRY(run, comm_sum_i64(run, sums, 3));
    const double rows = (double)(sums[1] > 0 ? sums[1] : 1);
    const double ptr_bytes = 8.0 + 2.0 * (double)sums[0] / rows;
    const double rec_bytes = 2.0 * HIST_REC_WIDTH + 2.0 * (double)sums[2] / rows;
    const double by_ratio = RECORD_MAX_BYTES_RATIO * ptr_bytes, by_feat = RECORD_MAX_BYTES_PER_FEAT * b->n_feat;
    if (rec_bytes > (by_ratio > by_feat ? by_ratio : by_feat) || sums[2] >= ((int64_t)1 << 32) ||
        2 * ((int64_t)b->row_cells + HIST_REC_SINKS) > SPARSE_MAX_CELLS)
        return SB_OK; /* the same on every rank */
    int rc = SB_OK;
    uint16_t *rec = aligned_alloc(64, (size_t)(n > 0 ? n : 1) * HIST_REC_WIDTH * sizeof *rec);
    uint16_t *spill = malloc((size_t)(local_spill + 1) * sizeof *spill);
    if (!rec || !spill) rc = SB_FAIL(run, SB_ENOMEM, "out of memory (fixed-width sparse rows)");
    SB_CHECK(run, run_agree_rc(run, rc));
    hist_fixed_encode(b->sparse_start, b->sparse_cells, n, b->row_cells, rec, spill);
    free(b->sparse_start);
    free(b->sparse_cells);
    b->sparse_start = NULL;
    b->sparse_cells = NULL;
    b->sparse_records = rec;
    b->sparse_spill = spill;
    rec = spill = NULL;
    sb_verbose(run, "bins: sparse rows as 64-byte records (%.1f bytes per row with spills, %.1f with row pointers)\n",
               rec_bytes, ptr_bytes);
out:
    free(rec);
    free(spill);
    return rc;
}

int binned_rows_layout(run_ctx *run, sb_binned *b, uint8_t *rowmajor)
{
    int rc = SB_OK;
    cell_counts c = {0};
    SB_CHECK(run, count_cells(run, b, &c));
    b->row_cells = b->hist_cells;
    if (c.sparse) SB_CHECK(run, bundle_plan(run, b, c.cnt));
    free(c.cnt);
    c.cnt = NULL;
    log_choice(run, b, &c);
    if (c.sparse) {
        SB_CHECK(run, sparse_rows(run, b, rowmajor, c.kept_local));
        free(rowmajor); /* before the records: the peak */
        rowmajor = NULL;
        SB_CHECK(run, make_fixed_width(run, b));
    } else {
        SB_CHECK(run, dense_rows(run, b, &rowmajor));
    }
out:
    free(c.cnt);
    free(rowmajor);
    return rc;
}
