/* make_dirs.h - create a directory and its missing parents (mkdir -p). */
#ifndef SB_MAKE_DIRS_H
#define SB_MAKE_DIRS_H

#include "base/run_ctx.h"

/* make_dirs - mkdir -p dir (mode 0777 less the umask); an existing directory is fine.
 * what names the path in the message when it is too long ("--out", "registry").
 * Returns SB_OK | SB_EINVAL (too long) | SB_EIO (naming the component). Local. */
int make_dirs(run_ctx *run, const char *dir, const char *what);

#endif
