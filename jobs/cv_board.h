/* cv_board.h - ranking the grid points of a cv search and putting them on the
 * leaderboard: the grid gives the parameter columns, io/leaderboard.h the
 * file. The results table is io/cv_results.h; its journal io/cv_journal.h. */
#ifndef SB_CV_BOARD_H
#define SB_CV_BOARD_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

#include "io/cv_results.h"
#include "jobs/grid.h"
#include "base/run_ctx.h"

/* cv_rank - order[0..*n_done) = the done points, best first (mean
 * ascending, NaN last, ties by point index: leaderboard_cmp). SB_OK or
 * SB_ENOMEM. Local. */
int cv_rank(run_ctx *run, const cv_results *r, int64_t *order, int64_t *n_done);

/* cv_board_write - the leaderboard CSV (io/leaderboard.h) of the ranked
 * points, one parameter column per grid column. Local (rank 0). */
int cv_board_write(run_ctx *run, const char *path, const sb_grid *g, const cv_results *r, const int64_t *order,
                   int64_t n_done, const char *metric);

/* Room for one parameter cell (a value as written in the grid). */
#define CV_CELL_MAX 512

/* cv_point_cell - the text of parameter canon for point p: as written in
 * the grid, else its effective value (empty when left at an unset default).
 * Local. */
void cv_point_cell(const grid_point *p, const char *canon, char *buf, size_t len);

#endif
