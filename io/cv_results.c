/* cv_results.c - the fold results table and its summaries (see cv_results.h). */
#include "io/cv_results.h"

#include <math.h>   /* for sqrt */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset */

#include "base/alloc.h"
#include "base/error.h"

int cv_results_init(run_ctx *run, cv_results *r, int64_t n, int32_t k)
{
    int rc = SB_OK;
    memset(r, 0, sizeof *r);
    r->k = k;
    r->n = n;
    SB_ALLOC_OR_OUT(run, r->done, (size_t)n + 1, 1);
    SB_ALLOC_OR_OUT(run, r->seconds, (size_t)n + 1, sizeof *r->seconds);
    SB_ALLOC_OR_OUT(run, r->metric, (size_t)(n * k) + 1, sizeof *r->metric);
    SB_ALLOC_OR_OUT(run, r->rounds, (size_t)(n * k) + 1, sizeof *r->rounds);
out:
    if (rc != SB_OK) cv_results_free(r);
    return rc;
}

void cv_results_free(cv_results *r)
{
    free(r->done);
    free(r->seconds);
    free(r->metric);
    free(r->rounds);
    memset(r, 0, sizeof *r);
}

void cv_stats(const double *v, int32_t k, double *mean, double *std)
{
    double s = 0;
    for (int32_t f = 0; f < k; ++f) s += v[f];
    double m = s / k, ss = 0;
    for (int32_t f = 0; f < k; ++f) ss += (v[f] - m) * (v[f] - m);
    *mean = m;
    *std = sqrt(ss / k);
}

int32_t cv_best_round(const int32_t *rounds, int32_t k)
{
    int64_t s = 0;
    for (int32_t f = 0; f < k; ++f) s += rounds[f];
    int64_t r = (2 * s + k) / (2 * k); /* round half up */
    return r < 1 ? 1 : (int32_t)r;
}
