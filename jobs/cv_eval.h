/* cv_eval.h - evaluate one grid point by k-fold cross-validation inside one
 * rank group: k models on the group's binned data, each scored on its
 * held-out fold with an exact (rank-count invariant) metric reduction. */
#ifndef SB_CV_EVAL_H
#define SB_CV_EVAL_H

#include <stdint.h> /* for int32_t, uint8_t */

#include "io/table.h"
#include "engine/booster.h"
#include "io/params.h"
#include "base/run_ctx.h"

/* cv_eval_point - Collective over grp's ranks; arguments equal on all of them
 * except the local rows (t, fold: per local row its fold 0..k-1).
 * For fold f the model trains on the rows of the other folds (the held-out
 * rows are its validation set, so early stopping, when params ask for it,
 * watches them) and fold_metric[f] is `metric` of that model on fold f's
 * rows, weighted as params->weighted_metric says. fold_rounds[f] is the
 * number of trees kept (best round with early stopping). Returns SB_OK,
 * SB_EINTR (stop requested) or an agreed error. */
int cv_eval_point(run_ctx *grp, const sb_binned *b, const sb_table *t, const uint8_t *fold, int32_t k,
                  const sb_params *params, sb_metric_kind metric, double *fold_metric, int32_t *fold_rounds);

#endif
