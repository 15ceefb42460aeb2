/* tree_predict.h - traversal of a forest stored as flat node arrays.
 *
 * The same arithmetic serves training (train/valid predictions, one tree at a
 * time) and `predict`/`evaluate` (all trees at once): each row's margin starts
 * at base_margin and adds tree 0, tree 1, ... in order, in double. So
 * predictions from a saved model are bit-identical to the ones training
 * computed. Split rule: go left iff x < threshold (float compare); NaN goes
 * to the node's default direction. */
#ifndef SB_TREE_PREDICT_H
#define SB_TREE_PREDICT_H

#include <stdint.h> /* for int32_t, int64_t */

typedef struct {
    int32_t feat;         /* split feature, -1 for a leaf */
    int32_t left, right;  /* child node indices within the same tree */
    int32_t default_left; /* 1: missing (NaN) goes left */
    int32_t bin;          /* split bin: rows with bin <= bin go left (training view) */
    float threshold;      /* go left iff x < threshold; equals the cut after `bin` */
    double value;         /* leaf: added to the margin (learning rate applied); inner: 0 */
    double gain;          /* loss reduction of the split (inner nodes) */
    double cover;         /* sum of hessians of the training rows in the node */
} sb_node;

typedef struct {
    const sb_node *nodes;      /* all trees' nodes, tree t at nodes[tree_start[t]] */
    const int64_t *tree_start; /* n_trees + 1 offsets */
    int32_t n_trees;
} sb_forest;

/* tree_predict_add - margin[i] += sum of trees [t_begin, t_end) for the
 * row-major rows x (n x n_feat), trees added in order. Blocked over rows;
 * no allocation. Local. */
void tree_predict_add(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                      int32_t n_feat, double *margin);
/* Plain twin: row by row, tree by tree. */
void tree_predict_add_ref(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                          int32_t n_feat, double *margin);

/* tree_predict_margin - margin[i] = base_margin + all trees. Local. */
void tree_predict_margin(const sb_forest *f, double base_margin, const float *x, int64_t n, int32_t n_feat,
                         double *margin);

/* Leaf index reached by one row in tree t (node index within the tree). Local. */
int32_t tree_leaf_of(const sb_forest *f, int32_t t, const float *row);

#endif
