/* test_partition.c - row partition and the bin walks of a tree (kernels/partition.h) against
 * their _ref twins and the float walk. Inputs come from a fixed-seed generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cunit_main.h"
#include "helpers.h"
#include "kernels/binning.h"
#include "kernels/partition.h"
#include "kernels/tree_predict.h"

enum { NR = 3000 };

static void test_partition_matches_ref(void)
{
    static uint8_t col[NR];
    static int32_t a[NR], b[NR], s1[NR], s2[NR];
    for (int32_t r = 0; r < NR; ++r) col[r] = (uint8_t)(sb_test_rnd() % 9); /* bin 8 = missing */
    col[NR - 1] = 255; /* a high bin */
    const int64_t lens[] = {0, 1, 15, 16, 17, 33, NR};
    for (int dl = 0; dl <= 1; ++dl)
        for (int32_t sb = 0; sb < 8; sb += 3)
            for (int32_t mb = -1; mb <= 8; mb += 9) /* no missing bin, bin 8 missing */
                for (unsigned li = 0; li < sizeof lens / sizeof lens[0]; ++li) {
                    int64_t n = 0;
                    for (int32_t r = 0; r < NR && n < lens[li]; ++r)
                        if (lens[li] == NR ? sb_test_rnd() % 2 : r >= NR - 40 || sb_test_rnd() % 7 == 0)
                            a[n] = b[n] = r, ++n;
                    int64_t nl = partition_rows(a, n, col, sb, mb, dl, s1);
                    int64_t nl2 = partition_rows_ref(b, n, col, sb, mb, dl, s2);
                    CU_ASSERT_EQUAL(nl, nl2);
                    CU_ASSERT_EQUAL(memcmp(a, b, (size_t)n * sizeof *a), 0);
                    for (int64_t i = 0; i < n; ++i) {
                        int left = col[a[i]] == mb ? dl : col[a[i]] <= sb;
                        CU_ASSERT_EQUAL(left, i < nl);
                        if (i > 0 && i != nl) CU_ASSERT_TRUE(a[i] > a[i - 1]); /* stable */
                    }
                }
}


/* Random tree over features with cuts: split bins inside the cut range,
 * thresholds = the cut after the bin (as training emits them). */
static int32_t grow_random(sb_node *t, int32_t *cnt, int32_t depth, int32_t max_depth, int32_t nf,
                           const int64_t *cs, const float *cuts)
{
    const int32_t k = (*cnt)++;
    memset(&t[k], 0, sizeof t[k]);
    int32_t f = (int32_t)(sb_test_rnd() % (uint64_t)nf);
    const int32_t nc = (int32_t)(cs[f + 1] - cs[f]);
    if (depth == max_depth || nc == 0 || (depth > 0 && sb_test_rnd() % 5 == 0)) {
        t[k].feat = t[k].left = t[k].right = t[k].bin = -1;
        t[k].value = sb_test_unif() - 0.5;
        return k;
    }
    t[k].feat = f;
    t[k].bin = (int32_t)(sb_test_rnd() % (uint64_t)nc);
    t[k].threshold = cuts[cs[f] + t[k].bin];
    t[k].default_left = (int32_t)(sb_test_rnd() % 2);
    const int32_t l = grow_random(t, cnt, depth + 1, max_depth, nf, cs, cuts);
    const int32_t r = grow_random(t, cnt, depth + 1, max_depth, nf, cs, cuts);
    t[k].left = l;
    t[k].right = r;
    return k;
}

/* Bin walk = twin = float walk (tree_predict_add) bit for bit; too deep -> -1.
 * The column-major walk (all rows, a list of rows) = its twin = the row-major one. */
static void test_partition_tree_add(void)
{
    enum { N = 700, F = 6 };
    static float x[N * F], cuts[F * 40];
    static uint8_t bins[N * F];
    static double m_opt[N], m_ref[N], m_flt[N];
    static sb_node t[2100];
    int64_t cs[F + 1];
    int32_t n_value[F];
    uint8_t miss[F];
    for (int32_t f = 0, at = 0; f <= F; ++f) {
        cs[f] = at;
        if (f == F) break;
        const int32_t nc = f == 2 ? 1 : 3 + f * 6;
        for (int32_t j = 0; j < nc; ++j) cuts[at + j] = (float)j * 0.25f - 2.0f;
        at += nc;
        n_value[f] = nc + 1;
        miss[f] = (uint8_t)(f % 2);
    }
    for (int i = 0; i < N * F; ++i) {
        const int f = i % F;
        x[i] = (miss[f] && sb_test_rnd() % 5 == 0)
                   ? NAN
                   : (sb_test_rnd() % 4 == 0 ? cuts[cs[f] + (int64_t)(sb_test_rnd() % (uint64_t)(cs[f + 1] - cs[f]))]
                                             : (float)sb_test_unif() * 12.0f - 4.0f);
    }
    bin_rows(x, N, F, cs, cuts, miss, bins);
    for (int rep = 0; rep < 20; ++rep) {
        int32_t cnt = 0;
        const int32_t max_depth = rep == 19 ? 10 : 1 + rep % 8;
        grow_random(t, &cnt, 0, max_depth, F, cs, cuts);
        for (int i = 0; i < N; ++i) m_opt[i] = m_ref[i] = m_flt[i] = 0.125 * i;
        int64_t one[2] = {0, cnt};
        sb_forest fo = {t, one, 1, NULL, NULL};
        tree_predict_add(&fo, 0, 1, x, N, F, m_flt);
        partition_tree_add_ref(t, bins, N, F, n_value, miss, m_ref);
        const int rc = partition_tree_add(t, bins, N, F, n_value, miss, m_opt);
        CU_ASSERT_EQUAL(memcmp(m_ref, m_flt, sizeof m_ref), 0);
        if (rc == 0) CU_ASSERT_EQUAL(memcmp(m_opt, m_ref, sizeof m_ref), 0);
        /* column-major: every row, and a list of rows (every third, backwards) */
        static uint8_t cols[N * F];
        static double c_opt[N], c_ref[N];
        static int32_t list[N];
        for (int i = 0; i < N; ++i)
            for (int f = 0; f < F; ++f) cols[f * N + i] = bins[i * F + f];
        int32_t nl = 0;
        for (int i = N - 1; i >= 0; i -= 3) list[nl++] = i;
        for (int pass = 0; pass < 2; ++pass) {
            const int32_t *rw = pass ? list : NULL;
            const int64_t m = pass ? nl : N;
            for (int i = 0; i < N; ++i) c_opt[i] = c_ref[i] = 0.125 * i;
            partition_tree_add_cols_ref(t, cols, N, rw, m, n_value, miss, c_ref);
            const int rcc = partition_tree_add_cols(t, cols, N, rw, m, n_value, miss, c_opt);
            CU_ASSERT_EQUAL(rcc, rc);
            if (rcc == 0) CU_ASSERT_EQUAL(memcmp(c_opt, c_ref, sizeof c_ref), 0);
            if (pass == 0) CU_ASSERT_EQUAL(memcmp(c_ref, m_ref, sizeof m_ref), 0); /* = the row-major twin */
        }
        if (rc != 0) { /* only a tree deeper than the cap is refused, and untouched */
            int32_t deep = 0;
            for (int i = 0; i < N; ++i) deep |= m_opt[i] != 0.125 * i;
            CU_ASSERT_EQUAL(deep, 0);
            CU_ASSERT_TRUE(max_depth > PARTITION_WALK_MAX_DEPTH);
        }
    }
}

/* Random tree over bins: split bins anywhere in 0..n_value[f] (so the
 * missing bin may sit at or below the split too), random default directions,
 * leaves above the bottom; the left spine goes down to max_depth. */
static int32_t grow_bins(sb_node *t, int32_t *cnt, int32_t depth, int32_t max_depth, int32_t spine, int32_t nf,
                         const int32_t *n_value)
{
    const int32_t k = (*cnt)++;
    memset(&t[k], 0, sizeof t[k]);
    if (depth == max_depth || (!spine && sb_test_rnd() % 6 == 0)) {
        t[k].feat = t[k].left = t[k].right = t[k].bin = -1;
        t[k].value = sb_test_unif() - 0.5;
        return k;
    }
    t[k].feat = (int32_t)(sb_test_rnd() % (uint64_t)nf);
    t[k].bin = (int32_t)(sb_test_rnd() % (uint64_t)(n_value[t[k].feat] + 1));
    t[k].default_left = (int32_t)(sb_test_rnd() % 2);
    const int32_t l = grow_bins(t, cnt, depth + 1, max_depth, spine, nf, n_value);
    const int32_t r = grow_bins(t, cnt, depth + 1, max_depth, 0, nf, n_value);
    t[k].left = l;
    t[k].right = r;
    return k;
}

/* Every walk variant = the twin, memcmp of the margins: depths 0..8 (9:
 * refused, margins untouched), missing bins with default left and right, the
 * missing bin above and below the split, leaves above the bottom, n_feat 1 / 2
 * / 47, n around the 16- and 64-row groups. bins ends right before a page the
 * test makes unreadable, so a gather reading past the last row would fault. */
static void test_partition_tree_add_variants(void)
{
    enum { MAXN = 1000, MAXF = 47 };
    static sb_node t[1100];
    static double m_ref[MAXN + 1], m_var[MAXN + 1];
    const long page = sysconf(_SC_PAGESIZE);
    const size_t span = ((size_t)MAXN * MAXF + (size_t)page - 1) / (size_t)page * (size_t)page;
    uint8_t *map = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(map != MAP_FAILED);
    CU_ASSERT_FATAL(mprotect(map + span, (size_t)page, PROT_NONE) == 0);
    int isas[2] = {PARTITION_ISA_SCALAR, PARTITION_ISA_SCALAR};
    const int n_isa = partition_walk_isa() == PARTITION_ISA_AVX512 ? 2 : 1;
    isas[1] = PARTITION_ISA_AVX512;
    static const int64_t ns[] = {0, 1, 2, 3, 15, 16, 17, 19, 20, 63, 64, 65, 79, 80, 81, 1000};
    static const int32_t nfs[] = {1, 2, 47};
    int32_t n_value[MAXF];
    uint8_t miss[MAXF];
    for (size_t a = 0; a < sizeof nfs / sizeof nfs[0]; ++a) {
        const int32_t F = nfs[a];
        for (int32_t f = 0; f < F; ++f) {
            n_value[f] = f % 5 == 0 ? 255 : 1 + (int32_t)(sb_test_rnd() % 60);
            miss[f] = (uint8_t)(sb_test_rnd() % 3 != 0);
        }
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; ++b) {
            const int64_t N = ns[b];
            uint8_t *bins = map + span - (size_t)(N * F);
            for (int64_t i = 0; i < N * F; ++i) { /* a tenth missing, a few stray bytes */
                const int32_t f = (int32_t)(i % F);
                const uint64_t r = sb_test_rnd() % 20;
                bins[i] = (uint8_t)(r < 2    ? (uint64_t)n_value[f]
                                    : r == 2 ? sb_test_rnd() % 256
                                             : sb_test_rnd() % (uint64_t)n_value[f]);
            }
            for (int32_t depth = 0; depth <= PARTITION_WALK_MAX_DEPTH + 1; ++depth) {
                int32_t cnt = 0;
                grow_bins(t, &cnt, 0, depth, 1, F, n_value);
                for (int64_t i = 0; i <= N; ++i) m_ref[i] = 0.1 * (double)i - 3.0;
                partition_tree_add_ref(t, bins, N, F, n_value, miss, m_ref);
                for (int v = 0; v < n_isa; ++v) {
                    for (int64_t i = 0; i <= N; ++i) m_var[i] = 0.1 * (double)i - 3.0;
                    const int rc = partition_tree_add_isa(isas[v], t, bins, N, F, n_value, miss, m_var);
                    if (depth > PARTITION_WALK_MAX_DEPTH) {
                        CU_ASSERT_EQUAL(rc, -1);
                        for (int64_t i = 0; i <= N; ++i) m_ref[i] = 0.1 * (double)i - 3.0;
                    } else
                        CU_ASSERT_EQUAL(rc, 0);
                    if (memcmp(m_var, m_ref, (size_t)(N + 1) * sizeof *m_ref) != 0) {
                        CU_FAIL("partition_tree_add variant differs from the twin");
                        fprintf(stderr, "isa %d n_feat %d n %lld depth %d\n", isas[v], F, (long long)N, depth);
                    }
                }
                if (depth <= PARTITION_WALK_MAX_DEPTH) { /* the dispatching entry point too */
                    for (int64_t i = 0; i <= N; ++i) m_var[i] = 0.1 * (double)i - 3.0;
                    CU_ASSERT_EQUAL(partition_tree_add(t, bins, N, F, n_value, miss, m_var), 0);
                    CU_ASSERT_EQUAL(memcmp(m_var, m_ref, (size_t)(N + 1) * sizeof *m_ref), 0);
                }
                /* the column-major walk over the same bins: its twin, and the row-major twin */
                static uint8_t cols[MAXN * MAXF];
                static double c_ref[MAXN + 1];
                for (int64_t i = 0; i < N; ++i)
                    for (int32_t f = 0; f < F; ++f) cols[f * N + i] = bins[i * F + f];
                for (int64_t i = 0; i <= N; ++i) m_var[i] = c_ref[i] = 0.1 * (double)i - 3.0;
                partition_tree_add_cols_ref(t, cols, N, NULL, N, n_value, miss, c_ref);
                const int rcc = partition_tree_add_cols(t, cols, N, NULL, N, n_value, miss, m_var);
                CU_ASSERT_EQUAL(rcc, depth > PARTITION_WALK_MAX_DEPTH ? -1 : 0);
                if (rcc == 0 && (memcmp(m_var, c_ref, (size_t)(N + 1) * sizeof *m_var) != 0 ||
                                 memcmp(m_var, m_ref, (size_t)(N + 1) * sizeof *m_var) != 0))
                    CU_FAIL("partition_tree_add_cols differs from its twin or the row-major walk");
            }
        }
    }
    munmap(map, span + (size_t)page);
}

static const sb_test tests[] = {
    {"partition vs ref, stable", test_partition_matches_ref},
    {"bin walk of a tree vs twin and float walk", test_partition_tree_add},
    {"bin walk variants (scalar, AVX-512) vs twin", test_partition_tree_add_variants},
};

SB_TEST_MAIN(NULL, SB_SUITE("partition", tests))
