/* leaderboard.h - the cv leaderboard CSV: written for one search, and merged
 * from the slices of a sliced (job-array) search.
 *
 * Columns: point, one column per grid parameter (as written in the grid; the
 * effective value where a point leaves it at the base), then mean_<metric>,
 * std_<metric> (population std over folds, like sklearn's std_test_score),
 * best_round, <metric>_fold<i>..., rounds_fold<i>..., fit_seconds. Rows are
 * sorted by mean (lower is better, auc higher; NaN last), ties by point index (see
 * leaderboard_cmp). Everything before mean_<metric> identifies the point
 * (slurm's merge-leaderboards.sh relies on that); fit_seconds is last because
 * it is the only column that differs between identical runs. */
#ifndef SB_LEADERBOARD_H
#define SB_LEADERBOARD_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t, int64_t */

#include "io/cv_results.h"
#include "base/run_ctx.h"

/* leaderboard_cmp - the row order: <0 when (mean_a, point_a) ranks before
 * (mean_b, point_b). Mean ascending, NaN last, ties by point. Local. */
int leaderboard_cmp(double mean_a, int64_t point_a, double mean_b, int64_t point_b);

/* The parameter text of one cell: point's value for column col (empty when
 * none). The caller knows what the columns mean; the file only prints them. */
typedef void (*leaderboard_cell_fn)(const void *ctx, int64_t point, int32_t col, char *buf, size_t len);

typedef struct {
    const char *const *names; /* n parameter column names */
    int32_t n;
    leaderboard_cell_fn cell;
    const void *ctx;
    const char *metric; /* e.g. "rmse": the mean_/std_/_fold columns' names */
} leaderboard_cols;

/* leaderboard_write - the leaderboard of the ranked points order[0..n_done)
 * of r, written to a temporary name and renamed. Local (rank 0). */
int leaderboard_write(run_ctx *run, const char *path, const leaderboard_cols *cols, const cv_results *r,
                      const int64_t *order, int64_t n_done);

/* leaderboard_merge - merge leaderboards (same header, disjoint points) into
 * out, sorted like one leaderboard; temporary name + rename. SB_EDATA names
 * the file whose header differs, or a point found twice. Local. */
int leaderboard_merge(run_ctx *run, const char *out, char *const *in, int n_in);

#endif
