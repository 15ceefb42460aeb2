/* drift_report.h - the drift numbers computed from the reference and the
 * summed counts of a scoring run, and their three outputs: JSON report
 * (jansson), log table, metrics. Rank 0 only; internal to monitor_drift.c. */
#ifndef SB_DRIFT_REPORT_H
#define SB_DRIFT_REPORT_H

#include <stdint.h> /* for int32_t, int64_t */

#include "io/drift_ref.h"
#include "io/model.h"
#include "jobs/monitor.h"

enum { DRIFT_STABLE = 0, DRIFT_MODERATE = 1, DRIFT_MAJOR = 2 };
#define DRIFT_N_QUANTILES 3 /* 0.1, 0.5, 0.9 */

typedef struct {
    int32_t n_feat;
    int64_t rows, sampled;
    double *psi, *js, *miss_ref, *miss_now, *outside; /* per feature */
    int *status, *drifted;
    int n_drifted, dataset_drifted;
    double share;
    double score_psi, mean_ref, mean_now;
    int score_status;
    double q[DRIFT_N_QUANTILES], q_value[DRIFT_N_QUANTILES], below_ref[DRIFT_N_QUANTILES], below_now[DRIFT_N_QUANTILES];
} drift_result;

/* The counts of a run, summed over ranks, over the groups of the reference's bins. */
typedef struct {
    const int64_t *count;   /* DRIFT_GROUP_SLOTS per feature: value groups, missing last */
    const int64_t *outside; /* n_feat */
    const int64_t *score;   /* ref->n_edges + 1 */
    const int64_t *limbs;   /* 3: the fixed-point sum of the predictions */
    int64_t rows;           /* rows scored */
    int64_t sampled;        /* rows counted (all, or the sample) */
    const int32_t *first;   /* per feature: DRIFT_MAX_GROUPS first bins of its groups */
    const int32_t *n_groups;
} drift_counts;

/* drift_result_compute - every number of the report. Local. */
int drift_result_compute(run_ctx *run, const drift_ref *ref, const drift_counts *c, const monitor_opts *o,
                         drift_result *r);
void drift_result_free(drift_result *r);

/* drift_report_json - the report written atomically to path. Local. */
int drift_report_json(run_ctx *run, const drift_result *r, const sb_model *m, const monitor_opts *o, const char *path);
/* drift_report_log - the summary and the top drifting features (sb_info). */
void drift_report_log(run_ctx *run, const drift_result *r, const sb_model *m, const monitor_opts *o);
/* drift_report_metrics - per-feature and score gauges, and the major-drift
 * alert line (jobs/monitor.h). */
void drift_report_metrics(const drift_result *r, const sb_model *m);

#endif
