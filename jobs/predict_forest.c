/* predict_forest.c - complete-tree layout and branchless blocked traversal. */
#include "jobs/predict_forest.h"

#include <stdlib.h> /* for free */
#include <string.h> /* for memset */

/* Depth of the subtree at node k (0 for a leaf); -1 when deeper than cap or malformed. */
static int32_t tree_depth(const sb_node *t, int64_t n_nodes, int32_t k, int32_t level)
{
    if (k < 0 || k >= n_nodes || level > PREDICT_FOREST_MAX_DEPTH) return -1;
    if (t[k].feat < 0) return 0;
    int32_t l = tree_depth(t, n_nodes, t[k].left, level + 1), r = tree_depth(t, n_nodes, t[k].right, level + 1);
    if (l < 0 || r < 0) return -1;
    return 1 + (l > r ? l : r);
}

/* Copy node k of t to slot i (level d of D); leaves above the bottom are padded. */
static void fill(const sb_node *t, int32_t k, int64_t i, int32_t d, int32_t D, int32_t *feat, float *thr,
                 uint8_t *dright, double *leaf)
{
    if (d == D) {
        leaf[i - ((INT64_C(1) << D) - 1)] = t[k].value;
        return;
    }
    int leaf_here = t[k].feat < 0;
    feat[i] = leaf_here ? 0 : t[k].feat; /* padding: both sides lead to the same value */
    thr[i] = leaf_here ? 0.0f : t[k].threshold;
    dright[i] = leaf_here ? 0 : (uint8_t)!t[k].default_left;
    fill(t, leaf_here ? k : t[k].left, 2 * i + 1, d + 1, D, feat, thr, dright, leaf);
    fill(t, leaf_here ? k : t[k].right, 2 * i + 2, d + 1, D, feat, thr, dright, leaf);
}

int predict_forest_build(run_ctx *run, const sb_forest *f, predict_forest *out)
{
    memset(out, 0, sizeof *out);
    out->src = f;
    out->n_trees = f->n_trees;
    size_t nt = (size_t)(f->n_trees > 0 ? f->n_trees : 1);
    out->depth = sb_alloc(run, nt, sizeof *out->depth);
    out->node_off = sb_alloc(run, nt, sizeof *out->node_off);
    out->leaf_off = sb_alloc(run, nt, sizeof *out->leaf_off);
    if (!out->depth || !out->node_off || !out->leaf_off) {
        predict_forest_free(out);
        return SB_ENOMEM;
    }
    int64_t n_inner = 0, n_leaf = 0;
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const sb_node *tree = f->nodes + f->tree_start[t];
        int32_t D = tree_depth(tree, f->tree_start[t + 1] - f->tree_start[t], 0, 0);
        out->depth[t] = D;
        out->node_off[t] = n_inner;
        out->leaf_off[t] = n_leaf;
        if (D >= 0) {
            n_inner += (INT64_C(1) << D) - 1;
            n_leaf += INT64_C(1) << D;
        }
    }
    out->feat = sb_alloc(run, (size_t)n_inner + 1, sizeof *out->feat);
    out->thr = sb_alloc(run, (size_t)n_inner + 1, sizeof *out->thr);
    out->dright = sb_alloc(run, (size_t)n_inner + 1, sizeof *out->dright);
    out->leaf = sb_alloc(run, (size_t)n_leaf + 1, sizeof *out->leaf);
    if (!out->feat || !out->thr || !out->dright || !out->leaf) {
        predict_forest_free(out);
        return SB_ENOMEM;
    }
    for (int32_t t = 0; t < f->n_trees; ++t) {
        if (out->depth[t] < 0) continue;
        int64_t o = out->node_off[t];
        fill(f->nodes + f->tree_start[t], 0, 0, 0, out->depth[t], out->feat + o, out->thr + o, out->dright + o,
             out->leaf + out->leaf_off[t]);
    }
    return SB_OK;
}

void predict_forest_free(predict_forest *pf)
{
    free(pf->depth);
    free(pf->node_off);
    free(pf->leaf_off);
    free(pf->feat);
    free(pf->thr);
    free(pf->dright);
    free(pf->leaf);
    memset(pf, 0, sizeof *pf);
}

/* One complete tree over m rows: depth-major so the rows' steps are independent. */
static void walk_block(const int32_t *restrict feat, const float *restrict thr, const uint8_t *restrict dright,
                       const double *restrict leaf, int32_t D, const float *restrict x, int64_t m, int32_t n_feat,
                       double *restrict margin, int32_t *restrict idx)
{
    for (int64_t r = 0; r < m; ++r) idx[r] = 0;
    for (int32_t d = 0; d < D; ++d) {
        for (int64_t r = 0; r < m; ++r) {
            const int32_t i = idx[r];
            const float v = x[r * n_feat + feat[i]];
            /* left iff v < thr; NaN fails both compares and goes to its default side */
            const int32_t right = (v >= thr[i]) | (dright[i] & (v != v));
            idx[r] = 2 * i + 1 + right;
        }
    }
    const double *bottom = leaf - ((INT64_C(1) << D) - 1);
    for (int64_t r = 0; r < m; ++r) margin[r] += bottom[idx[r]];
}

void predict_forest_margin(const predict_forest *pf, double base_margin, const float *x, int64_t n, int32_t n_feat,
                           double *margin, int32_t *idx)
{
    for (int64_t i = 0; i < n; ++i) margin[i] = base_margin;
    for (int64_t s0 = 0; s0 < n; s0 += PREDICT_FOREST_SUB) {
        const int64_t m = n - s0 < PREDICT_FOREST_SUB ? n - s0 : PREDICT_FOREST_SUB;
        const float *xs = x + s0 * n_feat;
        for (int32_t t = 0; t < pf->n_trees; ++t) {
            const int32_t D = pf->depth[t];
            if (D < 0) {
                tree_predict_add(pf->src, t, t + 1, xs, m, n_feat, margin + s0);
                continue;
            }
            const int64_t o = pf->node_off[t];
            walk_block(pf->feat + o, pf->thr + o, pf->dright + o, pf->leaf + pf->leaf_off[t], D, xs, m, n_feat,
                       margin + s0, idx);
        }
    }
}
