/* test_tree_predict.c - the forest traversal kernel against its _ref twin:
 * random irregular trees (early leaves, NaN either way, thresholds equal to
 * row values, trees at and above the layout cap, a single-leaf tree), through
 * the prebuilt layout (predict) and tree_predict_add (training, one tree per
 * round or a range), at odd offsets and lengths. Bits must be equal. */
#include <math.h>   /* for NAN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "kernels/tree_predict.h"

enum { T = 40, F = 9, N = 3000, MAX_NODES = T * 40000 };

static uint64_t rng = 12345;
static double unif(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* Depth-first random tree: returns the node index of its root within nd. */
static int32_t grow(sb_node *nd, int32_t *n, int32_t depth, int32_t max_depth, int32_t n_feat)
{
    int32_t k = (*n)++;
    memset(&nd[k], 0, sizeof nd[k]);
    if (depth == max_depth || (depth > 0 && unif() < 0.2)) {
        nd[k].feat = -1;
        nd[k].value = unif() - 0.5;
        return k;
    }
    nd[k].feat = (int32_t)(unif() * n_feat);
    nd[k].threshold = unif() < 0.1 ? 0.5f : (float)unif();
    nd[k].default_left = unif() < 0.5;
    int32_t l = grow(nd, n, depth + 1, max_depth, n_feat);
    int32_t r = grow(nd, n, depth + 1, max_depth, n_feat);
    nd[k].left = l;
    nd[k].right = r;
    return k;
}

static sb_node nd[MAX_NODES];
static int64_t start[T + 1];
static float x[N * F];
static sb_forest forest;

/* Tree 5: a 16-deep chain (node walk); tree 6: depth exactly the cap; tree 7:
 * cap + 1 (node walk); tree 8: a single leaf; others depth 1..8. */
static void build_forest(void)
{
    int32_t n = 0;
    for (int t = 0; t < T; ++t) {
        start[t] = n;
        if (t == 5) {
            for (int32_t d = 0; d < 16; ++d) { /* node 2d: split, 2d+1: leaf, chain continues at 2d+2 */
                int32_t k = n + 2 * d;
                nd[k] = (sb_node){d % F, k + 2 - n, k + 1 - n, d & 1, 0, (float)unif(), 0, 1, 1};
                nd[k + 1] = (sb_node){-1, 0, 0, 0, 0, 0, unif(), 0, 0};
            }
            nd[n + 32] = (sb_node){-1, 0, 0, 0, 0, 0, 0.125, 0, 0};
            n += 33;
            continue;
        }
        int32_t depth = t == 6 ? TREE_LAYOUT_MAX_DEPTH : t == 7 ? TREE_LAYOUT_MAX_DEPTH + 1 : t == 8 ? 0 : 1 + t % 8;
        int32_t local = 0;
        grow(nd + n, &local, 0, depth, F);
        n += local;
    }
    start[T] = n;
    forest = (sb_forest){nd, start, T};
    for (int i = 0; i < N * F; ++i) x[i] = unif() < 0.1 ? NAN : (unif() < 0.05 ? 0.5f : (float)unif());
}

static void test_layout_vs_ref(void)
{
    static int32_t depth[T];
    static int64_t node_off[T], leaf_off[T];
    int64_t n_inner = 0, n_leaf = 0;
    tree_layout_measure(&forest, depth, &n_inner, &n_leaf);
    CU_ASSERT_EQUAL(depth[5], -1);
    CU_ASSERT_EQUAL(depth[7], -1);
    CU_ASSERT_EQUAL(depth[8], 0);
    CU_ASSERT_TRUE(depth[6] >= 1 && depth[6] <= TREE_LAYOUT_MAX_DEPTH);
    int32_t *feat = malloc((size_t)(n_inner + 1) * sizeof *feat);
    float *thr = malloc((size_t)(n_inner + 1) * sizeof *thr);
    uint8_t *dright = malloc((size_t)(n_inner + 1));
    double *leaf = malloc((size_t)(n_leaf + 1) * sizeof *leaf);
    CU_ASSERT_FATAL(feat && thr && dright && leaf);
    tree_layout L = {T, depth, node_off, leaf_off, feat, thr, dright, leaf};
    tree_layout_fill(&forest, &L);
    static double fast[N], ref[N];
    tree_layout_margin(&L, &forest, 0.75, x, N, F, fast);
    for (int i = 0; i < N; ++i) ref[i] = 0.75;
    tree_predict_add_ref(&forest, 0, T, x, N, F, ref);
    CU_ASSERT_EQUAL(memcmp(fast, ref, sizeof fast), 0);
    tree_layout_margin(&L, &forest, 0.75, x + 7 * F, 300, F, fast); /* odd offset and length */
    CU_ASSERT_EQUAL(memcmp(fast, ref + 7, 300 * sizeof(double)), 0);
    tree_layout_margin(&L, &forest, 0.75, x, 1, F, fast);
    CU_ASSERT_EQUAL(fast[0], ref[0]);
    free(feat);
    free(thr);
    free(dright);
    free(leaf);
}

/* Training's use: one tree per round onto running margins, or a range. */
static void test_add_vs_ref(void)
{
    static double a[N], b[N], c[N];
    for (int i = 0; i < N; ++i) a[i] = b[i] = c[i] = 0.01 * i;
    for (int32_t t = 0; t < T; ++t) tree_predict_add(&forest, t, t + 1, x, N, F, a);
    tree_predict_add(&forest, 0, 13, x, N, F, b);
    tree_predict_add(&forest, 13, T, x, N, F, b);
    tree_predict_add_ref(&forest, 0, T, x, N, F, c);
    CU_ASSERT_EQUAL(memcmp(a, c, sizeof a), 0);
    CU_ASSERT_EQUAL(memcmp(b, c, sizeof b), 0);
    static double m[N];
    tree_predict_margin(&forest, -0.5, x + 3 * F, N - 3, F, m);
    for (int i = 0; i < N - 3; ++i) c[i] = -0.5;
    tree_predict_add_ref(&forest, 0, T, x + 3 * F, N - 3, F, c);
    CU_ASSERT_EQUAL(memcmp(m, c, (N - 3) * sizeof(double)), 0);
}

/* Hand-checked decisions: x < thr left, x == thr right, NaN to its default. */
static void test_decisions(void)
{
    sb_node t[3] = {{0, 1, 2, 0, 0, 1.0f, 0, 0, 0}, {-1, 0, 0, 0, 0, 0, -1.0, 0, 0}, {-1, 0, 0, 0, 0, 0, 2.0, 0, 0}};
    int64_t ts[2] = {0, 3};
    sb_forest f = {t, ts, 1};
    float v[4] = {0.5f, 1.0f, 1.5f, NAN};
    double m[4];
    tree_predict_margin(&f, 0.0, v, 4, 1, m);
    CU_ASSERT_EQUAL(m[0], -1.0);
    CU_ASSERT_EQUAL(m[1], 2.0);
    CU_ASSERT_EQUAL(m[2], 2.0);
    CU_ASSERT_EQUAL(m[3], 2.0); /* default_left 0 */
    t[0].default_left = 1;
    tree_predict_margin(&f, 0.0, v + 3, 1, 1, m);
    CU_ASSERT_EQUAL(m[0], -1.0);
    CU_ASSERT_EQUAL(tree_leaf_of(&f, 0, v + 2), 2);
}

int main(void)
{
    build_forest();
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const sb_test tests[] = {
        {"layout walk = ref bits (deep, cap, leaf-only trees)", test_layout_vs_ref},
        {"tree_predict_add per tree / ranges = ref bits", test_add_vs_ref},
        {"split rule and NaN default direction", test_decisions},
    };
    if (SB_SUITE("tree_predict", tests) != 0) return 1;
    return sb_run_all();
}
