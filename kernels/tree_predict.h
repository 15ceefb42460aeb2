/* tree_predict.h - THE forest traversal, for training and for predict/evaluate.
 *
 * Each row's margin starts at base_margin and adds tree 0, tree 1, ... in
 * order, in double, whichever entry point is used. So predictions from a saved
 * model are bit-identical to the ones training computed. Split rule: go left
 * iff x < threshold (float compare); NaN goes to the node's default direction.
 *
 * Speed: a tree of depth <= TREE_LAYOUT_MAX_DEPTH is walked as a complete
 * binary tree in breadth-first order (node i has children 2i+1 and 2i+2, a
 * leaf above the bottom is padded by copying its value below it), depth by
 * depth over TREE_PREDICT_SUB rows at a time: the step
 *     i = 2i + 1 + go_right(x[feat[i]], thr[i], default_right[i])
 * has no data-dependent branch and the rows' steps are independent, so the
 * CPU overlaps their loads. Measured 1.5x (keyword model, categorical codes)
 * to 4x (forms model) the branchy node walk on real data, 100 trees depth 6.
 * Deeper trees (lossguide, max_depth > cap) use the node walk.
 * tree_layout_margin walks one row per vector lane where the CPU can
 * (tree_predict_simd.c: AVX-512 16 rows, AVX2 8 rows, the block transposed so
 * the top levels load columns instead of gathering), same bits.
 *
 * Split keys (the vector walks): the split rule as one signed integer compare.
 * key(v) maps every non-NaN float to an int32 in the same order, -0 and +0 to
 * the same key (they compare equal as floats). Feature f has two key columns
 * that differ only for NaN: 2f (NaN -> INT32_MIN) and 2f + 1 (NaN ->
 * INT32_MAX). A slot reads column kcol = 2 * feat + dright and goes right iff
 *     key > kthr,  kthr = key(thr) - 1,
 * which is !(x < thr) for numbers, dright for NaN: the scalar rule exactly.
 * Thresholds are never NaN (io/model.c rejects a model with one).
 *
 * Categorical splits (node.cat > 0, kernels/split_cat.h: a code in the set
 * goes left, anything not a code follows default_left): a tree with one is
 * never laid out (depth -1) and walks node by node. */
#ifndef SB_TREE_PREDICT_H
#define SB_TREE_PREDICT_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

#include "kernels/tree_keys.h" /* for tree_split_key, tree_transpose_keys_ref */

typedef struct {
    int32_t feat;         /* split feature, -1 for a leaf */
    int32_t left, right;  /* child node indices within the same tree */
    int32_t default_left; /* 1: missing (NaN) goes left */
    int32_t bin;          /* split bin: rows with bin <= bin go left (training view) */
    float threshold;      /* go left iff x < threshold (never NaN); equals the cut after `bin` */
    double value;         /* leaf: added to the margin (learning rate applied); inner: 0 */
    double gain;          /* loss reduction of the split (inner nodes) */
    double cover;         /* sum of hessians of the training rows in the node */
    int32_t cat;          /* 0: numeric split (or leaf); k > 0: categorical split, its level set (levels
                           * going left, kernels/split_cat.h) is the tree's set k - 1; 0 when zeroed */
} sb_node;

typedef struct {
    const sb_node *nodes;      /* all trees' nodes, tree t at nodes[tree_start[t]] */
    const int64_t *tree_start; /* n_trees + 1 offsets */
    int32_t n_trees;
    /* Level sets of categorical splits, SPLIT_CAT_WORDS uint64 each: tree t's
     * sets start at set cat_start[t] of cat_bits (n_trees + 1 offsets). NULL
     * (both) when no tree has one: the numeric walks as before. */
    const uint64_t *cat_bits;
    const int64_t *cat_start;
} sb_forest;

/* Deepest tree laid out complete (2^D leaf slots); deeper trees walk nodes. */
#define TREE_LAYOUT_MAX_DEPTH 10
/* Rows walked together (128-256 measured the same on 47 features; 32 slower). */
#define TREE_PREDICT_SUB 128

/* The complete-tree copy of a forest. The caller allocates every array with
 * the sizes tree_layout_measure returns (kernels do not allocate). */
typedef struct {
    int32_t n_trees;
    int32_t *depth;    /* [n_trees]: complete depth, -1 = deeper than the cap */
    int64_t *node_off; /* [n_trees]: first inner slot of the tree in feat/thr/dright */
    int64_t *leaf_off; /* [n_trees]: first bottom slot of the tree in leaf */
    int32_t *feat;     /* [n_inner] */
    float *thr;        /* [n_inner] */
    uint8_t *dright;   /* [n_inner]: 1 = NaN goes right */
    double *leaf;      /* [n_leaf] */
    int32_t *kcol;     /* [n_inner]: split keys' column, 2 * feat + dright */
    int32_t *kthr;     /* [n_inner]: split keys' bound: right iff key > kthr */
} tree_layout;

/* tree_layout_measure - depth[t] for every tree of f (-1 above the cap) and
 * the inner / leaf slot counts the layout needs. f must be well formed
 * (children after their parent, as io/model.c validates). Local, pure. */
void tree_layout_measure(const sb_forest *f, int32_t *depth, int64_t *n_inner, int64_t *n_leaf);

/* tree_layout_fill - fill L (arrays sized by tree_layout_measure, L->depth
 * as it returned, L->n_trees = f->n_trees) from f. Local, pure. */
void tree_layout_fill(const sb_forest *f, tree_layout *L);

/* tree_layout_margin - margin[i] = base_margin + every tree of f, for the
 * row-major rows x (n x n_feat); L is f's layout (f walks the deep trees).
 * Local, no allocation. */
void tree_layout_margin(const tree_layout *L, const sb_forest *f, double base_margin, const float *x, int64_t n,
                        int32_t n_feat, double *margin);

/* Variants of tree_layout_margin, all with its bits: the scalar walk (any
 * CPU) and vector walks over 8 (AVX2) or 16 (AVX-512 F/BW/VL) rows at a time,
 * x86-64 only, to be called only when tree_predict_isa() reports the CPU has
 * them. tree_layout_margin picks the widest one per call. Local. */
enum { TREE_ISA_SCALAR = 0, TREE_ISA_AVX2 = 1, TREE_ISA_AVX512 = 2 };
int tree_predict_isa(void);
void tree_layout_margin_scalar(const tree_layout *L, const sb_forest *f, double base_margin, const float *x,
                               int64_t n, int32_t n_feat, double *margin);
#if defined(__x86_64__)
void tree_layout_margin_avx2(const tree_layout *L, const sb_forest *f, double base_margin, const float *x, int64_t n,
                             int32_t n_feat, double *margin);
void tree_layout_margin_avx512(const tree_layout *L, const sb_forest *f, double base_margin, const float *x,
                               int64_t n, int32_t n_feat, double *margin);
#endif

/* tree_predict_add - margin[i] += trees [t_begin, t_end) of f, in order, for
 * rows x (n x n_feat). Lays each tree out on the stack per block of rows (for
 * callers without a prebuilt layout, e.g. one tree per boosting round); same
 * walk and bits as tree_layout_margin. Local, no allocation. */
void tree_predict_add(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                      int32_t n_feat, double *margin);
/* Plain twin: row by row, tree by tree, node walk. */
void tree_predict_add_ref(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                          int32_t n_feat, double *margin);

/* tree_predict_margin - margin[i] = base_margin + all trees. Local. */
void tree_predict_margin(const sb_forest *f, double base_margin, const float *x, int64_t n, int32_t n_feat,
                         double *margin);

/* Leaf index reached by one row in tree t (node index within the tree). Local. */
int32_t tree_leaf_of(const sb_forest *f, int32_t t, const float *row);

#endif
