/* cv_eval.c - k-fold evaluation of one grid point (see cv_eval.h). */
#include "jobs/cv_eval.h"

#include <stdlib.h> /* for free */

#include "engine/global_auc.h"
#include "kernels/fold.h"
#include "kernels/metric.h"
#include "kernels/objective.h"
#include "kernels/tree_predict.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

/* Held-out rows of one fold scored with the fold model: a metric partial. */
static void score_fold(const sb_model *m, const sb_table *t, const uint8_t *train_mask, sb_metric_kind metric,
                       const sb_params *params, double *pred, uint8_t *held, sb_metric_part *part)
{
    sb_forest forest = model_forest(m);
    tree_predict_margin(&forest, m->base_margin, t->x, t->n_rows, t->n_feat, pred);
    objective_link(m->params.objective, pred, pred, t->n_rows);
    for (int64_t i = 0; i < t->n_rows; ++i) held[i] = (uint8_t)!train_mask[i];
    metric_part_zero(part);
    metric_accumulate_param(metric, params_metric_param(params), t->label, t->weight, params->weighted_metric, pred,
                            held, t->n_rows, part);
    metric_part_normalize(part);
}

int cv_eval_point(run_ctx *grp, const sb_binned *b, const sb_table *t, const uint8_t *fold, int32_t k,
                  const sb_params *params, sb_metric_kind metric, double *fold_metric, int32_t *fold_rounds)
{
    int rc = SB_OK;
    size_t n = (size_t)t->n_rows + 1;
    uint8_t *mask = sb_alloc(grp, n, 1), *held = sb_alloc(grp, n, 1);
    double *pred = sb_alloc(grp, n, sizeof *pred);
    sb_metric_part *parts = sb_alloc(grp, (size_t)k, sizeof *parts);
    sb_model model = {0};
    booster_opts opts = {0};
    SB_CHECK(grp, run_agree_rc(grp, (mask && held && pred && parts) ? SB_OK : SB_ENOMEM));
    for (int32_t f = 0; f < k; ++f) {
        train_report rep = {0};
        fold_train_mask(fold, t->n_rows, f, mask);
        SB_CHECK(grp, booster_train_binned(grp, b, t, NULL, params, mask, &opts, &model, &rep));
        score_fold(&model, t, mask, metric, params, pred, held, &parts[f]);
        if (metric == SB_METRIC_AUC) /* a ranking of the fold's held-out rows of all ranks */
            SB_CHECK(grp, global_auc(grp, t->label, t->weight, params->weighted_metric, pred, held, t->n_rows,
                                     &fold_metric[f]));
        fold_rounds[f] = model.n_trees;
        model_free(&model); /* zeroes it for the next fold */
    }
    /* One exact reduction for all k folds: integer sums, any rank count, same bits. */
    SB_CHECK(grp, run_agree_rc(grp, comm_sum_i64(grp, (int64_t *)parts, k * SB_METRIC_PART_I64)));
    for (int32_t f = 0; f < k && metric != SB_METRIC_AUC; ++f) fold_metric[f] = metric_value(metric, &parts[f]);
out:
    model_free(&model);
    free(mask);
    free(held);
    free(pred);
    free(parts);
    return rc;
}
