/* cv_board.h - cross-validation results: per-point fold metrics, the
 * journal that makes a search resumable, the leaderboard CSV, the JSON
 * summary, and merging leaderboards of a sliced (job-array) search.
 *
 * Leaderboard columns: point, one column per grid parameter (as written in
 * the grid; the effective value where a point leaves it at the base), then
 * mean_<metric>, std_<metric> (population std over folds, like sklearn's
 * std_test_score), best_round, <metric>_fold<i>..., rounds_fold<i>...,
 * fit_seconds. Rows sorted by mean (lower is better; NaN last), ties by point
 * index. Everything before mean_<metric> identifies the point (slurm's
 * merge-leaderboards.sh relies on that), fit_seconds is last because it is
 * the only column that differs between identical runs. */
#ifndef SB_CV_BOARD_H
#define SB_CV_BOARD_H

#include <stdint.h> /* for int32_t, int64_t, uint64_t */

#include "jobs/grid.h"
#include "base/run_ctx.h"

typedef struct {
    int32_t k;       /* folds */
    int64_t n;       /* grid points */
    uint8_t *done;   /* n: 1 when the point's folds are all evaluated */
    double *seconds; /* n: wall seconds to fit and score the k folds */
    double *metric;  /* n * k: held-out metric per fold */
    int32_t *rounds; /* n * k: trees in each fold's model (the best round with early stopping) */
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

/* cv_rank - order[0..] = done points, best first (mean ascending, NaN last,
 * ties by point index). Returns the number of done points. Local. */
int64_t cv_rank(const cv_results *r, int64_t *order);

/* Fixed-size record of one point as doubles (for gathering over MPI):
 * [point, seconds, metric[k], rounds[k]]. Local. */
int64_t cv_record_len(int32_t k);
void cv_record_pack(const cv_results *r, int64_t p, double *rec);
/* Returns -1 when the record's point index is out of range. */
int cv_record_unpack(cv_results *r, const double *rec);

/* cv_journal_append - append point p as one line ("point,key,seconds,k,
 * metrics...,rounds...") with a single write(2) on an O_APPEND descriptor,
 * then fdatasync, so a kill leaves at most a torn last line. Local. */
int cv_journal_append(run_ctx *run, const char *path, const cv_results *r, int64_t p, uint64_t key);

/* cv_journal_read - read every dir/journal-*.csv and mark as done the points
 * whose line has the same key (grid point, folds, seed, metric and data) and
 * k; other lines (another grid or data, a torn line) are counted as stale.
 * Local. */
int cv_journal_read(run_ctx *run, const char *dir, const uint64_t *keys, cv_results *r, int64_t *n_reused,
                    int64_t *n_stale);

/* Journal files present in dir (to refuse mixing runs without --resume). Local. */
int cv_journal_count(const char *dir);

/* cv_board_write - the leaderboard CSV (see above) of the ranked points,
 * written to a temporary name and renamed. Local (rank 0). */
int cv_board_write(run_ctx *run, const char *path, const sb_grid *g, const cv_results *r, const int64_t *order,
                   int64_t n_done, const char *metric);

/* cv_board_merge - merge leaderboards (same header, disjoint points) into
 * out, sorted like one leaderboard; temporary name + rename. Local. */
int cv_board_merge(run_ctx *run, const char *out, char *const *in, int n_in);

/* cv_point_cell - the text of parameter canon for point p: as written in
 * the grid, else its effective value (empty when left at an unset default).
 * Local. */
void cv_point_cell(const grid_point *p, const char *canon, char *buf, size_t len);

#endif
