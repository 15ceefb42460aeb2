/* cv_journal.h - the journal that makes a cv search resumable: one file per
 * group leader, DIR/journal-rNNNNN.csv, one line per finished grid point
 *   point,key,seconds,k,metric_0..metric_{k-1},rounds_0..rounds_{k-1}
 * (key in 16 hex digits; doubles in %.17g, so a point read back has the bits
 * it was written with). A line counts only when it is whole and its key and k
 * match: a torn last line, another grid, other data or folds are "stale". */
#ifndef SB_CV_JOURNAL_H
#define SB_CV_JOURNAL_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t, uint64_t */

#include "io/cv_results.h"
#include "base/run_ctx.h"

/* cv_journal_path - DIR/journal-rNNNNN.csv of world rank `rank` into buf.
 * SB_EINVAL when it does not fit in len. Local. */
int cv_journal_path(run_ctx *run, const char *dir, int rank, char *buf, size_t len);

/* cv_journal_append - append point p as one line with a single write(2) on
 * an O_APPEND descriptor, then fdatasync, so a kill leaves at most a torn
 * last line. Local. */
int cv_journal_append(run_ctx *run, const char *path, const cv_results *r, int64_t p, uint64_t key);

/* cv_journal_read - read every dir/journal-*.csv and mark as done the points
 * whose line has the same key (grid point, folds, seed, metric and data) and
 * k; other lines are counted as stale. A missing dir reads as empty. Local. */
int cv_journal_read(run_ctx *run, const char *dir, const uint64_t *keys, cv_results *r, int64_t *n_reused,
                    int64_t *n_stale);

/* Journal files present in dir (to refuse mixing runs without --resume). Local. */
int cv_journal_count(const char *dir);

/* cv_journal_remove_all - unlink every journal file in dir (--overwrite).
 * A missing dir or file is not an error; any other failure is ignored, as
 * the next append recreates what it needs. Local. */
void cv_journal_remove_all(run_ctx *run, const char *dir);

#endif
