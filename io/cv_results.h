/* cv_results.h - the fold results of a cross-validated grid search, one row
 * per grid point: what the journal (io/cv_journal.h) appends and reads back
 * and what the leaderboard (io/leaderboard.h) prints, with the two summaries
 * (mean/std, best round) that both the leaderboard and the summary report. */
#ifndef SB_CV_RESULTS_H
#define SB_CV_RESULTS_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

#include "base/run_ctx.h"

typedef struct {
    int32_t k;       /* folds */
    int64_t n;       /* grid points */
    uint8_t *done;   /* n: 1 when the point's folds are all evaluated */
    double *seconds; /* n: wall seconds to fit and score the k folds */
    double *metric;  /* n * k: held-out metric per fold */
    int32_t *rounds; /* n * k: trees in each fold's model (the best round with early stopping) */
    int higher_better; /* 1: the metric ranks larger means first (auc) */
} cv_results;

/* Allocate results for n points and k folds, nothing done. Local. */
int cv_results_init(run_ctx *run, cv_results *r, int64_t n, int32_t k);
void cv_results_free(cv_results *r);

/* Mean and population std of k fold values, summed in fold order (so the
 * bits depend only on the fold values). Local. */
void cv_stats(const double *v, int32_t k, double *mean, double *std);
/* The round to refit with: the mean of the fold models' tree counts, rounded
 * half up (at least 1). Local. */
int32_t cv_best_round(const int32_t *rounds, int32_t k);

#endif
