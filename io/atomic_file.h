/* atomic_file.h - finish a file written under a temporary name: every output
 * (model, leaderboard, summary) appears complete under its real name or not
 * at all (style rule R12, as Redis rdbSave does). */
#ifndef SB_ATOMIC_FILE_H
#define SB_ATOMIC_FILE_H

#include <stdio.h> /* for FILE */

#include "base/run_ctx.h"

/* atomic_file_commit - check f's sticky error flag, flush, fsync and close it,
 * then rename tmp over path. Local. On any failure tmp is removed, path is
 * left as it was, and an SB_EIO error names the file. f is closed either way. */
int atomic_file_commit(run_ctx *run, FILE *f, const char *tmp, const char *path);

#endif
