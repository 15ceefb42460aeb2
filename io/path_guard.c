/* path_guard.c - see path_guard.h. */
#include "io/path_guard.h"
#include "base/error.h"

#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for snprintf */
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

/* `path` resolved as far as it exists (realpath of the longest existing prefix, then
 * the rest as written), so an output folder that the run will create still compares.
 * 0 when it does not fit. Depth is bounded by the number of '/' in the path. */
static int resolve_loose(const char *path, char *buf)
{
    if (realpath(path, buf) != NULL) return 1;
    const char *slash = strrchr(path, '/');
    char parent[PATH_MAX];
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof parent) return 0;
    if (slash == NULL) memcpy(parent, ".", 2);
    else {
        memcpy(parent, path, n);
        parent[n] = '\0';
    }
    const char *base = slash == NULL ? path : slash + 1;
    if (*base == '\0' || !strcmp(base, ".") || !strcmp(base, "..") || !strcmp(parent, path)) return 0;
    if (!resolve_loose(parent, buf)) return 0;
    size_t used = strlen(buf);
    return snprintf(buf + used, PATH_MAX - used, "%s%s", used > 0 && buf[used - 1] == '/' ? "" : "/", base) <
           (int)(PATH_MAX - used);
}

int path_guard_not_inside(run_ctx *run, const char *opt, const char *file, const char *dir_opt, const char *dir)
{
    char pf[PATH_MAX], pd[PATH_MAX];
    if (file == NULL || dir == NULL || !resolve_loose(file, pf) || !resolve_loose(dir, pd)) return SB_OK;
    size_t nd = strlen(pd);
    if (strncmp(pf, pd, nd) == 0 && (pf[nd] == '/' || (nd == 1 && pd[0] == '/')))
        return SB_FAIL(run, SB_EINVAL, "%s %s: lies inside the %s directory %s; give a path outside it", opt, file,
                       dir_opt, dir);
    return SB_OK;
}
