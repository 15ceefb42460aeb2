/* test_binning.c - sorting, cuts and row binning (kernels/binning.h) against their _ref twins:
 * NaN, -0/+0, values on a cut, in-place and column-major binning. Inputs come from a
 * fixed-seed generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "helpers.h"
#include "kernels/binning.h"

/* bin_cuts_sample against its twin on v[0..n) with weights w (or none): the
 * same cut count, the same cut bits, cuts increasing. */
static int cuts_match(const float *v, const float *w, int64_t n, int32_t max_bins)
{
    float want[600], got[600];
    uint64_t *scratch = malloc((size_t)(4 * n + 1) * sizeof *scratch);
    if (!scratch) return 0;
    memset(want, 0x5A, sizeof want);
    memset(got, 0x5A, sizeof got);
    int32_t nw = bin_cuts_sample_ref(v, w, n, max_bins, want, scratch);
    int32_t ng = bin_cuts_sample(v, w, n, max_bins, got, scratch);
    free(scratch);
    int ok = nw == ng && nw >= 0 && nw < (max_bins > 0 ? max_bins : 1) && memcmp(want, got, sizeof want) == 0;
    for (int32_t i = 1; ok && i < nw; ++i) ok = want[i - 1] < want[i];
    return ok;
}

static void test_sort_and_cuts(void)
{
    enum { M = 40000 };
    float *v = malloc(M * sizeof *v), *w = malloc(M * sizeof *w);
    if (!v || !w) {
        CU_FAIL("out of memory");
        free(v);
        free(w);
        return;
    }
    static const int32_t mb[] = {2, 3, 16, 255, 256, 511, 512, 513, 600};
    static const int64_t ns[] = {0, 1, 2, 3, 17, 255, 256, 257, 1000, 5000, M};
    /* value sets: d distinct values (d around max_bins), ties, -0/+0 mixed,
     * +-inf, denormals, any bits; a fifth NaN (all-ones bits too) or none;
     * weights integer, fractional, tiny, none */
    for (int kind = 0; kind < 18; ++kind)
        for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
            for (size_t b = 0; b < sizeof mb / sizeof mb[0]; ++b) {
                const int64_t n = ns[a];
                const int32_t maxb = mb[b];
                const int64_t d = kind % 9 == 0   ? 1
                                  : kind % 9 == 1 ? maxb
                                  : kind % 9 == 2 ? maxb + 1
                                  : kind % 9 == 3 ? maxb - 1
                                                  : 0;
                for (int64_t i = 0; i < n; ++i) {
                    uint32_t u = (uint32_t)sb_test_rnd();
                    float x;
                    switch (kind % 9) {
                    case 0: case 1: case 2: case 3:
                        x = (float)((int64_t)(sb_test_rnd() % (uint64_t)d) - d / 2) * 0.25f;
                        break;
                    case 4: x = (float)((int)(sb_test_rnd() % 300) - 150) * 0.37f; break; /* ~300 distinct */
                    case 5:
                        x = (sb_test_rnd() % 2) ? 0.0f : -0.0f;
                        if (sb_test_rnd() % 3 == 0) x = (float)(sb_test_rnd() % 4);
                        break;
                    case 6: memcpy(&x, &u, sizeof x); if (isnan(x)) x = INFINITY; break; /* any bits */
                    case 7: /* denormals, -0/+0 */
                        x = (float)(sb_test_rnd() % 5) * 1e-40f;
                        if (sb_test_rnd() % 2) x = -x;
                        break;
                    default: x = (float)sb_test_unif(); break; /* all distinct */
                    }
                    if (kind % 9 == 6 && i % 101 == 7) x = (i % 2) ? -INFINITY : -0.0f;
                    if (kind >= 9 && sb_test_rnd() % 5 == 0) {
                        const uint32_t nan_bits = (sb_test_rnd() % 2) ? 0xFFFFFFFFu : 0x7FC00000u;
                        memcpy(&x, &nan_bits, sizeof x);
                    }
                    v[i] = x;
                    w[i] = kind % 3 == 0   ? (float)(sb_test_rnd() % 1000 + 1)
                           : kind % 3 == 1 ? (float)sb_test_unif() * 3.0f + 1e-7f
                                           : 1.0f / (float)(i % 7 + 1);
                }
                if (!cuts_match(v, w, n, maxb) || !cuts_match(v, NULL, n, maxb)) {
                    CU_FAIL("bin_cuts_sample differs from its twin");
                    printf("  kind %d n %lld max_bins %d\n", kind, (long long)n, maxb);
                }
            }
    /* zero's cut is the first -0 or +0 of the input, in either order */
    float z[5] = {-1.0f, -0.0f, 0.0f, 2.0f, -0.0f}, c[8];
    uint64_t scr[32];
    CU_ASSERT_EQUAL(bin_cuts_sample(z, NULL, 5, 256, c, scr), 2);
    CU_ASSERT_TRUE(signbit(c[0]) && c[0] == 0.0f && c[1] == 2.0f);
    z[1] = 0.0f, z[2] = -0.0f;
    CU_ASSERT_EQUAL(bin_cuts_sample(z, NULL, 5, 256, c, scr), 2);
    CU_ASSERT_TRUE(!signbit(c[0]) && c[0] == 0.0f);
    const float zw[5] = {4, 1, 1, 1, 1}; /* quantile path, half the weight below zero: the same zero */
    CU_ASSERT_EQUAL(bin_cuts_sample(z, zw, 5, 2, c, scr), 1);
    CU_ASSERT_TRUE(!signbit(c[0]) && c[0] == 0.0f);
    CU_ASSERT_TRUE(cuts_match(z, zw, 5, 2) && cuts_match(z, NULL, 5, 2) && cuts_match(z, NULL, 5, 3));
    CU_ASSERT_EQUAL(bin_cuts_sample(z, NULL, 1, 256, c, scr), 0); /* n = 1: no cut */
    const float nan4[4] = {NAN, NAN, NAN, NAN}, zw1[4] = {1, 2, 3, 4}; /* only NaN: no cut */
    CU_ASSERT_EQUAL(bin_cuts_sample(nan4, zw1, 4, 256, c, scr), 0);
    CU_ASSERT_EQUAL(bin_cuts_sample(nan4, zw1, 4, 600, c, scr), 0);
    CU_ASSERT_TRUE(cuts_match(nan4, zw1, 4, 2));
    free(v);
    free(w);
    float cuts[300];
    int32_t nc;
    /* few distinct values: one bin per value, cut = the value */
    float s[6] = {1, 1, 2, 5, 5, 5};
    nc = bin_cuts(s, NULL, 6, 256, cuts);
    CU_ASSERT_EQUAL(nc, 2);
    CU_ASSERT_EQUAL(cuts[0], 2.0f);
    CU_ASSERT_EQUAL(cuts[1], 5.0f);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 1.0f), 0);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 2.0f), 1);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 4.9f), 1);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 5.0f), 2);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 99.0f), 2);
    /* branch-free bin_of = counting cuts <= x, for every cut count 0..259 */
    static float cc[260];
    for (int m = 0; m < 260; ++m) {
        for (int i = 0; i < m; ++i) cc[i] = (float)(2 * i);
        for (float xx = -3; xx < 2 * m + 3; xx += 0.5f) {
            int want = 0;
            while (want < m && cc[want] <= xx) ++want;
            if (bin_of(cc, m, xx) != want) CU_FAIL("bin_of differs from counting");
        }
    }
    /* quantiles: 1000 distinct equal-weight values in 4 bins -> cuts near 250, 500, 750 */
    static float q[1000];
    for (int i = 0; i < 1000; ++i) q[i] = (float)i;
    nc = bin_cuts(q, NULL, 1000, 4, cuts);
    CU_ASSERT_EQUAL(nc, 3);
    CU_ASSERT_EQUAL(cuts[0], 250.0f);
    CU_ASSERT_EQUAL(cuts[1], 500.0f);
    CU_ASSERT_EQUAL(cuts[2], 750.0f);
}

/* bin_rows (AVX-512 blocks where the CPU has them) and the in-place binning
 * (bins written over the floats) equal the plain twin bin_rows_ref, and so
 * does the column-major bin_rows_col: NaN, values on a cut, -0, 255 cuts. */
static void test_bin_rows_inplace(void)
{
    enum { N = 509, F = 11 }; /* N: 31 blocks of 16 and a tail */
    static float x[N * F], y[N * F];
    static uint8_t want[N * F], fast[N * F], col[N * F];
    static float cuts[F * 255];
    int64_t cs[F + 1];
    uint8_t miss[F];
    for (int32_t f = 0, at = 0; f <= F; ++f) {
        cs[f] = at;
        if (f == F) break;
        int32_t nc = f == 3 ? 0 : f == 9 ? 255 : f == 10 ? 128 : 1 + f * 2; /* 3: no cuts (one bin); 9: 255 cuts */
        for (int32_t j = 0; j < nc; ++j) cuts[at + j] = (float)j * (f >= 9 ? 0.05f : 0.5f) - 1.0f;
        at += nc;
        miss[f] = (uint8_t)(f % 2);
    }
    for (int i = 0; i < N * F; ++i) {
        const int f = i % F;
        const int64_t c0 = cs[f], nc = cs[f + 1] - cs[f];
        x[i] = (miss[f] && sb_test_rnd() % 7 == 0) ? NAN : (float)sb_test_unif() * 12.0f - 3.0f;
        if (nc > 0 && sb_test_rnd() % 4 == 0) /* exactly on a cut */
            x[i] = cuts[c0 + (int64_t)(sb_test_rnd() % (uint64_t)nc)];
        if (sb_test_rnd() % 50 == 0) x[i] = sb_test_rnd() % 2 ? -0.0f : 0.0f;
    }
    memcpy(y, x, sizeof x);
    bin_rows_ref(x, N, F, cs, cuts, miss, want);
    bin_rows(x, N, F, cs, cuts, miss, fast);
    CU_ASSERT_EQUAL(memcmp(fast, want, sizeof want), 0);
    for (int64_t n = 0; n <= 40; n += 5) { /* short inputs: all tail, one block, block + tail */
        memset(fast, 0xAA, sizeof fast);
        bin_rows(x, n, F, cs, cuts, miss, fast);
        CU_ASSERT_EQUAL(memcmp(fast, want, (size_t)(n * F)), 0);
        CU_ASSERT_EQUAL(fast[n * F], 0xAA); /* nothing written past the rows */
    }
    bin_rows_col(x, N, F, cs, cuts, miss, col);
    uint8_t *got = bin_rows_inplace(y, N, F, cs, cuts, miss);
    CU_ASSERT_PTR_EQUAL(got, (uint8_t *)y);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof want), 0);
    for (int i = 0; i < N; ++i)
        for (int f = 0; f < F; ++f)
            if (col[f * N + i] != want[i * F + f]) CU_FAIL("bin_rows_col differs from bin_rows");
}

static const sb_test tests[] = {
    {"cuts of a sample vs ref (distinct/radix paths, -0/+0, NaN), bin_of", test_sort_and_cuts},
    {"in-place binning vs bin_rows and bin_rows_col", test_bin_rows_inplace},
};

SB_TEST_MAIN(NULL, SB_SUITE("binning", tests))
