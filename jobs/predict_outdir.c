/* predict_outdir.c - refuse / clear / mark-complete for predict's output directory. */
#include "jobs/predict_outdir.h"
#include "io/dir_lock.h"
#include "io/make_dirs.h"
#include "base/error.h"
#include "mpi/run.h"

#include <dirent.h>   /* for opendir, readdir */
#include <errno.h>    /* for errno */
#include <fcntl.h>    /* for open */
#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for snprintf */
#include <string.h>   /* for strncmp, strlen, strerror */
#include <sys/stat.h> /* for stat, mkdir */
#include <unistd.h>   /* for unlink, close, fsync */

int predict_outdir_part(run_ctx *run, const char *dir, int r, char *path, char *tmp, size_t len)
{
    int wp = snprintf(path, len, "%s/part-%05d.csv.gz", dir, r);
    int wt = snprintf(tmp, len, "%s/.part-%05d.csv.gz.tmp", dir, r);
    if (wp < 0 || wt < 0 || (size_t)wp >= len || (size_t)wt >= len)
        return SB_FAIL(run, SB_EINVAL, "--out %s: path too long", dir);
    return SB_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names this job writes into the directory (final or temporary). */
static int is_ours(const char *name)
{
    if (strcmp(name, "_SUCCESS") == 0 || strcmp(name, "._SUCCESS.tmp") == 0) return 1;
    if (strncmp(name, "part-", 5) == 0 && ends_with(name, ".csv.gz")) return 1;
    return strncmp(name, ".part-", 6) == 0 && ends_with(name, ".tmp");
}

/* Rank 0's look at the directory: the first output-looking name, if any. */
static int find_existing(run_ctx *run, const char *dir, char *found, size_t len)
{
    found[0] = '\0';
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return SB_OK;
        return SB_FAIL(run, SB_EIO, "--out %s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) return SB_FAIL(run, SB_EINVAL, "--out %s exists and is not a directory", dir);
    DIR *d = opendir(dir);
    if (d == NULL) return SB_FAIL(run, SB_EIO, "--out %s: cannot list: %s", dir, strerror(errno));
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (is_ours(e->d_name)) {
            snprintf(found, len, "%s/%s", dir, e->d_name);
            break;
        }
    }
    closedir(d);
    return SB_OK;
}

/* Rank 0's part of predict_outdir_check. Local. */
static int check_free(run_ctx *run, const char *dir, const char *merge)
{
    char found[PATH_MAX];
    SB_TRY(run, find_existing(run, dir, found, sizeof found));
    if (found[0] != '\0')
        return SB_FAIL(run, SB_EINVAL, "--out %s already holds output (%s); pass --overwrite to replace it", dir,
                       found);
    struct stat st;
    if (merge != NULL && stat(merge, &st) == 0)
        return SB_FAIL(run, SB_EINVAL, "--merge %s already exists; pass --overwrite to replace it", merge);
    return SB_OK;
}

int predict_outdir_check(run_ctx *run, const char *dir, const char *merge, int overwrite)
{
    return run_agree_rc(run, run_rank(run) == 0 && !overwrite ? check_free(run, dir, merge) : SB_OK);
}

/* dir/name into buf (PATH_MAX); SB_EINVAL when it does not fit. Local. */
static int join_path(run_ctx *run, const char *dir, const char *name, char *buf)
{
    int w = snprintf(buf, PATH_MAX, "%s/%s", dir, name);
    if (w < 0 || w >= PATH_MAX) return SB_FAIL(run, SB_EINVAL, "--out %s: path too long", dir);
    return SB_OK;
}

static int remove_file(run_ctx *run, const char *path)
{
    if (unlink(path) != 0 && errno != ENOENT) return SB_FAIL(run, SB_EIO, "remove %s: %s", path, strerror(errno));
    return SB_OK;
}

static int remove_ours(run_ctx *run, const char *dir, const char *merge)
{
    DIR *d = opendir(dir);
    if (d == NULL) return SB_FAIL(run, SB_EIO, "--out %s: cannot list: %s", dir, strerror(errno));
    int rc = SB_OK;
    /* _SUCCESS goes first, so an interrupted clean-up never leaves a
     * _SUCCESS next to a partial set of parts. */
    char path[PATH_MAX];
    SB_CHECK(run, join_path(run, dir, "_SUCCESS", path));
    SB_CHECK(run, remove_file(run, path));
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_ours(e->d_name)) continue;
        SB_CHECK(run, join_path(run, dir, e->d_name, path));
        SB_CHECK(run, remove_file(run, path));
    }
    if (merge != NULL) SB_CHECK(run, remove_file(run, merge));
out:
    closedir(d);
    return rc;
}

/* Rank 0's part of predict_outdir_prepare. Local. */
static int prepare_dir(run_ctx *run, const char *dir, const char *merge, int overwrite)
{
    SB_TRY(run, make_dirs(run, dir, "--out"));
    SB_TRY(run, dir_lock_take(run, dir));
    if (!overwrite) SB_TRY(run, check_free(run, dir, merge)); /* a run may have finished since the check */
    if (overwrite) SB_TRY(run, remove_ours(run, dir, merge));
    return SB_OK;
}

int predict_outdir_prepare(run_ctx *run, const char *dir, const char *merge, int overwrite)
{
    return run_agree_rc(run, run_rank(run) == 0 ? prepare_dir(run, dir, merge, overwrite) : SB_OK);
}

/* Rank 0's part of predict_outdir_success: _SUCCESS holding content (NULL: empty), renamed into place. Local. */
static int write_success(run_ctx *run, const char *dir, const char *content)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    SB_TRY(run, join_path(run, dir, "_SUCCESS", path));
    SB_TRY(run, join_path(run, dir, "._SUCCESS.tmp", tmp));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    size_t n = content ? strlen(content) : 0;
    int bad = fd >= 0 && n > 0 && write(fd, content, n) != (ssize_t)n;
    if (fd < 0 || bad | (close(fd) != 0) || rename(tmp, path) != 0) {
        int rc = SB_FAIL(run, SB_EIO, "write %s: %s", path, strerror(errno));
        unlink(tmp);
        return rc;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY); /* make the renames durable */
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return SB_OK;
}

int predict_outdir_success(run_ctx *run, const char *dir, const char *content)
{
    return run_agree_rc(run, run_rank(run) == 0 ? write_success(run, dir, content) : SB_OK);
}
