/* monitor_jobs.h - what train and evaluate record for monitoring
 * (jobs/monitor.h): their metrics as gauges, rows, the model. Local. */
#ifndef SB_MONITOR_JOBS_H
#define SB_MONITOR_JOBS_H

#include <stdint.h> /* for int64_t */

#include "io/model.h"
#include "kernels/metric.h"
#include "base/run_ctx.h"

/* The model written to path: its train metric at the last round, its valid
 * metric at the best iteration, trees, rows. */
void monitor_train_metrics(run_ctx *run, const char *path, const sb_model *m, int64_t rows);

/* val: n_kinds unweighted values, then n_kinds weighted ones (NaN: undefined). */
void monitor_eval_metrics(const double *val, const sb_metric_kind *kinds, int n_kinds, int64_t rows);

#endif
