/* tree_predict.c - forest traversal: blocked (tree outer, rows inner) and a
 * plain row-by-row twin. Both add trees to a row's margin in tree order, so
 * they give identical bits. */
#include "kernels/tree_predict.h"

#include <math.h> /* for isnan */

/* Rows per block: the block's rows stay in L1/L2 while every tree walks them. */
#define PREDICT_BLOCK 128

static inline int32_t walk(const sb_node *t, const float *row)
{
    int32_t k = 0;
    while (t[k].feat >= 0) {
        const sb_node *nd = &t[k];
        float v = row[nd->feat];
        int go_left = isnan(v) ? nd->default_left : (v < nd->threshold);
        k = go_left ? nd->left : nd->right;
    }
    return k;
}

int32_t tree_leaf_of(const sb_forest *f, int32_t t, const float *row)
{
    return walk(f->nodes + f->tree_start[t], row);
}

/* One step of a walk without branches: a leaf stays where it is. */
static inline int32_t step(const sb_node *t, int32_t k, const float *row)
{
    const sb_node *nd = &t[k];
    const int32_t f = nd->feat < 0 ? 0 : nd->feat;
    const float v = row[f];
    const int left = (v < nd->threshold) | (isnan(v) & (nd->default_left != 0));
    const int32_t next = left ? nd->left : nd->right;
    return nd->feat < 0 ? k : next;
}

/* The rows of a block walk each tree level by level, all in step, so the
 * dependent node loads of different rows overlap (one row's walk is a latency
 * chain); a tree is done when no row of the block sits on an inner node.
 * Trees are added to each row in order, as in the twin. */
void tree_predict_add(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                      int32_t n_feat, double *margin)
{
    int32_t k[PREDICT_BLOCK];
    for (int64_t b0 = 0; b0 < n; b0 += PREDICT_BLOCK) {
        const int64_t m = n - b0 < PREDICT_BLOCK ? n - b0 : PREDICT_BLOCK;
        const float *xb = x + b0 * (int64_t)n_feat;
        for (int32_t t = t_begin; t < t_end; ++t) {
            const sb_node *tree = f->nodes + f->tree_start[t];
            for (int64_t i = 0; i < m; ++i) k[i] = 0;
            for (int inner = tree[0].feat >= 0; inner;) {
                inner = 0;
                for (int64_t i = 0; i < m; ++i) {
                    k[i] = step(tree, k[i], xb + i * (int64_t)n_feat);
                    inner |= tree[k[i]].feat >= 0;
                }
            }
            for (int64_t i = 0; i < m; ++i) margin[b0 + i] += tree[k[i]].value;
        }
    }
}

void tree_predict_add_ref(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                          int32_t n_feat, double *margin)
{
    for (int64_t i = 0; i < n; ++i) {
        const float *row = x + i * (int64_t)n_feat;
        for (int32_t t = t_begin; t < t_end; ++t) {
            const sb_node *tree = f->nodes + f->tree_start[t];
            int32_t k = 0;
            while (tree[k].feat >= 0) {
                float v = row[tree[k].feat];
                if (isnan(v)) k = tree[k].default_left ? tree[k].left : tree[k].right;
                else k = v < tree[k].threshold ? tree[k].left : tree[k].right;
            }
            margin[i] += tree[k].value;
        }
    }
}

void tree_predict_margin(const sb_forest *f, double base_margin, const float *x, int64_t n, int32_t n_feat,
                         double *margin)
{
    for (int64_t i = 0; i < n; ++i) margin[i] = base_margin;
    tree_predict_add(f, 0, f->n_trees, x, n, n_feat, margin);
}
