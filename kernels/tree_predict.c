/* tree_predict.c - complete-tree layout, branch-free blocked traversal, and
 * the plain node-walk twin. Every entry point adds trees to a row's margin in
 * tree order, so they give identical bits. */
#include "kernels/tree_predict.h"

#include <math.h>   /* for isnan */
#include <stddef.h> /* for NULL */

#include "kernels/cpu.h"
#include "kernels/split_cat.h"
#include "kernels/tree_predict_simd.h"

/* Bytes of rows per block in tree_predict_add: the block stays in L2 while
 * each tree (laid out on the stack once per block) walks it (2048 rows of 162
 * features, 1.3 MB, measured as slow as the node walk; 256 KB as fast as the
 * prebuilt layout). */
#define ADD_BLOCK_BYTES (256 * 1024)

/* Node walk: for trees deeper than the cap, tree_leaf_of and the twin. */
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

/* Node walk of a tree with categorical splits (cats: the tree's sets). */
static int32_t walk_cat(const sb_node *t, const uint64_t *cats, const float *row)
{
    int32_t k = 0;
    while (t[k].feat >= 0) {
        const sb_node *nd = &t[k];
        const float v = row[nd->feat];
        int go_left;
        if (nd->cat > 0) go_left = split_cat_value_left(v, cats + SPLIT_CAT_WORDS * (int64_t)(nd->cat - 1), nd->default_left);
        else go_left = isnan(v) ? nd->default_left : (v < nd->threshold);
        k = go_left ? nd->left : nd->right;
    }
    return k;
}

/* The sets of tree t, or NULL for a forest without categorical splits. */
static const uint64_t *tree_cats(const sb_forest *f, int32_t t)
{
    return f->cat_bits ? f->cat_bits + SPLIT_CAT_WORDS * f->cat_start[t] : NULL;
}

int32_t tree_leaf_of(const sb_forest *f, int32_t t, const float *row)
{
    const uint64_t *cats = tree_cats(f, t);
    return cats ? walk_cat(f->nodes + f->tree_start[t], cats, row) : walk(f->nodes + f->tree_start[t], row);
}

/* Depth of the subtree at node k (0 for a leaf); -1 when deeper than the cap. */
static int32_t depth_capped(const sb_node *t, int32_t k, int32_t level)
{
    if (level > TREE_LAYOUT_MAX_DEPTH) return -1;
    if (t[k].feat < 0) return 0;
    if (t[k].cat > 0) return -1; /* categorical: the node walk */
    const int32_t l = depth_capped(t, t[k].left, level + 1), r = depth_capped(t, t[k].right, level + 1);
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
    const int leaf_here = t[k].feat < 0;
    feat[i] = leaf_here ? 0 : t[k].feat; /* padding: both sides lead to the same value */
    thr[i] = leaf_here ? 0.0f : t[k].threshold;
    dright[i] = leaf_here ? 0 : (uint8_t)!t[k].default_left;
    fill(t, leaf_here ? k : t[k].left, 2 * i + 1, d + 1, D, feat, thr, dright, leaf);
    fill(t, leaf_here ? k : t[k].right, 2 * i + 2, d + 1, D, feat, thr, dright, leaf);
}

void tree_layout_measure(const sb_forest *f, int32_t *depth, int64_t *n_inner, int64_t *n_leaf)
{
    int64_t ni = 0, nl = 0;
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const int32_t D = depth_capped(f->nodes + f->tree_start[t], 0, 0);
        depth[t] = D;
        if (D >= 0) {
            ni += (INT64_C(1) << D) - 1;
            nl += INT64_C(1) << D;
        }
    }
    *n_inner = ni;
    *n_leaf = nl;
}


void tree_layout_fill(const sb_forest *f, tree_layout *L)
{
    int64_t ni = 0, nl = 0;
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const int32_t D = L->depth[t];
        L->node_off[t] = ni;
        L->leaf_off[t] = nl;
        if (D < 0) continue;
        fill(f->nodes + f->tree_start[t], 0, 0, 0, D, L->feat + ni, L->thr + ni, L->dright + ni, L->leaf + nl);
        ni += (INT64_C(1) << D) - 1;
        nl += INT64_C(1) << D;
    }
    /* keys of numbers lie in [key(-inf), key(+inf)]: key(thr) - 1 cannot overflow */
    for (int64_t i = 0; i < ni; ++i) {
        L->kcol[i] = 2 * L->feat[i] + L->dright[i];
        L->kthr[i] = tree_split_key(L->thr[i]) - 1;
    }
}

/* One complete tree of depth D over m <= TREE_PREDICT_SUB rows, depth-major so
 * the rows' steps are independent. */
static void walk_complete(const int32_t *restrict feat, const float *restrict thr, const uint8_t *restrict dright,
                          const double *restrict leaf, int32_t D, const float *restrict x, int64_t m, int32_t n_feat,
                          double *restrict margin)
{
    int32_t idx[TREE_PREDICT_SUB];
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

/* Keys of the transposed block the vector walks read, 2 * n_feat columns:
 * 128 KB of stack, 128 rows of up to 128 features, fewer rows of more (at
 * least 16 rows, so up to 1024 features; wider rows walk scalar). */
#define XT_WORDS 32768

/* One tree over m rows, scalar: the complete walk when laid out (D >= 0),
 * else the node walk. */
static void add_tree_scalar(const sb_node *tree, const int32_t *feat, const float *thr, const uint8_t *dright,
                            const double *leaf, int32_t D, const float *x, int64_t m, int32_t n_feat, double *margin,
                            const uint64_t *cats)
{
    if (D < 0 && cats) {
        for (int64_t r = 0; r < m; ++r) margin[r] += tree[walk_cat(tree, cats, x + r * (int64_t)n_feat)].value;
        return;
    }
    if (D < 0) {
        for (int64_t r = 0; r < m; ++r) margin[r] += tree[walk(tree, x + r * (int64_t)n_feat)].value;
        return;
    }
    for (int64_t s0 = 0; s0 < m; s0 += TREE_PREDICT_SUB) {
        const int64_t k = m - s0 < TREE_PREDICT_SUB ? m - s0 : TREE_PREDICT_SUB;
        walk_complete(feat, thr, dright, leaf, D, x + s0 * n_feat, k, n_feat, margin + s0);
    }
}

/* Tree t of L over m rows: the vector walk of isa on the first rows (those
 * in whole vectors, read from the block's key columns xk), the rest scalar. */
static void add_tree(const tree_layout *L, int32_t t, const sb_node *tree, const float *x, int64_t m, int32_t n_feat,
                     double *margin, int isa, const int32_t *xk, int32_t ld, const uint64_t *cats)
{
    const int32_t D = L->depth[t];
    const int64_t o = L->node_off[t];
    const double *leaf = L->leaf + L->leaf_off[t];
    int64_t done = 0;
#if defined(__x86_64__)
    if (D >= 0 && isa == TREE_ISA_AVX512)
        done = tree_block_avx512(L->kcol + o, L->kthr + o, leaf, D, xk, ld, m, margin);
    if (D >= 0 && isa == TREE_ISA_AVX2) done = tree_block_avx2(L->kcol + o, L->kthr + o, leaf, D, xk, ld, m, margin);
#else
    (void)xk, (void)ld, (void)isa;
#endif
    add_tree_scalar(tree, L->feat + o, L->thr + o, L->dright + o, leaf, D, x + done * n_feat, m - done, n_feat,
                    margin + done, cats);
}

/* tree_layout_margin with the walk of the given isa (scalar where the rows
 * are too wide for the key buffer). Blocks of TREE_PREDICT_SUB rows (fewer
 * for wide rows), every tree in order over each block; the vector walks read
 * the block transposed to split keys. */
static void layout_margin(const tree_layout *L, const sb_forest *f, double base_margin, const float *x, int64_t n,
                          int32_t n_feat, double *margin, int isa)
{
    int32_t xk[XT_WORDS];
    int32_t block = TREE_PREDICT_SUB;
    const int32_t fit = (XT_WORDS / (2 * (n_feat > 0 ? n_feat : 1))) & ~15;
    if (fit < 16) isa = TREE_ISA_SCALAR;
    else if (fit < block) block = fit;
    for (int64_t i = 0; i < n; ++i) margin[i] = base_margin;
    for (int64_t s0 = 0; s0 < n; s0 += block) {
        const int64_t m = n - s0 < block ? n - s0 : block;
        const float *xs = x + s0 * n_feat;
#if defined(__x86_64__)
        if (isa == TREE_ISA_AVX512) tree_transpose_keys_avx512(xs, m, n_feat, xk, block);
        if (isa == TREE_ISA_AVX2) tree_transpose_keys_avx2(xs, m, n_feat, xk, block);
#endif
        for (int32_t t = 0; t < L->n_trees; ++t)
            add_tree(L, t, f->nodes + f->tree_start[t], xs, m, n_feat, margin + s0, isa, xk, block, tree_cats(f, t));
    }
}

void tree_layout_margin_scalar(const tree_layout *L, const sb_forest *f, double base_margin, const float *x,
                               int64_t n, int32_t n_feat, double *margin)
{
    layout_margin(L, f, base_margin, x, n, n_feat, margin, TREE_ISA_SCALAR);
}

#if defined(__x86_64__)
void tree_layout_margin_avx2(const tree_layout *L, const sb_forest *f, double base_margin, const float *x, int64_t n,
                             int32_t n_feat, double *margin)
{
    layout_margin(L, f, base_margin, x, n, n_feat, margin, TREE_ISA_AVX2);
}

void tree_layout_margin_avx512(const tree_layout *L, const sb_forest *f, double base_margin, const float *x,
                               int64_t n, int32_t n_feat, double *margin)
{
    layout_margin(L, f, base_margin, x, n, n_feat, margin, TREE_ISA_AVX512);
}
#endif

int tree_predict_isa(void)
{
#if defined(__x86_64__)
    if (cpu_has_avx512()) return TREE_ISA_AVX512;
    if (cpu_has_avx2()) return TREE_ISA_AVX2;
#endif
    return TREE_ISA_SCALAR;
}

void tree_layout_margin(const tree_layout *L, const sb_forest *f, double base_margin, const float *x, int64_t n,
                        int32_t n_feat, double *margin)
{
    layout_margin(L, f, base_margin, x, n, n_feat, margin, tree_predict_isa());
}

void tree_predict_add(const sb_forest *f, int32_t t_begin, int32_t t_end, const float *x, int64_t n,
                      int32_t n_feat, double *margin)
{
    enum { INNER = (1 << TREE_LAYOUT_MAX_DEPTH) - 1, LEAVES = 1 << TREE_LAYOUT_MAX_DEPTH };
    int32_t feat[INNER];
    float thr[INNER];
    uint8_t dright[INNER];
    double leaf[LEAVES];
    /* one tree (a boosting round): lay it out once for all rows */
    int64_t block = ADD_BLOCK_BYTES / ((int64_t)sizeof(float) * (n_feat > 0 ? n_feat : 1));
    block = block < TREE_PREDICT_SUB ? TREE_PREDICT_SUB : block;
    if (t_end - t_begin == 1) block = n > 0 ? n : 1;
    for (int64_t b0 = 0; b0 < n; b0 += block) {
        const int64_t m = n - b0 < block ? n - b0 : block;
        for (int32_t t = t_begin; t < t_end; ++t) {
            const sb_node *tree = f->nodes + f->tree_start[t];
            const int32_t D = depth_capped(tree, 0, 0);
            if (D >= 0) fill(tree, 0, 0, 0, D, feat, thr, dright, leaf);
            add_tree_scalar(tree, feat, thr, dright, leaf, D, x + b0 * n_feat, m, n_feat, margin + b0, tree_cats(f, t));
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
            const uint64_t *cats = tree_cats(f, t);
            int32_t k = 0;
            while (tree[k].feat >= 0) {
                float v = row[tree[k].feat];
                if (tree[k].cat > 0)
                    k = split_cat_value_left(v, cats + SPLIT_CAT_WORDS * (tree[k].cat - 1), tree[k].default_left)
                            ? tree[k].left : tree[k].right;
                else if (isnan(v)) k = tree[k].default_left ? tree[k].left : tree[k].right;
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
