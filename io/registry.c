/* registry.c - versions, stages and their history in a directory (see registry.h). */
#include "io/registry.h"

#include <dirent.h>    /* for opendir, readdir */
#include <errno.h>     /* for errno */
#include <fcntl.h>     /* for open */
#include <jansson.h>   /* for json_* */
#include <limits.h>    /* for PATH_MAX */
#include <stdio.h>     /* for snprintf, fopen */
#include <stdlib.h>    /* for free, getenv, qsort */
#include <string.h>    /* for strcmp, strerror */
#include <sys/file.h>  /* for flock */
#include <sys/stat.h>  /* for mkdir, stat, chmod */
#include <time.h>      /* for time, gmtime_r, strftime */
#include <unistd.h>    /* for readlink, symlink, unlink, getpid, gethostname */

#include "io/model_name.h"
#include "base/error.h"
#include "base/alloc.h"

#define LOG_NAME "stages.log"

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int registry_versions(run_ctx *run, const char *dir, int32_t **out, int32_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return SB_FAIL(run, SB_EIO, "registry %s: %s", dir, strerror(errno));
    int rc = SB_OK;
    int32_t cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int32_t v = model_ref_version_of(e->d_name);
        if (v == 0) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            int32_t *g = sb_realloc(run, *out, (size_t)cap, sizeof *g);
            if (g == NULL) {
                rc = SB_ENOMEM;
                goto out;
            }
            *out = g;
        }
        (*out)[(*n)++] = v;
    }
    if (*n > 0) qsort(*out, (size_t)*n, sizeof **out, cmp_i32);
out:
    closedir(d);
    if (rc != SB_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int registry_stage_get(run_ctx *run, const char *dir, const char *stage, int32_t *version)
{
    char path[PATH_MAX], target[64];
    snprintf(path, sizeof path, "%s/@%s", dir, stage);
    *version = 0;
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        if (errno == ENOENT) return SB_OK;
        return SB_FAIL(run, SB_EIO, "stage %s: %s", path, strerror(errno));
    }
    target[n] = '\0';
    if ((*version = model_ref_version_of(target)) == 0)
        return SB_FAIL(run, SB_EIO, "stage %s points to '%s', not a version folder vN", path, target);
    return SB_OK;
}

/* ---- the lock ---- */

int registry_lock(run_ctx *run, const char *dir, int *fd)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.lock", dir);
    *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (*fd < 0) return SB_FAIL(run, SB_EIO, "registry lock %s: %s", path, strerror(errno));
    while (flock(*fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        int e = errno;
        close(*fd);
        *fd = -1;
        return SB_FAIL(run, SB_EIO, "registry lock %s: flock: %s", path, strerror(e));
    }
    return SB_OK;
}

void registry_unlock(int fd)
{
    if (fd >= 0) close(fd); /* closing drops the flock */
}

void registry_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

void registry_utc_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- stages ---- */

/* One history line: time stage old new action user@host ("-" for unset). */
static int log_append(run_ctx *run, const char *dir, const char *stage, int32_t old, int32_t now, const char *action)
{
    char path[PATH_MAX], when[32], host[256] = "?", o[16] = "-", n[16] = "-";
    snprintf(path, sizeof path, "%s/" LOG_NAME, dir);
    registry_utc_now(when, sizeof when);
    gethostname(host, sizeof host - 1);
    const char *user = getenv("USER");
    if (old > 0) snprintf(o, sizeof o, "v%d", (int)old);
    if (now > 0) snprintf(n, sizeof n, "v%d", (int)now);
    FILE *f = fopen(path, "a");
    if (f == NULL) return SB_FAIL(run, SB_EIO, "%s: %s", path, strerror(errno));
    fprintf(f, "%s %s %s %s %s %s@%s\n", when, stage, o, n, action, user ? user : "?", host);
    int bad = ferror(f) | (fflush(f) != 0) | (fsync(fileno(f)) != 0);
    if (fclose(f) != 0 || bad) return SB_FAIL(run, SB_EIO, "%s: write failed", path);
    return SB_OK;
}

/* Point stage at vN: a new link under a temporary name renamed over the old. */
static int stage_set(run_ctx *run, const char *dir, const char *stage, int32_t version)
{
    char path[PATH_MAX], tmp[PATH_MAX], target[16];
    snprintf(path, sizeof path, "%s/@%s", dir, stage);
    snprintf(tmp, sizeof tmp, "%s/.@%s.tmp.%ld", dir, stage, (long)getpid());
    snprintf(target, sizeof target, "v%d", (int)version);
    unlink(tmp);
    if (symlink(target, tmp) != 0) return SB_FAIL(run, SB_EIO, "stage %s: symlink: %s", tmp, strerror(errno));
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return SB_FAIL(run, SB_EIO, "stage %s: rename: %s", path, strerror(e));
    }
    registry_sync_dir(dir);
    return SB_OK;
}

static int version_exists(const char *dir, int32_t v)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/v%d/model.json", dir, (int)v);
    return stat(path, &st) == 0;
}

int registry_promote(run_ctx *run, const char *dir, const char *stage, int32_t version, int32_t expect,
                     int32_t *old)
{
    int rc = SB_OK, fd = -1;
    if (!model_ref_stage_ok(stage)) return SB_FAIL(run, SB_EINVAL, "stage '%s': must be [a-z][a-z0-9_-]*", stage);
    SB_CHECK(run, registry_lock(run, dir, &fd));
    if (!version_exists(dir, version)) SB_RAISE(run, SB_EINVAL, "%s: no version v%d", dir, (int)version);
    SB_CHECK(run, registry_stage_get(run, dir, stage, old));
    if (expect >= 0 && *old != expect)
        SB_RAISE(run, SB_EINVAL, "%s: stage %s moved: expected %s%d, it is %s%d now; nothing changed", dir, stage,
                 expect ? "v" : "unset ", (int)expect, *old ? "v" : "unset ", (int)*old);
    SB_CHECK(run, stage_set(run, dir, stage, version));
    SB_CHECK(run, log_append(run, dir, stage, *old, version, "promote"));
out:
    registry_unlock(fd);
    return rc;
}

/* The stage's values still in effect, oldest first: promotes push, rollbacks pop. */
static int stage_stack(run_ctx *run, const char *dir, const char *stage, int32_t *stack, int32_t cap, int32_t *n)
{
    char path[PATH_MAX], line[1024];
    snprintf(path, sizeof path, "%s/" LOG_NAME, dir);
    *n = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) return errno == ENOENT ? SB_OK : SB_FAIL(run, SB_EIO, "%s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, f) != NULL) {
        char when[64], st[64], o[32], nw[32], action[32];
        if (sscanf(line, "%63s %63s %31s %31s %31s", when, st, o, nw, action) != 5 || strcmp(st, stage) != 0) continue;
        if (strcmp(action, "rollback") == 0) {
            if (*n > 0) --*n;
        } else if (*n < cap) {
            stack[(*n)++] = model_ref_version_of(nw);
        } else { /* keep the newest cap entries */
            memmove(stack, stack + 1, (size_t)(cap - 1) * sizeof *stack);
            stack[cap - 1] = model_ref_version_of(nw);
        }
    }
    fclose(f);
    return SB_OK;
}

int registry_rollback(run_ctx *run, const char *dir, const char *stage, int32_t *from, int32_t *to)
{
    enum { CAP = 4096 };
    int rc = SB_OK, fd = -1;
    int32_t *stack = NULL, n = 0;
    SB_ALLOC_OR_OUT(run, stack, CAP, sizeof *stack);
    SB_CHECK(run, registry_lock(run, dir, &fd));
    SB_CHECK(run, registry_stage_get(run, dir, stage, from));
    SB_CHECK(run, stage_stack(run, dir, stage, stack, CAP, &n));
    if (n < 2 || stack[n - 2] <= 0)
        SB_RAISE(run, SB_EINVAL, "%s: stage %s has no earlier version to roll back to (%s)", dir, stage,
                 LOG_NAME);
    *to = stack[n - 2];
    if (!version_exists(dir, *to)) SB_RAISE(run, SB_EIO, "%s: stage %s: previous version v%d is gone", dir, stage, (int)*to);
    SB_CHECK(run, stage_set(run, dir, stage, *to));
    SB_CHECK(run, log_append(run, dir, stage, *from, *to, "rollback"));
out:
    registry_unlock(fd);
    free(stack);
    return rc;
}
