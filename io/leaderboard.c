/* leaderboard.c - writing the cv leaderboard CSV (see leaderboard.h). */
#include "io/leaderboard.h"

#include <errno.h>  /* for errno */
#include <limits.h> /* for PATH_MAX */
#include <math.h>   /* for isnan */
#include <stdio.h>  /* for FILE, fprintf */
#include <string.h> /* for strerror, strpbrk */
#include <unistd.h> /* for getpid */

#include "io/atomic_file.h"
#include "base/error.h"

/* Longest parameter cell text kept (a value as written in the grid). */
#define LEADERBOARD_CELL_MAX 512

int leaderboard_cmp(double mean_a, int64_t point_a, double mean_b, int64_t point_b)
{
    int an = isnan(mean_a), bn = isnan(mean_b);
    if (an != bn) return an - bn;
    if (!an && mean_a != mean_b) return mean_a < mean_b ? -1 : 1;
    return (point_a > point_b) - (point_a < point_b);
}

/* A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180). */
static void put_cell(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; ++s) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_header(FILE *f, const leaderboard_cols *c, int32_t k)
{
    fputs("point", f);
    for (int32_t i = 0; i < c->n; ++i) fprintf(f, ",%s", c->names[i]);
    fprintf(f, ",mean_%s,std_%s,best_round", c->metric, c->metric);
    for (int32_t i = 0; i < k; ++i) fprintf(f, ",%s_fold%d", c->metric, (int)i);
    for (int32_t i = 0; i < k; ++i) fprintf(f, ",rounds_fold%d", (int)i);
    fputs(",fit_seconds\n", f);
}

static void put_row(FILE *f, const leaderboard_cols *c, const cv_results *r, int64_t p)
{
    char cell[LEADERBOARD_CELL_MAX];
    const double *m = r->metric + p * r->k;
    const int32_t *rd = r->rounds + p * r->k;
    fprintf(f, "%lld", (long long)p);
    for (int32_t i = 0; i < c->n; ++i) {
        c->cell(c->ctx, p, i, cell, sizeof cell);
        fputc(',', f);
        put_cell(f, cell);
    }
    double mean = 0, sd = 0;
    cv_stats(m, r->k, &mean, &sd);
    fprintf(f, ",%.17g,%.17g,%d", mean, sd, (int)cv_best_round(rd, r->k));
    for (int32_t i = 0; i < r->k; ++i) fprintf(f, ",%.17g", m[i]);
    for (int32_t i = 0; i < r->k; ++i) fprintf(f, ",%d", (int)rd[i]);
    fprintf(f, ",%.3f\n", r->seconds[p]);
}

int leaderboard_write(run_ctx *run, const char *path, const leaderboard_cols *cols, const cv_results *r,
                      const int64_t *order, int64_t n_done)
{
    char tmp[PATH_MAX];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (w < 0 || (size_t)w >= sizeof tmp) return SB_FAIL(run, SB_EINVAL, "%s: the path is too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    put_header(f, cols, r->k);
    for (int64_t i = 0; i < n_done; ++i) put_row(f, cols, r, order[i]);
    return atomic_file_commit(run, f, tmp, path);
}
