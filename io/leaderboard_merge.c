/* leaderboard_merge.c - one leaderboard from the slices of a sliced search
 * (see leaderboard.h): rows pooled, each point at most once, sorted again. */
#include "io/leaderboard.h"

#include <errno.h>  /* for errno */
#include <limits.h> /* for PATH_MAX */
#include <math.h>   /* for NAN */
#include <stdio.h>  /* for FILE, getline */
#include <stdlib.h> /* for qsort, strtod, free */
#include <string.h> /* for strerror, strncmp, strstr */
#include <unistd.h> /* for getpid */

#include "io/atomic_file.h"
#include "base/alloc.h"
#include "base/error.h"

/* First capacity of the pooled rows (doubled as needed). */
#define MERGE_ROWS_INIT 256

typedef struct {
    char *line;
    double mean;
    int64_t point;
} merge_row;

/* The rows of every input so far, and the header they must all share. */
typedef struct {
    char *header;
    int mean_col; /* field index of mean_<metric> */
    int negate;   /* mean_auc: higher is better, so rows sort by -mean */
    merge_row *rows;
    int64_t n, cap;
} merge_pool;

/* Field idx of a CSV line (quotes honoured) as a number; NaN if missing. */
static double field_num(const char *s, int idx)
{
    for (int i = 0; i < idx; ++i) {
        int q = 0;
        for (; *s && (q || *s != ','); ++s)
            if (*s == '"') q = !q;
        if (*s != ',') return NAN;
        ++s;
    }
    char *end = NULL;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

static int merge_cmp(const void *a, const void *b)
{
    const merge_row *x = a, *y = b;
    return leaderboard_cmp(x->mean, x->point, y->mean, y->point);
}

/* The first file's header is kept (and tells where the mean is); every other
 * file's must equal it. */
static int take_header(run_ctx *run, const char *path, const char *line, merge_pool *m)
{
    if (m->header != NULL) {
        if (strcmp(m->header, line) != 0)
            return SB_FAIL(run, SB_EDATA, "%s:1: header differs from the first leaderboard's", path);
        return SB_OK;
    }
    if ((m->header = sb_strdup(run, line)) == NULL) return SB_ENOMEM;
    const char *mean = strstr(line, ",mean_");
    if (strncmp(line, "point,", 6) != 0 || mean == NULL)
        return SB_FAIL(run, SB_EDATA, "%s:1: not a cv leaderboard (no point / mean_ columns)", path);
    int c = 0;
    for (const char *s = line; s < mean; ++s) c += *s == ',';
    m->mean_col = c + 1;
    m->negate = strncmp(mean, ",mean_auc,", 10) == 0;
    return SB_OK;
}

static int take_row(run_ctx *run, const char *line, merge_pool *m)
{
    if (m->n == m->cap) {
        int64_t cap = m->cap ? 2 * m->cap : MERGE_ROWS_INIT;
        merge_row *p = sb_realloc(run, m->rows, (size_t)cap, sizeof *p);
        if (!p) return SB_ENOMEM;
        m->rows = p;
        m->cap = cap;
    }
    merge_row *row = &m->rows[m->n];
    row->point = strtoll(line, NULL, 10);
    row->mean = field_num(line, m->mean_col);
    if (m->negate) row->mean = -row->mean;
    if ((row->line = sb_strdup(run, line)) == NULL) return SB_ENOMEM;
    ++m->n;
    return SB_OK;
}

static int read_board(run_ctx *run, const char *path, merge_pool *m)
{
    FILE *f = fopen(path, "r");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot read: %s", path, strerror(errno));
    char *line = NULL;
    size_t lcap = 0;
    int rc = SB_OK;
    int64_t lineno = 0;
    for (ssize_t len; (len = getline(&line, &lcap, f)) > 0;) {
        ++lineno;
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (lineno == 1) SB_CHECK(run, take_header(run, path, line, m));
        else SB_CHECK(run, take_row(run, line, m));
    }
out:
    free(line);
    fclose(f);
    return rc;
}

/* Each point at most once over all inputs (a slice run twice is an error). */
static int check_disjoint(run_ctx *run, const merge_pool *m)
{
    int rc = SB_OK;
    int64_t max_p = -1;
    for (int64_t i = 0; i < m->n; ++i) max_p = m->rows[i].point > max_p ? m->rows[i].point : max_p;
    uint8_t *seen = NULL;
    SB_ALLOC_OR_OUT(run, seen, (size_t)max_p + 2, 1);
    for (int64_t i = 0; i < m->n; ++i) {
        int64_t p = m->rows[i].point;
        if (p < 0) SB_RAISE(run, SB_EDATA, "a leaderboard row has no point index");
        if (seen[p]++) SB_RAISE(run, SB_EDATA, "grid point %lld is in two of the leaderboards", (long long)p);
    }
out:
    free(seen);
    return rc;
}

static int write_merged(run_ctx *run, const char *out, const merge_pool *m)
{
    char tmp[PATH_MAX];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
    if (w < 0 || (size_t)w >= sizeof tmp) return SB_FAIL(run, SB_EINVAL, "%s: the path is too long", out);
    FILE *f = fopen(tmp, "w");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    fprintf(f, "%s\n", m->header);
    for (int64_t i = 0; i < m->n; ++i) fprintf(f, "%s\n", m->rows[i].line);
    return atomic_file_commit(run, f, tmp, out);
}

int leaderboard_merge(run_ctx *run, const char *out, char *const *in, int n_in)
{
    merge_pool m = {0};
    int rc = SB_OK;
    for (int i = 0; i < n_in; ++i) SB_CHECK(run, read_board(run, in[i], &m));
    if (m.header == NULL) SB_RAISE(run, SB_EINVAL, "no leaderboards to merge");
    qsort(m.rows, (size_t)m.n, sizeof *m.rows, merge_cmp);
    SB_CHECK(run, check_disjoint(run, &m));
    SB_CHECK(run, write_merged(run, out, &m));
out:
    for (int64_t i = 0; i < m.n; ++i) free(m.rows[i].line);
    free(m.rows);
    free(m.header);
    return rc;
}
