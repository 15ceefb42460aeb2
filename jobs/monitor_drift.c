/* monitor_drift.c - counting a scoring run for drift and finishing the
 * report (jobs/monitor_drift.h). */
#include "jobs/monitor_drift.h"

#include <errno.h>  /* for errno */
#include <math.h>   /* for INFINITY */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset */
#include <unistd.h> /* for unlink */

#include "io/drift_ref.h"
#include "jobs/drift_report.h"
#include "jobs/monitor.h"
#include "kernels/drift_hist.h"
#include "mpi/comm.h"
#include "base/hash.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/log.h"
#include "base/timer.h"

/* Rows are counted on a sample when there are many: every row of a data set
 * up to 2 * DRIFT_SAMPLE_ROWS - 1 rows, else the rows whose global index
 * hashes to 0 mod 2^k, the smallest k leaving fewer than that (about). Shares
 * of ten groups (and of twenty score bins) from 32k+ rows are as good as from
 * all rows, and a pass over a sample keeps drift a small share of predict's
 * time where one over every value would not (make bench-drift measures it).
 * The choice depends on the global row index only: any rank count counts the
 * same rows. */
#define DRIFT_SAMPLE_ROWS 32768

/* Value groups per feature: deciles of the training rows, as monitoring
 * tools bin a reference for PSI. */
#define DRIFT_GROUPS 10

struct drift_acc {
    const drift_ref *ref;
    const sb_model *m;
    const int32_t *col;        /* model feature f is table column col[f] */
    float *lo, *hi;            /* the training range as floats (exact: it came from floats) */
    int32_t *first, *n_groups; /* per feature: its groups' first bins (DRIFT_MAX_GROUPS each) */
    float *bounds;             /* per feature: DRIFT_MAX_GROUPS group bounds, +inf padded */
    int32_t *n_bounds;
    uint64_t sample_mask; /* row g is counted when mix(g) & mask == 0 */
    int32_t *rows_buf;    /* the sampled rows of one block */
    double *pred_buf;     /* and their predictions */
    int64_t *buf, n_buf;  /* every count, one int64 array: one reduction */
    int64_t *count, *outside, *score, *limbs, *rows, *sampled;
    double seconds;
};

/* Groups of about equal training rows per feature (kernels/drift_hist.h), and
 * the cut values that bound them: a value's group is the number of bounds
 * <= it, as its bin is the number of cuts <= it. */
static void make_groups(drift_acc *d, const sb_model *m)
{
    const drift_ref *r = d->ref;
    for (int32_t f = 0; f < r->n_feat; ++f) {
        const int64_t b0 = r->bin_start[f], nb = r->bin_start[f + 1] - b0;
        int32_t *first = d->first + (int64_t)f * DRIFT_MAX_GROUPS;
        float *bounds = d->bounds + (int64_t)f * DRIFT_MAX_GROUPS;
        d->n_groups[f] = drift_groups(r->count + b0, nb, DRIFT_GROUPS, first);
        d->n_bounds[f] = d->n_groups[f] - 1;
        for (int k = 0; k < DRIFT_MAX_GROUPS; ++k)
            bounds[k] = k < d->n_bounds[f] ? m->cuts[m->cut_start[f] + first[k + 1] - 1] : INFINITY;
        d->lo[f] = (float)r->lo[f];
        d->hi[f] = (float)r->hi[f];
    }
}

int drift_acc_init(run_ctx *run, const sb_model *m, const predict_scorer *s, int64_t n_rows_global, drift_acc **out)
{
    int rc = SB_OK;
    drift_acc *d = NULL;
    *out = NULL;
    const drift_ref *ref = m->reference;
    if (ref == NULL || monitor_options()->no_drift) return SB_OK;
    SB_ALLOC_OR_OUT(run, d, 1, sizeof *d);
    d->ref = ref;
    d->m = m;
    d->col = s->col_of;
    const size_t nf = (size_t)ref->n_feat + 1;
    d->n_buf = (int64_t)ref->n_feat * DRIFT_GROUP_SLOTS + ref->n_feat + ref->n_edges + 1 + 3 + 2;
    SB_ALLOC_OR_OUT(run, d->buf, (size_t)d->n_buf, sizeof *d->buf);
    SB_ALLOC_OR_OUT(run, d->lo, nf, sizeof *d->lo);
    SB_ALLOC_OR_OUT(run, d->hi, nf, sizeof *d->hi);
    SB_ALLOC_OR_OUT(run, d->first, nf * DRIFT_MAX_GROUPS, sizeof *d->first);
    SB_ALLOC_OR_OUT(run, d->n_groups, nf, sizeof *d->n_groups);
    SB_ALLOC_OR_OUT(run, d->bounds, nf * DRIFT_MAX_GROUPS, sizeof *d->bounds);
    SB_ALLOC_OR_OUT(run, d->n_bounds, nf, sizeof *d->n_bounds);
    SB_ALLOC_OR_OUT(run, d->rows_buf, PREDICT_BLOCK_ROWS, sizeof *d->rows_buf);
    SB_ALLOC_OR_OUT(run, d->pred_buf, PREDICT_BLOCK_ROWS, sizeof *d->pred_buf);
    make_groups(d, m);
    while ((n_rows_global >> 1) >= DRIFT_SAMPLE_ROWS) { /* the same on every rank */
        n_rows_global >>= 1;
        d->sample_mask = d->sample_mask << 1 | 1;
    }
    d->count = d->buf;
    d->outside = d->count + (int64_t)ref->n_feat * DRIFT_GROUP_SLOTS;
    d->score = d->outside + ref->n_feat;
    d->limbs = d->score + ref->n_edges + 1;
    d->rows = d->limbs + 3;
    d->sampled = d->rows + 1;
    *out = d;
    d = NULL;
out:
    drift_acc_free(d);
    return rc;
}

void drift_acc_rows(drift_acc *d, const float *x, int32_t x_cols, int64_t n, const double *pred, int64_t row0)
{
    if (d == NULL) return;
    const double t0 = run_wtime();
    const drift_ref *r = d->ref;
    const int32_t *rows = NULL; /* all */
    int64_t m = n;
    if (d->sample_mask != 0) {
        m = 0;
        for (int64_t i = 0; i < n; ++i) {
            d->rows_buf[m] = (int32_t)i;
            d->pred_buf[m] = pred[i];
            m += (sb_mix64((uint64_t)(row0 + i)) & d->sample_mask) == 0;
        }
        rows = d->rows_buf;
        pred = d->pred_buf;
    }
    drift_group_counts(x, x_cols, rows, m, r->n_feat, d->col, d->bounds, d->n_bounds, d->lo, d->hi, d->count,
                       d->outside);
    drift_score_counts(pred, NULL, m, r->edges, r->n_edges, d->score);
    drift_fixed_sum(pred, NULL, m, d->limbs);
    *d->sampled += m;
    *d->rows += n;
    d->seconds += run_wtime() - t0;
}

void drift_acc_free(drift_acc *d)
{
    if (d == NULL) return;
    free(d->buf);
    free(d->lo);
    free(d->hi);
    free(d->first);
    free(d->n_groups);
    free(d->bounds);
    free(d->n_bounds);
    free(d->rows_buf);
    free(d->pred_buf);
    free(d);
}

/* No report: say why, and remove one a previous run left (it would describe other data). */
static int skipped(run_ctx *run, const sb_model *m, const char *json_path)
{
    int rc = SB_OK;
    if (run_rank(run) == 0) {
        sb_info(run, "drift: skipped (%s)\n",
                m->reference == NULL
                    ? "the model has no training reference: trained before drift monitoring, or imported"
                    : "--no-drift");
        if (json_path && unlink(json_path) != 0 && errno != ENOENT)
            rc = SB_FAIL(run, SB_EIO, "remove stale %s: %s", json_path, strerror(errno));
    }
    return run_agree_rc(run, rc);
}

/* Rank 0: numbers, log, metrics, JSON. */
static int report(run_ctx *run, drift_acc *d, const sb_model *m, const char *json_path)
{
    const drift_ref *ref = d->ref;
    const drift_counts c = {d->count, d->outside, d->score, d->limbs, *d->rows, *d->sampled, d->first, d->n_groups};
    const monitor_opts *o = monitor_options();
    drift_result r;
    SB_TRY(run, drift_result_compute(run, ref, &c, o, &r));
    drift_report_log(run, &r, m, o);
    drift_report_metrics(&r, m);
    int rc = json_path ? drift_report_json(run, &r, m, o, json_path) : SB_OK;
    drift_result_free(&r);
    return rc;
}

int drift_acc_finish(run_ctx *run, drift_acc *d, const sb_model *m, const char *json_path)
{
    if (d == NULL) return skipped(run, m, json_path);
    double t[1] = {d->seconds};
    SB_TRY(run, comm_max_f64(run, t, 1));
    const double t0 = run_wtime();
    SB_TRY(run, comm_sum_i64(run, d->buf, d->n_buf));
    int rc = run_rank(run) == 0 ? report(run, d, m, json_path) : SB_OK;
    sb_verbose(run, "drift: counting %.3fs (max over ranks), report %.3fs\n", t[0],
               run_wtime() - t0); /* timings: stdout stays the same run to run */
    return run_agree_rc(run, rc);
}

int drift_acc_finish_dir(run_ctx *run, drift_acc *d, const sb_model *m, const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/_drift.json", dir) >= (int)sizeof path)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "output directory name too long: %s", dir));
    return drift_acc_finish(run, d, m, path);
}
