/* lgbm_export.c - a shardboost model as a LightGBM text model ("version=v3").
 *
 * What LightGBM's loader (gbdt_model_text.cpp, tree.cpp) requires, and what is
 * written here:
 *   header: num_class, label_index, max_feature_idx, feature_names and
 *           feature_infos (max_feature_idx + 1 space-separated entries each);
 *           num_tree_per_iteration and objective are read when present;
 *           tree_sizes is optional (without it the "Tree=" blocks are parsed
 *           in order), so it is left out.
 *   tree:   num_leaves, num_cat and leaf_value always; with more than one leaf
 *           split_feature, threshold, left_child, right_child (decision_type
 *           defaults to 0, which would turn NaN into 0.0, so it is written);
 *           at most 22 "key=value" lines, then a blank line.
 * Nodes: inner nodes 0..L-2 (root 0), leaves 0..L-1; a child is an inner
 * index, or ~leaf. decision_type bits: 1 categorical, 2 default left,
 * (type >> 2) & 3 the missing type: 2 = NaN goes to the default side.
 * Rule: left iff double(x) <= threshold, so a float32 split `x < t` becomes
 * threshold = nextafterf(t, -inf): the same decision for every float32 x.
 * LightGBM has no base score: the base margin is added to tree 0's leaves. */
#include <errno.h>  /* for errno */
#include <float.h>  /* for DBL_MAX */
#include <math.h>   /* for nextafterf, isinf, llround */
#include <stdio.h>  /* for FILE, fprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strpbrk, strerror */
#include <unistd.h> /* for getpid, unlink */

#include "base/alloc.h"
#include "base/error.h"
#include "io/atomic_file.h"
#include "io/foreign_model.h"
#include "kernels/objective.h"

/* LightGBM objective names whose output transform is shardboost's link. */
static const char *lgbm_objective(sb_objective o)
{
    switch (o) {
    case SB_OBJ_SQUAREDERROR: return "regression";
    case SB_OBJ_LOGISTIC: return "cross_entropy"; /* labels in [0,1], sigmoid output */
    case SB_OBJ_POISSON: return "poisson";
    case SB_OBJ_ABSOLUTEERROR: return "regression_l1";
    case SB_OBJ_BINARY:
    case SB_OBJ_PSEUDOHUBER:
    case SB_OBJ_TWEEDIE:
    case SB_OBJ_GAMMA:
    case SB_OBJ_QUANTILE: return NULL; /* not mapped yet: refused by the caller, never approximated */
    }
    return NULL;
}

/* The double threshold t' with (double(x) <= t') == (x < t) for every float32 x. */
static double lgbm_threshold(float t)
{
    float below = nextafterf(t, -INFINITY);
    return isinf(below) ? -DBL_MAX : (double)below;
}

typedef struct {
    int32_t *order;   /* shardboost node index of each BFS position */
    int32_t *inner;   /* inner index (or leaf index) of each shardboost node */
    int32_t n_inner, n_leaf;
} lgbm_tree;

/* Breadth-first numbering of tree nd[0..n): inner nodes and leaves separately. */
static void number_tree(const sb_node *nd, lgbm_tree *w)
{
    int32_t head = 0, tail = 0;
    w->n_inner = w->n_leaf = 0;
    w->order[tail++] = 0;
    while (head < tail) {
        int32_t k = w->order[head++];
        if (nd[k].feat < 0) { w->inner[k] = w->n_leaf++; continue; }
        w->inner[k] = w->n_inner++;
        w->order[tail++] = nd[k].left;
        w->order[tail++] = nd[k].right;
    }
}

static int32_t child_ref(const sb_node *nd, const lgbm_tree *w, int32_t c)
{
    return nd[c].feat < 0 ? ~w->inner[c] : w->inner[c];
}

/* One "key=v v v" line over the tree's inner nodes (leaves: 0) or leaves (1). */
typedef enum { F_FEAT, F_GAIN, F_THR, F_DTYPE, F_LEFT, F_RIGHT, F_VALUE, F_WEIGHT, F_COUNT, F_IVALUE } field;

static void put_line(FILE *f, const char *key, const sb_node *nd, int32_t n, const lgbm_tree *w, int leaves, field fl,
                     double add)
{
    fprintf(f, "%s=", key);
    int first = 1;
    for (int32_t p = 0; p < n; ++p) {
        int32_t k = w->order[p];
        const sb_node *x = &nd[k];
        if ((x->feat < 0) != leaves) continue;
        fputs(first ? "" : " ", f);
        first = 0;
        switch (fl) {
        case F_FEAT: fprintf(f, "%d", x->feat); break;
        case F_GAIN: fprintf(f, "%.9g", x->gain); break;
        case F_THR: fprintf(f, "%.17g", lgbm_threshold(x->threshold)); break;
        case F_DTYPE: fprintf(f, "%d", (2 << 2) | (x->default_left ? 2 : 0)); break;
        case F_LEFT: fprintf(f, "%d", child_ref(nd, w, x->left)); break;
        case F_RIGHT: fprintf(f, "%d", child_ref(nd, w, x->right)); break;
        case F_VALUE: fprintf(f, "%.17g", x->value + add); break;
        case F_WEIGHT: fprintf(f, "%.9g", x->cover); break;
        case F_COUNT: fprintf(f, "%lld", (long long)llround(x->cover > 1 ? x->cover : 1)); break; /* hessian sums */
        case F_IVALUE: fputs("0", f); break;
        }
    }
    fputc('\n', f);
}

static void put_tree(FILE *f, int32_t t, const sb_node *nd, int32_t n, lgbm_tree *w, double add)
{
    number_tree(nd, w);
    fprintf(f, "Tree=%d\nnum_leaves=%d\nnum_cat=0\n", t, w->n_leaf);
    if (w->n_inner > 0) {
        put_line(f, "split_feature", nd, n, w, 0, F_FEAT, 0);
        put_line(f, "split_gain", nd, n, w, 0, F_GAIN, 0);
        put_line(f, "threshold", nd, n, w, 0, F_THR, 0);
        put_line(f, "decision_type", nd, n, w, 0, F_DTYPE, 0);
        put_line(f, "left_child", nd, n, w, 0, F_LEFT, 0);
        put_line(f, "right_child", nd, n, w, 0, F_RIGHT, 0);
    }
    put_line(f, "leaf_value", nd, n, w, 1, F_VALUE, add);
    put_line(f, "leaf_weight", nd, n, w, 1, F_WEIGHT, 0);
    put_line(f, "leaf_count", nd, n, w, 1, F_COUNT, 0);
    if (w->n_inner > 0) {
        put_line(f, "internal_value", nd, n, w, 0, F_IVALUE, 0);
        put_line(f, "internal_weight", nd, n, w, 0, F_WEIGHT, 0);
        put_line(f, "internal_count", nd, n, w, 0, F_COUNT, 0);
    }
    fprintf(f, "is_linear=0\nshrinkage=1\n\n\n");
}

/* LightGBM splits feature_names on ' ' and header lines on '='. */
static int check_names(run_ctx *run, const sb_model *m)
{
    for (int32_t f = 0; f < m->n_feat; ++f) {
        const char *s = m->feat[f].name ? m->feat[f].name : "";
        if (strpbrk(s, " \t\r\n=:\"[],{}") != NULL)
            return SB_FAIL(run, SB_EINVAL,
                           "feature '%s' (column %d): a LightGBM model cannot hold a feature name with whitespace or "
                           "any of = : \" [ ] , { }",
                           s, f);
    }
    return SB_OK;
}

static void put_header(FILE *f, const sb_model *m)
{
    fprintf(f, "tree\nversion=v3\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=%d\n"
               "objective=%s\nfeature_names=",
            m->n_feat - 1, lgbm_objective(m->params.objective));
    for (int32_t i = 0; i < m->n_feat; ++i) {
        const char *s = m->feat[i].name;
        if (s && *s) fprintf(f, "%s%s", i ? " " : "", s);
        else fprintf(f, "%sColumn_%d", i ? " " : "", i); /* LightGBM's own default names */
    }
    fputs("\nfeature_infos=", f);
    for (int32_t i = 0; i < m->n_feat; ++i) {
        int64_t a = m->cut_start[i], b = m->cut_start[i + 1];
        if (b > a) fprintf(f, "%s[%.9g:%.9g]", i ? " " : "", (double)m->cuts[a], (double)m->cuts[b - 1]);
        else fprintf(f, "%snone", i ? " " : "");
    }
    fputs("\n\n", f);
}

static void put_footer(FILE *f, const sb_model *m)
{
    fprintf(f, "end of trees\n\nparameters:\n[boosting: gbdt]\n[objective: %s]\n[learning_rate: %.17g]\n"
               "[num_iterations: %d]\nend of parameters\n\npandas_categorical:null\n",
            lgbm_objective(m->params.objective), m->params.eta, m->n_trees);
}

int lgbm_export_write(run_ctx *run, const sb_model *m, const char *path)
{
    int rc = SB_OK;
    FILE *f = NULL;
    char tmp[4096];
    lgbm_tree w = {0};
    int64_t maxn = 1;
    if (lgbm_objective(m->params.objective) == NULL)
        SB_RAISE(run, SB_EINVAL, "objective %s cannot be written as a LightGBM text model (not mapped to a LightGBM "
                 "objective yet)", objective_name(m->params.objective));
    if (m->cat_bits) /* LightGBM sends NaN right on its categorical splits: a mapping is left for later */
        SB_RAISE(run, SB_EINVAL, "the model has native categorical splits (enable_categorical=1), which the LightGBM "
                 "text export does not write yet: export it as xgboost-json, or train with enable_categorical=0");
    SB_CHECK(run, check_names(run, m));
    for (int32_t t = 0; t < m->n_trees; ++t)
        if (m->tree_start[t + 1] - m->tree_start[t] > maxn) maxn = m->tree_start[t + 1] - m->tree_start[t];
    SB_ALLOC_OR_OUT(run, w.order, (size_t)maxn, sizeof *w.order);
    SB_ALLOC_OR_OUT(run, w.inner, (size_t)maxn, sizeof *w.inner);
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        SB_RAISE(run, SB_EINVAL, "output path too long: %s", path);
    if ((f = fopen(tmp, "wb")) == NULL) SB_RAISE(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    put_header(f, m);
    if (m->n_trees == 0) { /* the base margin alone: one single-leaf tree */
        sb_node leaf = {.feat = -1, .left = -1, .right = -1, .value = 0.0};
        put_tree(f, 0, &leaf, 1, &w, m->base_margin);
    }
    for (int32_t t = 0; t < m->n_trees; ++t)
        put_tree(f, t, &m->nodes[m->tree_start[t]], (int32_t)(m->tree_start[t + 1] - m->tree_start[t]), &w,
                 t == 0 ? m->base_margin : 0.0);
    put_footer(f, m);
    rc = atomic_file_commit(run, f, tmp, path); /* checks the sticky error of every fprintf */
    f = NULL;
out:
    if (f != NULL) {
        fclose(f);
        unlink(tmp);
    }
    free(w.order);
    free(w.inner);
    return rc;
}
