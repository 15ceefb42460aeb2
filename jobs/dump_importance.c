/* dump_importance.c - the five importance types of XGBoost's get_score. */
#include "jobs/dump_importance.h"

#include <stdint.h> /* for int64_t */
#include <stdio.h>  /* for printf */
#include <stdlib.h> /* for qsort_r, free */
#include <string.h> /* for strcmp */

#include "base/alloc.h"
#include "base/error.h"

enum { IMP_WEIGHT, IMP_GAIN, IMP_COVER, IMP_TOTAL_GAIN, IMP_TOTAL_COVER, IMP_TYPES };
static const char *const type_names[IMP_TYPES] = {"weight", "gain", "cover", "total_gain", "total_cover"};
const char dump_importance_types[] = "weight, gain, cover, total_gain or total_cover";

int dump_importance_type(const char *s)
{
    for (int i = 0; i < IMP_TYPES; ++i)
        if (strcmp(s, type_names[i]) == 0) return i;
    return -1;
}

typedef struct {
    double *gain, *cover, *score; /* per feature: sums over splits; the printed score */
    int64_t *cnt;
    int32_t *order;
    double total_gain; /* over all splits, in node order (today's table's share) */
} imp_sums;

static int cmp_desc(const void *a, const void *b, void *ctx)
{
    const double *g = ctx;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (g[x] != g[y]) return g[x] > g[y] ? -1 : 1;
    return (x > y) - (x < y);
}

/* Today's table: split count, total gain with its share, total cover. */
static void print_table(const sb_model *m, const imp_sums *s)
{
    const double total = s->total_gain;
    qsort_r(s->order, (size_t)m->n_feat, sizeof *s->order, cmp_desc, s->gain);
    printf("importance (features used in splits, by total gain):\n  %-24s %8s %16s %8s %16s\n", "feature", "splits",
           "total_gain", "share", "total_cover");
    for (int32_t i = 0; i < m->n_feat; ++i) {
        int32_t f = s->order[i];
        if (s->cnt[f] == 0) continue;
        printf("  %-24s %8lld %16.9g %7.2f%% %16.9g\n", m->feat[f].name, (long long)s->cnt[f], s->gain[f],
               total > 0 ? 100.0 * s->gain[f] / total : 0.0, s->cover[f]);
    }
}

/* One type: "  feature value" per used feature, highest first. */
static void print_type(const sb_model *m, const imp_sums *s, int type)
{
    for (int32_t f = 0; f < m->n_feat; ++f) {
        const double n = (double)s->cnt[f];
        const double v[IMP_TYPES] = {n, n > 0 ? s->gain[f] / n : 0, n > 0 ? s->cover[f] / n : 0, s->gain[f],
                                     s->cover[f]};
        s->score[f] = v[type];
    }
    qsort_r(s->order, (size_t)m->n_feat, sizeof *s->order, cmp_desc, s->score);
    printf("importance %s (XGBoost's get_score: features used in splits, highest first):\n", type_names[type]);
    for (int32_t i = 0; i < m->n_feat; ++i) {
        int32_t f = s->order[i];
        if (s->cnt[f] > 0) printf("  %s %.17g\n", m->feat[f].name, s->score[f]);
    }
}

int dump_importance_print(run_ctx *run, const sb_model *m, int type)
{
    int rc = SB_OK;
    imp_sums s = {0};
    const size_t n = (size_t)m->n_feat + 1;
    SB_ALLOC_OR_OUT(run, s.gain, n, sizeof *s.gain);
    SB_ALLOC_OR_OUT(run, s.cover, n, sizeof *s.cover);
    SB_ALLOC_OR_OUT(run, s.score, n, sizeof *s.score);
    SB_ALLOC_OR_OUT(run, s.cnt, n, sizeof *s.cnt);
    SB_ALLOC_OR_OUT(run, s.order, n, sizeof *s.order);
    for (int64_t k = 0; k < (m->n_trees ? m->tree_start[m->n_trees] : 0); ++k) {
        const sb_node *nd = &m->nodes[k];
        if (nd->feat < 0) continue;
        s.gain[nd->feat] += nd->gain;
        s.cover[nd->feat] += nd->cover;
        s.cnt[nd->feat]++;
        s.total_gain += nd->gain;
    }
    for (int32_t f = 0; f < m->n_feat; ++f) s.order[f] = f;
    if (type < 0) print_table(m, &s);
    else print_type(m, &s, type);
out:
    free(s.gain);
    free(s.cover);
    free(s.score);
    free(s.cnt);
    free(s.order);
    return rc;
}
