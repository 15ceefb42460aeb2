/* test_split.c - split search (kernels/split.h) against its _ref twin and a gain by hand.
 * Inputs come from a fixed-seed generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "helpers.h"
#include "kernels/split.h"

/* Random histograms with a missing bin: split_find agrees with the re-summing twin
 * for several lambda/alpha/min_child_weight/max_delta_step settings. */
static void test_split_matches_ref(void)
{
    const int32_t nv[3] = {6, 1, 40};
    const uint8_t miss[3] = {1, 0, 1};
    int32_t off[3] = {0, 7, 8};
    static int64_t hist[2 * 49];
    const split_cfg cfgs[4] = {{1.0, 0.0, 1.0, 0.0, 1e-6, 1.0 / 1024},
                               {0.0, 0.5, 0.0, 0.0, 1e-6, 1.0 / 1024},
                               {5.0, 2.0, 30.0, 0.0, 1e-6, 1.0 / 1024},
                               {1.0, 0.0, 1.0, 0.3, 1e-6, 1.0 / 1024}};
    split_layout L = {3, off, nv, miss};
    for (int trial = 0; trial < 200; ++trial) {
        int64_t G = 0, H = 0;
        for (int i = 0; i < 49; ++i) {
            hist[2 * i] = (int64_t)(sb_test_rnd() % 200001) - 100000;
            hist[2 * i + 1] = (int64_t)(sb_test_rnd() % 50000) + (trial % 5 == 0 && i % 3 == 0 ? -50000 + 50000 : 0);
        }
        for (int i = 0; i < 7; ++i) G += hist[2 * i], H += hist[2 * i + 1];
        /* feature totals must agree: rescale features 1 and 2 to the same totals */
        hist[14] = G, hist[15] = H;
        int64_t g2 = 0, h2 = 0;
        for (int i = 8; i < 48; ++i) g2 += hist[2 * i], h2 += hist[2 * i + 1];
        hist[96] = G - g2, hist[97] = H - h2;
        if (hist[97] < 0) continue;
        for (int c = 0; c < 4; ++c) {
            split_info a, b;
            split_find(&cfgs[c], &L, NULL, hist, G, H, &a);
            split_find_ref(&cfgs[c], &L, NULL, hist, G, H, &b);
            CU_ASSERT_EQUAL(a.feat, b.feat);
            CU_ASSERT_EQUAL(a.bin, b.bin);
            CU_ASSERT_EQUAL(a.default_left, b.default_left);
            CU_ASSERT_TRUE(a.gain == b.gain || (a.feat < 0 && b.feat < 0));
            CU_ASSERT_EQUAL(a.gl, b.gl);
        }
    }
}

/* Gain by hand: G_L=-4, H_L=2, G_R=6, H_R=3, lambda 1: 16/3 + 36/4 - 4/6. */
static void test_split_gain_by_hand(void)
{
    split_cfg c = {1.0, 0.0, 0.0, 0.0, 1e-6, 1.0};
    int32_t off[1] = {0}, nv[1] = {2};
    uint8_t miss[1] = {0};
    split_layout L = {1, off, nv, miss};
    int64_t hist[4] = {-4, 2, 6, 3};
    split_info s;
    split_find(&c, &L, NULL, hist, 2, 5, &s);
    CU_ASSERT_EQUAL(s.feat, 0);
    CU_ASSERT_EQUAL(s.bin, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.gain, 16.0 / 3 + 36.0 / 4 - 4.0 / 6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(split_leaf_weight(&c, -4, 2), 4.0 / 3, 1e-15);
    /* alpha soft-thresholds G; max_delta_step clips the weight */
    split_cfg a = {1.0, 1.0, 0.0, 0.0, 1e-6, 1.0};
    CU_ASSERT_DOUBLE_EQUAL(split_leaf_weight(&a, -4, 2), 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(split_node_gain(&a, -4, 2), 9.0 / 3, 1e-15);
    split_cfg m = {1.0, 0.0, 0.0, 0.5, 1e-6, 1.0};
    CU_ASSERT_DOUBLE_EQUAL(split_leaf_weight(&m, -4, 2), 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(split_node_gain(&m, -4, 2), -(2.0 * -4 * 0.5 + 3 * 0.25), 1e-15);
    /* min_child_weight 2.5 forbids the left child (H_L = 2) */
    split_cfg w = {1.0, 0.0, 2.5, 0.0, 1e-6, 1.0};
    split_find(&w, &L, NULL, hist, 2, 5, &s);
    CU_ASSERT_EQUAL(s.feat, -1);
}

static const sb_test tests[] = {
    {"split_find vs ref (lambda/alpha/mcw/mds)", test_split_matches_ref},
    {"split gain and leaf weight by hand", test_split_gain_by_hand},
};

SB_TEST_MAIN(NULL, SB_SUITE("split", tests))
