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
        const float v = row[nd->feat];
        const int go_left = isnan(v) ? nd->default_left : (v < nd->threshold);
        k = go_left ? nd->left : nd->right;
    }
    return k;
}

int32_t tree_leaf_of(const sb_forest *f, int32_t t, const float *row)
{
    return walk(f->nodes + f->tree_start[t], row);
}

/* Trees outer within a block of rows, rows inner: the block's rows stay in
 * cache while every tree walks them. The walk branches on the data: on real
 * rows (which mostly follow a few paths) speculation overlaps the walks; a
 * branch-free (cmov) walk and a level-synchronous walk of the whole block were
 * both measured slower (0.91 s and 0.75 s vs 0.64 s for 200k rows x 100 trees;
 * the twin 0.91 s). */
void tree_predict_add(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                      int32_t n_feat, double *margin)
{
    for (int64_t b0 = 0; b0 < n; b0 += PREDICT_BLOCK) {
        const int64_t b1 = b0 + PREDICT_BLOCK < n ? b0 + PREDICT_BLOCK : n;
        for (int32_t t = t_begin; t < t_end; ++t) {
            const sb_node *tree = f->nodes + f->tree_start[t];
            for (int64_t i = b0; i < b1; ++i) margin[i] += tree[walk(tree, x + i * (int64_t)n_feat)].value;
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
