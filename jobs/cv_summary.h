/* cv_summary.h - summary.json of a cv run, and the `train` arguments that
 * reproduce its refit model. */
#ifndef SB_CV_SUMMARY_H
#define SB_CV_SUMMARY_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

#include "jobs/cv_board.h"
#include "jobs/grid.h"
#include "io/params.h"
#include "base/run_ctx.h"

typedef struct {
    const char *grid_path, *metric, *refit_model; /* refit_model NULL: no refit */
    int32_t folds, groups, ranks, early_stopping_rounds, slice_i, slice_n;
    uint64_t seed;
    int64_t rows;
    const sb_params *refit_params; /* NULL without refit */
} cv_summary_info;

/* Room for cv_train_args' text: every parameter of io/params.h as --key value. */
#define CV_TRAIN_ARGS_MAX 4096

/* cv_train_args - "--key value ..." for every parameter of p that differs
 * from the defaults (values in params_each's exact text), so that
 * `shardboost train --data D --model M <args>` trains with exactly p. Local. */
void cv_train_args(const sb_params *p, char *buf, size_t len);

/* cv_summary_write - summary.json: settings, the best point, the refit
 * (model path, n_estimators, train args) and the ranked points, numbers
 * %.17g (NaN as null). Temporary name + rename. Local (rank 0). */
int cv_summary_write(run_ctx *run, const char *path, const cv_summary_info *info, const sb_grid *g,
                     const cv_results *r, const int64_t *order, int64_t n_done);

#endif
