/* xgb_import.c - an XGBoost JSON or UBJSON model (gbtree, numerical splits)
 * as an sb_model. Parsed with jansson (UBJSON: io/ubjson.c into jansson values); every field the conversion relies on is
 * checked (type, length, range) so that a damaged or hostile file gives an
 * error naming the file and the field, never an out-of-bounds walk.
 *
 * Trees are renumbered breadth first from the root: children then come after
 * their parent (io/model.c's rule, so no cycle can exist), and a node reached
 * twice is refused. XGBoost's CPU predictor steps to left + 1 for "right";
 * a file whose right child is elsewhere would be scored differently by
 * XGBoost than its right_children say, so it is refused as well. */
#include <errno.h>  /* for errno */
#include <jansson.h>
#include <math.h>   /* for isfinite, logf */
#include <stdio.h>  /* for FILE, snprintf */
#include <stdlib.h> /* for strtod, strtoll, qsort */
#include <string.h> /* for strcmp, memset */

#include "base/alloc.h"
#include "base/error.h"
#include "io/foreign_model.h"
#include "io/ubjson.h"
#include "kernels/objective.h"

#define XGB_MAX_NODES (1 << 26)   /* per tree */
#define XGB_MAX_FEATURES (1 << 24)

typedef struct {
    run_ctx *run;
    const char *file;
} xin;

static const char *type_name(int t)
{
    switch (t) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    default: return "a value";
    }
}

/* *out = obj[key] of JSON type `type` (-1: any). path names obj in messages. */
static int get(const xin *x, json_t *obj, const char *path, const char *key, int type, json_t **out)
{
    *out = json_object_get(obj, key);
    if (*out == NULL) return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s is missing", x->file, path, key);
    int t = json_typeof(*out);
    if (type >= 0 && t != type && !(type == JSON_REAL && t == JSON_INTEGER))
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s should be %s", x->file, path, key, type_name(type));
    return SB_OK;
}

/* XGBoost writes every scalar of a *_param object as a string ("5", "5E-1"). */
static int param_num(const xin *x, json_t *obj, const char *path, const char *key, double *v)
{
    json_t *j;
    SB_TRY(x->run, get(x, obj, path, key, -1, &j));
    if (json_is_number(j)) *v = json_number_value(j);
    else if (json_is_string(j)) {
        /* XGBoost >= 2.1 writes base_score as "[5E-1]" (one value per target) */
        const char *s = json_string_value(j), *at = s[0] == '[' ? s + 1 : s;
        char *end = NULL;
        errno = 0;
        *v = strtod(at, &end);
        int bad = end == at || errno == ERANGE || (at != s && *end++ != ']');
        if (bad || *end != '\0')
            return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s is \"%s\", not a number", x->file, path, key, s);
    } else return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s should be a number in a string", x->file, path, key);
    if (!isfinite(*v)) return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s is not finite", x->file, path, key);
    return SB_OK;
}

static int param_int(const xin *x, json_t *obj, const char *path, const char *key, int64_t lo, int64_t hi, int64_t *v)
{
    double d;
    SB_TRY(x->run, param_num(x, obj, path, key, &d));
    /* the range first: converting a double outside int64 (8.9e25) is undefined behaviour */
    if (!(d >= (double)lo && d <= (double)hi && d < 0x1p63) || d != floor(d))
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s is %.17g, expected an integer in [%lld, %lld]", x->file, path, key,
                       d, (long long)lo, (long long)hi);
    *v = (int64_t)d;
    return SB_OK;
}

/* Objective and base score; base_margin as XGBoost 1.7 computes it (in float). */
static int read_objective(const xin *x, json_t *learner, sb_model *m)
{
    json_t *obj, *name, *lmp;
    SB_TRY(x->run, get(x, learner, "learner", "objective", JSON_OBJECT, &obj));
    SB_TRY(x->run, get(x, obj, "learner/objective", "name", JSON_STRING, &name));
    const char *s = json_string_value(name);
    sb_objective o;
    if (!strcmp(s, "reg:squarederror") || !strcmp(s, "reg:linear")) o = SB_OBJ_SQUAREDERROR;
    else if (!strcmp(s, "reg:logistic") || !strcmp(s, "binary:logistic")) o = SB_OBJ_LOGISTIC;
    else if (!strcmp(s, "count:poisson")) o = SB_OBJ_POISSON;
    else if (!strcmp(s, "reg:absoluteerror")) o = SB_OBJ_ABSOLUTEERROR;
    else
        return SB_FAIL(x->run, SB_EDATA,
                       "%s: learner/objective/name is '%s': shardboost scores reg:squarederror, reg:logistic, "
                       "binary:logistic, count:poisson and reg:absoluteerror models only",
                       x->file, s);
    params_default(&m->params);
    m->params.objective = o;
    SB_TRY(x->run, get(x, learner, "learner", "learner_model_param", JSON_OBJECT, &lmp));
    double bs;
    SB_TRY(x->run, param_num(x, lmp, "learner/learner_model_param", "base_score", &bs));
    float b = (float)bs;
    if ((o == SB_OBJ_LOGISTIC && !(b > 0.0f && b < 1.0f)) || (o == SB_OBJ_POISSON && !(b > 0.0f)))
        return SB_FAIL(x->run, SB_EDATA, "%s: learner/learner_model_param/base_score %.9g is outside the range of %s",
                       x->file, bs, s);
    m->base_score = (double)b;
    m->params.base_score = m->base_score;
    m->params.base_score_set = 1;
    m->base_margin = o == SB_OBJ_LOGISTIC ? (double)(-logf(1.0f / b - 1.0f))
                     : o == SB_OBJ_POISSON ? (double)logf(b)
                                           : (double)b;
    return SB_OK;
}

/* num_class / num_target: one output only; num_feature and the names. */
static int read_features(const xin *x, json_t *learner, sb_model *m)
{
    json_t *lmp, *names = json_object_get(learner, "feature_names");
    const char *p = "learner/learner_model_param";
    int64_t nc = 0, nt = 1, nf = 0;
    SB_TRY(x->run, get(x, learner, "learner", "learner_model_param", JSON_OBJECT, &lmp));
    SB_TRY(x->run, param_int(x, lmp, p, "num_class", 0, 1 << 30, &nc));
    if (json_object_get(lmp, "num_target")) SB_TRY(x->run, param_int(x, lmp, p, "num_target", 0, 1 << 30, &nt));
    if (nc > 1 || nt > 1)
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s is %lld: multi-class and multi-target models cannot be imported",
                       x->file, p, nc > 1 ? "num_class" : "num_target", (long long)(nc > 1 ? nc : nt));
    SB_TRY(x->run, param_int(x, lmp, p, "num_feature", 0, XGB_MAX_FEATURES, &nf));
    size_t nn = json_is_array(names) ? json_array_size(names) : 0;
    if (names != NULL && !json_is_array(names))
        return SB_FAIL(x->run, SB_EDATA, "%s: learner/feature_names should be an array", x->file);
    if (nn > 0 && nn != (size_t)nf)
        return SB_FAIL(x->run, SB_EDATA, "%s: learner/feature_names has %zu names but num_feature is %lld", x->file, nn,
                       (long long)nf);
    m->n_feat = (int32_t)nf;
    if ((m->feat = sb_alloc(x->run, (size_t)nf + 1, sizeof *m->feat)) == NULL) return SB_ENOMEM;
    for (int32_t f = 0; f < m->n_feat; ++f) {
        json_t *s = nn > 0 ? json_array_get(names, (size_t)f) : NULL;
        if (s != NULL && !json_is_string(s))
            return SB_FAIL(x->run, SB_EDATA, "%s: learner/feature_names[%d] should be a string", x->file, f);
        /* "" = unnamed: model_bind_table names it after the data's column at this position */
        if ((m->feat[f].name = sb_strdup(x->run, s ? json_string_value(s) : "")) == NULL) return SB_ENOMEM;
    }
    return SB_OK;
}

/* The per-node arrays of one tree, checked for type and length n. */
typedef struct {
    json_t *left, *right, *feat, *cond, *dleft, *stype, *gain, *cover;
} xtree;

static int node_array(const xin *x, json_t *tree, const char *path, const char *key, int64_t n, int required,
                      json_t **out)
{
    *out = json_object_get(tree, key);
    if (*out == NULL && !required) return SB_OK;
    SB_TRY(x->run, get(x, tree, path, key, JSON_ARRAY, out));
    if ((int64_t)json_array_size(*out) != n)
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s has %zu entries, tree_param/num_nodes is %lld", x->file, path, key,
                       json_array_size(*out), (long long)n);
    return SB_OK;
}

static int node_int(const xin *x, json_t *a, const char *path, const char *key, int64_t i, int64_t *v)
{
    json_t *e = json_array_get(a, (size_t)i);
    if (json_is_integer(e)) *v = json_integer_value(e);
    else if (json_is_boolean(e)) *v = json_is_true(e);
    else return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s[%lld] should be an integer", x->file, path, key, (long long)i);
    return SB_OK;
}

static int node_real(const xin *x, json_t *a, const char *path, const char *key, int64_t i, double *v)
{
    json_t *e = json_array_get(a, (size_t)i);
    if (!json_is_number(e))
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/%s[%lld] should be a number", x->file, path, key, (long long)i);
    *v = json_number_value(e);
    return SB_OK;
}

/* One XGBoost node k into nd; kids[0..1] get its children (-1 for a leaf). */
static int convert_node(const xin *x, const xtree *a, const char *path, int64_t n, const sb_model *m, int64_t k,
                        sb_node *nd, int64_t kids[2])
{
    int64_t l, r, f = 0, dl = 0, st = 0;
    double c, g = 0, h = 0;
    SB_TRY(x->run, node_int(x, a->left, path, "left_children", k, &l));
    SB_TRY(x->run, node_real(x, a->cond, path, "split_conditions", k, &c));
    if (a->gain) SB_TRY(x->run, node_real(x, a->gain, path, "loss_changes", k, &g));
    if (a->cover) SB_TRY(x->run, node_real(x, a->cover, path, "sum_hessian", k, &h));
    memset(nd, 0, sizeof *nd);
    nd->cover = h;
    kids[0] = kids[1] = -1;
    if (l == -1) { /* a leaf: split_conditions holds its value */
        float v = (float)c;
        if (!isfinite(v))
            return SB_FAIL(x->run, SB_EDATA, "%s: %s/split_conditions[%lld]: leaf value is not finite", x->file, path,
                           (long long)k);
        nd->feat = -1, nd->left = nd->right = -1, nd->value = (double)v;
        return SB_OK;
    }
    SB_TRY(x->run, node_int(x, a->right, path, "right_children", k, &r));
    SB_TRY(x->run, node_int(x, a->feat, path, "split_indices", k, &f));
    SB_TRY(x->run, node_int(x, a->dleft, path, "default_left", k, &dl));
    if (a->stype) SB_TRY(x->run, node_int(x, a->stype, path, "split_type", k, &st));
    if (l < 0 || l >= n || r != l + 1 || r >= n)
        return SB_FAIL(x->run, SB_EDATA,
                       "%s: %s: node %lld has children %lld and %lld: child indices must lie in [0, %lld) with the "
                       "right child at left + 1 (left_children / right_children)",
                       x->file, path, (long long)k, (long long)l, (long long)r, (long long)n);
    if (st != 0)
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/split_type[%lld] is %lld: categorical splits cannot be imported yet",
                       x->file, path, (long long)k, (long long)st);
    if (f < 0 || f >= m->n_feat)
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/split_indices[%lld] is %lld, outside num_feature %d", x->file, path,
                       (long long)k, (long long)f, m->n_feat);
    float t = (float)c;
    if (!isfinite(t))
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/split_conditions[%lld]: threshold is not finite", x->file, path,
                       (long long)k);
    nd->feat = (int32_t)f, nd->default_left = dl != 0, nd->threshold = t, nd->gain = g;
    kids[0] = l, kids[1] = r;
    return SB_OK;
}

/* Tree `tree` (n nodes) breadth first into m->nodes[base ..); *used = nodes reached. */
static int convert_tree(const xin *x, json_t *tree, const char *path, sb_model *m, int64_t base, int64_t *used)
{
    int rc = SB_OK;
    json_t *tp;
    int64_t n = 0;
    int64_t *queue = NULL;
    uint8_t *seen = NULL;
    xtree a = {0};
    SB_CHECK(x->run, get(x, tree, path, "tree_param", JSON_OBJECT, &tp));
    char tpp[160];
    snprintf(tpp, sizeof tpp, "%s/tree_param", path);
    SB_CHECK(x->run, param_int(x, tp, tpp, "num_nodes", 1, XGB_MAX_NODES, &n));
    SB_CHECK(x->run, node_array(x, tree, path, "left_children", n, 1, &a.left));
    SB_CHECK(x->run, node_array(x, tree, path, "right_children", n, 1, &a.right));
    SB_CHECK(x->run, node_array(x, tree, path, "split_indices", n, 1, &a.feat));
    SB_CHECK(x->run, node_array(x, tree, path, "split_conditions", n, 1, &a.cond));
    SB_CHECK(x->run, node_array(x, tree, path, "default_left", n, 1, &a.dleft));
    SB_CHECK(x->run, node_array(x, tree, path, "split_type", n, 0, &a.stype));
    SB_CHECK(x->run, node_array(x, tree, path, "loss_changes", n, 0, &a.gain));
    SB_CHECK(x->run, node_array(x, tree, path, "sum_hessian", n, 0, &a.cover));
    SB_ALLOC_OR_OUT(x->run, queue, (size_t)n, sizeof *queue);
    SB_ALLOC_OR_OUT(x->run, seen, (size_t)n, 1);
    int64_t head = 0, tail = 0;
    queue[tail++] = 0;
    seen[0] = 1;
    while (head < tail) {
        int64_t k = queue[head], kids[2];
        sb_node *nd = &m->nodes[base + head];
        SB_CHECK(x->run, convert_node(x, &a, path, n, m, k, nd, kids));
        ++head;
        if (kids[0] < 0) continue;
        for (int c = 0; c < 2; ++c) {
            if (seen[kids[c]])
                SB_RAISE(x->run, SB_EDATA,
                         "%s: %s: node %lld is reached twice: left_children / right_children do not form a tree",
                         x->file, path, (long long)kids[c]);
            seen[kids[c]] = 1;
            queue[tail++] = kids[c];
        }
        nd->left = (int32_t)(tail - 2), nd->right = (int32_t)(tail - 1);
    }
    *used = tail;
out:
    free(queue);
    free(seen);
    return rc;
}

/* num_trees, the tree list and tree_info agree (XGBoost itself crashes when they do not). */
static int check_tree_list(const xin *x, json_t *learner)
{
    json_t *gb, *model, *gmp, *trees, *info;
    const char *gp = "learner/gradient_booster/model";
    SB_TRY(x->run, get(x, learner, "learner", "gradient_booster", JSON_OBJECT, &gb));
    SB_TRY(x->run, get(x, gb, "learner/gradient_booster", "model", JSON_OBJECT, &model));
    SB_TRY(x->run, get(x, model, gp, "gbtree_model_param", JSON_OBJECT, &gmp));
    SB_TRY(x->run, get(x, model, gp, "trees", JSON_ARRAY, &trees));
    SB_TRY(x->run, get(x, model, gp, "tree_info", JSON_ARRAY, &info));
    int64_t nt = 0;
    SB_TRY(x->run, param_int(x, gmp, "learner/gradient_booster/model/gbtree_model_param", "num_trees", 0, 1 << 24,
                             &nt));
    if ((size_t)nt != json_array_size(trees))
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/gbtree_model_param/num_trees is %lld but %s/trees holds %zu trees",
                       x->file, gp, (long long)nt, gp, json_array_size(trees));
    if ((size_t)nt != json_array_size(info))
        return SB_FAIL(x->run, SB_EDATA, "%s: %s/tree_info has %zu entries for %lld trees", x->file, gp,
                       json_array_size(info), (long long)nt);
    for (int64_t t = 0; t < nt; ++t)
        if (!json_is_integer(json_array_get(info, (size_t)t)) ||
            json_integer_value(json_array_get(info, (size_t)t)) != 0)
            return SB_FAIL(x->run, SB_EDATA, "%s: %s/tree_info[%lld] is not 0: a multi-output model cannot be imported",
                           x->file, gp, (long long)t);
    return SB_OK;
}

/* Cuts per feature (the sorted distinct thresholds) and each split's bin in
 * them, so an imported model has the same shape as a trained one. */
static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int build_cuts(run_ctx *run, sb_model *m)
{
    int64_t nn = m->tree_start[m->n_trees], *cnt = sb_alloc(run, (size_t)m->n_feat + 1, sizeof *cnt);
    if (cnt == NULL || (m->cut_start = sb_alloc(run, (size_t)m->n_feat + 1, sizeof *m->cut_start)) == NULL ||
        (m->cuts = sb_alloc(run, (size_t)nn + 1, sizeof *m->cuts)) == NULL) {
        free(cnt);
        return SB_ENOMEM;
    }
    for (int64_t k = 0; k < nn; ++k)
        if (m->nodes[k].feat >= 0) cnt[m->nodes[k].feat]++;
    int64_t at = 0;
    for (int32_t f = 0; f < m->n_feat; ++f) m->cut_start[f] = at, at += cnt[f], cnt[f] = m->cut_start[f];
    for (int64_t k = 0; k < nn; ++k)
        if (m->nodes[k].feat >= 0) m->cuts[cnt[m->nodes[k].feat]++] = m->nodes[k].threshold;
    int64_t w = 0; /* sort each feature's thresholds, keep distinct ones, compact in place */
    for (int32_t f = 0; f < m->n_feat; ++f) {
        int64_t s = m->cut_start[f], e = f + 1 < m->n_feat ? m->cut_start[f + 1] : at;
        qsort(m->cuts + s, (size_t)(e - s), sizeof *m->cuts, cmp_float);
        m->cut_start[f] = w;
        for (int64_t i = s; i < e; ++i)
            if (i == s || m->cuts[i] != m->cuts[w - 1]) m->cuts[w++] = m->cuts[i];
    }
    m->cut_start[m->n_feat] = w;
    for (int64_t k = 0; k < nn; ++k) {
        sb_node *nd = &m->nodes[k];
        if (nd->feat < 0) continue;
        const float *lo = m->cuts + m->cut_start[nd->feat], *hi = m->cuts + m->cut_start[nd->feat + 1];
        const float *p = bsearch(&nd->threshold, lo, (size_t)(hi - lo), sizeof *lo, cmp_float);
        nd->bin = p ? (int32_t)(p - lo) : 0; /* rows with bin <= bin have x < threshold */
    }
    free(cnt);
    return SB_OK;
}

/* Every tree into m, in id order (XGBoost stores tree j at slot id and sums in that order). */
static int convert_all_trees(const xin *x, json_t *learner, sb_model *m)
{
    json_t *trees = json_object_get(json_object_get(json_object_get(learner, "gradient_booster"), "model"), "trees");
    int32_t nt = (int32_t)json_array_size(trees);
    int64_t total = 0;
    json_t **by_id = sb_alloc(x->run, (size_t)nt + 1, sizeof *by_id);
    if (by_id == NULL) return SB_ENOMEM;
    int rc = SB_OK;
    for (int32_t i = 0; i < nt; ++i) {
        json_t *t = json_array_get(trees, (size_t)i), *id = json_object_get(t, "id");
        json_t *l = json_object_get(t, "left_children");
        int64_t v = json_is_integer(id) ? json_integer_value(id) : -1;
        if (!json_is_object(t) || v < 0 || v >= nt || by_id[v] != NULL)
            SB_RAISE(x->run, SB_EDATA, "%s: learner/gradient_booster/model/trees[%d]/id is missing, repeated or "
                     "outside 0..%d", x->file, i, nt - 1);
        by_id[v] = t;
        total += json_is_array(l) ? (int64_t)json_array_size(l) : 0;
    }
    m->n_trees = nt;
    SB_ALLOC_OR_OUT(x->run, m->tree_start, (size_t)nt + 1, sizeof *m->tree_start);
    SB_ALLOC_OR_OUT(x->run, m->nodes, (size_t)total + 1, sizeof *m->nodes);
    for (int32_t t = 0; t < nt; ++t) {
        char path[96];
        int64_t used = 0;
        snprintf(path, sizeof path, "learner/gradient_booster/model/trees[id %d]", t);
        SB_CHECK(x->run, convert_tree(x, by_id[t], path, m, m->tree_start[t], &used));
        m->tree_start[t + 1] = m->tree_start[t] + used;
    }
out:
    free(by_id);
    return rc;
}

static int import_doc(const xin *x, json_t *root, sb_model *m)
{
    json_t *learner, *gb, *name;
    if (!json_is_object(root))
        return SB_FAIL(x->run, SB_EDATA, "%s: not an XGBoost JSON model (no top-level object)", x->file);
    SB_TRY(x->run, get(x, root, "", "learner", JSON_OBJECT, &learner));
    SB_TRY(x->run, get(x, learner, "learner", "gradient_booster", JSON_OBJECT, &gb));
    SB_TRY(x->run, get(x, gb, "learner/gradient_booster", "name", JSON_STRING, &name));
    if (strcmp(json_string_value(name), "gbtree") != 0)
        return SB_FAIL(x->run, SB_EDATA,
                       "%s: learner/gradient_booster/name is '%s': only gbtree models can be imported (dart weighs "
                       "its trees, gblinear has none)",
                       x->file, json_string_value(name));
    SB_TRY(x->run, read_objective(x, learner, m));
    SB_TRY(x->run, read_features(x, learner, m));
    SB_TRY(x->run, check_tree_list(x, learner));
    SB_TRY(x->run, convert_all_trees(x, learner, m));
    SB_TRY(x->run, build_cuts(x->run, m));
    /* not bound to a layout until model_bind_table; no training record */
    if ((m->layout = sb_strdup(x->run, "")) == NULL || (m->label_name = sb_strdup(x->run, "")) == NULL)
        return SB_ENOMEM;
    m->best_iteration = m->n_trees > 0 ? m->n_trees - 1 : 0;
    m->metric = m->params.eval_metric;
    return SB_OK;
}

/* The whole file (at most FOREIGN_MODEL_MAX_BYTES) in memory. */
static int read_all(run_ctx *run, const char *path, unsigned char **buf, size_t *len)
{
    int rc = SB_OK;
    FILE *f = fopen(path, "rb");
    *buf = NULL;
    if (f == NULL) return SB_FAIL(run, SB_EIO, "%s: cannot open model: %s", path, strerror(errno));
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n < 0 || n > FOREIGN_MODEL_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0)
        SB_RAISE(run, SB_EDATA, "%s: unreadable, or larger than %lld bytes", path, FOREIGN_MODEL_MAX_BYTES);
    SB_ALLOC_OR_OUT(run, *buf, (size_t)n + 1, 1);
    if (fread(*buf, 1, (size_t)n, f) != (size_t)n) SB_RAISE(run, SB_EIO, "%s: read error", path);
    *len = (size_t)n;
out:
    fclose(f);
    if (rc != SB_OK) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

int xgb_import_file(run_ctx *run, const char *path, sb_model *out)
{
    int rc = SB_OK;
    json_t *root = NULL;
    json_error_t jerr;
    unsigned char *buf = NULL;
    size_t len = 0;
    model_kind kind;
    xin x = {run, path};
    memset(out, 0, sizeof *out);
    SB_CHECK(run, model_file_kind(run, path, &kind));
    SB_CHECK(run, read_all(run, path, &buf, &len));
    if (kind == MODEL_KIND_XGB_UBJSON) SB_CHECK(run, ubjson_parse(run, path, buf, len, &root));
    else if ((root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
        /* jansson bounds the nesting depth itself (JSON_PARSER_MAX_DEPTH, 2048) */
        SB_RAISE(run, SB_EDATA, "%s: line %d column %d: %s (a truncated or damaged XGBoost JSON model?)", path,
                 jerr.line, jerr.column, jerr.text);
    SB_CHECK(run, import_doc(&x, root, out));
out:
    free(buf);
    json_decref(root);
    if (rc != SB_OK) model_free(out);
    return rc;
}
