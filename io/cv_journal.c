/* cv_journal.c - the cv journal, appended and read back (see cv_journal.h). */
#include "io/cv_journal.h"
#include "base/write_errno.h"

#include <dirent.h> /* for opendir, readdir */
#include <errno.h>  /* for errno */
#include <fcntl.h>  /* for open, O_APPEND */
#include <limits.h> /* for PATH_MAX */
#include <stdio.h>  /* for FILE, snprintf, getline */
#include <stdlib.h> /* for strtod, strtoll, free */
#include <string.h> /* for strerror, strncmp */
#include <unistd.h> /* for write, fdatasync, close, unlink */

#include "base/alloc.h"
#include "base/error.h"

#define JOURNAL_PREFIX "journal-"
#define JOURNAL_SUFFIX ".csv"
/* Characters of a line's fixed head ("point,key,seconds,k" and the newline)
 * and of each fold's pair (",%.17g" and ",%d"), both rounded up. */
#define JOURNAL_HEAD_CHARS 96
#define JOURNAL_FOLD_CHARS 40
/* First size of the read buffer; getline grows it for longer lines. */
#define JOURNAL_READ_INIT 4096

int cv_journal_path(run_ctx *run, const char *dir, int rank, char *buf, size_t len)
{
    int w = snprintf(buf, len, "%s/" JOURNAL_PREFIX "r%05d" JOURNAL_SUFFIX, dir, rank);
    if (w < 0 || (size_t)w >= len) return SB_FAIL(run, SB_EINVAL, "--out %s: the path is too long", dir);
    return SB_OK;
}

/* One journal line into line[0..cap); returns its length. */
static size_t format_line(char *line, size_t cap, const cv_results *r, int64_t p, uint64_t key)
{
    size_t w = (size_t)snprintf(line, cap, "%lld,%016llx,%.17g,%d", (long long)p, (unsigned long long)key,
                                r->seconds[p], (int)r->k);
    for (int32_t f = 0; f < r->k; ++f) w += (size_t)snprintf(line + w, cap - w, ",%.17g", r->metric[p * r->k + f]);
    for (int32_t f = 0; f < r->k; ++f) w += (size_t)snprintf(line + w, cap - w, ",%d", (int)r->rounds[p * r->k + f]);
    w += (size_t)snprintf(line + w, cap - w, "\n");
    return w;
}

int cv_journal_append(run_ctx *run, const char *path, const cv_results *r, int64_t p, uint64_t key)
{
    int rc = SB_OK, fd = -1;
    size_t cap = JOURNAL_HEAD_CHARS + (size_t)r->k * JOURNAL_FOLD_CHARS;
    char *line = NULL;
    SB_ALLOC_OR_OUT(run, line, cap, 1);
    size_t w = format_line(line, cap, r, p, key);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) SB_RAISE(run, SB_EIO, "%s: cannot open the journal: %s", path, strerror(errno));
    errno = 0;
    ssize_t got = write(fd, line, w);
    char why[160];
    if (got != (ssize_t)w || fdatasync(fd) != 0) /* a short write leaves no errno */
        SB_RAISE(run, SB_EIO, "%s: journal write failed%s", path, write_failure_reason(errno, path, why, sizeof why));
out:
    /* the first error wins: a failed close after a failed write keeps the write's message */
    if (fd >= 0 && close(fd) != 0) rc = SB_FAIL(run, SB_EIO, "%s: close: %s", path, strerror(errno));
    free(line);
    return rc;
}

static int is_journal(const char *name)
{
    size_t n = strlen(name), np = strlen(JOURNAL_PREFIX), ns = strlen(JOURNAL_SUFFIX);
    return !strncmp(name, JOURNAL_PREFIX, np) && n > np + ns && !strcmp(name + n - ns, JOURNAL_SUFFIX);
}

int cv_journal_count(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) n += is_journal(e->d_name);
    closedir(d);
    return n;
}

void cv_journal_remove_all(run_ctx *run, const char *dir)
{
    (void)run;
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[PATH_MAX];
        int w = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (is_journal(e->d_name) && w > 0 && (size_t)w < sizeof path) unlink(path);
    }
    closedir(d);
}

/* One journal line; returns 1 and fills r when it is whole and its key matches. */
static int journal_line(const char *s, const uint64_t *keys, cv_results *r)
{
    char *end = NULL;
    long long p = strtoll(s, &end, 10);
    if (*end != ',' || p < 0 || p >= r->n) return 0;
    unsigned long long key = strtoull(end + 1, &end, 16);
    if (*end != ',' || key != keys[p]) return 0;
    double sec = strtod(end + 1, &end);
    if (*end != ',') return 0;
    long k = strtol(end + 1, &end, 10);
    if (k != r->k) return 0;
    double *m = r->metric + p * r->k;
    int32_t *rd = r->rounds + p * r->k;
    for (int32_t f = 0; f < r->k; ++f) {
        if (*end != ',') return 0;
        m[f] = strtod(end + 1, &end);
    }
    for (int32_t f = 0; f < r->k; ++f) {
        if (*end != ',') return 0;
        rd[f] = (int32_t)strtol(end + 1, &end, 10);
    }
    if (*end != '\n') return 0; /* a torn last line has no newline */
    r->seconds[p] = sec;
    r->done[p] = 1;
    return 1;
}

int cv_journal_read(run_ctx *run, const char *dir, const uint64_t *keys, cv_results *r, int64_t *n_reused,
                    int64_t *n_stale)
{
    *n_reused = *n_stale = 0;
    DIR *d = opendir(dir);
    if (!d) return SB_OK;
    int rc = SB_OK;
    size_t cap = JOURNAL_READ_INIT;
    char *line = NULL;
    FILE *f = NULL;
    SB_ALLOC_OR_OUT(run, line, cap, 1);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_journal(e->d_name)) continue;
        char path[PATH_MAX];
        int w = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (w < 0 || (size_t)w >= sizeof path) SB_RAISE(run, SB_EINVAL, "%s: the path is too long", dir);
        if ((f = fopen(path, "r")) == NULL)
            SB_RAISE(run, SB_EIO, "%s: cannot read the journal: %s", path, strerror(errno));
        while (getline(&line, &cap, f) > 0) {
            if (journal_line(line, keys, r)) ++*n_reused;
            else ++*n_stale;
        }
        fclose(f);
        f = NULL;
    }
out:
    if (f) fclose(f);
    free(line);
    closedir(d);
    return rc;
}
