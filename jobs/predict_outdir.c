/* predict_outdir.c - refuse / clear / mark-complete for predict's output directory. */
#include "jobs/predict_outdir.h"

#include <dirent.h>   /* for opendir, readdir */
#include <errno.h>    /* for errno */
#include <fcntl.h>    /* for open */
#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for snprintf */
#include <string.h>   /* for strncmp, strlen, strerror */
#include <sys/stat.h> /* for stat, mkdir */
#include <unistd.h>   /* for unlink, close, fsync */

void predict_outdir_part(const char *dir, int r, char *path, char *tmp, size_t len)
{
    snprintf(path, len, "%s/part-%05d.csv.gz", dir, r);
    snprintf(tmp, len, "%s/.part-%05d.csv.gz.tmp", dir, r);
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

int predict_outdir_check(run_ctx *run, const char *dir, const char *merge, int overwrite)
{
    int rc = SB_OK;
    if (run_rank(run) == 0 && !overwrite) {
        char found[PATH_MAX];
        rc = find_existing(run, dir, found, sizeof found);
        if (rc == SB_OK && found[0] != '\0')
            rc = SB_FAIL(run, SB_EINVAL,
                         "--out %s already holds output (%s); pass --overwrite to replace it", dir, found);
        struct stat st;
        if (rc == SB_OK && merge != NULL && stat(merge, &st) == 0)
            rc = SB_FAIL(run, SB_EINVAL, "--merge %s already exists; pass --overwrite to replace it", merge);
    }
    return run_agree_rc(run, rc);
}

/* mkdir -p */
static int make_dirs(run_ctx *run, const char *dir)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) return SB_FAIL(run, SB_EINVAL, "--out path too long");
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

static int remove_ours(run_ctx *run, const char *dir, const char *merge)
{
    DIR *d = opendir(dir);
    if (d == NULL) return SB_FAIL(run, SB_EIO, "--out %s: cannot list: %s", dir, strerror(errno));
    int rc = SB_OK;
    /* _SUCCESS goes first, so an interrupted clean-up never leaves a
     * _SUCCESS next to a partial set of parts. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/_SUCCESS", dir);
    if (unlink(path) != 0 && errno != ENOENT) rc = SB_FAIL(run, SB_EIO, "remove %s: %s", path, strerror(errno));
    for (struct dirent *e; rc == SB_OK && (e = readdir(d)) != NULL;) {
        if (!is_ours(e->d_name)) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0 && errno != ENOENT) rc = SB_FAIL(run, SB_EIO, "remove %s: %s", path, strerror(errno));
    }
    closedir(d);
    if (rc == SB_OK && merge != NULL && unlink(merge) != 0 && errno != ENOENT)
        rc = SB_FAIL(run, SB_EIO, "remove %s: %s", merge, strerror(errno));
    return rc;
}

int predict_outdir_prepare(run_ctx *run, const char *dir, const char *merge, int overwrite)
{
    int rc = SB_OK;
    if (run_rank(run) == 0) {
        rc = make_dirs(run, dir);
        if (rc == SB_OK && overwrite) rc = remove_ours(run, dir, merge);
    }
    return run_agree_rc(run, rc);
}

int predict_outdir_success(run_ctx *run, const char *dir, const char *content)
{
    int rc = SB_OK;
    if (run_rank(run) == 0) {
        char path[PATH_MAX], tmp[PATH_MAX];
        snprintf(path, sizeof path, "%s/_SUCCESS", dir);
        snprintf(tmp, sizeof tmp, "%s/._SUCCESS.tmp", dir);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        size_t n = content ? strlen(content) : 0;
        int bad = fd >= 0 && n > 0 && write(fd, content, n) != (ssize_t)n;
        if (fd < 0 || bad | (close(fd) != 0) || rename(tmp, path) != 0) {
            rc = SB_FAIL(run, SB_EIO, "write %s: %s", path, strerror(errno));
            unlink(tmp);
        } else {
            int dfd = open(dir, O_RDONLY | O_DIRECTORY); /* make the renames durable */
            if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
            }
        }
    }
    return run_agree_rc(run, rc);
}
