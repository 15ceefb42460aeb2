/* drift_reference.c - the training reference for drift monitoring, computed
 * at train time from the binned rows and the final model (engine/drift_reference.h). */
#include "engine/drift_reference.h"

#include <math.h>   /* for NAN, INFINITY, isnan, llround */
#include <stdlib.h> /* for free, qsort */
#include <string.h> /* for memcpy */

#include "engine/booster_internal.h"
#include "io/drift_ref.h"
#include "kernels/drift_hist.h"
#include "kernels/objective.h"
#include "mpi/comm.h"
#include "base/alloc.h"
#include "base/hash.h" /* for sb_mix64: the sample predict's drift counts */
#include "base/error.h"

/* Fixed-point units of a row weight when the data has weights: 2^16 keeps
 * five decimal digits and leaves room for 2^47 units of total weight. */
#define WEIGHT_SCALE 65536

int drift_range_compute(run_ctx *run, const sb_table *t, drift_range *out)
{
    int rc = SB_OK;
    const int32_t nf = t->n_feat;
    memset(out, 0, sizeof *out);
    /* max of x, then max of -x: one reduction for both ends */
    double *mx = sb_alloc(run, 2 * (size_t)nf + 1, sizeof *mx);
    out->lo = sb_alloc(run, (size_t)nf + 1, sizeof *out->lo);
    out->hi = sb_alloc(run, (size_t)nf + 1, sizeof *out->hi);
    out->n_feat = nf;
    SB_CHECK(run, run_agree_rc(run, mx && out->lo && out->hi ? SB_OK : SB_ENOMEM));
    for (int32_t f = 0; f < 2 * nf; ++f) mx[f] = -INFINITY;
    for (int64_t i = 0; i < t->n_rows; ++i)
        for (int32_t f = 0; f < nf; ++f) {
            const double v = t->x[i * nf + f];
            if (isnan(v)) continue;
            if (v > mx[f]) mx[f] = v;
            if (-v > mx[nf + f]) mx[nf + f] = -v;
        }
    SB_CHECK(run, comm_max_f64(run, mx, 2 * (int64_t)nf));
    for (int32_t f = 0; f < nf; ++f) {
        const int none = mx[f] == -INFINITY;
        out->hi[f] = none ? NAN : mx[f];
        out->lo[f] = none ? NAN : -mx[nf + f];
    }
out:
    free(mx);
    if (rc != SB_OK) drift_range_free(out);
    return rc;
}

void drift_range_free(drift_range *r)
{
    free(r->lo);
    free(r->hi);
    memset(r, 0, sizeof *r);
}

/* Row weights in fixed point (NULL when the table has none). Local. */
static int fixed_weights(run_ctx *run, const sb_table *t, int64_t **w)
{
    *w = NULL;
    if (t->weight == NULL) return SB_OK;
    *w = sb_alloc(run, (size_t)t->n_rows + 1, sizeof **w);
    if (*w == NULL) return SB_ENOMEM;
    for (int64_t i = 0; i < t->n_rows; ++i) {
        const double v = t->weight[i] * WEIGHT_SCALE;
        (*w)[i] = isnan(v) || v <= 0 ? 0 : (int64_t)llround(v);
    }
    return SB_OK;
}

/* The local training rows the score reference counts, into rows; returns how many. All
 * rows of a small data set, else the rows predict's drift counts (jobs/monitor_drift.c):
 * global index hashing to 0 mod 2^k, the smallest k leaving fewer than 2 * SCORE_SAMPLE_ROWS.
 * Shares of twenty score bins from 32k+ rows are as good as from all, and the pass over
 * every tree then costs a small share of training. Depends on global indices only. Local. */
#define SCORE_SAMPLE_ROWS 32768
static int64_t score_rows(const sb_binned *b, int32_t *rows)
{
    uint64_t mask = 0;
    for (int64_t g = b->n_rows_global; (g >> 1) >= SCORE_SAMPLE_ROWS; g >>= 1) mask = mask << 1 | 1;
    int64_t m = 0;
    for (int64_t i = 0; i < b->n_rows; ++i) {
        rows[m] = (int32_t)i;
        m += (sb_mix64((uint64_t)(b->row_start + i)) & mask) == 0;
    }
    return m;
}

/* Predictions of the local training rows rows[0..m) by their bins with m's trees, into
 * pred[0..m) (margin is scratch indexed by local row). Local. */
static void predict_by_bins(const sb_binned *b, const sb_model *mdl, const int32_t *rows, int64_t m,
                            double *margin, double *pred)
{
    for (int64_t j = 0; j < m; ++j) margin[rows[j]] = mdl->base_margin;
    for (int32_t t = 0; t < mdl->n_trees; ++t)
        trainer_add_tree_by_bins(b, mdl->nodes + mdl->tree_start[t], model_tree_cats(mdl, t), rows, m, margin);
    for (int64_t j = 0; j < m; ++j) pred[j] = margin[rows[j]];
    objective_link(mdl->params.objective, pred, pred, m);
}

typedef struct {
    uint64_t key;
    int64_t w;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const uint64_t x = ((const keyed *)a)->key, y = ((const keyed *)b)->key;
    return (x > y) - (x < y);
}

/* Weight of the sorted local keys <= k (prefix[i]: weight of the first i). */
static int64_t weight_upto(const keyed *s, const int64_t *prefix, int64_t n, uint64_t k)
{
    int64_t lo = 0, hi = n; /* first index with key > k */
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (s[mid].key <= k) lo = mid + 1;
        else hi = mid;
    }
    return prefix[lo];
}

/* Exact (weighted) quantile edges: edge j is the smallest prediction whose
 * global cumulative weight reaches ceil((j + 1) W / BINS). All edges are
 * bisected together over the 64-bit keys, one int64 sum per step, so every
 * rank count finds the same values. Collective. */
static int score_edges(run_ctx *run, const keyed *s, const int64_t *prefix, int64_t n, double *edges)
{
    enum { NE = DRIFT_SCORE_BINS - 1 };
    __extension__ typedef __int128 i128;
    int64_t total = prefix[n], target[NE], got[NE];
    uint64_t lo[NE], hi[NE];
    SB_TRY(run, comm_sum_i64(run, &total, 1));
    for (int j = 0; j < NE; ++j) {
        const i128 num = (i128)total * (j + 1);
        target[j] = (int64_t)((num + DRIFT_SCORE_BINS - 1) / DRIFT_SCORE_BINS);
        lo[j] = 0;
        hi[j] = UINT64_MAX;
    }
    for (int step = 0; step < 64; ++step) {
        for (int j = 0; j < NE; ++j) got[j] = weight_upto(s, prefix, n, lo[j] + (hi[j] - lo[j]) / 2);
        SB_TRY(run, comm_sum_i64(run, got, NE));
        for (int j = 0; j < NE; ++j) {
            const uint64_t mid = lo[j] + (hi[j] - lo[j]) / 2;
            if (got[j] >= target[j]) hi[j] = mid;
            else lo[j] = mid + 1;
        }
    }
    for (int j = 0; j < NE; ++j) edges[j] = total > 0 ? drift_key_double(lo[j]) : NAN;
    return SB_OK;
}

/* The score half of the reference: edges, counts and mean. Collective. */
static int score_reference(run_ctx *run, const sb_binned *b, const int64_t *w, const sb_model *m, drift_ref *r)
{
    int rc = SB_OK;
    double *pred = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *pred);
    double *margin = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *margin);
    int32_t *rows = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *rows);
    keyed *s = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *s);
    int64_t *prefix = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *prefix), limbs[3] = {0, 0, 0}, wsum = 0;
    SB_CHECK(run, run_agree_rc(run, pred && margin && rows && s && prefix ? SB_OK : SB_ENOMEM));
    const int64_t n = score_rows(b, rows);
    predict_by_bins(b, m, rows, n, margin, pred);
    for (int64_t i = 0; i < n; ++i) s[i] = (keyed){drift_double_key(pred[i]), w ? w[rows[i]] : 1};
    qsort(s, (size_t)n, sizeof *s, keyed_cmp);
    for (int64_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + s[i].w;
    SB_CHECK(run, score_edges(run, s, prefix, n, r->edges));
    drift_score_counts(pred, NULL, n, r->edges, r->n_edges, r->score_count); /* w is NULL: rows, as predict counts them */
    SB_CHECK(run, comm_sum_i64(run, r->score_count, (int64_t)r->n_edges + 1));
    drift_fixed_sum(pred, NULL, n, limbs);
    wsum = prefix[n];
    SB_CHECK(run, comm_sum_i64(run, limbs, 3));
    SB_CHECK(run, comm_sum_i64(run, &wsum, 1));
    r->score_mean = wsum > 0 ? drift_fixed_value(limbs) / (double)wsum : NAN;
out:
    free(pred);
    free(margin);
    free(rows);
    free(s);
    free(prefix);
    return rc;
}

/* The reference's arrays (a bin per cut, one above, one missing) and the
 * fixed-point weights. Local. */
static int reference_alloc(run_ctx *run, const sb_binned *b, const sb_table *t, drift_ref **r, int64_t **w)
{
    int rc = SB_OK;
    int64_t *nb = NULL;
    SB_ALLOC_OR_OUT(run, nb, (size_t)b->n_feat + 1, sizeof *nb);
    for (int32_t f = 0; f < b->n_feat; ++f) nb[f] = b->cut_start[f + 1] - b->cut_start[f] + 2;
    SB_CHECK(run, drift_ref_alloc(run, b->n_feat, nb, DRIFT_SCORE_BINS - 1, t->weight != NULL, r));
    SB_CHECK(run, fixed_weights(run, t, w));
out:
    free(nb);
    return rc;
}

int drift_reference_build(run_ctx *run, const sb_binned *b, const sb_table *t, const drift_range *range, sb_model *m)
{
    int rc = SB_OK;
    drift_ref *r = NULL;
    int64_t *w = NULL;
    SB_CHECK(run, run_agree_rc(run, reference_alloc(run, b, t, &r, &w)));
    r->weight_scale = t->weight ? WEIGHT_SCALE : 1;
    r->rows = b->n_rows_global;
    memcpy(r->lo, range->lo, (size_t)b->n_feat * sizeof *r->lo);
    memcpy(r->hi, range->hi, (size_t)b->n_feat * sizeof *r->hi);
    drift_bins_col_counts(b->bins_col, b->n_rows, b->n_feat, b->n_value, r->bin_start, NULL, r->count);
    SB_CHECK(run, comm_sum_i64(run, r->count, r->bin_start[b->n_feat]));
    if (w != NULL) {
        drift_bins_col_counts(b->bins_col, b->n_rows, b->n_feat, b->n_value, r->bin_start, w, r->wcount);
        SB_CHECK(run, comm_sum_i64(run, r->wcount, r->bin_start[b->n_feat]));
    }
    SB_CHECK(run, score_reference(run, b, NULL, m, r)); /* rows, as scoring counts them */
    drift_ref_free(m->reference);
    m->reference = r;
    r = NULL;
out:
    drift_ref_free(r);
    free(w);
    return rc;
}
