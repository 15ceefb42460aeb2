/* xgb_export.c - a shardboost model as XGBoost 1.7 JSON (the format facts are
 * in shared/docs/XGBOOST-JSON.md). Written with jansson; every field that
 * XGBoost's own save_model writes is present, so other readers (Treelite,
 * FIL, onnxmltools) find them too. */
#include <errno.h>  /* for errno */
#include <jansson.h>
#include <stdio.h>  /* for snprintf, fopen */
#include <stdlib.h> /* for free */
#include <string.h> /* for strpbrk, strerror */
#include <unistd.h> /* for getpid */

#include "base/alloc.h"
#include "base/error.h"
#include "base/write_errno.h"
#include "io/atomic_file.h"
#include "io/foreign_model.h"
#include "kernels/objective.h"
#include "kernels/split_cat.h"

/* One parameter block {block: {key: "%.9g" of v}} of the objective (XGBoost keeps them as strings). */
static void param_block(json_t *o, const char *block, const char *key, double v)
{
    char text[64];
    snprintf(text, sizeof text, "%.9g", (double)(float)v);
    json_object_set_new(o, block, json_pack("{s:s}", key, text));
}

/* The parameter block that XGBoost's loader needs for each objective (pitfall 7);
 * reg:quantileerror is refused before (model_json): XGBoost 1.7 has none. */
static json_t *objective_json(const sb_model *m)
{
    const sb_params *p = &m->params;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(objective_name(p->objective)));
    switch (p->objective) {
    case SB_OBJ_SQUAREDERROR:
    case SB_OBJ_LOGISTIC:
    case SB_OBJ_BINARY: param_block(o, "reg_loss_param", "scale_pos_weight", p->scale_pos_weight); break;
    case SB_OBJ_POISSON:
        param_block(o, "poisson_regression_param", "max_delta_step", params_effective_max_delta_step(p));
        break;
    case SB_OBJ_PSEUDOHUBER: param_block(o, "pseudo_huber_param", "huber_slope", p->huber_slope); break;
    case SB_OBJ_TWEEDIE:
        param_block(o, "tweedie_regression_param", "tweedie_variance_power", p->tweedie_variance_power);
        break;
    case SB_OBJ_ABSOLUTEERROR: /* save_model writes no block for these */
    case SB_OBJ_GAMMA:
    case SB_OBJ_QUANTILE: break;
    }
    return o;
}

/* Node order of tree t in breadth-first order: XGBoost's CPU predictor steps to
 * left + 1 for "right" (pitfall 1), so siblings must be adjacent. order[k] is
 * the shardboost index of XGBoost node k; newid is the inverse. */
static void bfs_order(const sb_node *nd, int32_t n, int32_t *order, int32_t *newid)
{
    int32_t head = 0, tail = 0;
    order[tail++] = 0;
    while (head < tail) {
        int32_t k = order[head++];
        newid[k] = head - 1;
        if (nd[k].feat < 0) continue;
        order[tail++] = nd[k].left;
        order[tail++] = nd[k].right;
    }
    (void)n;
}

/* A native categorical split of XGBoost node k: XGBoost keeps the levels
 * that go RIGHT (shardboost the ones that go left), as one segment of the
 * tree's "categories". */
static void put_cat_split(const sb_model *m, const sb_node *x, const uint64_t *cats, int32_t k, json_t *cat,
                          json_t *nodes, json_t *seg, json_t *size)
{
    const uint64_t *set = cats + SPLIT_CAT_WORDS * (int64_t)(x->cat - 1);
    const int64_t start = (int64_t)json_array_size(cat);
    for (int32_t l = 0; l < m->feat[x->feat].n_levels; ++l)
        if (!split_cat_has(set, l)) json_array_append_new(cat, json_integer(l));
    json_array_append_new(nodes, json_integer(k));
    json_array_append_new(seg, json_integer(start));
    json_array_append_new(size, json_integer((int64_t)json_array_size(cat) - start));
}

/* One tree's JSON object (id, tree_param and every per-node array). */
static json_t *tree_json(const sb_model *m, int32_t t, int32_t *order, int32_t *newid)
{
    const sb_node *nd = &m->nodes[m->tree_start[t]];
    int32_t n = (int32_t)(m->tree_start[t + 1] - m->tree_start[t]);
    bfs_order(nd, n, order, newid);
    json_t *lc = json_array(), *rc = json_array(), *par = json_array(), *si = json_array(), *sc = json_array(),
           *dl = json_array(), *bw = json_array(), *lch = json_array(), *sh = json_array(), *st = json_array();
    json_t *cat = json_array(), *cat_nodes = json_array(), *cat_seg = json_array(), *cat_size = json_array();
    const uint64_t *cats = model_tree_cats(m, t);
    int32_t *parent = newid + n; /* scratch: parent of each XGBoost node */
    parent[0] = 2147483647;      /* what save_model writes for the root */
    for (int32_t k = 0; k < n; ++k) {
        const sb_node *x = &nd[order[k]];
        int leaf = x->feat < 0;
        if (!leaf) parent[newid[x->left]] = parent[newid[x->right]] = k;
        json_array_append_new(lc, json_integer(leaf ? -1 : newid[x->left]));
        json_array_append_new(rc, json_integer(leaf ? -1 : newid[x->right]));
        json_array_append_new(si, json_integer(leaf ? 0 : x->feat));
        /* leaf: the value (XGBoost keeps float32); split: the float32 threshold as is */
        json_array_append_new(sc, json_real(leaf ? (double)(float)x->value : (double)x->threshold));
        json_array_append_new(dl, json_integer(leaf ? 0 : (x->default_left != 0)));
        json_array_append_new(bw, json_real(leaf ? (double)(float)x->value : 0.0));
        json_array_append_new(lch, json_real(leaf ? 0.0 : (double)(float)x->gain));
        json_array_append_new(sh, json_real((double)(float)x->cover));
        json_array_append_new(st, json_integer(!leaf && x->cat > 0));
        if (!leaf && x->cat > 0) put_cat_split(m, x, cats, k, cat, cat_nodes, cat_seg, cat_size);
    }
    for (int32_t k = 0; k < n; ++k) json_array_append_new(par, json_integer(parent[k]));
    char nn[24], nf[24];
    snprintf(nn, sizeof nn, "%d", n);
    snprintf(nf, sizeof nf, "%d", m->n_feat);
    return json_pack("{s:i, s:{s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                     " s:o, s:o, s:o, s:o}",
                     "id", t, "tree_param", "num_deleted", "0", "num_feature", nf, "num_nodes", nn, "size_leaf_vector",
                     "0", "left_children", lc, "right_children", rc, "parents", par, "split_indices", si,
                     "split_conditions", sc, "default_left", dl, "base_weights", bw, "loss_changes", lch, "sum_hessian",
                     sh, "split_type", st, "categories", cat, "categories_nodes", cat_nodes, "categories_segments",
                     cat_seg, "categories_sizes", cat_size);
}

static json_t *gbtree_json(run_ctx *run, const sb_model *m)
{
    int32_t maxn = 1;
    for (int32_t t = 0; t < m->n_trees; ++t)
        if (m->tree_start[t + 1] - m->tree_start[t] > maxn) maxn = (int32_t)(m->tree_start[t + 1] - m->tree_start[t]);
    int32_t *order = sb_alloc(run, (size_t)maxn * 3, sizeof *order);
    if (order == NULL) return NULL;
    json_t *trees = json_array(), *info = json_array();
    for (int32_t t = 0; t < m->n_trees; ++t) {
        json_array_append_new(trees, tree_json(m, t, order, order + maxn));
        json_array_append_new(info, json_integer(0));
    }
    free(order);
    char nt[24];
    snprintf(nt, sizeof nt, "%d", m->n_trees);
    return json_pack("{s:s, s:{s:{s:s, s:s, s:s}, s:o, s:o}}", "name", "gbtree", "model", "gbtree_model_param",
                     "num_parallel_tree", "1", "num_trees", nt, "size_leaf_vector", "0", "tree_info", info, "trees",
                     trees);
}

/* XGBoost's Python layer refuses names with '[', ']' or '<' (they break its dump format). */
static int feature_names_json(run_ctx *run, const sb_model *m, int write, json_t **names, json_t **types)
{
    *names = json_array();
    *types = json_array();
    if (!write) return SB_OK;
    for (int32_t f = 0; f < m->n_feat; ++f) {
        const char *s = m->feat[f].name ? m->feat[f].name : "";
        if (strpbrk(s, "[]<") != NULL || *s == '\0')
            return SB_FAIL(run, SB_EINVAL,
                           "feature '%s' (column %d): XGBoost does not accept a feature name that is empty or holds "
                           "'[', ']' or '<'; export with --no-feature-names to match columns by position",
                           s, f);
        json_array_append_new(*names, json_string(s));
        /* categorical features travel as their level codes (0 = first level): numbers to XGBoost */
        /* with native categorical splits they are "c" (XGBoost's own dump insists) */
        json_array_append_new(*types, json_string(m->feat[f].n_levels > 0 ? (m->cat_bits ? "c" : "int") : "q"));
    }
    return SB_OK;
}

static int model_json(run_ctx *run, const sb_model *m, const xgb_export_opts *o, json_t **out)
{
    int rc = SB_OK;
    json_t *names = NULL, *types = NULL, *gb = NULL;
    const sb_objective obj = m->params.objective;
    if (obj == SB_OBJ_QUANTILE)
        SB_RAISE(run, SB_EINVAL, "objective reg:quantileerror cannot be written: XGBoost 1.7's format has no such "
                 "objective (it came in XGBoost 2.0)");
    float b = (float)m->base_score; /* XGBoost maps it to the margin itself: it must be in the link's range */
    const int logit = obj == SB_OBJ_LOGISTIC || obj == SB_OBJ_BINARY;
    const int log_link = obj == SB_OBJ_POISSON || obj == SB_OBJ_TWEEDIE || obj == SB_OBJ_GAMMA;
    if ((logit && !(b > 0.0f && b < 1.0f)) || (log_link && !(b > 0.0f)))
        SB_RAISE(run, SB_EINVAL, "base_score %.9g cannot be written for %s: XGBoost needs it %s", m->base_score,
                 objective_name(obj), logit ? "in (0, 1)" : "above 0");
    SB_CHECK(run, feature_names_json(run, m, o->feature_names, &names, &types));
    if ((gb = gbtree_json(run, m)) == NULL) SB_RAISE(run, SB_ENOMEM, "XGBoost JSON: out of memory building the trees");
    /* base_score is in prediction space (XGBoost maps it to the margin itself), float32 like XGBoost's */
    char bs[32], nf[24], bi[24], bn[24];
    snprintf(bs, sizeof bs, "%.9g", (double)(float)m->base_score);
    snprintf(nf, sizeof nf, "%d", m->n_feat);
    /* xgb.train writes these; XGBRegressor.predict honours best_iteration, so it names the last tree */
    snprintf(bi, sizeof bi, "%d", m->n_trees > 0 ? m->n_trees - 1 : 0);
    snprintf(bn, sizeof bn, "%d", m->n_trees);
    *out = json_pack("{s:[i,i,i], s:{s:{s:s, s:s}, s:o, s:o, s:o, s:{s:s, s:s, s:s, s:s, s:s}, s:o}}", "version", 1, 7,
                     4, "learner", "attributes", "best_iteration", bi, "best_ntree_limit", bn, "feature_names", names,
                     "feature_types", types, "gradient_booster", gb, "learner_model_param", "base_score", bs,
                     "boost_from_average", "1", "num_class", "0", "num_feature", nf, "num_target", "1", "objective",
                     objective_json(m));
    names = types = gb = NULL; /* "o" gave them to the document (or json_pack released them) */
    if (*out == NULL) SB_RAISE(run, SB_ENOMEM, "XGBoost JSON: out of memory building the document");
out:
    json_decref(names);
    json_decref(types);
    json_decref(gb);
    return rc;
}

int xgb_export_write(run_ctx *run, const sb_model *m, const xgb_export_opts *o, const char *path)
{
    int rc = SB_OK;
    json_t *doc = NULL;
    char tmp[4096];
    SB_CHECK(run, model_json(run, m, o, &doc));
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        SB_RAISE(run, SB_EINVAL, "output path too long: %s", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) SB_RAISE(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    /* 9 significant digits read back as the same float32; jansson keeps a ".0" on whole reals,
     * which XGBoost needs (an integer in a float array fails to load) */
    if (json_dumpf(doc, f, JSON_COMPACT | JSON_REAL_PRECISION(9)) != 0) {
        const int e = errno; /* the failed write's */
        fclose(f);
        unlink(tmp);
        SB_RAISE(run, SB_EIO, "%s: writing the XGBoost JSON failed%s", tmp, write_errno_suffix(e));
    }
    SB_CHECK(run, atomic_file_commit(run, f, tmp, path));
out:
    json_decref(doc);
    return rc;
}
