/* test_split_cat.c - native categorical split search (kernels/split_cat.h)
 * against its _ref twin, one-vs-rest and partition cases by hand, ties, and
 * the categorical row partition. Inputs from a fixed-seed generator. */
#include <math.h>
#include <string.h>

#include "cunit_main.h"
#include "helpers.h"
#include "kernels/split_cat.h"

static split_info none(void)
{
    split_info s;
    memset(&s, 0, sizeof s);
    s.gain = -INFINITY;
    s.feat = s.bin = -1;
    return s;
}

static void expect_same(const split_info *a, const split_info *b)
{
    CU_ASSERT_EQUAL(a->feat, b->feat);
    CU_ASSERT_EQUAL(a->is_cat, b->is_cat);
    CU_ASSERT_EQUAL(a->default_left, b->default_left);
    CU_ASSERT_EQUAL(a->gl, b->gl);
    CU_ASSERT_EQUAL(a->hl, b->hl);
    CU_ASSERT_TRUE(a->gain == b->gain || (a->feat < 0 && b->feat < 0));
    CU_ASSERT_EQUAL(memcmp(a->cats, b->cats, sizeof a->cats), 0);
}

/* Random histograms of 1..255 levels (some empty, some tied), with and
 * without a missing bin, several configurations: kernel == twin. */
static void test_cat_matches_ref(void)
{
    static int64_t h[2 * 256];
    const split_cat_cfg ccs[3] = {{4, 32, 10.0, 10.0, 100.0}, {1, 8, 0.0, 0.0, 0.0}, {16, 255, 2.0, 1.0, 5.0}};
    const split_cfg c = {1.0, 0.0, 1.0, 0.0, 1e-6, 1.0 / 16};
    split_cat_scratch w;
    int found = 0;
    for (int trial = 0; trial < 600; ++trial) {
        const int32_t n = 1 + (int32_t)(sb_test_rnd() % (trial % 3 == 0 ? 12 : 255));
        const int32_t miss = (int32_t)(trial & 1);
        int64_t G = 0, H = 0;
        for (int32_t k = 0; k < n + miss; ++k) {
            const int empty = sb_test_rnd() % 7 == 0;
            const int tied = sb_test_rnd() % 5 == 0;
            h[2 * k] = empty ? 0 : tied ? 160 : (int64_t)(sb_test_rnd() % 40001) - 20000;
            h[2 * k + 1] = empty ? 0 : tied ? 1600 : (int64_t)(sb_test_rnd() % 30000) + 1;
            G += h[2 * k], H += h[2 * k + 1];
        }
        for (int i = 0; i < 3; ++i) {
            split_info a = none(), b = none();
            split_cat_find(&c, &ccs[i], h, n, miss, G, H, 3, &w, &a);
            split_cat_find_ref(&c, &ccs[i], h, n, miss, G, H, 3, &w, &b);
            expect_same(&a, &b);
            found += a.feat >= 0;
        }
    }
    CU_ASSERT_TRUE(found > 500);
}

/* Three levels, one-vs-rest: level 1 (g -30) against levels 0 and 2. */
static void test_one_vs_rest_by_hand(void)
{
    const split_cfg c = {1.0, 0.0, 0.0, 0.0, 1e-6, 1.0};
    const split_cat_cfg cc = {4, 32, 10.0, 10.0, 100.0};
    int64_t h[6] = {10, 5, -30, 5, 12, 5};
    split_cat_scratch w;
    split_info s = none();
    split_cat_find(&c, &cc, h, 3, 0, -8, 15, 0, &w, &s);
    CU_ASSERT_EQUAL(s.feat, 0);
    CU_ASSERT_EQUAL(s.is_cat, 1);
    CU_ASSERT_EQUAL(s.cats[0], 2u); /* {1} goes left */
    CU_ASSERT_DOUBLE_EQUAL(s.gain, 900.0 / 6 + 484.0 / 11 - 64.0 / 16, 1e-9);
    CU_ASSERT_EQUAL(s.gl, -30);
}

/* Eight levels with two clear groups: the partition puts the negative ones
 * together whatever their codes, and a missing bin follows the better side. */
static void test_partition_by_hand(void)
{
    const split_cfg c = {1.0, 0.0, 0.0, 0.0, 1e-6, 1.0};
    const split_cat_cfg cc = {4, 32, 1.0, 0.0, 1.0};
    int64_t h[18], G = 0, H = 0;
    for (int k = 0; k < 8; ++k) {
        h[2 * k] = (k == 1 || k == 4 || k == 6) ? -50 : 40;
        h[2 * k + 1] = 10;
    }
    h[16] = -100, h[17] = 10; /* missing rows look like the negative levels */
    for (int k = 0; k < 9; ++k) G += h[2 * k], H += h[2 * k + 1];
    split_cat_scratch w;
    split_info s = none(), r = none();
    split_cat_find(&c, &cc, h, 8, 1, G, H, 2, &w, &s);
    split_cat_find_ref(&c, &cc, h, 8, 1, G, H, 2, &w, &r);
    expect_same(&s, &r);
    CU_ASSERT_EQUAL(s.cats[0], (1u << 1) | (1u << 4) | (1u << 6));
    CU_ASSERT_EQUAL(s.default_left, 1);
    CU_ASSERT_EQUAL(s.gl, -250);
}

/* Tied levels: the lower code wins, and the result does not depend on the
 * order the search meets them (same histogram, same answer, twice). */
static void test_ties_by_code(void)
{
    const split_cfg c = {1.0, 0.0, 0.0, 0.0, 1e-6, 1.0};
    const split_cat_cfg cc = {4, 32, 10.0, 10.0, 100.0};
    int64_t h[4] = {-20, 5, 20, 5};
    split_cat_scratch w;
    split_info s = none(), t = none();
    split_cat_find(&c, &cc, h, 2, 0, 0, 10, 0, &w, &s);
    split_cat_find(&c, &cc, h, 2, 0, 0, 10, 0, &w, &t);
    CU_ASSERT_EQUAL(s.cats[0], 1u); /* {0} and {1} are the same split: the lower code */
    CU_ASSERT_EQUAL(memcmp(&s, &t, sizeof s), 0);
}

/* The categorical partition: stable, set levels left, missing by default_left. */
static void test_cat_partition(void)
{
    uint8_t col[10] = {0, 3, 2, 9, 3, 1, 9, 0, 2, 3}; /* 9: the missing bin */
    int32_t rows[10], scratch[10];
    for (int i = 0; i < 10; ++i) rows[i] = i;
    const uint64_t set[SPLIT_CAT_WORDS] = {(1u << 3) | (1u << 1), 0, 0, 0};
    const int64_t nl = split_cat_partition(rows, 10, col, set, 9, 1, scratch);
    const int32_t want[10] = {1, 3, 4, 5, 6, 9, 0, 2, 7, 8};
    CU_ASSERT_EQUAL(nl, 6);
    CU_ASSERT_EQUAL(memcmp(rows, want, sizeof want), 0);
    CU_ASSERT_EQUAL(split_cat_value_left(3.0f, set, 0), 1);
    CU_ASSERT_EQUAL(split_cat_value_left(2.0f, set, 1), 0);
    CU_ASSERT_EQUAL(split_cat_value_left(NAN, set, 1), 1);
    CU_ASSERT_EQUAL(split_cat_value_left(-1.0f, set, 1), 1);   /* not a code: as missing */
    CU_ASSERT_EQUAL(split_cat_value_left(3.5f, set, 0), 0);    /* not a code: as missing */
    CU_ASSERT_EQUAL(split_cat_value_left(1000.0f, set, 1), 1); /* beyond any set: as missing */
}

static const sb_test tests[] = {
    {"split_cat_find vs ref (random histograms)", test_cat_matches_ref},
    {"one-vs-rest by hand", test_one_vs_rest_by_hand},
    {"partition by hand (sorted scan, missing side)", test_partition_by_hand},
    {"ties go to the lower level code", test_ties_by_code},
    {"categorical row partition and value rule", test_cat_partition},
};

SB_TEST_MAIN(NULL, SB_SUITE("split_cat", tests))
