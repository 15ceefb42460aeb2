/* monitor_drift.h - drift of the data a job scores against the model's
 * training reference (io/drift_ref.h), for predict and evaluate.
 *
 * While scoring, each rank counts its rows' values over the model's bins
 * (kernels/drift_hist.h: the same bins the reference counted) and its
 * predictions over the reference's quantile edges; at the end the int64
 * counts are summed over ranks and rank 0 computes, per feature, PSI,
 * Jensen-Shannon distance, missing-rate change and the share of values
 * outside the training range, and for the scores PSI, the mean shift and
 * the quantile shift. The same counts on any number of ranks give the same
 * report, byte for byte. */
#ifndef SB_MONITOR_DRIFT_H
#define SB_MONITOR_DRIFT_H

#include <stdint.h> /* for int32_t, int64_t */

#include "io/model.h"
#include "jobs/predict_score.h"
#include "base/run_ctx.h"

typedef struct drift_acc drift_acc;

/* drift_acc_init - an accumulator for scoring n_rows_global rows with s
 * (model m). *out is NULL (nothing to count) when the model has no
 * reference or --no-drift was given: the same on every rank. Local; the
 * caller agrees the status. */
int drift_acc_init(run_ctx *run, const sb_model *m, const predict_scorer *s, int64_t n_rows_global, drift_acc **out);

/* drift_acc_rows - count n <= PREDICT_BLOCK_ROWS rows at x (x_cols floats
 * each, the table's columns; global row index of the first: row0) and their
 * predictions. Large data sets are counted on a sample of the rows chosen
 * by global row index (the same for any rank count). d may be NULL. Local,
 * no allocation. */
void drift_acc_rows(drift_acc *d, const float *x, int32_t x_cols, int64_t n, const double *pred, int64_t row0);

/* drift_acc_finish - Collective. Sum the counts, then rank 0 logs the top
 * drifting features, records the metrics (jobs/monitor.h), and writes the
 * report atomically to json_path (NULL: none); d NULL logs why drift was
 * skipped and removes a stale json_path. Agreed status. */
int drift_acc_finish(run_ctx *run, drift_acc *d, const sb_model *m, const char *json_path);

/* drift_acc_finish_dir - drift_acc_finish to dir/_drift.json (predict's
 * output directory). Collective. */
int drift_acc_finish_dir(run_ctx *run, drift_acc *d, const sb_model *m, const char *dir);

void drift_acc_free(drift_acc *d);

#endif
