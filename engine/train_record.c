/* train_record.c - the trees and metrics collected while training, and the
 * sb_model built from them. */
#include <stdlib.h> /* for free */
#include <string.h> /* for memcpy */

#include "engine/booster_internal.h"
#include "base/error.h"
#include "base/alloc.h"

/* The tree's level sets appended (the record's set offsets start with the
 * first categorical tree: the earlier trees have none). */
static int record_add_cats(run_ctx *run, train_record *r, const uint64_t *cats, int64_t n_cat)
{
    if (!r->cat_start) {
        r->cat_start = sb_alloc(run, (size_t)r->cap_trees + 1, sizeof *r->cat_start); /* zeros: no sets before */
        if (!r->cat_start) return SB_ENOMEM;
    }
    if (r->n_cat + n_cat > r->cap_cat) {
        int64_t cap = r->cap_cat ? r->cap_cat * 2 : 256;
        while (cap < r->n_cat + n_cat) cap *= 2;
        uint64_t *q = sb_realloc(run, r->cat_bits, (size_t)cap * SPLIT_CAT_WORDS, sizeof *q);
        if (!q) return SB_ENOMEM;
        r->cat_bits = q;
        r->cap_cat = cap;
    }
    if (n_cat > 0)
        memcpy(r->cat_bits + SPLIT_CAT_WORDS * r->n_cat, cats, (size_t)n_cat * SPLIT_CAT_WORDS * sizeof *cats);
    r->n_cat += n_cat;
    r->cat_start[r->n_trees + 1] = r->n_cat;
    return SB_OK;
}

int record_add_tree(run_ctx *run, train_record *r, const sb_node *nodes, int32_t n, const uint64_t *cats, int64_t n_cat,
                    double train_m, double valid_m)
{
    if (r->n_trees + 1 >= r->cap_trees) {
        int32_t cap = r->cap_trees ? r->cap_trees * 2 : 256;
        int64_t *ts = sb_realloc(run, r->tree_start, (size_t)cap + 1, sizeof *ts);
        if (ts) r->tree_start = ts;
        double *tm = sb_realloc(run, r->train_metric, (size_t)cap, sizeof *tm);
        if (tm) r->train_metric = tm;
        double *vm = sb_realloc(run, r->valid_metric, (size_t)cap, sizeof *vm);
        if (vm) r->valid_metric = vm;
        int64_t *cs = r->cat_start ? sb_realloc(run, r->cat_start, (size_t)cap + 1, sizeof *cs) : NULL;
        if (cs) r->cat_start = cs;
        if (!ts || !tm || !vm || (r->cat_start && !cs)) return SB_ENOMEM;
        r->cap_trees = cap;
        if (r->n_trees == 0) r->tree_start[0] = 0;
    }
    if (r->n_nodes + n > r->cap_nodes) {
        int64_t cap = r->cap_nodes ? r->cap_nodes * 2 : 8192;
        while (cap < r->n_nodes + n) cap *= 2;
        sb_node *q = sb_realloc(run, r->nodes, (size_t)cap, sizeof *q);
        if (!q) return SB_ENOMEM;
        r->nodes = q;
        r->cap_nodes = cap;
    }
    if (n_cat > 0 || r->cat_start) SB_TRY(run, record_add_cats(run, r, cats, n_cat));
    memcpy(r->nodes + r->n_nodes, nodes, (size_t)n * sizeof *nodes);
    r->n_nodes += n;
    r->train_metric[r->n_trees] = train_m;
    r->valid_metric[r->n_trees] = valid_m;
    r->tree_start[++r->n_trees] = r->n_nodes;
    return SB_OK;
}

void record_free(train_record *r)
{
    free(r->nodes);
    free(r->tree_start);
    free(r->cat_bits);
    free(r->cat_start);
    free(r->train_metric);
    free(r->valid_metric);
    memset(r, 0, sizeof *r);
}

/* *dst = a copy of s (NULL: ""). Local. */
static int dup_into(run_ctx *run, char **dst, const char *s)
{
    *dst = sb_strdup(run, s ? s : "");
    return *dst ? SB_OK : SB_ENOMEM;
}

/* The table's schema: layout, label, ids, features with their levels. A
 * count is set only once its array exists, so model_free can release a
 * partial copy. Local. */
static int copy_schema(run_ctx *run, sb_model *m, const sb_table *t)
{
    SB_TRY(run, dup_into(run, &m->layout, t->layout));
    SB_TRY(run, dup_into(run, &m->label_name, t->label_name));
    if ((m->id_names = sb_alloc(run, (size_t)t->n_ids + 1, sizeof *m->id_names)) == NULL) return SB_ENOMEM;
    m->n_ids = t->n_ids;
    for (int32_t i = 0; i < t->n_ids; ++i) SB_TRY(run, dup_into(run, &m->id_names[i], t->ids[i].name));
    if ((m->feat = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *m->feat)) == NULL) return SB_ENOMEM;
    m->n_feat = t->n_feat;
    for (int32_t f = 0; f < t->n_feat; ++f) {
        SB_TRY(run, dup_into(run, &m->feat[f].name, t->feat[f].name));
        if (t->feat[f].n_levels <= 0) continue;
        m->feat[f].levels = sb_alloc(run, (size_t)t->feat[f].n_levels, sizeof(char *));
        if (!m->feat[f].levels) return SB_ENOMEM;
        m->feat[f].n_levels = t->feat[f].n_levels;
        for (int32_t l = 0; l < t->feat[f].n_levels; ++l)
            SB_TRY(run, dup_into(run, &m->feat[f].levels[l], t->feat[f].levels[l]));
    }
    return SB_OK;
}

/* The cuts, the first n_keep trees and every round's metrics. Local. */
static int copy_cuts_trees_metrics(run_ctx *run, sb_model *m, const sb_binned *b, const train_record *rec,
                                   int32_t n_keep)
{
    const int64_t nc = b->cut_start[b->n_feat];
    const int64_t nn = n_keep > 0 ? rec->tree_start[n_keep] : 0;
    if (!(m->cut_start = sb_alloc(run, (size_t)b->n_feat + 1, sizeof *m->cut_start)) ||
        !(m->cuts = sb_alloc(run, (size_t)nc + 1, sizeof *m->cuts)) ||
        !(m->tree_start = sb_alloc(run, (size_t)n_keep + 1, sizeof *m->tree_start)) ||
        !(m->nodes = sb_alloc(run, (size_t)nn + 1, sizeof *m->nodes)) ||
        !(m->train_metric = sb_alloc(run, (size_t)rec->n_trees + 1, sizeof *m->train_metric)) ||
        (rec->has_valid && !(m->valid_metric = sb_alloc(run, (size_t)rec->n_trees + 1, sizeof *m->valid_metric))))
        return SB_ENOMEM;
    memcpy(m->cut_start, b->cut_start, ((size_t)b->n_feat + 1) * sizeof *m->cut_start);
    memcpy(m->cuts, b->cuts, (size_t)nc * sizeof *m->cuts);
    m->n_trees = n_keep;
    if (n_keep > 0) memcpy(m->tree_start, rec->tree_start, ((size_t)n_keep + 1) * sizeof *m->tree_start);
    if (nn > 0) memcpy(m->nodes, rec->nodes, (size_t)nn * sizeof *m->nodes);
    const int64_t ncat = rec->cat_start && n_keep > 0 ? rec->cat_start[n_keep] : 0;
    if (ncat > 0) { /* only a model with categorical splits carries sets */
        if (!(m->cat_start = sb_alloc(run, (size_t)n_keep + 1, sizeof *m->cat_start)) ||
            !(m->cat_bits = sb_alloc(run, (size_t)ncat * SPLIT_CAT_WORDS, sizeof *m->cat_bits)))
            return SB_ENOMEM;
        memcpy(m->cat_start, rec->cat_start, ((size_t)n_keep + 1) * sizeof *m->cat_start);
        memcpy(m->cat_bits, rec->cat_bits, (size_t)ncat * SPLIT_CAT_WORDS * sizeof *m->cat_bits);
    }
    if (rec->n_trees) memcpy(m->train_metric, rec->train_metric, (size_t)rec->n_trees * sizeof(double));
    if (m->valid_metric && rec->n_trees)
        memcpy(m->valid_metric, rec->valid_metric, (size_t)rec->n_trees * sizeof(double));
    return SB_OK;
}

int record_to_model(run_ctx *run, sb_model *m, const sb_table *t, const sb_binned *b, const sb_params *p,
                    double base_score, double base_margin, const train_record *rec, int32_t n_keep,
                    int32_t best_iteration, uint64_t fingerprint, double sum_weight)
{
    int rc = SB_OK;
    memset(m, 0, sizeof *m);
    m->params = *p;
    m->base_score = base_score;
    m->base_margin = base_margin;
    SB_CHECK(run, copy_schema(run, m, t));
    SB_CHECK(run, copy_cuts_trees_metrics(run, m, b, rec, n_keep));
    m->n_rounds_done = rec->n_trees;
    m->best_iteration = best_iteration;
    m->metric = p->eval_metric;
    m->weighted_metric = p->weighted_metric;
    m->n_rows = t->n_rows_global;
    m->rows_read = t->rows_read;
    m->dropped_zero_trials = t->dropped_zero_trials;
    m->fingerprint = fingerprint;
    m->sum_weight = sum_weight;
out:
    if (rc != SB_OK) model_free(m);
    return rc;
}
