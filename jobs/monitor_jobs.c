/* monitor_jobs.c - train's and evaluate's metrics as gauges (jobs/monitor_jobs.h). */
#include "jobs/monitor_jobs.h"

#include <stdio.h> /* for snprintf */

#include "jobs/monitor.h"

void monitor_train_metrics(run_ctx *run, const char *path, const sb_model *m, int64_t rows)
{
    char labels[64];
    monitor_note_model(run, path, m);
    monitor_note_rows(rows);
    snprintf(labels, sizeof labels, "metric=\"%s\"", metric_name(m->metric));
    if (m->n_rounds_done > 0 && m->train_metric)
        monitor_gauge("shardboost_train_metric", "Training metric of the model at its last round.", labels,
                      m->train_metric[m->n_rounds_done - 1]);
    if (m->n_rounds_done > 0 && m->valid_metric)
        monitor_gauge("shardboost_valid_metric", "Validation metric of the model at its best iteration.", labels,
                      m->valid_metric[m->best_iteration]);
    monitor_gauge("shardboost_model_trees", "Trees in the model.", "", m->n_trees);
}

void monitor_eval_metrics(const double *val, const sb_metric_kind *kinds, int n_kinds, int64_t rows)
{
    char labels[96];
    monitor_note_rows(rows);
    for (int w = 0; w < 2; ++w)
        for (int k = 0; k < n_kinds; ++k) {
            snprintf(labels, sizeof labels, "metric=\"%s\",weighted=\"%s\"", metric_name(kinds[k]),
                     w ? "true" : "false");
            monitor_gauge("shardboost_eval_metric", "Metric of the model on the evaluated data.", labels,
                          val[w * n_kinds + k]);
        }
}
