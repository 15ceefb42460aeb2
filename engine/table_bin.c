/* table_bin.c - booster_bin: quantile cuts agreed by all ranks, local bins.
 *
 * Cuts never depend on sharding: rows are sampled by a hash of their global
 * index, the sample is gathered in global row order, and a feature's cuts
 * are those of a stable sort of its sample by value (bin_cuts_sample), the
 * same code whichever rank runs it. */
#include <math.h>   /* for isnan */
#include <stdlib.h> /* for free, aligned_alloc */
#include <string.h> /* for memcpy, memset */

#include "engine/booster_internal.h"
#include "kernels/binning.h"
#include "kernels/hist.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/timer.h"
#include "mpi/run.h"

#define BIN_SAMPLE_ROWS 262144.0 /* rows sampled for the quantiles */

void booster_binned_free(sb_binned *b)
{
    if (!b) return;
    free(b->cut_start);
    free(b->cuts);
    free(b->has_missing);
    free(b->n_value);
    free(b->cell_off);
    free(b->bins_row);
    free(b->bins_col);
    free(b->n_cells);
    free(b->skip_cell);
    free(b->sparse_start);
    free(b->sparse_cells);
    free(b->sparse_records);
    free(b->sparse_spill);
    free(b->member_start);
    free(b->member_feat);
    free(b->member_stride);
    free(b->row_feat_base);
    free(b->row_feat_skip);
    free(b);
}

int32_t booster_binned_max_bin(const sb_binned *b) { return b ? b->max_bin : 0; }

/* Which features have a NaN anywhere (allreduce max). */
static int find_missing(run_ctx *run, const sb_table *t, sb_binned *b)
{
    int64_t *any = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *any);
    int rc = any ? SB_OK : SB_ENOMEM;
    for (int64_t i = 0; rc == SB_OK && i < t->n_rows; ++i)
        for (int32_t f = 0; f < t->n_feat; ++f) any[f] |= isnan(t->x[i * t->n_feat + f]);
    rc = run_agree_rc(run, rc);
    if (rc == SB_OK) rc = comm_max_i64(run, any, t->n_feat);
    for (int32_t f = 0; rc == SB_OK && f < t->n_feat; ++f) b->has_missing[f] = (uint8_t)any[f];
    free(any);
    return rc;
}

/* The local rows sampled for the quantiles: chosen by a hash of (seed,
 * global row index), so the sample does not depend on the sharding. */
static int sample_rows(run_ctx *run, const sb_table *t, uint64_t seed, int32_t **out, int64_t *n_out)
{
    const uint64_t cut = train_hash_cut(BIN_SAMPLE_ROWS / (double)(t->n_rows_global > 0 ? t->n_rows_global : 1));
    int32_t *rows = sb_alloc(run, (size_t)t->n_rows + 1, sizeof *rows);
    int64_t n = 0;
    for (int64_t i = 0; rows && i < t->n_rows; ++i) {
        rows[n] = (int32_t)i;
        n += train_hash(seed, STREAM_BIN_SAMPLE, (uint64_t)(t->row_start + i)) >> 11 < cut;
    }
    *out = rows;
    *n_out = n;
    return run_agree_rc(run, rows ? SB_OK : SB_ENOMEM);
}

/* The blocks all ranks packed (width columns of their sampled rows each),
 * in rank order; rows_of[r]: rank r's rows. Collective. */
static int gather_sample(run_ctx *run, const float *mine, int64_t n, int32_t width, float **out, int64_t *rows_of)
{
    const int64_t row_bytes = (int64_t)width * (int64_t)sizeof(float);
    void *all = NULL;
    int rc = run_agree_rc(run, comm_allgatherv_bytes(run, mine, n * row_bytes, &all, NULL, rows_of));
    if (rc != SB_OK) {
        free(all);
        return rc;
    }
    for (int32_t r = 0; r < run_size(run); ++r) rows_of[r] /= row_bytes;
    *out = all;
    return SB_OK;
}

/* The weights of the sampled rows of all ranks in global row order, as
 * floats like the features (the same for every feature: gathered once). A
 * rank without weights has all 1. Collective. */
static int sample_weights(run_ctx *run, const sb_table *t, const int32_t *rows, int64_t n, int64_t *rows_of, float **out)
{
    *out = NULL;
    float *mine = sb_alloc(run, (size_t)n + 1, sizeof *mine);
    int rc = run_agree_rc(run, mine ? SB_OK : SB_ENOMEM);
    if (rc != SB_OK) {
        free(mine);
        return rc;
    }
    for (int64_t k = 0; k < n; ++k) mine[k] = t->weight ? (float)t->weight[rows[k]] : 1.0f;
    if (run_size(run) == 1) {
        *out = mine;
        return SB_OK;
    }
    rc = gather_sample(run, mine, n, 1, out, rows_of);
    free(mine);
    return rc;
}

/* Features [f0, f1) of the n sampled rows as f1 - f0 columns of n floats.
 * The rows are scattered over x: the line(s) holding the features of the
 * row 32 ahead are fetched. */
static void pack_features(const sb_table *t, const int32_t *rows, int64_t n, int32_t f0, int32_t f1, float *mine)
{
    const int32_t nf = f1 - f0;
    const float *x = t->x + f0;
    for (int64_t k = 0; k < n; ++k) {
        if (k + 32 < n) {
            __builtin_prefetch(x + (int64_t)rows[k + 32] * t->n_feat);
            __builtin_prefetch(x + (int64_t)rows[k + 32] * t->n_feat + nf - 1);
        }
        const float *r = x + (int64_t)rows[k] * t->n_feat;
        for (int32_t f = 0; f < nf; ++f) mine[f * n + k] = r[f];
    }
}

/* Column j of a gathered block: every rank's part of it, in rank order (so
 * in global row order), copied into v - or the column itself when one rank
 * holds every row. */
static const float *sample_column(const float *blk, const int64_t *rows_of, int32_t np, int32_t width, int32_t j,
                                  float *v)
{
    if (np == 1) return blk + j * rows_of[0];
    int64_t at = 0;
    for (int32_t r = 0; r < np; ++r) {
        memcpy(v + at, blk + at * width + j * rows_of[r], (size_t)rows_of[r] * sizeof *v);
        at += rows_of[r];
    }
    return v;
}

/* Cut one feature from its sample column (NaN included) and weights (NULL:
 * all 1); writes [count, cuts...], returns the floats written. */
static int64_t cut_feature(sb_binned *b, int32_t f, const float *col, const float *w, int64_t ns, uint64_t *scratch,
                           float *outp)
{
    /* uint8 bins: with a missing bin, at most 255 value bins */
    int32_t maxb = b->max_bin - (b->has_missing[f] && b->max_bin == 256 ? 1 : 0);
    int32_t nc = bin_cuts_sample(col, w, ns, maxb, outp + 1, scratch);
    outp[0] = (float)nc;
    return 1 + nc;
}

/* Every rank's cuts to every rank, assembled in feature order. Collective. */
static int share_cuts(run_ctx *run, sb_binned *b, float *mine, int64_t used)
{
    const int32_t nf = b->n_feat, np = run_size(run);
    int rc = SB_OK;
    float *all = NULL;
    int64_t total = 0;
    int64_t *counts = sb_alloc(run, (size_t)np, sizeof *counts);
    rc = counts ? SB_OK : SB_ENOMEM;
    rc = run_agree_rc(run, rc);
    if (rc == SB_OK) rc = comm_allgatherv_bytes(run, mine, used * (int64_t)sizeof *mine, (void **)&all, &total, counts);
    free(mine);
    rc = run_agree_rc(run, rc);
    b->cuts = rc == SB_OK ? sb_alloc(run, (size_t)nf * 256 + 1, sizeof *b->cuts) : NULL;
    if (rc == SB_OK && !b->cuts) rc = SB_ENOMEM;
    /* Walk each rank's block in feature order f = r, r + np, ... */
    int64_t *pos = sb_alloc(run, (size_t)np, sizeof *pos);
    if (rc == SB_OK && !pos) rc = SB_ENOMEM;
    for (int32_t r = 0, at = 0; rc == SB_OK && r < np; ++r) {
        pos[r] = at;
        at += (int32_t)(counts[r] / (int64_t)sizeof(float));
    }
    int64_t at = 0;
    for (int32_t f = 0; rc == SB_OK && f < nf; ++f) {
        const float *blk = all + pos[f % np];
        int32_t nc = (int32_t)blk[0];
        memcpy(b->cuts + at, blk + 1, (size_t)nc * sizeof(float));
        pos[f % np] += 1 + nc;
        b->cut_start[f] = at;
        at += nc;
        b->n_value[f] = nc + 1;
    }
    free(all);
    free(pos);
    free(counts);
    SB_TRY(run, run_agree_rc(run, rc));
    b->cut_start[nf] = at;
    int32_t cells = 0;
    for (int32_t f = 0; f < nf; ++f) {
        b->cell_off[f] = cells;
        cells += b->n_value[f] + b->has_missing[f];
    }
    b->hist_cells = cells;
    return SB_OK;
}

/* Cuts of every feature from the gathered sample. Features are shared out
 * round-robin, each rank cuts its own, and the cuts are gathered: the code
 * that cuts a feature is the same whichever rank runs it. The sample's
 * weights are gathered once, its features a block at a time: the packed and
 * the gathered block are the peak while x is resident. One rank gathers
 * nothing (the packed block is the sample), so it takes twice the features
 * per block in the same memory. Collective. */
static int make_cuts(run_ctx *run, const sb_table *t, sb_binned *b)
{
    const int32_t nf = b->n_feat, me = run_rank(run), np = run_size(run);
    const int32_t block = np == 1 ? 8 : 4; /* features per block */
    int32_t n_mine = (nf - me + np - 1) / np;
    float *mine = sb_alloc(run, (size_t)(n_mine > 0 ? n_mine : 1) * 257, sizeof *mine); /* [count, cuts...] per feature */
    int64_t *rows_of = sb_alloc(run, (size_t)np, sizeof *rows_of);
    float *v = NULL, *pack = NULL, *wall = NULL;
    uint64_t *scratch = NULL;
    int rc = run_agree_rc(run, mine && rows_of ? SB_OK : SB_ENOMEM);
    int64_t used = 0, n_rows = 0, ns = 0;
    int32_t *rows = NULL;
    if (rc == SB_OK) rc = sample_rows(run, t, b->seed, &rows, &n_rows);
    int64_t weighted = t->weight != NULL; /* NULL: every weight is 1 - agreed, so all ranks gather alike */
    if (rc == SB_OK) rc = comm_max_i64(run, &weighted, 1);
    if (rc == SB_OK) {
        rows_of[0] = n_rows; /* one rank; more ranks: set by each gather */
        pack = sb_alloc(run, (size_t)n_rows * block + 1, sizeof *pack); /* reused by every block */
        rc = run_agree_rc(run, pack ? SB_OK : SB_ENOMEM);
    }
    if (rc == SB_OK && weighted) rc = sample_weights(run, t, rows, n_rows, rows_of, &wall);
    for (int32_t f0 = 0; rc == SB_OK && f0 < nf; f0 += block) {
        const int32_t f1 = f0 + block < nf ? f0 + block : nf, width = f1 - f0;
        float *sample = pack;
        pack_features(t, rows, n_rows, f0, f1, pack);
        if (np > 1) rc = gather_sample(run, pack, n_rows, width, &sample, rows_of);
        if (rc == SB_OK && !scratch) {
            ns = 0;
            for (int32_t r = 0; r < np; ++r) ns += rows_of[r];
            if (np > 1) v = sb_alloc(run, (size_t)ns + 1, sizeof *v);
            scratch = sb_alloc(run, 2 * (size_t)ns + 1, sizeof *scratch);
            if ((np > 1 && !v) || !scratch) rc = SB_ENOMEM;
        }
        for (int32_t f = f0 + ((me - f0 % np) % np + np) % np; rc == SB_OK && f < f1; f += np) {
            const float *col = sample_column(sample, rows_of, np, width, f - f0, v);
            used += cut_feature(b, f, col, wall, ns, scratch, mine + used);
        }
        if (sample != pack) free(sample);
        rc = run_agree_rc(run, rc);
    }
    free(v); free(scratch); free(pack); free(wall);
    free(rows);
    free(rows_of);
    if (rc != SB_OK) {
        free(mine);
        return rc;
    }
    return share_cuts(run, b, mine, used);
}

/* The pointer-format sparse rows as 64-byte records (hist_build_fixed) when
 * that costs at most 1.5x the pointer format's bytes over all ranks, or at
 * most half the bytes the column-major bins already take per row (n_feat),
 * and the cells plus the sinks have uint16 offsets. Forms data: 64 against
 * ~52 bytes per row, 1 cache line per row against 2-3 (deep tree nodes read
 * their rows scattered in memory, so lines per row is what their histograms
 * cost). Keyword data (162 features) is faster with records too, though they
 * take more bytes, and peak RSS does not grow (it is reached while binning;
 * tests/bench/perf-log.md). The pointer format is
 * freed. Collective. */
static int make_fixed_width(run_ctx *run, sb_binned *b)
{
    const int64_t n = b->n_rows;
    const int64_t local_spill = hist_fixed_spill_len(b->sparse_start, n);
    int64_t sp[3] = {b->sparse_start[n], n, local_spill}; /* cells, rows, spill slots */
    SB_TRY(run, comm_sum_i64(run, sp, 3));
    const double ptr_bytes = 8.0 + 2.0 * (double)sp[0] / (double)(sp[1] > 0 ? sp[1] : 1);
    const double rec_bytes = 2.0 * HIST_REC_WIDTH + 2.0 * (double)sp[2] / (double)(sp[1] > 0 ? sp[1] : 1);
    const double room = 1.5 * ptr_bytes > 0.5 * b->n_feat ? 1.5 * ptr_bytes : 0.5 * b->n_feat;
    if (rec_bytes > room || sp[2] >= ((int64_t)1 << 32) ||
        2 * ((int64_t)b->row_cells + HIST_REC_SINKS) > 65536)
        return SB_OK; /* the same on every rank */
    uint16_t *rec = aligned_alloc(64, (size_t)(n > 0 ? n : 1) * HIST_REC_WIDTH * sizeof *rec);
    uint16_t *spill = malloc((size_t)(local_spill + 1) * sizeof *spill);
    int rc = rec && spill ? SB_OK : SB_FAIL(run, SB_ENOMEM, "out of memory (fixed-width sparse rows)");
    if (rc != SB_OK) free(rec), free(spill);
    SB_TRY(run, run_agree_rc(run, rc));
    hist_fixed_encode(b->sparse_start, b->sparse_cells, n, b->row_cells, rec, spill);
    free(b->sparse_start);
    free(b->sparse_cells);
    b->sparse_start = NULL;
    b->sparse_cells = NULL;
    b->sparse_records = rec;
    b->sparse_spill = spill;
    sb_verbose(run, "bins: sparse rows as 64-byte records (%.1f bytes per row with spills, %.1f with row pointers)\n",
               rec_bytes, ptr_bytes);
    return SB_OK;
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

/* Most frequent bin of each feature from global counts (ties: lower bin), and
 * the sparse rows without those bins when that saves enough scatter-adds.
 * Collective. */
static int make_sparse(run_ctx *run, sb_binned *b, uint8_t *rowmajor /* owned; NULL: transpose bins_col if dense */)
{
    const int32_t nf = b->n_feat;
    const int64_t n = b->n_rows;
    b->n_cells = sb_alloc(run, (size_t)nf, sizeof *b->n_cells);
    b->skip_cell = sb_alloc(run, (size_t)nf, sizeof *b->skip_cell);
    int64_t *cnt = sb_alloc(run, (size_t)b->hist_cells + 1, sizeof *cnt);
    int rc = (b->n_cells && b->skip_cell && cnt) ? SB_OK : SB_ENOMEM;
    if (rc != SB_OK) free(rowmajor);
    SB_TRY(run, run_agree_rc(run, rc));
    for (int32_t f = 0; f < nf; ++f) {
        b->n_cells[f] = b->n_value[f] + b->has_missing[f];
        const uint8_t *col = b->bins_col + (int64_t)f * n;
        int64_t *c = cnt + b->cell_off[f];
        for (int64_t i = 0; i < n; ++i) c[col[i]]++;
    }
    int64_t kept_local = n * nf; /* this rank's cells outside the skipped bins */
    int64_t *local = sb_alloc(run, (size_t)b->hist_cells + 1, sizeof *local);
    rc = local ? SB_OK : SB_ENOMEM;
    if (rc == SB_OK) memcpy(local, cnt, (size_t)b->hist_cells * sizeof *cnt);
    rc = run_agree_rc(run, rc);
    if (rc == SB_OK) rc = comm_sum_i64(run, cnt, b->hist_cells);
    int64_t kept = 0;
    for (int32_t f = 0; rc == SB_OK && f < nf; ++f) {
        int32_t best = 0;
        for (int32_t k = 1; k < b->n_cells[f]; ++k)
            if (cnt[b->cell_off[f] + k] > cnt[b->cell_off[f] + best]) best = k;
        b->skip_cell[f] = b->cell_off[f] + best;
        kept += b->n_rows_global - cnt[b->cell_off[f] + best];
        kept_local -= local[b->cell_off[f] + best];
    }
    /* Sparse only pays when it drops a quarter of the adds; cells must fit uint16. */
    const int use = b->hist_cells <= 65536 && (double)kept <= 0.75 * (double)b->n_rows_global * nf;
    b->row_cells = b->hist_cells;
    if (rc == SB_OK && use) rc = bundle_plan(run, b, cnt);
    free(cnt);
    free(local);
    if (rc != SB_OK) free(rowmajor);
    SB_TRY(run, run_agree_rc(run, rc));
    sb_verbose(run, "bins: %d cells, %.1f of %d features per row outside their most frequent bin: %s histograms\n",
               b->hist_cells, (double)kept / (double)(b->n_rows_global ? b->n_rows_global : 1), nf,
               use ? "sparse-row" : "dense-row");
    if (b->n_bundles > 0)
        sb_verbose(run, "bins: %d features in %d bundles of one cell per row (%d joint cells)\n",
                   b->member_start[b->n_row_feat] - b->member_start[b->n_row_feat - b->n_bundles], b->n_bundles,
                   b->row_cells - b->hist_cells);
    if (!use) { /* dense rows: the row-major transpose of the columns */
        for (int32_t f = 0; f < nf; ++f) b->skip_cell[f] = -1;
        if (rowmajor) {
            b->bins_row = rowmajor;
            return SB_OK;
        }
        b->bins_row = sb_alloc(run, (size_t)(n * nf) + 1, 1);
        SB_TRY(run, run_agree_rc(run, b->bins_row ? SB_OK : SB_ENOMEM));
        for (int32_t f = 0; f < nf; ++f)
            for (int64_t i = 0; i < n; ++i) b->bins_row[i * nf + f] = b->bins_col[(int64_t)f * n + i];
        return SB_OK;
    }
    if (rowmajor) { /* one pass over the rows, cells in feature order as below */
        b->sparse_start = sb_alloc(run, (size_t)n + 1, sizeof *b->sparse_start);
        b->sparse_cells = sb_alloc(run, (size_t)kept_local + 1, sizeof *b->sparse_cells); /* +1: the pass writes one cell ahead */
        rc = (b->sparse_start && b->sparse_cells) ? SB_OK : SB_ENOMEM;
        if (rc == SB_OK) {
            const int32_t n1 = b->n_row_feat - b->n_bundles; /* single features (stride 1): member_feat[0 .. n1) */
            int64_t k = 0;
            for (int64_t i = 0; i < n; ++i) {
                const uint8_t *r = rowmajor + i * nf;
                b->sparse_start[i] = k;
                for (int32_t v = 0; v < n1; ++v) { /* branch-free: the cell is written, kept if not the skipped one */
                    const int32_t cell = b->row_feat_base[v] + r[b->member_feat[v]];
                    b->sparse_cells[k] = (uint16_t)cell;
                    k += cell != b->row_feat_skip[v];
                }
                for (int32_t v = n1; v < b->n_row_feat; ++v) {
                    int32_t cell = b->row_feat_base[v];
                    for (int32_t m = b->member_start[v]; m < b->member_start[v + 1]; ++m) cell += r[b->member_feat[m]] * b->member_stride[m];
                    b->sparse_cells[k] = (uint16_t)cell;
                    k += cell != b->row_feat_skip[v];
                }
            }
            b->sparse_start[n] = k;
        }
        free(rowmajor);
        SB_TRY(run, run_agree_rc(run, rc));
        return make_fixed_width(run, b);
    }
    /* Sparse rows from the columns: count per row, prefix sums, fill feature by feature. */
    b->sparse_start = sb_alloc(run, (size_t)n + 1, sizeof *b->sparse_start);
    uint16_t *cell = sb_alloc(run, (size_t)n + 1, sizeof *cell); /* one row feature's cells */
    rc = b->sparse_start && cell ? SB_OK : SB_ENOMEM;
    if (rc != SB_OK) free(cell);
    SB_TRY(run, run_agree_rc(run, rc));
    for (int32_t v = 0; v < b->n_row_feat; ++v) {
        row_feature_cells(b, v, cell);
        for (int64_t i = 0; i < n; ++i) b->sparse_start[i + 1] += cell[i] != b->row_feat_skip[v];
    }
    for (int64_t i = 0; i < n; ++i) b->sparse_start[i + 1] += b->sparse_start[i];
    b->sparse_cells = sb_alloc(run, (size_t)b->sparse_start[n] + 1, sizeof *b->sparse_cells);
    rc = b->sparse_cells ? SB_OK : SB_ENOMEM;
    if (rc != SB_OK) free(cell);
    SB_TRY(run, run_agree_rc(run, rc));
    for (int32_t v = 0; v < b->n_row_feat; ++v) { /* sparse_start[i] advances to the end of row i ... */
        row_feature_cells(b, v, cell);
        for (int64_t i = 0; i < n; ++i)
            if (cell[i] != b->row_feat_skip[v]) b->sparse_cells[b->sparse_start[i]++] = cell[i];
    }
    free(cell);
    for (int64_t i = n; i > 0; --i) b->sparse_start[i] = b->sparse_start[i - 1]; /* ... so shift back by one row */
    b->sparse_start[0] = 0;
    return make_fixed_width(run, b);
}

/* Row-major bins written over t->x (which this takes: t->x becomes NULL), the
 * block shrunk to them, and their column-major copy in b->bins_col: x and the
 * bins are never resident together. Returns the row-major bins or NULL. */
static uint8_t *bin_over_x(run_ctx *run, sb_table *t, sb_binned *b)
{
    const int64_t n = t->n_rows;
    const int32_t nf = t->n_feat;
    uint8_t *rows = bin_rows_inplace(t->x, n, nf, b->cut_start, b->cuts, b->has_missing);
    t->x = NULL;
    uint8_t *shrunk = realloc(rows, (size_t)(n * nf) + 1); /* glibc mremaps a large block: the tail goes back */
    if (shrunk) rows = shrunk;
    b->bins_col = sb_alloc(run, (size_t)(n * nf) + 1, 1);
    if (!b->bins_col) {
        free(rows);
        return NULL;
    }
    const int64_t blk = 4096; /* rows per transpose block: the block's columns stay cached */
    for (int64_t i0 = 0; i0 < n; i0 += blk) {
        const int64_t i1 = i0 + blk < n ? i0 + blk : n;
        for (int32_t f = 0; f < nf; ++f) {
            uint8_t *col = b->bins_col + (int64_t)f * n;
            for (int64_t i = i0; i < i1; ++i) col[i] = rows[i * nf + f];
        }
    }
    return rows;
}

/* The shared body of booster_bin (consume 0: t untouched) and
 * booster_bin_consume (1: t->x is binned in place and taken). Collective. */
static int bin_table(run_ctx *run, sb_table *t, int consume, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    *out = NULL;
    if (t->n_rows_global <= 0) return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "no training rows"));
    if (t->n_rows >= INT32_MAX) return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "%lld rows on one rank: use more ranks (limit 2^31 per rank)", (long long)t->n_rows));
    if (max_bin < 2 || max_bin > 256) return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "max_bin %d out of [2, 256]", max_bin));
    sb_binned *b = sb_alloc(run, 1, sizeof *b);
    int rc = b ? SB_OK : SB_ENOMEM;
    if (rc == SB_OK) {
        b->n_feat = t->n_feat;
        b->n_rows = t->n_rows;
        b->row_start = t->row_start;
        b->n_rows_global = t->n_rows_global;
        b->max_bin = max_bin;
        b->seed = seed;
        b->cut_start = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->cut_start);
        b->has_missing = sb_alloc(run, (size_t)t->n_feat + 1, 1);
        b->n_value = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->n_value);
        b->cell_off = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->cell_off);
        if (!consume) b->bins_col = sb_alloc(run, (size_t)(t->n_rows * t->n_feat) + 1, 1);
        if (!b->cut_start || !b->has_missing || !b->n_value || !b->cell_off || (!consume && !b->bins_col)) rc = SB_ENOMEM;
    }
    rc = run_agree_rc(run, rc);
    double c0 = run_wtime();
    if (rc == SB_OK) rc = find_missing(run, t, b);
    double c1 = run_wtime();
    if (rc == SB_OK) rc = make_cuts(run, t, b);
    double c2 = run_wtime();
    if (rc == SB_OK) rc = data_fingerprint(run, t, &b->fingerprint); /* reads x: before it is binned over */
    double c3 = run_wtime();
    if (rc == SB_OK && consume) {
        uint8_t *rows = bin_over_x(run, t, b);
        rc = run_agree_rc(run, rows ? SB_OK : SB_ENOMEM);
        if (rc == SB_OK) rc = make_sparse(run, b, rows);
    } else if (rc == SB_OK) {
        bin_rows_col(t->x, t->n_rows, t->n_feat, b->cut_start, b->cuts, b->has_missing, b->bins_col);
        rc = make_sparse(run, b, NULL);
    }
    if (rc != SB_OK) {
        booster_binned_free(b);
        return rc;
    }
    sb_verbose(run, "bin phases: missing %.2fs, sample+cuts %.2fs, fingerprint %.2fs, bins+sparse rows %.2fs\n", c1 - c0, c2 - c1,
               c3 - c2, run_wtime() - c3);
    *out = b;
    return SB_OK;
}

int booster_bin(run_ctx *run, const sb_table *t, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    return bin_table(run, (sb_table *)t, 0, max_bin, seed, out); /* consume 0: t is only read */
}

int booster_bin_consume(run_ctx *run, sb_table *t, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    return bin_table(run, t, 1, max_bin, seed, out);
}
