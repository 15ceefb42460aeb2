/* test_tree_shap.c - TreeSHAP (kernels/tree_shap.h) against its twin, the
 * Shapley values by enumerating every feature subset, to 1e-9 on random
 * small trees (features repeated along a path, NaN both ways, values on a
 * threshold, a child without cover, a single-leaf tree), on a 3000-level
 * chain (the explicit stack; few features, so the twin still enumerates),
 * and the efficiency property: a row's contributions sum to its margin. */
#include <math.h>   /* for NAN, fabs */
#include <stdlib.h> /* for malloc, free */
#include <string.h> /* for memset */

#include "cunit_main.h"
#include "kernels/tree_predict.h"
#include "kernels/tree_shap.h"

enum { F = 7, N_ROWS = 300, MAX_NODES = 200000, CHAIN = 3000 };

static uint64_t rng = 777;
static double unif(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* Random tree in preorder (children after parent); covers: leaves random,
 * a split the sum of its children's (as training gives), sometimes a leaf
 * with none. */
static int32_t grow(sb_node *nd, int32_t *n, int32_t depth, int32_t max_depth, int32_t n_feat)
{
    int32_t k = (*n)++;
    memset(&nd[k], 0, sizeof nd[k]);
    if (depth == max_depth || (depth > 0 && unif() < 0.15)) {
        nd[k].feat = -1;
        nd[k].value = unif() - 0.5;
        nd[k].cover = unif() < 0.05 ? 0.0 : 0.1 + 3 * unif();
        return k;
    }
    nd[k].feat = (int32_t)(unif() * n_feat);
    nd[k].threshold = unif() < 0.2 ? 0.5f : (float)unif();
    nd[k].default_left = unif() < 0.5;
    int32_t l = grow(nd, n, depth + 1, max_depth, n_feat);
    int32_t r = grow(nd, n, depth + 1, max_depth, n_feat);
    nd[k].left = l;
    nd[k].right = r;
    nd[k].cover = nd[l].cover + nd[r].cover;
    return k;
}

static sb_node nodes[MAX_NODES];
static int64_t starts[64];
static float rows[N_ROWS * F];

static sb_forest random_forest(int32_t n_trees)
{
    int32_t n = 0;
    for (int32_t t = 0; t < n_trees; ++t) {
        starts[t] = n;
        int32_t local = 0;
        grow(nodes + n, &local, 0, t == 3 ? 0 : 1 + t % 9, F); /* tree 3: one leaf */
        n += local;
    }
    starts[n_trees] = n;
    for (int i = 0; i < N_ROWS * F; ++i) rows[i] = unif() < 0.1 ? NAN : (unif() < 0.1 ? 0.5f : (float)unif());
    return (sb_forest){nodes, starts, n_trees, NULL, NULL};
}

/* A chain of CHAIN splits on 3 features, each right child a leaf, covers shrinking. */
static sb_forest chain_forest(void)
{
    for (int32_t d = 0; d < CHAIN; ++d) {
        const int32_t k = 2 * d;
        nodes[k] = (sb_node){d % 3, k + 2, k + 1, d & 1, 0, (float)(0.2 + 0.6 * unif()), 0, 1, 0, 0};
        nodes[k + 1] = (sb_node){-1, 0, 0, 0, 0, 0, unif() - 0.5, 0, 1 + unif(), 0};
    }
    nodes[2 * CHAIN] = (sb_node){-1, 0, 0, 0, 0, 0, 0.25, 0, 1, 0};
    for (int32_t d = CHAIN - 1; d >= 0; --d) nodes[2 * d].cover = nodes[2 * d + 1].cover + nodes[2 * d + 2].cover;
    starts[0] = 0;
    starts[1] = 2 * CHAIN + 1;
    for (int i = 0; i < N_ROWS * F; ++i) rows[i] = unif() < 0.05 ? NAN : (float)unif();
    return (sb_forest){nodes, starts, 1, NULL, NULL};
}

/* Both kernels on every row: |fast - ref| <= 1e-9 and sum(phi) = margin. */
static void compare(const sb_forest *f, double base, int n_rows)
{
    int32_t *depth = malloc(MAX_NODES * sizeof *depth), *slot = malloc(F * sizeof *slot);
    const int32_t D = tree_shap_max_depth(f, depth);
    tree_shap_scratch s = {malloc((size_t)tree_shap_path_elems(D, F) * sizeof(tree_shap_elem)),
                           malloc((size_t)(D + 1) * sizeof(tree_shap_frame))};
    double *mean = malloc(MAX_NODES * sizeof *mean), *w = malloc(MAX_NODES * sizeof *w);
    double *v = malloc(((size_t)1 << TREE_SHAP_REF_MAX_FEAT) * sizeof *v);
    CU_ASSERT_FATAL(depth && slot && s.path && s.stack && mean && w && v);
    tree_shap_node_means(f, mean);
    double worst = 0, worst_sum = 0;
    for (int i = 0; i < n_rows; ++i) {
        double phi[F + 1], ref[F + 1], margin = base;
        tree_shap_row(f, mean, base, rows + i * F, F, phi, &s);
        CU_ASSERT_EQUAL_FATAL(tree_shap_row_ref(f, base, rows + i * F, F, ref, w, v, slot), 0);
        tree_predict_add_ref(f, 0, f->n_trees, rows + i * F, 1, F, &margin);
        double sum = 0;
        for (int j = 0; j <= F; ++j) {
            sum += phi[j];
            const double d = fabs(phi[j] - ref[j]);
            if (!(d <= worst)) worst = d; /* a NaN sticks */
        }
        const double ds = fabs(sum - margin);
        if (!(ds <= worst_sum)) worst_sum = ds;
    }
    CU_ASSERT_TRUE(worst <= 1e-9);
    CU_ASSERT_TRUE(worst_sum <= 1e-9);
    if (!(worst <= 1e-9) || !(worst_sum <= 1e-9)) printf("\n  max |fast - ref| %.3g, max |sum - margin| %.3g\n", worst, worst_sum);
    free(depth), free(slot), free(s.path), free(s.stack), free(mean), free(w), free(v);
}

static void test_random_trees(void)
{
    for (int round = 0; round < 4; ++round) {
        sb_forest f = random_forest(24);
        compare(&f, round - 1.5, N_ROWS);
    }
}

static void test_deep_chain(void)
{
    sb_forest f = chain_forest();
    int32_t *depth = malloc(MAX_NODES * sizeof *depth);
    CU_ASSERT_EQUAL(tree_shap_max_depth(&f, depth), CHAIN);
    free(depth);
    compare(&f, 0.125, 40);
}

/* A hand-checked case: one split on feature 0 with covers 3 (left) and 1
 * (right), leaves 1 and 5. Mean 2; a row going left gets phi0 = 1 - 2 = -1. */
static void test_by_hand(void)
{
    sb_node t[3] = {{0, 1, 2, 1, 0, 0.5f, 0, 1, 4, 0}, {-1, 0, 0, 0, 0, 0, 1.0, 0, 3, 0}, {-1, 0, 0, 0, 0, 0, 5.0, 0, 1, 0}};
    int64_t st[2] = {0, 3};
    sb_forest f = {t, st, 1, NULL, NULL};
    double mean[3], phi[F + 1];
    tree_shap_elem path[8];
    tree_shap_frame stack[4];
    tree_shap_scratch s = {path, stack};
    tree_shap_node_means(&f, mean);
    CU_ASSERT_DOUBLE_EQUAL(mean[0], 2.0, 1e-15);
    float row[F] = {0.25f, 0, 0, 0, 0, 0, 0};
    tree_shap_row(&f, mean, 10.0, row, F, phi, &s);
    CU_ASSERT_DOUBLE_EQUAL(phi[0], -1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(phi[F], 12.0, 1e-15);
    row[0] = NAN; /* default left */
    tree_shap_row(&f, mean, 10.0, row, F, phi, &s);
    CU_ASSERT_DOUBLE_EQUAL(phi[0], -1.0, 1e-15);
    row[0] = 0.5f; /* on the threshold: right */
    tree_shap_row(&f, mean, 10.0, row, F, phi, &s);
    CU_ASSERT_DOUBLE_EQUAL(phi[0], 3.0, 1e-15);
    CU_ASSERT_EQUAL(tree_shap_path_elems(0, F), 1);
    CU_ASSERT_EQUAL(tree_shap_path_elems(3, 2), 1 + 2 + 3 + 3);
}

static const sb_test tests[] = {
    {"random trees: TreeSHAP = subset enumeration (1e-9), sums = margin", test_random_trees},
    {"3000-deep chain: explicit stack, = twin", test_deep_chain},
    {"one split by hand: mean, bias, NaN, threshold", test_by_hand},
};

SB_TEST_MAIN(NULL, SB_SUITE("tree_shap", tests))
