/* monitor_drift.c - counting a scoring run for drift and finishing the
 * report (jobs/monitor_drift.h). */
#include "jobs/monitor_drift.h"

#include <errno.h>  /* for errno */
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

/* Feature values are counted on a sample of the rows when there are many:
 * every row of a data set up to DRIFT_SAMPLE_ROWS rows, else the rows whose
 * global index hashes to 0 mod 2^k, the smallest k leaving at most that many
 * (about). Binning every value against every cut costs about as much as
 * scoring with a 100-tree model; the sample's shares are as good for PSI.
 * The choice depends on the global row index only: any rank count counts the
 * same rows. Predictions are cheap to count and are all counted. */
#define DRIFT_SAMPLE_ROWS 131072

struct drift_acc {
    const drift_ref *ref;
    const sb_model *m;
    const int32_t *col;  /* model feature f is table column col[f] */
    float *lo, *hi;      /* the training range as floats (exact: it came from floats) */
    uint64_t sample_mask; /* row g is counted when mix(g) & mask == 0 */
    int32_t *rows_buf;   /* the sampled rows of one block */
    int64_t *buf, n_buf; /* every count, one int64 array: one reduction */
    int64_t *count, *outside, *score, *limbs, *rows, *sampled;
    double seconds;
};

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
    d->n_buf = ref->bin_start[ref->n_feat] + ref->n_feat + ref->n_edges + 1 + 3 + 2;
    SB_ALLOC_OR_OUT(run, d->buf, (size_t)d->n_buf, sizeof *d->buf);
    SB_ALLOC_OR_OUT(run, d->lo, (size_t)ref->n_feat + 1, sizeof *d->lo);
    SB_ALLOC_OR_OUT(run, d->hi, (size_t)ref->n_feat + 1, sizeof *d->hi);
    SB_ALLOC_OR_OUT(run, d->rows_buf, PREDICT_BLOCK_ROWS, sizeof *d->rows_buf);
    for (int32_t f = 0; f < ref->n_feat; ++f) {
        d->lo[f] = (float)ref->lo[f];
        d->hi[f] = (float)ref->hi[f];
    }
    while ((n_rows_global >> 1) >= DRIFT_SAMPLE_ROWS) { /* the same on every rank */
        n_rows_global >>= 1;
        d->sample_mask = d->sample_mask << 1 | 1;
    }
    d->count = d->buf;
    d->outside = d->count + ref->bin_start[ref->n_feat];
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
            m += (sb_mix64((uint64_t)(row0 + i)) & d->sample_mask) == 0;
        }
        rows = d->rows_buf;
    }
    drift_bin_counts(x, x_cols, rows, m, r->n_feat, d->col, d->m->cut_start, d->m->cuts, r->bin_start, d->lo, d->hi,
                     d->count, d->outside);
    *d->sampled += m;
    drift_score_counts(pred, NULL, n, r->edges, r->n_edges, d->score);
    drift_fixed_sum(pred, NULL, n, d->limbs);
    *d->rows += n;
    d->seconds += run_wtime() - t0;
}

void drift_acc_free(drift_acc *d)
{
    if (d == NULL) return;
    free(d->buf);
    free(d->lo);
    free(d->hi);
    free(d->rows_buf);
    free(d);
}

/* No report: say why, and remove one a previous run left (it would describe other data). */
static int skipped(run_ctx *run, const sb_model *m, const char *json_path)
{
    int rc = SB_OK;
    if (run_rank(run) == 0) {
        sb_info(run, "drift: skipped (%s)\n",
                m->reference == NULL ? "the model has no training reference: trained before drift monitoring, or imported"
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
    const drift_counts c = {d->count, d->outside, d->score, d->limbs, *d->rows, *d->sampled};
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
    sb_info(run, "drift: counting %.3fs (max over ranks), report %.3fs\n", t[0], run_wtime() - t0);
    return run_agree_rc(run, rc);
}

int drift_acc_finish_dir(run_ctx *run, drift_acc *d, const sb_model *m, const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/_drift.json", dir) >= (int)sizeof path)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "output directory name too long: %s", dir));
    return drift_acc_finish(run, d, m, path);
}
