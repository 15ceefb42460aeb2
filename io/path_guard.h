/* path_guard.h - refuse outputs that would destroy inputs or other outputs.
 * A rename onto a path that is (or is a hard link / symlink to) an input replaces
 * the input with exit 0, so every job that writes compares its outputs with its
 * inputs by device and inode (stat) before it writes anything. */
#ifndef SB_PATH_GUARD_H
#define SB_PATH_GUARD_H

#include "base/run_ctx.h"

/* path_guard_not_input - SB_EINVAL if `out` exists and is the same file as one of
 * ins[0..n) (same path, hard link or symlink). `opt` names the output option in the
 * message. Inputs that cannot be stat'ed are skipped (their reader reports them). Local. */
int path_guard_not_input(run_ctx *run, const char *opt, const char *out, const char *const *ins, int n);

/* path_guard_not_inside - SB_EINVAL if `file` lies in directory `dir` or below it
 * (both resolved as far as they exist, so a folder the run will create counts). `opt`/`dir_opt` name the options in the message. Local. */
int path_guard_not_inside(run_ctx *run, const char *opt, const char *file, const char *dir_opt, const char *dir);

#endif
