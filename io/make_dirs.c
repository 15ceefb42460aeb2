/* make_dirs.c - mkdir -p (see make_dirs.h). */
#include "io/make_dirs.h"

#include <errno.h>     /* for errno, EEXIST */
#include <limits.h>    /* for PATH_MAX */
#include <stdio.h>     /* for snprintf */
#include <string.h>    /* for strerror */
#include <sys/stat.h>  /* for mkdir */

#include "base/error.h"

int make_dirs(run_ctx *run, const char *dir, const char *what)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) return SB_FAIL(run, SB_EINVAL, "%s path too long", what);
    for (char *s = p + 1;; ++s) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) return SB_FAIL(run, SB_EIO, "mkdir %s: %s", p, strerror(errno));
            *s = c;
            if (c == '\0') break;
        }
    }
    return SB_OK;
}
