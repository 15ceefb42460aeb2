/* test_auc.c - exact weighted AUC: the sorted sweep against the pairwise twin,
 * ties as half pairs, bits independent of the input order, edge cases. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "kernels/auc.h"

static uint64_t rng_state = 88172645463325252ULL;
static double unif(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-53;
}

static void test_sweep_equals_pairs(void)
{
    enum { N = 700 };
    static sb_auc_row r[N], s[N];
    for (int i = 0; i < N; ++i) /* few distinct scores: many ties; some fractional labels */
        r[i] = (sb_auc_row){floor(unif() * 40) / 8, unif() < 0.3 ? 1.0 : (i % 17 == 0 ? 0.25 : 0.0), 0.5 + 3 * unif()};
    const double ref = auc_ref(r, N);
    memcpy(s, r, sizeof r);
    auc_sort(s, N);
    const double a = auc_sorted(s, N);
    CU_ASSERT_DOUBLE_EQUAL(a, ref, 1e-12);
    for (int k = 0; k < 5; ++k) { /* any input order (any rank count's gather): the same bits */
        for (int i = N - 1; i > 0; --i) {
            int j = (int)(unif() * (i + 1));
            sb_auc_row t = r[i];
            r[i] = r[j];
            r[j] = t;
        }
        memcpy(s, r, sizeof r);
        auc_sort(s, N);
        const double b = auc_sorted(s, N);
        CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
    }
}

static void test_known_values(void)
{
    sb_auc_row r[4] = {{0.9, 1, 1}, {0.8, 1, 1}, {0.3, 0, 1}, {0.1, 0, 1}};
    auc_sort(r, 4);
    CU_ASSERT_DOUBLE_EQUAL(auc_sorted(r, 4), 1.0, 0);
    sb_auc_row w[4] = {{0.1, 1, 1}, {0.2, 1, 1}, {0.3, 0, 1}, {0.4, 0, 1}};
    auc_sort(w, 4);
    CU_ASSERT_DOUBLE_EQUAL(auc_sorted(w, 4), 0.0, 0);
    sb_auc_row t[3] = {{0.5, 1, 2}, {0.5, 0, 1}, {0.5, 0, 3}}; /* all tied: one half */
    auc_sort(t, 3);
    CU_ASSERT_DOUBLE_EQUAL(auc_sorted(t, 3), 0.5, 0);
    sb_auc_row x[3] = {{0.9, 1, 1}, {0.5, 0, 3}, {0.1, 1, 1}}; /* weighted: 1*3 of 2*3 pairs ordered */
    auc_sort(x, 3);
    CU_ASSERT_DOUBLE_EQUAL(auc_sorted(x, 3), 0.5, 1e-15);
    sb_auc_row p[2] = {{0.9, 1, 1}, {0.1, 1, 1}}; /* no negatives */
    CU_ASSERT_TRUE(isnan(auc_sorted(p, 2)));
    CU_ASSERT_TRUE(isnan(auc_sorted(p, 0)));
}

static const sb_test tests[] = {
    {"sweep = pairwise twin, order-free bits", test_sweep_equals_pairs},
    {"known values, ties, weights, no negatives", test_known_values},
};

SB_TEST_MAIN(NULL, SB_SUITE("auc", tests))
