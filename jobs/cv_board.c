/* cv_board.c - cv results, journal, leaderboard and merge (see cv_board.h). */
#include "jobs/cv_board.h"

#include "io/atomic_file.h"
#include "base/error.h"
#include "base/alloc.h"

#include <dirent.h> /* for opendir, readdir */
#include <errno.h>  /* for errno */
#include <fcntl.h>  /* for open, O_APPEND */
#include <math.h>   /* for isnan, sqrt, floor */
#include <stdio.h>  /* for FILE, snprintf */
#include <stdlib.h> /* for qsort, strtod, free */
#include <string.h> /* for strerror, strncmp */
#include <unistd.h> /* for write, fdatasync, close */

int cv_results_init(run_ctx *run, cv_results *r, int64_t n, int32_t k)
{
    memset(r, 0, sizeof *r);
    r->k = k;
    r->n = n;
    r->done = sb_alloc(run, (size_t)n + 1, 1);
    r->seconds = sb_alloc(run, (size_t)n + 1, sizeof *r->seconds);
    r->metric = sb_alloc(run, (size_t)(n * k) + 1, sizeof *r->metric);
    r->rounds = sb_alloc(run, (size_t)(n * k) + 1, sizeof *r->rounds);
    if (!r->done || !r->seconds || !r->metric || !r->rounds) {
        cv_results_free(r);
        return SB_ENOMEM;
    }
    return SB_OK;
}

void cv_results_free(cv_results *r)
{
    free(r->done);
    free(r->seconds);
    free(r->metric);
    free(r->rounds);
    memset(r, 0, sizeof *r);
}

void cv_stats(const double *v, int32_t k, double *mean, double *std)
{
    double s = 0;
    for (int32_t f = 0; f < k; ++f) s += v[f];
    double m = s / k, ss = 0;
    for (int32_t f = 0; f < k; ++f) ss += (v[f] - m) * (v[f] - m);
    *mean = m;
    *std = sqrt(ss / k);
}

int32_t cv_best_round(const int32_t *rounds, int32_t k)
{
    int64_t s = 0;
    for (int32_t f = 0; f < k; ++f) s += rounds[f];
    int64_t r = (2 * s + k) / (2 * k); /* round half up */
    return r < 1 ? 1 : (int32_t)r;
}

typedef struct {
    double mean;
    int64_t point;
} rank_key;

static int rank_cmp(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    int xn = isnan(x->mean), yn = isnan(y->mean);
    if (xn != yn) return xn - yn;
    if (!xn && x->mean != y->mean) return x->mean < y->mean ? -1 : 1;
    return (x->point > y->point) - (x->point < y->point);
}

int64_t cv_rank(const cv_results *r, int64_t *order)
{
    rank_key *keys = malloc(((size_t)r->n + 1) * sizeof *keys);
    int64_t m = 0;
    if (!keys) return -1;
    for (int64_t p = 0; p < r->n; ++p) {
        if (!r->done[p]) continue;
        double sd = 0;
        cv_stats(r->metric + p * r->k, r->k, &keys[m].mean, &sd);
        keys[m++].point = p;
    }
    qsort(keys, (size_t)m, sizeof *keys, rank_cmp);
    for (int64_t i = 0; i < m; ++i) order[i] = keys[i].point;
    free(keys);
    return m;
}

int64_t cv_record_len(int32_t k) { return 2 + 2 * (int64_t)k; }

void cv_record_pack(const cv_results *r, int64_t p, double *rec)
{
    rec[0] = (double)p;
    rec[1] = r->seconds[p];
    for (int32_t f = 0; f < r->k; ++f) {
        rec[2 + f] = r->metric[p * r->k + f];
        rec[2 + r->k + f] = r->rounds[p * r->k + f];
    }
}

int cv_record_unpack(cv_results *r, const double *rec)
{
    if (!(rec[0] >= 0 && rec[0] < (double)r->n)) return -1;
    int64_t p = (int64_t)rec[0];
    r->seconds[p] = rec[1];
    for (int32_t f = 0; f < r->k; ++f) {
        r->metric[p * r->k + f] = rec[2 + f];
        r->rounds[p * r->k + f] = (int32_t)rec[2 + r->k + f];
    }
    r->done[p] = 1;
    return 0;
}

/* ---- journal ------------------------------------------------------------ */

int cv_journal_append(run_ctx *run, const char *path, const cv_results *r, int64_t p, uint64_t key)
{
    size_t cap = 96 + (size_t)r->k * 40;
    char *line = sb_alloc(run, cap, 1);
    if (!line) return SB_ENOMEM;
    size_t w = (size_t)snprintf(line, cap, "%lld,%016llx,%.17g,%d", (long long)p, (unsigned long long)key,
                                r->seconds[p], (int)r->k);
    for (int32_t f = 0; f < r->k; ++f) w += (size_t)snprintf(line + w, cap - w, ",%.17g", r->metric[p * r->k + f]);
    for (int32_t f = 0; f < r->k; ++f) w += (size_t)snprintf(line + w, cap - w, ",%d", (int)r->rounds[p * r->k + f]);
    w += (size_t)snprintf(line + w, cap - w, "\n");
    int rc = SB_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) rc = SB_FAIL(run, SB_EIO, "%s: cannot open the journal: %s", path, strerror(errno));
    else {
        ssize_t got = write(fd, line, w);
        if (got != (ssize_t)w || fdatasync(fd) != 0)
            rc = SB_FAIL(run, SB_EIO, "%s: journal write failed: %s", path, strerror(errno));
        if (close(fd) != 0 && rc == SB_OK) rc = SB_FAIL(run, SB_EIO, "%s: close: %s", path, strerror(errno));
    }
    free(line);
    return rc;
}

static int is_journal(const char *name)
{
    size_t n = strlen(name);
    return !strncmp(name, "journal-", 8) && n > 12 && !strcmp(name + n - 4, ".csv");
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

/* One journal line; returns 0 and fills r when it is complete and its key matches. */
static int journal_line(const char *s, const uint64_t *keys, cv_results *r)
{
    char *end = NULL;
    long long p = strtoll(s, &end, 10);
    if (*end != ',' || p < 0 || p >= r->n) return -1;
    unsigned long long key = strtoull(end + 1, &end, 16);
    if (*end != ',' || key != keys[p]) return -1;
    double sec = strtod(end + 1, &end);
    if (*end != ',') return -1;
    long k = strtol(end + 1, &end, 10);
    if (k != r->k) return -1;
    double *m = r->metric + p * r->k;
    int32_t *rd = r->rounds + p * r->k;
    for (int32_t f = 0; f < r->k; ++f) {
        if (*end != ',') return -1;
        m[f] = strtod(end + 1, &end);
    }
    for (int32_t f = 0; f < r->k; ++f) {
        if (*end != ',') return -1;
        rd[f] = (int32_t)strtol(end + 1, &end, 10);
    }
    if (*end != '\n') return -1; /* a torn last line has no newline */
    r->seconds[p] = sec;
    r->done[p] = 1;
    return 0;
}

int cv_journal_read(run_ctx *run, const char *dir, const uint64_t *keys, cv_results *r, int64_t *n_reused,
                    int64_t *n_stale)
{
    *n_reused = *n_stale = 0;
    DIR *d = opendir(dir);
    if (!d) return SB_OK;
    int rc = SB_OK;
    size_t cap = 4096;
    char *line = sb_alloc(run, cap, 1);
    if (!line) rc = SB_ENOMEM;
    for (struct dirent *e; rc == SB_OK && (e = readdir(d)) != NULL;) {
        if (!is_journal(e->d_name)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) { rc = SB_FAIL(run, SB_EIO, "%s: cannot read the journal: %s", path, strerror(errno)); break; }
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            if (journal_line(line, keys, r) == 0) ++*n_reused;
            else ++*n_stale;
        }
        fclose(f);
    }
    free(line);
    closedir(d);
    return rc;
}

/* ---- leaderboard -------------------------------------------------------- */

typedef struct {
    const char *canon;
    char *buf;
    size_t len;
} cell_ctx;

static void cell_cb(void *ctx, const char *key, const char *value)
{
    cell_ctx *c = ctx;
    if (!strcmp(key, c->canon)) snprintf(c->buf, c->len, "%s", value);
}

void cv_point_cell(const grid_point *p, const char *canon, char *buf, size_t len)
{
    const char *v = grid_value(p, canon);
    buf[0] = '\0';
    if (v) snprintf(buf, len, "%s", v);
    else {
        cell_ctx c = {canon, buf, len};
        params_each(&p->params, cell_cb, &c);
    }
}

/* A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180). */
static void put_cell(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; ++s) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cv_board_write(run_ctx *run, const char *path, const sb_grid *g, const cv_results *r, const int64_t *order,
                   int64_t n_done, const char *metric)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    fputs("point", f);
    for (int32_t c = 0; c < g->n_cols; ++c) fprintf(f, ",%s", g->cols[c]);
    fprintf(f, ",mean_%s,std_%s,best_round", metric, metric);
    for (int32_t i = 0; i < r->k; ++i) fprintf(f, ",%s_fold%d", metric, (int)i);
    for (int32_t i = 0; i < r->k; ++i) fprintf(f, ",rounds_fold%d", (int)i);
    fputs(",fit_seconds\n", f);
    char cell[512];
    for (int64_t i = 0; i < n_done; ++i) {
        int64_t p = order[i];
        const double *m = r->metric + p * r->k;
        const int32_t *rd = r->rounds + p * r->k;
        fprintf(f, "%lld", (long long)p);
        for (int32_t c = 0; c < g->n_cols; ++c) {
            cv_point_cell(&g->points[p], g->cols[c], cell, sizeof cell);
            fputc(',', f);
            put_cell(f, cell);
        }
        double mean = 0, sd = 0;
        cv_stats(m, r->k, &mean, &sd);
        fprintf(f, ",%.17g,%.17g,%d", mean, sd, (int)cv_best_round(rd, r->k));
        for (int32_t k = 0; k < r->k; ++k) fprintf(f, ",%.17g", m[k]);
        for (int32_t k = 0; k < r->k; ++k) fprintf(f, ",%d", (int)rd[k]);
        fprintf(f, ",%.3f\n", r->seconds[p]);
    }
    return atomic_file_commit(run, f, tmp, path);
}

/* ---- merge -------------------------------------------------------------- */

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

typedef struct {
    char *line;
    double mean;
    int64_t point;
} merge_row;

static int merge_cmp(const void *a, const void *b)
{
    const merge_row *x = a, *y = b;
    rank_key kx = {x->mean, x->point}, ky = {y->mean, y->point};
    return rank_cmp(&kx, &ky);
}

static int read_board(run_ctx *run, const char *path, char **header, merge_row **rows, int64_t *n, int64_t *cap,
                      int *mean_col)
{
    FILE *f = fopen(path, "r");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot read: %s", path, strerror(errno));
    char *line = NULL;
    size_t lcap = 0;
    int rc = SB_OK;
    int64_t lineno = 0;
    for (ssize_t len; rc == SB_OK && (len = getline(&line, &lcap, f)) > 0;) {
        ++lineno;
        if (line[len - 1] == '\n') line[--len] = '\0';
        if (lineno == 1) {
            if (*header == NULL) {
                *header = sb_strdup(run, line);
                const char *m = strstr(line, ",mean_");
                if (strncmp(line, "point,", 6) != 0 || m == NULL)
                    rc = SB_FAIL(run, SB_EDATA, "%s:1: not a cv leaderboard (no point / mean_ columns)", path);
                int c = 0;
                for (const char *s = line; s < m; ++s) c += *s == ',';
                *mean_col = c + 1;
            } else if (strcmp(*header, line) != 0)
                rc = SB_FAIL(run, SB_EDATA, "%s:1: header differs from the first leaderboard's", path);
            continue;
        }
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 256;
            merge_row *p = sb_realloc(run, *rows, (size_t)*cap, sizeof *p);
            if (!p) { rc = SB_ENOMEM; break; }
            *rows = p;
        }
        merge_row *row = &(*rows)[*n];
        row->point = strtoll(line, NULL, 10);
        row->mean = field_num(line, *mean_col);
        row->line = sb_strdup(run, line);
        if (!row->line) rc = SB_ENOMEM;
        else ++*n;
    }
    free(line);
    fclose(f);
    return rc;
}

int cv_board_merge(run_ctx *run, const char *out, char *const *in, int n_in)
{
    char *header = NULL;
    merge_row *rows = NULL;
    int64_t n = 0, cap = 0;
    int mean_col = 0, rc = SB_OK;
    for (int i = 0; rc == SB_OK && i < n_in; ++i) rc = read_board(run, in[i], &header, &rows, &n, &cap, &mean_col);
    if (rc == SB_OK && header == NULL) rc = SB_FAIL(run, SB_EINVAL, "no leaderboards to merge");
    if (rc == SB_OK) {
        qsort(rows, (size_t)n, sizeof *rows, merge_cmp);
        /* each point at most once over all inputs (a slice run twice is an error) */
        int64_t max_p = -1;
        for (int64_t i = 0; i < n; ++i) max_p = rows[i].point > max_p ? rows[i].point : max_p;
        uint8_t *seen = rc == SB_OK ? sb_alloc(run, (size_t)max_p + 2, 1) : NULL;
        if (rc == SB_OK && !seen) rc = SB_ENOMEM;
        for (int64_t i = 0; rc == SB_OK && i < n; ++i) {
            if (rows[i].point < 0) rc = SB_FAIL(run, SB_EDATA, "a leaderboard row has no point index");
            else if (seen[rows[i].point]++)
                rc = SB_FAIL(run, SB_EDATA, "grid point %lld is in two of the leaderboards", (long long)rows[i].point);
        }
        free(seen);
    }
    if (rc == SB_OK) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", out, (long)getpid());
        FILE *f = fopen(tmp, "w");
        if (!f) rc = SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
        else {
            fprintf(f, "%s\n", header);
            for (int64_t i = 0; i < n; ++i) fprintf(f, "%s\n", rows[i].line);
            rc = atomic_file_commit(run, f, tmp, out);
        }
    }
    for (int64_t i = 0; i < n; ++i) free(rows[i].line);
    free(rows);
    free(header);
    return rc;
}
