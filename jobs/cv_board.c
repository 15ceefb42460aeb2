/* cv_board.c - ranking and the leaderboard's parameter cells (see cv_board.h). */
#include "jobs/cv_board.h"

#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for qsort, free */
#include <string.h> /* for strcmp */

#include "io/leaderboard.h"
#include "base/alloc.h"
#include "base/error.h"

typedef struct {
    double mean;
    int64_t point;
} rank_key;

static int rank_cmp(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    return leaderboard_cmp(x->mean, x->point, y->mean, y->point);
}

int cv_rank(run_ctx *run, const cv_results *r, int64_t *order, int64_t *n_done)
{
    int rc = SB_OK;
    rank_key *keys = NULL;
    int64_t m = 0;
    SB_ALLOC_OR_OUT(run, keys, (size_t)r->n + 1, sizeof *keys);
    for (int64_t p = 0; p < r->n; ++p) {
        if (!r->done[p]) continue;
        double sd = 0;
        cv_stats(r->metric + p * r->k, r->k, &keys[m].mean, &sd);
        if (r->higher_better) keys[m].mean = -keys[m].mean; /* best first either way */
        keys[m++].point = p;
    }
    qsort(keys, (size_t)m, sizeof *keys, rank_cmp);
    for (int64_t i = 0; i < m; ++i) order[i] = keys[i].point;
out:
    *n_done = m;
    free(keys);
    return rc;
}

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
    if (v) {
        snprintf(buf, len, "%s", v);
        return;
    }
    cell_ctx c = {canon, buf, len};
    params_each(&p->params, cell_cb, &c);
}

static void grid_cell(const void *ctx, int64_t point, int32_t col, char *buf, size_t len)
{
    const sb_grid *g = ctx;
    cv_point_cell(&g->points[point], g->cols[col], buf, len);
}

int cv_board_write(run_ctx *run, const char *path, const sb_grid *g, const cv_results *r, const int64_t *order,
                   int64_t n_done, const char *metric)
{
    leaderboard_cols cols = {.names = g->cols, .n = g->n_cols, .cell = grid_cell, .ctx = g, .metric = metric};
    return leaderboard_write(run, path, &cols, r, order, n_done);
}
