/* test_boost_step.c - the boosting loop's per-round kernels against their
 * plain twins on random inputs: keeping sampled rows (zeroed gradient bits),
 * the largest |gradient| (NaN, -0, tails of every length), a leaf's margins. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cunit_main.h"
#include "base/hash.h"
#include "kernels/boost_step.h"

#define N 4099 /* not a multiple of the chains */

static uint64_t state = 7;
static uint64_t rnd(void) { return sb_splitmix64(&state); }
static float rnd_float(void) { return (float)((double)(rnd() >> 11) / 9007199254740992.0 * 200.0 - 100.0); }

static void test_keep_sampled_matches_ref(void)
{
    static uint8_t in[N];
    static int32_t rows_a[N], rows_b[N];
    static float gh_a[2 * N], gh_b[2 * N];
    for (int pass = 0; pass < 4; ++pass) { /* none, some, most, all kept */
        for (int64_t i = 0; i < N; ++i) {
            in[i] = pass == 0 ? 0 : pass == 3 ? 1 : (uint8_t)(rnd() % 4 < (uint64_t)pass);
            gh_a[2 * i] = gh_b[2 * i] = i % 97 == 0 ? NAN : rnd_float();
            gh_a[2 * i + 1] = gh_b[2 * i + 1] = i % 89 == 0 ? -0.0f : rnd_float();
        }
        memset(rows_a, 0xff, sizeof rows_a);
        memset(rows_b, 0xff, sizeof rows_b);
        const int64_t ka = boost_keep_sampled(in, N, rows_a, gh_a), kb = boost_keep_sampled_ref(in, N, rows_b, gh_b);
        CU_ASSERT_EQUAL(ka, kb);
        CU_ASSERT_EQUAL(memcmp(rows_a, rows_b, (size_t)kb * sizeof *rows_a), 0);
        CU_ASSERT_EQUAL(memcmp(gh_a, gh_b, sizeof gh_a), 0); /* bits: +0.0 for dropped, NaN and -0 kept */
        int64_t zeros = 0;
        for (int64_t i = 0; i < N; ++i) zeros += !in[i] && gh_a[2 * i] == 0.0f && !signbit(gh_a[2 * i]);
        CU_ASSERT_EQUAL(zeros, N - ka);
    }
}

static void test_abs_max_matches_ref(void)
{
    static float v[N];
    for (int64_t i = 0; i < N; ++i) v[i] = rnd_float();
    v[17] = NAN;
    v[18] = -0.0f;
    for (int64_t n = 0; n <= 40; ++n) /* every tail length around the chains */
        CU_ASSERT_EQUAL(boost_abs_max(v + 3, n), boost_abs_max_ref(v + 3, n));
    CU_ASSERT_EQUAL(boost_abs_max(v, N), boost_abs_max_ref(v, N));
    v[N - 1] = -1e30f; /* the largest |v| in the tail, negative */
    CU_ASSERT_EQUAL(boost_abs_max(v, N), 1e30f);
    CU_ASSERT_EQUAL(boost_abs_max_ref(v, N), 1e30f);
    const float nans[3] = {NAN, NAN, NAN};
    CU_ASSERT_EQUAL(boost_abs_max(nans, 3), 0.0f); /* a NaN never becomes the max */
}

static void test_add_leaf_matches_ref(void)
{
    static int32_t rows[N];
    static double ma[N], mb[N];
    int64_t n = 0;
    for (int32_t r = 0; r < N; ++r)
        if (rnd() % 3) rows[n++] = r; /* ascending, scattered */
    for (int64_t i = 0; i < N; ++i) ma[i] = mb[i] = (double)rnd_float();
    const int64_t cuts[] = {0, 1, 5, 17, n / 2, n - 3, n};
    for (size_t c = 0; c + 1 < sizeof cuts / sizeof cuts[0]; ++c) {
        const double value = (double)rnd_float() * 1e-3;
        boost_add_leaf(rows, cuts[c], cuts[c + 1], value, ma);
        boost_add_leaf_ref(rows, cuts[c], cuts[c + 1], value, mb);
    }
    CU_ASSERT_EQUAL(memcmp(ma, mb, sizeof ma), 0);
}

static const sb_test tests[] = {
    {"boost_keep_sampled = ref (rows, zeroed bits)", test_keep_sampled_matches_ref},
    {"boost_abs_max = ref (NaN, -0, tails)", test_abs_max_matches_ref},
    {"boost_add_leaf = ref", test_add_leaf_matches_ref},
};

SB_TEST_MAIN(NULL, SB_SUITE("boost_step", tests))
