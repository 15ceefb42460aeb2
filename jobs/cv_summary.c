/* cv_summary.c - summary.json and refit arguments (see cv_summary.h). */
#include "jobs/cv_summary.h"

#include "base/json_str.h"
#include "io/atomic_file.h"
#include "base/error.h"

#include <errno.h>  /* for errno */
#include <limits.h> /* for PATH_MAX */
#include <math.h>   /* for isfinite */
#include <stdio.h>  /* for FILE, fprintf */
#include <string.h> /* for strcmp, strerror */
#include <unistd.h> /* for getpid, fsync, unlink */

typedef struct {
    const char *keys[64], *vals[64];
    char store[64][64];
    int n;
} kv_list;

static void collect(void *ctx, const char *key, const char *value)
{
    kv_list *l = ctx;
    if (l->n == 64) return;
    snprintf(l->store[l->n], sizeof l->store[l->n], "%s", value);
    l->keys[l->n] = key;
    /* a longer value is a constraint text, interned by params_set for the process's life */
    l->vals[l->n] = strlen(value) < sizeof l->store[l->n] ? l->store[l->n] : value;
    l->n++;
}

/* A value as one shell word: as is when plain, else in single quotes. */
static size_t put_word(char *buf, size_t len, const char *v)
{
    if (v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:+-@,/")] == '\0')
        return (size_t)snprintf(buf, len, "%s", v);
    size_t w = (size_t)snprintf(buf, len, "'");
    for (const char *c = v; *c && w < len; ++c)
        w += (size_t)snprintf(buf + w, len - w, *c == '\'' ? "'\\''" : "%c", *c);
    return w < len ? w + (size_t)snprintf(buf + w, len - w, "'") : w;
}

void cv_train_args(const sb_params *p, char *buf, size_t len)
{
    sb_params def;
    params_default(&def);
    kv_list mine = {0}, base = {0};
    params_each(p, collect, &mine);
    params_each(&def, collect, &base);
    size_t w = 0;
    buf[0] = '\0';
    for (int i = 0; i < mine.n && w < len; ++i) {
        int same = 0;
        for (int j = 0; j < base.n; ++j) same |= !strcmp(base.keys[j], mine.keys[i]) && !strcmp(base.vals[j], mine.vals[i]);
        if (same) continue;
        w += (size_t)snprintf(buf + w, len - w, "%s--%s ", w ? " " : "", mine.keys[i]);
        if (w < len) w += put_word(buf + w, len - w, mine.vals[i]);
    }
}

static void json_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.17g", v);
    else fputs("null", f);
}

/* One ranked point as a JSON object. */
static void json_point(FILE *f, const sb_grid *g, const cv_results *r, int64_t p, const char *indent)
{
    char cell[CV_CELL_MAX];
    double mean = 0, sd = 0;
    const double *m = r->metric + p * r->k;
    const int32_t *rd = r->rounds + p * r->k;
    cv_stats(m, r->k, &mean, &sd);
    fprintf(f, "{\"point\": %lld, \"params\": {", (long long)p);
    for (int32_t c = 0, first = 1; c < g->n_cols; ++c) {
        cv_point_cell(&g->points[p], g->cols[c], cell, sizeof cell);
        if (!cell[0]) continue;
        fprintf(f, "%s\"%s\": ", first ? "" : ", ", g->cols[c]);
        json_fquote(f, cell);
        first = 0;
    }
    fputs("},\n", f);
    fprintf(f, "%s \"mean\": ", indent);
    json_num(f, mean);
    fputs(", \"std\": ", f);
    json_num(f, sd);
    fprintf(f, ", \"best_round\": %d,\n%s \"fold_metrics\": [", (int)cv_best_round(rd, r->k), indent);
    for (int32_t k = 0; k < r->k; ++k) {
        if (k) fputs(", ", f);
        json_num(f, m[k]);
    }
    fputs("], \"fold_rounds\": [", f);
    for (int32_t k = 0; k < r->k; ++k) fprintf(f, "%s%d", k ? ", " : "", (int)rd[k]);
    fprintf(f, "], \"fit_seconds\": %.3f}", r->seconds[p]);
}

int cv_summary_write(run_ctx *run, const char *path, const cv_summary_info *info, const sb_grid *g,
                     const cv_results *r, const int64_t *order, int64_t n_done)
{
    char tmp[PATH_MAX];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (w < 0 || (size_t)w >= sizeof tmp) return SB_FAIL(run, SB_EINVAL, "%s: the path is too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    fputs("{\n  \"format\": \"shardboost-cv\",\n  \"grid\": ", f);
    json_fquote(f, info->grid_path);
    fputs(",\n  \"grid_shape\": ", f);
    json_fquote(f, g->shape);
    fprintf(f, ",\n  \"grid_points\": %lld,\n  \"slice\": \"%d/%d\",\n  \"points_evaluated\": %lld,\n",
            (long long)g->n_points, (int)info->slice_i, (int)info->slice_n, (long long)n_done);
    fprintf(f, "  \"folds\": %d,\n  \"fold_seed\": %llu,\n  \"metric\": \"%s\",\n  \"lower_is_better\": true,\n",
            (int)info->folds, (unsigned long long)info->seed, info->metric);
    fprintf(f, "  \"early_stopping_rounds\": %d,\n  \"rows\": %lld,\n  \"ranks\": %d,\n  \"groups\": %d,\n",
            (int)info->early_stopping_rounds, (long long)info->rows, (int)info->ranks, (int)info->groups);
    fputs("  \"best\": ", f);
    if (n_done > 0) json_point(f, g, r, order[0], "          ");
    else fputs("null", f);
    fputs(",\n  \"refit\": ", f);
    if (info->refit_params) {
        char args[CV_TRAIN_ARGS_MAX];
        cv_train_args(info->refit_params, args, sizeof args);
        fputs("{\"model\": ", f);
        json_fquote(f, info->refit_model);
        fprintf(f, ", \"n_estimators\": %d, \"train_args\": ", (int)info->refit_params->n_rounds);
        json_fquote(f, args);
        fputs("}", f);
    } else fputs("null", f);
    fputs(",\n  \"leaderboard\": [", f);
    for (int64_t i = 0; i < n_done; ++i) {
        fputs(i ? ",\n    " : "\n    ", f);
        json_point(f, g, r, order[i], "    ");
    }
    fputs("\n  ]\n}\n", f);
    return atomic_file_commit(run, f, tmp, path);
}
