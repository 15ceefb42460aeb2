/* test_fold.c - fold assignment: kernel = _ref twin, independent of how the
 * rows are split into shards, balanced, seed-dependent; the train mask. */
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "kernels/fold.h"

#define N 100000

static void test_kernel_equals_ref(void)
{
    static uint8_t a[N], b[N];
    for (int32_t k = 2; k <= SB_FOLD_MAX; k += 37) {
        fold_assign(42, 12345, N, k, a);
        fold_assign_ref(42, 12345, N, k, b);
        CU_ASSERT_EQUAL(memcmp(a, b, N), 0);
        for (int64_t i = 0; i < N; ++i)
            if (a[i] >= k) { CU_FAIL("fold out of range"); break; }
    }
}

/* Folds of rows [0, N) computed as 1, 2, 3 or 7 uneven shards (one empty) are the same bytes. */
static void test_independent_of_shards(void)
{
    static uint8_t whole[N], parts[N];
    fold_assign(7, 0, N, 5, whole);
    const int64_t cuts[][8] = {{0, N}, {0, 50000, N}, {0, 1, 33333, N}, {0, 0, 10, 999, 50000, 50001, 99999, N}};
    const int n_cuts[] = {2, 3, 4, 8};
    for (int c = 0; c < 4; ++c) {
        memset(parts, 0xff, sizeof parts);
        for (int s = 0; s + 1 < n_cuts[c]; ++s)
            fold_assign(7, cuts[c][s], cuts[c][s + 1] - cuts[c][s], 5, parts + cuts[c][s]);
        CU_ASSERT_EQUAL(memcmp(whole, parts, N), 0);
    }
}

static void test_balanced_and_seeded(void)
{
    static uint8_t a[N], b[N];
    int64_t count[5] = {0};
    fold_assign(1, 0, N, 5, a);
    fold_count(a, N, 5, count);
    for (int f = 0; f < 5; ++f) CU_ASSERT(count[f] > N / 5 - 600 && count[f] < N / 5 + 600); /* ~4.7 sigma */
    fold_assign(2, 0, N, 5, b);
    int64_t same = 0;
    for (int64_t i = 0; i < N; ++i) same += a[i] == b[i];
    CU_ASSERT(same > N / 5 - 600 && same < N / 5 + 600); /* another seed: unrelated folds */
    /* consecutive rows are not striped: runs of equal folds are geometric, not periodic */
    int64_t eq_next = 0;
    for (int64_t i = 1; i < N; ++i) eq_next += a[i] == a[i - 1];
    CU_ASSERT(eq_next > N / 5 - 600 && eq_next < N / 5 + 600);
    CU_ASSERT_EQUAL(fold_of(1, 777, 5), a[777]);
}

static void test_train_mask(void)
{
    uint8_t fold[6] = {0, 1, 2, 1, 0, 2}, mask[6];
    fold_train_mask(fold, 6, 1, mask);
    const uint8_t want[6] = {1, 0, 1, 0, 1, 1};
    CU_ASSERT_EQUAL(memcmp(mask, want, 6), 0);
}

static const sb_test tests[] = {
    {"fold_assign = fold_assign_ref, folds in range", test_kernel_equals_ref},
    {"folds do not depend on shard boundaries", test_independent_of_shards},
    {"balanced folds, seed changes them, no striping", test_balanced_and_seeded},
    {"train mask holds out one fold", test_train_mask},
};

SB_TEST_MAIN(NULL, SB_SUITE("fold", tests))
