/* tree_shap.h - exact SHAP values of a forest's margin (TreeSHAP, Lundberg,
 * Erion and Lee, "Consistent individualized feature attribution for tree
 * ensembles", Algorithm 2), as XGBoost's pred_contribs computes them.
 *
 * The value of a feature subset S for one tree is the tree's expectation when
 * only the features in S are known: at a split on a feature of S the row's
 * branch is followed, at any other split both branches are averaged, weighted
 * by the children's covers (sums of training hessians, sb_node.cover). The
 * contributions of a row are the Shapley values of that game, one per feature,
 * plus a bias: base_margin + every tree's cover-weighted mean leaf value. They
 * sum to the row's margin (Shapley efficiency), up to rounding.
 *
 * tree_shap_row walks each tree once, depth first, with an explicit stack (a
 * tree may be thousands of levels deep) and the caller's scratch: no
 * allocation, no recursion. tree_shap_row_ref is the definition itself:
 * every subset of the features a tree uses, enumerated (only for trees using
 * at most TREE_SHAP_REF_MAX_FEAT features: the tests' twin). Both compute in
 * double; XGBoost computes in float32, so they differ from it by float noise. */
#ifndef SB_TREE_SHAP_H
#define SB_TREE_SHAP_H

#include <math.h>   /* for isnan */
#include <stddef.h> /* for NULL */
#include <stdint.h> /* for int32_t, int64_t */

#include "kernels/split_cat.h"    /* for split_cat_value_left, SPLIT_CAT_WORDS */
#include "kernels/tree_predict.h" /* for sb_node, sb_forest */

/* THE split decision of TreeSHAP (and of its twin): 1 when a row whose value
 * at nd's feature is v goes to nd's left child, by kernels/tree_predict.h's
 * rule: numeric splits left iff v < threshold, NaN the default side;
 * categorical splits (nd->cat > 0) left iff v is a code in the level set
 * (cats: the tree's sets, see tree_shap_cats), anything else the default side. */
static inline int tree_shap_goes_left(const uint64_t *cats, const sb_node *nd, float v)
{
    if (nd->cat > 0) return split_cat_value_left(v, cats + SPLIT_CAT_WORDS * (int64_t)(nd->cat - 1), nd->default_left);
    return isnan(v) ? nd->default_left != 0 : v < nd->threshold;
}

/* Tree t's categorical level sets, NULL when the forest has none. */
static inline const uint64_t *tree_shap_cats(const sb_forest *f, int32_t t)
{
    return f->cat_bits ? f->cat_bits + SPLIT_CAT_WORDS * f->cat_start[t] : NULL;
}

/* The share of node `parent`'s training weight that went to `child`: the
 * weight of the unknown-feature average. A parent without cover (never in a
 * trained model) splits evenly, so nothing divides by zero. */
static inline double tree_shap_fraction(const sb_node *t, int32_t child, int32_t parent)
{
    return t[parent].cover > 0 ? t[child].cover / t[parent].cover : 0.5;
}

/* One element of the path of unique features (the paper's m). */
typedef struct {
    int32_t feat;     /* feature index; -1 for the root's placeholder */
    double zero, one; /* fraction of paths through it when the feature is unknown / known */
    double pw;        /* the permutation weight */
} tree_shap_elem;

/* One level of the explicit depth-first stack. */
typedef struct {
    int32_t node;             /* node index within the tree */
    int32_t len;              /* elements of this level's path */
    int64_t at;               /* where the path starts in the scratch */
    int32_t hot, cold, stage; /* children (row's branch, the other); 0 entered, 1 hot done, 2 both */
    double in_zero, in_one;   /* what this level extends the path with */
    int32_t in_feat;
    double next_zero, next_one; /* the children's incoming fractions, before their cover share */
} tree_shap_frame;

/* Scratch for tree_shap_row: caller-owned, sized by the functions below. */
typedef struct {
    tree_shap_elem *path;   /* tree_shap_path_elems(max_depth, n_feat) */
    tree_shap_frame *stack; /* max_depth + 1 */
} tree_shap_scratch;

/* tree_shap_max_depth - the depth of the deepest tree of f (0: single leaves);
 * depth is scratch for the largest tree's node count. f must be well formed
 * (children after their parent, as io/model.c validates). Local, pure. */
int32_t tree_shap_max_depth(const sb_forest *f, int32_t *depth);

/* tree_shap_path_elems - path elements for trees up to max_depth over n_feat
 * features: a level's path holds each feature once (a repeated feature is
 * unwound first), so level L needs min(L, n_feat) + 1 elements. */
int64_t tree_shap_path_elems(int32_t max_depth, int32_t n_feat);

/* tree_shap_node_means - mean[k] (for every node of f, flat like f->nodes) =
 * the cover-weighted mean of the leaf values under node k. Local, pure. */
void tree_shap_node_means(const sb_forest *f, double *mean);

/* tree_shap_row - phi[0 .. n_feat] = contributions of one row (n_feat floats,
 * the model's feature order) for all trees of f, phi[n_feat] the bias
 * (base_margin + each tree's mean[root]). mean from tree_shap_node_means,
 * scratch sized for f's depth and n_feat. Local, no allocation. */
void tree_shap_row(const sb_forest *f, const double *mean, double base_margin, const float *row, int32_t n_feat,
                   double *phi, const tree_shap_scratch *s);

/* Most features one tree may use in the twin (2^this subsets per tree). */
#define TREE_SHAP_REF_MAX_FEAT 16

/* tree_shap_row_ref - the twin: the same phi by enumerating, per tree, every
 * subset of the features it uses. Scratch: w (largest tree's node count),
 * v (2^TREE_SHAP_REF_MAX_FEAT), slot (n_feat). returns 0, or -1 when a tree
 * uses more than TREE_SHAP_REF_MAX_FEAT features (phi then incomplete). */
int tree_shap_row_ref(const sb_forest *f, double base_margin, const float *row, int32_t n_feat, double *phi,
                      double *w, double *v, int32_t *slot);

#endif
