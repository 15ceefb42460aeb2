/* predict_forest.h - a scoring-only copy of a forest laid out for speed.
 *
 * Each tree (depth <= PREDICT_FOREST_MAX_DEPTH) becomes a complete binary tree
 * in breadth-first order: node i has children 2i+1 and 2i+2, a leaf above the
 * bottom level is padded by copying its value into every bottom slot below
 * it. Traversal is then branchless and runs depth by depth over a block of
 * rows (the rows are independent, so the CPU overlaps their loads):
 *     i = 2i + 1 + go_right(x[feat[i]], thr[i], default_right[i])
 * with exactly the decision of kernels/tree_predict.h (left iff x < thr; NaN
 * to the default side), and trees added to each row's margin in tree order,
 * so the margins are bit-identical to tree_predict_margin (the _ref twin the
 * tests compare with). Deeper trees fall back to tree_predict_add.
 * This is pure C on flat arrays (style R1/R5); it lives in jobs/ only because
 * kernels/ is owned by the training module, and can move there as is. */
#ifndef SB_PREDICT_FOREST_H
#define SB_PREDICT_FOREST_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

#include "kernels/tree_predict.h"
#include "mpi/run.h"

#define PREDICT_FOREST_MAX_DEPTH 12
/* Rows walked together (128-256 measured the same on 47 features; 32 slower). */
#define PREDICT_FOREST_SUB 128

typedef struct {
    const sb_forest *src; /* for trees deeper than the cap */
    int32_t n_trees;
    int32_t *depth;       /* per tree; -1 = use src */
    int64_t *node_off;    /* per tree: first internal node in feat/thr/dright */
    int64_t *leaf_off;    /* per tree: first bottom-level leaf in leaf */
    int32_t *feat;
    float *thr;
    uint8_t *dright;      /* 1: NaN goes right */
    double *leaf;
} predict_forest;

/* predict_forest_build - the complete-tree copy of f (which must outlive it).
 * Local. returns SB_OK | SB_ENOMEM | SB_EDATA (a tree with a cycle or a bad
 * child index). */
int predict_forest_build(run_ctx *run, const sb_forest *f, predict_forest *out);
void predict_forest_free(predict_forest *pf);

/* predict_forest_margin - margin[i] = base_margin + every tree, for rows x
 * (n x n_feat, row-major). idx: scratch of PREDICT_FOREST_SUB int32.
 * Local, no allocation. */
void predict_forest_margin(const predict_forest *pf, double base_margin, const float *x, int64_t n, int32_t n_feat,
                           double *margin, int32_t *idx);

#endif
