/* model_check.c - model_check (declared in io/model.h): checks of a parsed model
 * that its readers rely on and the parser alone does not give: finite base score,
 * every feature named and no two alike (predict maps columns by name), the metric
 * history present when rounds were trained (dump, train --resume index it), and
 * trees that are trees: every node but the root has exactly one parent (shared
 * children made dump's walk exponential) and depth is bounded (a 200,000-deep
 * chain made dump's indented output quadratic), and bin cuts that are
 * increasing numbers. */
#include "io/model.h"
#include "base/error.h"
#include "base/alloc.h"
#include "kernels/split_cat.h"

#include <math.h>   /* for isfinite */
#include <stdint.h> /* for int32_t */
#include <stdlib.h> /* for qsort_r, free */
#include <string.h> /* for strcmp */

/* Deepest tree accepted (lossguide can grow deep trees; far fewer than this). */
#define MODEL_MAX_TREE_DEPTH 10000

static int cmp_name(const void *a, const void *b, void *ctx)
{
    const sb_feature_info *f = ctx;
    return strcmp(f[*(const int32_t *)a].name, f[*(const int32_t *)b].name);
}

/* Every feature named, names unique (sorted, so O(n log n) on any input). An
 * imported model that is not bound to data yet (import without --data of an
 * XGBoost model without feature names) has every name empty: it is matched to
 * the data's columns by position when it scores, so that is no duplicate. */
static int check_features(run_ctx *run, const sb_model *m, const char *name)
{
    int32_t unnamed = 0;
    for (int32_t f = 0; f < m->n_feat; ++f) {
        if (m->feat[f].name == NULL)
            return SB_FAIL(run, SB_EDATA, "%s: features[%d] has no \"name\"", name, f);
        unnamed += m->feat[f].name[0] == '\0';
    }
    if (unnamed == m->n_feat) return SB_OK;
    int rc = SB_OK;
    int32_t *ix = NULL;
    SB_ALLOC_OR_OUT(run, ix, (size_t)m->n_feat + 1, sizeof *ix);
    for (int32_t f = 0; f < m->n_feat; ++f) ix[f] = f;
    qsort_r(ix, (size_t)m->n_feat, sizeof *ix, cmp_name, m->feat);
    for (int32_t k = 1; k < m->n_feat; ++k)
        if (!strcmp(m->feat[ix[k]].name, m->feat[ix[k - 1]].name))
            SB_RAISE(run, SB_EDATA, "%s: features[%d] and features[%d] have the same name '%s'", name,
                     ix[k - 1] < ix[k] ? ix[k - 1] : ix[k], ix[k - 1] < ix[k] ? ix[k] : ix[k - 1], m->feat[ix[k]].name);
out:
    free(ix);
    return rc;
}

/* Bin cuts: numbers, strictly increasing per feature (binning and the drift
 * counts search them; a NaN or a step back made the search meaningless). */
static int check_cuts(run_ctx *run, const sb_model *m, const char *name)
{
    for (int32_t f = 0; f < m->n_feat; ++f)
        for (int64_t c = m->cut_start[f]; c < m->cut_start[f + 1]; ++c) {
            if (isnan(m->cuts[c]))
                return SB_FAIL(run, SB_EDATA, "%s: features[%d] \"cuts\"[%lld] is not a number", name, f,
                               (long long)(c - m->cut_start[f]));
            if (c > m->cut_start[f] && !(m->cuts[c] > m->cuts[c - 1]))
                return SB_FAIL(run, SB_EDATA, "%s: features[%d] \"cuts\" are not increasing (%.9g after %.9g)", name,
                               f, (double)m->cuts[c], (double)m->cuts[c - 1]);
        }
    return SB_OK;
}

/* One tree: each node but the root referenced once (children come after their
 * parent, checked by the reader, so index order is a topological order). */
static int check_tree(run_ctx *run, const sb_model *m, int32_t t, int32_t *depth, const char *name)
{
    const sb_node *nd = &m->nodes[m->tree_start[t]];
    int64_t n = m->tree_start[t + 1] - m->tree_start[t];
    for (int64_t k = 0; k < n; ++k) depth[k] = k == 0 ? 0 : -1;
    for (int64_t k = 0; k < n; ++k) {
        if (depth[k] < 0) return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld is not reachable from the root", name, t, (long long)k);
        if (nd[k].feat < 0) continue;
        const int32_t kid[2] = {nd[k].left, nd[k].right};
        for (int c = 0; c < 2; ++c) {
            if (depth[kid[c]] >= 0 || (c == 1 && kid[1] == kid[0]))
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %d has two parents (nodes must form a tree)", name, t,
                               kid[c]);
            depth[kid[c]] = depth[k] + 1;
            if (depth[kid[c]] > MODEL_MAX_TREE_DEPTH)
                return SB_FAIL(run, SB_EDATA, "%s: tree %d is deeper than %d levels", name, t, MODEL_MAX_TREE_DEPTH);
        }
    }
    return SB_OK;
}

static int check_trees(run_ctx *run, const sb_model *m, const char *name)
{
    int64_t most = 1;
    for (int32_t t = 0; t < m->n_trees; ++t)
        if (m->tree_start[t + 1] - m->tree_start[t] > most) most = m->tree_start[t + 1] - m->tree_start[t];
    int rc = SB_OK;
    int32_t *depth = NULL;
    SB_ALLOC_OR_OUT(run, depth, (size_t)most, sizeof *depth);
    for (int32_t t = 0; t < m->n_trees; ++t) SB_CHECK(run, check_tree(run, m, t, depth, name));
out:
    free(depth);
    return rc;
}

/* Categorical splits: only on categorical features, every level code one of
 * the feature's levels. */
static int check_cats(run_ctx *run, const sb_model *m, const char *name)
{
    for (int32_t t = 0; t < m->n_trees; ++t) {
        const uint64_t *cats = model_tree_cats(m, t);
        const int64_t n_sets = cats ? m->cat_start[t + 1] - m->cat_start[t] : 0;
        for (int64_t k = m->tree_start[t]; k < m->tree_start[t + 1]; ++k) {
            const sb_node *nd = &m->nodes[k];
            if (nd->feat < 0 || nd->cat <= 0) continue;
            const long long at = (long long)(k - m->tree_start[t]);
            if (nd->cat > n_sets)
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: no such category set", name, t, at);
            const sb_feature_info *fi = &m->feat[nd->feat];
            if (fi->n_levels <= 0)
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: categories on '%s', which is not categorical",
                               name, t, at, fi->name);
            const uint64_t *set = cats + SPLIT_CAT_WORDS * (int64_t)(nd->cat - 1);
            for (int32_t c = fi->n_levels; c < 64 * SPLIT_CAT_WORDS; ++c)
                if (split_cat_has(set, c))
                    return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: category code %d but '%s' has %d levels",
                                   name, t, at, c, fi->name, fi->n_levels);
        }
    }
    return SB_OK;
}

int model_check(run_ctx *run, const sb_model *m, const char *name)
{
    if (!isfinite(m->base_score) || !isfinite(m->base_margin))
        return SB_FAIL(run, SB_EDATA, "%s: \"base_score\"/\"base_margin\" must be finite numbers (%g, %g)", name,
                       m->base_score, m->base_margin);
    for (int32_t i = 0; i < m->n_ids; ++i)
        if (m->id_names[i] == NULL) return SB_FAIL(run, SB_EDATA, "%s: \"id_names\"[%d] is not a string", name, i);
    if (m->n_rounds_done < 0) return SB_FAIL(run, SB_EDATA, "%s: \"training\" \"rounds\" is negative", name);
    if (m->n_rounds_done > 0 && m->train_metric == NULL)
        return SB_FAIL(run, SB_EDATA, "%s: \"training\" lacks \"train_metric\" for its %d rounds", name, m->n_rounds_done);
    SB_TRY(run, check_features(run, m, name));
    SB_TRY(run, check_cuts(run, m, name));
    SB_TRY(run, check_cats(run, m, name));
    return check_trees(run, m, name);
}
