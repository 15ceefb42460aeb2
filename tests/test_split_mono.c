/* test_split_mono.c - the monotone-constrained split search (kernels/split_mono.h)
 * against its _ref twin, the order rule and the bounds by hand. Inputs from a
 * fixed-seed generator. */
#include <math.h>
#include <string.h>

#include "cunit_main.h"
#include "helpers.h"
#include "kernels/split_mono.h"

/* n cells of random (g, h) summing to (G, H), every h > 0 (H >= n). */
static void spread(int64_t *h, int n, int64_t G, int64_t H)
{
    int64_t gs = 0, hs = 0;
    for (int i = 0; i + 1 < n; ++i) {
        h[2 * i] = (int64_t)(sb_test_rnd() % 200001) - 100000;
        h[2 * i + 1] = 1 + (int64_t)(sb_test_rnd() % (uint64_t)((H - hs) / (n - i)));
        gs += h[2 * i], hs += h[2 * i + 1];
    }
    h[2 * (n - 1)] = G - gs;
    h[2 * (n - 1) + 1] = H - hs;
}

/* Random histograms (three features, one with no missing bin), random
 * constraints and bounds: split_find_mono agrees with the re-summing twin. */
static void test_mono_matches_ref(void)
{
    const int32_t nv[3] = {6, 3, 40};
    const uint8_t miss[3] = {1, 0, 1};
    const int32_t off[3] = {0, 7, 10};
    static int64_t hist[2 * 51];
    const split_cfg cfgs[3] = {{1.0, 0.0, 1.0, 0.0, 1e-6, 1.0 / 1024},
                               {0.0, 0.5, 0.0, 0.0, 1e-6, 1.0 / 1024},
                               {1.0, 0.0, 1.0, 0.3, 1e-6, 1.0 / 1024}};
    const split_layout L = {3, off, nv, miss};
    int agree = 0;
    for (int trial = 0; trial < 300; ++trial) {
        int64_t G = 0, H = 0;
        for (int i = 0; i < 7; ++i) {
            hist[2 * i] = (int64_t)(sb_test_rnd() % 200001) - 100000;
            hist[2 * i + 1] = (int64_t)(sb_test_rnd() % 50000) + 1;
            G += hist[2 * i], H += hist[2 * i + 1];
        }
        spread(hist + 14, 3, G, H);  /* feature 1: cells 7..9 */
        spread(hist + 20, 41, G, H); /* feature 2: cells 10..50 */
        const int8_t mono[3] = {(int8_t)(trial % 3 - 1), (int8_t)((trial / 3) % 3 - 1), (int8_t)((trial / 9) % 3 - 1)};
        const double w = (double)(int64_t)(sb_test_rnd() % 2001 - 1000) / 500.0;
        const split_bounds b = trial % 4 == 0 ? (split_bounds){-INFINITY, INFINITY}
                                              : (split_bounds){w - 0.5 * (trial % 3), w + 0.1};
        for (int c = 0; c < 3; ++c) {
            split_info a, r;
            const uint8_t mask[3] = {1, (uint8_t)(trial % 5 != 0), 1};
            split_find_mono(&cfgs[c], &L, mask, mono, &b, hist, G, H, &a);
            split_find_mono_ref(&cfgs[c], &L, mask, mono, &b, hist, G, H, &r);
            CU_ASSERT_EQUAL(a.feat, r.feat);
            CU_ASSERT_EQUAL(a.bin, r.bin);
            CU_ASSERT_EQUAL(a.default_left, r.default_left);
            CU_ASSERT_EQUAL(a.gl, r.gl);
            CU_ASSERT_TRUE(a.gain == r.gain || (a.feat < 0 && r.feat < 0));
            agree += a.feat >= 0;
        }
    }
    CU_ASSERT_TRUE(agree > 100); /* most cases found a split: the comparison was not vacuous */
}

/* One feature, two value bins: left (G=-4, H=2) weight 4/3, right (G=6, H=3)
 * weight -6/4 with lambda 1. The left weight is larger: +1 rejects, -1 and 0
 * accept; 0 with no bounds gives split.h's gain. */
static void test_mono_by_hand(void)
{
    const split_cfg c = {1.0, 0.0, 0.0, 0.0, 1e-6, 1.0};
    const int32_t off[1] = {0}, nv[1] = {2};
    const uint8_t miss[1] = {0};
    const split_layout L = {1, off, nv, miss};
    const int64_t hist[4] = {-4, 2, 6, 3};
    const split_bounds free_b = {-INFINITY, INFINITY};
    split_info s, plain;
    const int8_t up = 1, down = -1, none = 0;
    split_find_mono(&c, &L, NULL, &up, &free_b, hist, 2, 5, &s);
    CU_ASSERT_EQUAL(s.feat, -1);
    split_find_mono(&c, &L, NULL, &down, &free_b, hist, 2, 5, &s);
    CU_ASSERT_EQUAL(s.feat, 0);
    split_find(&c, &L, NULL, hist, 2, 5, &plain);
    split_find_mono(&c, &L, NULL, &none, &free_b, hist, 2, 5, &s);
    CU_ASSERT_DOUBLE_EQUAL(s.gain, plain.gain, 1e-12);
    /* bounds clip both weights (and the parent's): [-0.5, 0.5] */
    const split_bounds b = {-0.5, 0.5};
    CU_ASSERT_DOUBLE_EQUAL(split_mono_weight(&c, &b, -4, 2), 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(split_mono_weight(&c, &b, 6, 3), -0.5, 0);
    split_find_mono(&c, &L, NULL, &down, &b, hist, 2, 5, &s);
    const double want = split_mono_gain(&c, -4, 2, 0.5) + split_mono_gain(&c, 6, 3, -0.5) -
                        split_mono_gain(&c, 2, 5, split_mono_weight(&c, &b, 2, 5));
    CU_ASSERT_DOUBLE_EQUAL(s.gain, want, 1e-12);
    /* children's bounds: -1 puts mid = (0.5 + -0.5) / 2 = 0 as the left's lower and the right's upper */
    split_bounds l, r;
    split_mono_children(&c, &b, -1, -4, 2, 6, 3, &l, &r);
    CU_ASSERT_EQUAL(l.lower, 0.0);
    CU_ASSERT_EQUAL(l.upper, 0.5);
    CU_ASSERT_EQUAL(r.lower, -0.5);
    CU_ASSERT_EQUAL(r.upper, 0.0);
    split_mono_children(&c, &free_b, 1, 6, 3, -4, 2, &l, &r); /* +1: mid = (-1.5 + 4/3) / 2 */
    CU_ASSERT_DOUBLE_EQUAL(l.upper, (-1.5 + 4.0 / 3) / 2, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r.lower, (-1.5 + 4.0 / 3) / 2, 1e-15);
    CU_ASSERT_EQUAL(l.lower, -INFINITY);
    split_mono_children(&c, &b, 0, -4, 2, 6, 3, &l, &r); /* unconstrained: the parent's */
    CU_ASSERT_TRUE(!memcmp(&l, &b, sizeof b) && !memcmp(&r, &b, sizeof b));
}

static const sb_test tests[] = {
    {"split_find_mono vs ref (constraints, bounds, masks)", test_mono_matches_ref},
    {"order rule, clipped weights, children's bounds by hand", test_mono_by_hand},
};

SB_TEST_MAIN(NULL, SB_SUITE("split_mono", tests))
