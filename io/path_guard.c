/* path_guard.c - see path_guard.h. */
#include "io/path_guard.h"
#include "base/error.h"

#include <limits.h>   /* for PATH_MAX */
#include <stdlib.h>   /* for realpath */
#include <string.h>   /* for strrchr, strncmp */
#include <sys/stat.h> /* for stat */

int path_guard_not_input(run_ctx *run, const char *opt, const char *out, const char *const *ins, int n)
{
    struct stat so, si;
    if (out == NULL || stat(out, &so) != 0) return SB_OK; /* nothing there to destroy */
    for (int i = 0; i < n; ++i) {
        if (ins[i] == NULL || stat(ins[i], &si) != 0) continue;
        if (so.st_dev == si.st_dev && so.st_ino == si.st_ino)
            return SB_FAIL(run, SB_EINVAL, "%s %s: is the input file %s (same file); writing it would destroy the input",
                           opt, out, ins[i]);
    }
    return SB_OK;
}

/* The resolved folder that holds `file` into buf; 0 when it does not exist. */
static int parent_real(const char *file, char *buf)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(file, '/');
    if (slash == NULL) return realpath(".", buf) != NULL;
    size_t n = slash == file ? 1 : (size_t)(slash - file);
    if (n >= sizeof dir) return 0;
    memcpy(dir, file, n);
    dir[n] = '\0';
    return realpath(dir, buf) != NULL;
}

int path_guard_not_inside(run_ctx *run, const char *opt, const char *file, const char *dir_opt, const char *dir)
{
    char pf[PATH_MAX], pd[PATH_MAX];
    if (file == NULL || dir == NULL || !parent_real(file, pf) || realpath(dir, pd) == NULL) return SB_OK;
    size_t nd = strlen(pd);
    if (strncmp(pf, pd, nd) == 0 && (pf[nd] == '\0' || pf[nd] == '/' || (nd == 1 && pd[0] == '/')))
        return SB_FAIL(run, SB_EINVAL, "%s %s: lies inside the %s directory %s; give a path outside it", opt, file,
                       dir_opt, dir);
    return SB_OK;
}
