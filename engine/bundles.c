/* bundles.c - bundles of small features for the sparse-row histograms.
 *
 * A sparse row costs one scatter-add per feature outside its most frequent
 * bin. Features with few bins and no strongly dominant value (flags, small
 * categoricals) cost almost one add each; bundled, several of them cost one
 * add together: a row holds the bundle's joint cell (the member bins in mixed
 * radix) unless every member sits in its skipped bin. The members' cells are
 * summed out of the joint histogram afterwards (hist_spread_bundle), exactly,
 * so the histograms and the model are those of the unbundled rows.
 *
 * Unlike LightGBM's exclusive feature bundling (features that are rarely
 * non-zero together, sharing one bin range), these bundles take features that
 * are often non-default together and pay with a joint histogram of up to
 * BUNDLE_MAX_CELLS cells per bundle. */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset */

#include "engine/booster_internal.h"
#include "kernels/hist.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

#define BUNDLE_MAX_CELLS 256  /* joint cells of one bundle: its spread stays cheap next to the rows */
#define BUNDLE_MEMBER_CELLS 16 /* only features of at most this many cells join a bundle */
#define BUNDLE_MIN_SAVING 0.2  /* adds saved per row for a bundle to be kept */

/* Rows of this rank with every member of f[0..m) in its skipped bin: the
 * rows that store no cell for the bundle. */
static int64_t rows_all_skipped(const sb_binned *b, const int32_t *f, int32_t m, uint8_t *all)
{
    const int64_t n = b->n_rows;
    memset(all, 1, (size_t)n);
    for (int32_t k = 0; k < m; ++k) {
        const uint8_t *col = b->bins_col + (int64_t)f[k] * n;
        const int32_t skip = b->skip_cell[f[k]] - b->cell_off[f[k]];
        for (int64_t i = 0; i < n; ++i) all[i] &= col[i] == skip;
    }
    int64_t c = 0;
    for (int64_t i = 0; i < n; ++i) c += all[i];
    return c;
}

/* Scratch of the planning, allocated together. */
typedef struct {
    int32_t *cand;    /* candidate features by (cells, feature) */
    int32_t n_cand;
    int32_t *bundle_of; /* per feature: its bundle, or -1 */
    int32_t *start, *size; /* proposal q: size[q] members from cand[start[q]] */
    int32_t n_prop;
    int64_t *skipped; /* per proposal: global rows with every member in its skipped bin */
    uint8_t *all;     /* per local row: every member skipped */
} bundle_work;

/* Candidates by (cells, feature): small ones first pack the most members per bundle. */
static void pick_candidates(const sb_binned *b, bundle_work *w)
{
    w->n_cand = 0;
    for (int32_t f = 0; f < b->n_feat; ++f) {
        w->bundle_of[f] = -1;
        if (b->skip_cell[f] < 0 || b->n_cells[f] < 2 || b->n_cells[f] > BUNDLE_MEMBER_CELLS) continue;
        int32_t at = w->n_cand++;
        for (; at > 0 && b->n_cells[w->cand[at - 1]] > b->n_cells[f]; --at) w->cand[at] = w->cand[at - 1];
        w->cand[at] = f;
    }
}

/* Greedy proposals: fill a bundle while its joint cells fit. */
static void propose_bundles(const sb_binned *b, bundle_work *w)
{
    w->n_prop = 0;
    for (int32_t i = 0; i < w->n_cand; ++w->n_prop) {
        int32_t m = 0, cells = 1;
        while (i + m < w->n_cand && m < HIST_BUNDLE_MAX_MEMBERS &&
               cells * b->n_cells[w->cand[i + m]] <= BUNDLE_MAX_CELLS)
            cells *= b->n_cells[w->cand[i + m++]];
        w->start[w->n_prop] = i;
        w->size[w->n_prop] = m;
        i += m;
    }
}

/* Keep a proposal if it saves enough adds over all rows, counted exactly:
 * its members' own cells against one cell per row not all skipped (one-hot
 * groups, never non-default together, save nothing). Returns the bundles kept. */
static int32_t keep_bundles(const sb_binned *b, const int64_t *cnt, bundle_work *w)
{
    int32_t n_bundles = 0, joint_cells = 0;
    for (int32_t q = 0; q < w->n_prop; ++q) {
        const int32_t *f = w->cand + w->start[q];
        int64_t own = 0, cells = 1;
        for (int32_t k = 0; k < w->size[q]; ++k) {
            own += b->n_rows_global - cnt[b->skip_cell[f[k]]];
            cells *= b->n_cells[f[k]];
        }
        const int64_t one = b->n_rows_global - w->skipped[q];
        if (w->size[q] < 2 || (double)(own - one) < BUNDLE_MIN_SAVING * (double)b->n_rows_global ||
            b->hist_cells + joint_cells + cells > SPARSE_MAX_CELLS)
            continue;
        for (int32_t k = 0; k < w->size[q]; ++k) w->bundle_of[f[k]] = n_bundles;
        ++n_bundles;
        joint_cells += (int32_t)cells;
    }
    return n_bundles;
}

/* Row features: the single features in order, then the bundles. */
static void lay_out_row_features(sb_binned *b, const int32_t *bundle_of, int32_t n_bundles)
{
    int32_t v = 0, at = 0;
    for (int32_t f = 0; f < b->n_feat; ++f) {
        if (bundle_of[f] >= 0) continue;
        b->member_start[v] = at;
        b->member_feat[at] = f;
        b->member_stride[at++] = 1;
        b->row_feat_base[v] = b->cell_off[f];
        b->row_feat_skip[v++] = b->skip_cell[f]; /* -1 (dense rows): never skipped */
    }
    int32_t base = b->hist_cells;
    for (int32_t q = 0; q < n_bundles; ++q) {
        int32_t stride = 1, skip = 0;
        b->member_start[v] = at;
        for (int32_t f = 0; f < b->n_feat; ++f) {
            if (bundle_of[f] != q) continue;
            b->member_feat[at] = f;
            b->member_stride[at++] = stride;
            skip += (b->skip_cell[f] - b->cell_off[f]) * stride;
            stride *= b->n_cells[f];
        }
        b->row_feat_base[v] = base;
        b->row_feat_skip[v++] = base + skip;
        base += stride;
    }
    b->member_start[v] = at;
    b->n_row_feat = v;
    b->n_bundles = n_bundles;
    b->row_cells = base;
}

int bundle_plan(run_ctx *run, sb_binned *b, const int64_t *cnt)
{
    const size_t len = (size_t)b->n_feat + 1;
    bundle_work w = {0};
    int rc = SB_OK;
    w.cand = sb_alloc(run, len, sizeof *w.cand);
    w.bundle_of = sb_alloc(run, len, sizeof *w.bundle_of);
    w.start = sb_alloc(run, len, sizeof *w.start);
    w.size = sb_alloc(run, len, sizeof *w.size);
    w.skipped = sb_alloc(run, len, sizeof *w.skipped);
    w.all = sb_alloc(run, (size_t)b->n_rows + 1, 1);
    b->member_start = sb_alloc(run, len, sizeof *b->member_start);
    b->member_feat = sb_alloc(run, len, sizeof *b->member_feat);
    b->member_stride = sb_alloc(run, len, sizeof *b->member_stride);
    b->row_feat_base = sb_alloc(run, len, sizeof *b->row_feat_base);
    b->row_feat_skip = sb_alloc(run, len, sizeof *b->row_feat_skip);
    const int ok = w.cand && w.bundle_of && w.start && w.size && w.skipped && w.all && b->member_start &&
                   b->member_feat && b->member_stride && b->row_feat_base && b->row_feat_skip;
    SB_CHECK(run, run_agree_rc(run, ok ? SB_OK : SB_ENOMEM));
    pick_candidates(b, &w);
    propose_bundles(b, &w);
    for (int32_t q = 0; q < w.n_prop; ++q)
        w.skipped[q] = w.size[q] >= 2 ? rows_all_skipped(b, w.cand + w.start[q], w.size[q], w.all) : 0;
    SB_CHECK(run, comm_sum_i64(run, w.skipped, w.n_prop));
    lay_out_row_features(b, w.bundle_of, keep_bundles(b, cnt, &w));
out:
    free(w.cand);
    free(w.bundle_of);
    free(w.start);
    free(w.size);
    free(w.skipped);
    free(w.all);
    return rc;
}
