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
#include "helpers.h"
#include "kernels/tree_predict.h"
#include "kernels/tree_predict_simd.h"

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

/* Complete random tree of depth max_depth (no early leaf); thresholds
 * sometimes +-0 (which rows hit with -0 and +0), infinite or subnormal
 * (never NaN: io/model.c rejects it). */
static int32_t grow_full(sb_node *nd, int32_t *n, int32_t depth, int32_t max_depth, int32_t n_feat)
{
    int32_t k = (*n)++;
    memset(&nd[k], 0, sizeof nd[k]);
    if (depth == max_depth) {
        nd[k].feat = -1;
        nd[k].value = unif() - 0.5;
        return k;
    }
    nd[k].feat = (int32_t)(unif() * n_feat);
    const double u = unif();
    nd[k].threshold = u < 0.1    ? 0.5f
                      : u < 0.13 ? 0.0f
                      : u < 0.15 ? -0.0f
                      : u < 0.16 ? (unif() < 0.5 ? INFINITY : -INFINITY)
                      : u < 0.17 ? (unif() < 0.5 ? 1e-40f : -1e-40f)
                                 : (float)unif();
    nd[k].default_left = unif() < 0.5;
    int32_t l = grow_full(nd, n, depth + 1, max_depth, n_feat);
    int32_t r = grow_full(nd, n, depth + 1, max_depth, n_feat);
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
                nd[k] = (sb_node){d % F, k + 2 - n, k + 1 - n, d & 1, 0, (float)unif(), 0, 1, 1, 0};
                nd[k + 1] = (sb_node){-1, 0, 0, 0, 0, 0, unif(), 0, 0, 0};
            }
            nd[n + 32] = (sb_node){-1, 0, 0, 0, 0, 0, 0.125, 0, 0, 0};
            n += 33;
            continue;
        }
        int32_t depth = t == 6 ? TREE_LAYOUT_MAX_DEPTH : t == 7 ? TREE_LAYOUT_MAX_DEPTH + 1 : t == 8 ? 0 : 1 + t % 8;
        int32_t local = 0;
        grow(nd + n, &local, 0, depth, F);
        n += local;
    }
    start[T] = n;
    forest = (sb_forest){nd, start, T, NULL, NULL};
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
    int32_t *kcol = malloc((size_t)(n_inner + 1) * sizeof *kcol), *kthr = malloc((size_t)(n_inner + 1) * sizeof *kthr);
    CU_ASSERT_FATAL(feat && thr && dright && leaf && kcol && kthr);
    tree_layout L = {T, depth, node_off, leaf_off, feat, thr, dright, leaf, kcol, kthr};
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
    free(kcol);
    free(kthr);
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
    sb_node t[3] = {{0, 1, 2, 0, 0, 1.0f, 0, 0, 0, 0}, {-1, 0, 0, 0, 0, 0, -1.0, 0, 0, 0}, {-1, 0, 0, 0, 0, 0, 2.0, 0, 0, 0}};
    int64_t ts[2] = {0, 3};
    sb_forest f = {t, ts, 1, NULL, NULL};
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

/* ---- every tree_layout_margin variant the CPU has, called directly ---- */

typedef void (*margin_fn)(const tree_layout *, const sb_forest *, double, const float *, int64_t, int32_t, double *);

static int variants(margin_fn *fn, const char **name)
{
    int k = 0;
    fn[k] = tree_layout_margin_scalar, name[k++] = "scalar";
#if defined(__x86_64__)
    const int isa = tree_predict_isa();
    if (isa >= TREE_ISA_AVX2) fn[k] = tree_layout_margin_avx2, name[k++] = "avx2";
    if (isa >= TREE_ISA_AVX512) fn[k] = tree_layout_margin_avx512, name[k++] = "avx512";
#endif
    fn[k] = tree_layout_margin, name[k++] = "dispatch";
    return k;
}

enum { VT = 12, VN = 1000, VF_MAX = 1100 };

/* Forest of VT trees: depth 1..8 cycling from d0 (early leaves when ragged,
 * else complete), tree `deep` (if >= 0) deeper than the layout cap. */
static sb_forest make_forest(sb_node *buf, int64_t *st, int32_t d0, int ragged, int deep, int32_t nf)
{
    int32_t n = 0;
    for (int t = 0; t < VT; ++t) {
        st[t] = n;
        const int32_t depth = t == deep ? TREE_LAYOUT_MAX_DEPTH + 1 : 1 + (d0 + t) % 8;
        int32_t local = 0;
        if (ragged) {
            grow(buf + n, &local, 0, depth, nf);
        } else {
            grow_full(buf + n, &local, 0, depth, nf);
        }
        n += local;
    }
    st[VT] = n;
    return (sb_forest){buf, st, VT, NULL, NULL};
}

static void check_variants(const sb_forest *f, const float *xv, int64_t n, int32_t nf, double base)
{
    int32_t depth[VT];
    int64_t node_off[VT], leaf_off[VT], n_inner = 0, n_leaf = 0;
    tree_layout_measure(f, depth, &n_inner, &n_leaf);
    int32_t *feat = malloc((size_t)(n_inner + 1) * sizeof *feat);
    float *thr = malloc((size_t)(n_inner + 1) * sizeof *thr);
    uint8_t *dright = malloc((size_t)(n_inner + 1));
    double *leaf = malloc((size_t)(n_leaf + 1) * sizeof *leaf);
    double *ref = malloc((size_t)(n + 1) * sizeof *ref), *got = malloc((size_t)(n + 1) * sizeof *got);
    int32_t *kcol = malloc((size_t)(n_inner + 1) * sizeof *kcol), *kthr = malloc((size_t)(n_inner + 1) * sizeof *kthr);
    CU_ASSERT_FATAL(feat && thr && dright && leaf && ref && got && kcol && kthr);
    tree_layout L = {f->n_trees, depth, node_off, leaf_off, feat, thr, dright, leaf, kcol, kthr};
    tree_layout_fill(f, &L);
    for (int64_t i = 0; i < n; ++i) ref[i] = base;
    tree_predict_add_ref(f, 0, f->n_trees, xv, n, nf, ref);
    margin_fn fn[4];
    const char *name[4];
    const int nv = variants(fn, name);
    for (int v = 0; v < nv; ++v) {
        for (int64_t i = 0; i <= n; ++i) got[i] = -7.0; /* got[n]: must stay untouched */
        fn[v](&L, f, base, xv, n, nf, got);
        const int same = memcmp(got, ref, (size_t)n * sizeof *got) == 0 && got[n] == -7.0;
        if (!same) printf("\n  %s differs from the ref: n %lld, n_feat %d\n", name[v], (long long)n, (int)nf);
        CU_ASSERT_TRUE(same);
    }
    free(feat);
    free(thr);
    free(dright);
    free(leaf);
    free(ref);
    free(got);
    free(kcol);
    free(kthr);
}

/* Random forests (depth 1..8, ragged and complete, a deep tree mixed in) over
 * rows with NaN, values equal to thresholds, +-0 and infinities; n around the
 * vector widths and blocks; 1, 47, 600 and more features than the vector
 * walks take. */
static void test_variants_vs_ref(void)
{
    static sb_node buf[VT * 4096 * 2];
    static int64_t st[VT + 1];
    static float xv[(VN + 1) * VF_MAX]; /* n rows at offset 0 or 1 row */
    static const int64_t ns[] = {0, 1, 15, 16, 17, 63, 64, 65, 129, 1000};
    static const int32_t nfs[] = {1, 47, 600, VF_MAX}; /* 600: blocks of 16 rows; VF_MAX: too wide, scalar */
    for (size_t a = 0; a < sizeof nfs / sizeof nfs[0]; ++a) {
        const int32_t nf = nfs[a];
        for (int64_t i = 0; i < (VN + 1) * nf; ++i) {
            const double u = unif();
            xv[i] = u < 0.1    ? NAN
                    : u < 0.15 ? 0.5f
                    : u < 0.18 ? -0.0f
                    : u < 0.2  ? 0.0f
                    : u < 0.21 ? (unif() < 0.5 ? INFINITY : -INFINITY)
                    : u < 0.22 ? (unif() < 0.5 ? 1e-40f : -1e-40f)
                    : u < 0.23 ? -(float)unif()
                               : (float)unif();
        }
        for (int32_t d0 = 0; d0 < 8; d0 += 3)
            for (int ragged = 0; ragged < 2; ++ragged)
                for (int deep = -1; deep < 2; deep += 2) {
                    const sb_forest f = make_forest(buf, st, d0, ragged, deep < 0 ? -1 : 5, nf);
                    for (size_t b = 0; b < sizeof ns / sizeof ns[0]; ++b)
                        check_variants(&f, xv + (b & 1) * nf, ns[b], nf, b & 2 ? -0.25 : 0.5);
                }
    }
}

/* Split keys order numbers as float compares do: key(a) < key(b) iff a < b,
 * over random bit patterns (every exponent, subnormals, +-0, +-inf; NaN
 * excluded), and key(-0) = key(+0). */
static void test_split_key_order(void)
{
    CU_ASSERT_EQUAL(tree_split_key(-0.0f), tree_split_key(0.0f));
    CU_ASSERT_TRUE(tree_split_key(-INFINITY) > INT32_MIN && tree_split_key(INFINITY) < INT32_MAX);
    enum { K = 4096 };
    static float v[K];
    int n = 0;
    while (n < K) {
        const uint32_t bits = (uint32_t)(unif() * 4294967295.0);
        float f;
        memcpy(&f, &bits, sizeof f);
        if (isnan(f)) continue;
        v[n] = n % 97 == 0 ? 0.0f : n % 89 == 0 ? -0.0f : n % 83 == 0 ? INFINITY : f;
        ++n;
    }
    v[1] = -INFINITY;
    v[2] = 1e-45f;
    v[3] = -1e-45f;
    int bad = 0;
    for (int i = 0; i < K; ++i)
        for (int j = i; j < i + 64 && j < K; ++j) {
            bad += (v[i] < v[j]) != (tree_split_key(v[i]) < tree_split_key(v[j]));
            bad += (v[j] < v[i]) != (tree_split_key(v[j]) < tree_split_key(v[i]));
        }
    CU_ASSERT_EQUAL(bad, 0);
}

/* The AVX-512 16 x 16 and AVX2 8 x 8 tile transposes to split keys = their
 * plain twin, bit for bit (NaN of either sign and any payload, +-0): row
 * counts around the tiles (0, 1, 7, 8, 9, 15, 16, 17, 33, 128), feature
 * counts around them (1, 7, 8, 9, 15, 16, 17, 47, 100), a leading dimension
 * wider than the rows; cells past the rows stay untouched. */
static void test_transpose_keys_vs_ref(void)
{
#if defined(__x86_64__)
    const int isa = tree_predict_isa();
    if (isa < TREE_ISA_AVX2) return;
    enum { LD = 131, FMAX = 100 };
    static const int64_t ms[] = {0, 1, 7, 8, 9, 15, 16, 17, 33, 128};
    static const int32_t nfs[] = {1, 7, 8, 9, 15, 16, 17, 47, FMAX};
    static float vals[128 * FMAX];
    static int32_t a[2 * LD * FMAX], b[2 * LD * FMAX];
    for (int i = 0; i < 128 * FMAX; ++i) {
        const uint32_t bits = i % 7 == 0 ? 0x80000000u : (uint32_t)(unif() * 4294967295.0);
        memcpy(&vals[i], &bits, sizeof bits);
    }
    int bad = 0;
    for (int wide = 0; wide <= (isa >= TREE_ISA_AVX512); ++wide)
        for (size_t i = 0; i < sizeof ms / sizeof *ms; ++i)
            for (size_t j = 0; j < sizeof nfs / sizeof *nfs; ++j) {
                memset(a, 0x5a, sizeof a);
                memset(b, 0x5a, sizeof b);
                tree_transpose_keys_ref(vals, ms[i], nfs[j], a, LD);
                if (wide) tree_transpose_keys_avx512(vals, ms[i], nfs[j], b, LD);
                else tree_transpose_keys_avx2(vals, ms[i], nfs[j], b, LD);
                bad += memcmp(a, b, sizeof a) != 0;
            }
    CU_ASSERT_EQUAL(bad, 0);
    /* row 0, feature 0 is -0: key 0 in both columns */
    CU_ASSERT_EQUAL(a[0], 0);
    CU_ASSERT_EQUAL(a[LD], 0);
#endif
}

static void test_predict_matches_ref_and_nan(void)
{
    /* tree 0: x0 < 0.5 ? (x1 < 2 ? -1 : 2) : 3, NaN on x0 goes left; tree 1: a single leaf 0.25 */
    sb_node nodes[6];
    memset(nodes, 0, sizeof nodes);
    nodes[0] = (sb_node){0, 1, 2, 1, 0, 0.5f, 0.0, 1.0, 4.0, 0};
    nodes[1] = (sb_node){1, 3, 4, 0, 0, 2.0f, 0.0, 1.0, 2.0, 0};
    nodes[2] = (sb_node){-1, -1, -1, 0, -1, 0.0f, 3.0, 0.0, 2.0, 0};
    nodes[3] = (sb_node){-1, -1, -1, 0, -1, 0.0f, -1.0, 0.0, 1.0, 0};
    nodes[4] = (sb_node){-1, -1, -1, 0, -1, 0.0f, 2.0, 0.0, 1.0, 0};
    nodes[5] = (sb_node){-1, -1, -1, 0, -1, 0.0f, 0.25, 0.0, 1.0, 0};
    int64_t ts[3] = {0, 5, 6};
    sb_forest f = {nodes, ts, 2, NULL, NULL};
    float xs[5 * 2] = {0.0f, 1.0f, 0.0f, 3.0f, 1.0f, 0.0f, NAN, 1.0f, NAN, NAN};
    double m[5], e[5] = {-0.75, 2.25, 3.25, -0.75, 2.25}; /* NaN x1 goes right (default_left 0) */
    tree_predict_margin(&f, 0.0, xs, 5, 2, m);
    for (int i = 0; i < 5; ++i) CU_ASSERT_EQUAL(m[i], e[i]);
    static float big[1000 * 2];
    static double m1[1000], m2[1000];
    for (int i = 0; i < 2000; ++i) big[i] = (sb_test_rnd() % 10 == 0) ? NAN : (float)sb_test_unif() * 4;
    for (int i = 0; i < 1000; ++i) m1[i] = m2[i] = 0.1 * i;
    tree_predict_add(&f, 0, 2, big, 1000, 2, m1);
    tree_predict_add_ref(&f, 0, 2, big, 1000, 2, m2);
    CU_ASSERT_EQUAL(memcmp(m1, m2, sizeof m1), 0);
    CU_ASSERT_EQUAL(tree_leaf_of(&f, 0, xs + 2), 4);
}

static const sb_test tests[] = {
    {"layout walk = ref bits (deep, cap, leaf-only trees)", test_layout_vs_ref},
    {"tree_predict_add per tree / ranges = ref bits", test_add_vs_ref},
    {"split rule and NaN default direction", test_decisions},
    {"scalar / AVX2 / AVX-512 layout walks = ref bits", test_variants_vs_ref},
    {"split keys order numbers as float compares", test_split_key_order},
    {"AVX-512 / AVX2 block transposes to keys = ref (tiles, edges, bits)", test_transpose_keys_vs_ref},
    {"forest traversal vs ref, NaN default", test_predict_matches_ref_and_nan},
};

static int set_up(void)
{
    build_forest();
    return 0;
}

SB_TEST_MAIN(NULL, SB_SUITE_FIXTURE("tree_predict", tests, set_up, NULL))
