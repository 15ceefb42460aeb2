/* test_bin_layout.c - the binned-data layout kernels against their plain
 * twins on random inputs: packing sampled rows' features into columns, the
 * blocked transpose (sizes around the block), the sparse-row encoder with
 * single features and bundles. */
#include <stdint.h>
#include <string.h>

#include "cunit_main.h"
#include "base/hash.h"
#include "kernels/bin_layout.h"

static uint64_t state = 11;
static uint64_t rnd(void) { return sb_splitmix64(&state); }

static void test_pack_columns_matches_ref(void)
{
    enum { NR = 3000, NF = 13, NS = 700 };
    static float x[NR * NF], a[NS * NF], b[NS * NF];
    static int32_t rows[NS];
    for (int64_t i = 0; i < NR * NF; ++i) x[i] = (float)(rnd() % 100000) * 0.01f;
    for (int64_t k = 0; k < NS; ++k) rows[k] = (int32_t)(rnd() % NR);
    const int32_t blocks[][2] = {{0, NF}, {0, 4}, {4, 8}, {12, 13}, {5, 5}};
    for (size_t q = 0; q < sizeof blocks / sizeof blocks[0]; ++q)
        for (int64_t n = 0; n <= NS; n += NS / 7 + 1) {
            memset(a, 0, sizeof a);
            memset(b, 0, sizeof b);
            layout_pack_columns(x, NF, rows, n, blocks[q][0], blocks[q][1], a);
            layout_pack_columns_ref(x, NF, rows, n, blocks[q][0], blocks[q][1], b);
            CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
        }
}

static void test_transpose_matches_ref(void)
{
    enum { MAXN = 2 * LAYOUT_TRANSPOSE_ROWS + 5, NF = 7 };
    static uint8_t rows[MAXN * NF], a[MAXN * NF], b[MAXN * NF];
    for (int64_t i = 0; i < MAXN * NF; ++i) rows[i] = (uint8_t)rnd();
    const int64_t sizes[] = {0, 1, LAYOUT_TRANSPOSE_ROWS - 1, LAYOUT_TRANSPOSE_ROWS, LAYOUT_TRANSPOSE_ROWS + 1, MAXN};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; ++s) {
        for (int32_t nf = 1; nf <= NF; nf += 3) {
            memset(a, 0, sizeof a);
            memset(b, 0, sizeof b);
            layout_transpose(rows, sizes[s], nf, a);
            layout_transpose_ref(rows, sizes[s], nf, b);
            CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
        }
    }
}

/* Five single features then two bundles of small features, each with a
 * skipped cell; bins within each feature's cells. */
static void test_encode_sparse_matches_ref(void)
{
    enum { N = 2500, NF = 10 };
    static const int32_t n_cells[NF] = {5, 9, 3, 200, 4, 2, 3, 4, 2, 2};
    int32_t off[NF], at = 0;
    for (int32_t f = 0; f < NF; ++f) {
        off[f] = at;
        at += n_cells[f];
    }
    /* singles 0..4, bundle {5, 6, 7} and bundle {8, 9} */
    static const int32_t member_feat[NF] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int32_t member_start[8] = {0, 1, 2, 3, 4, 5, 8, 10};
    const int32_t member_stride[NF] = {1, 1, 1, 1, 1, 1, 2, 6, 1, 2};
    int32_t base[7], skip[7];
    for (int32_t v = 0; v < 5; ++v) {
        base[v] = off[v];
        skip[v] = v == 2 ? -1 : off[v] + (int32_t)(rnd() % (uint64_t)n_cells[v]); /* -1: never skipped */
    }
    base[5] = at;
    skip[5] = at + 0 + 1 * 2 + 0 * 6; /* members' skipped bins 0, 1, 0 */
    base[6] = at + 2 * 3 * 4;
    skip[6] = base[6];
    const layout_row_feats rf = {7, 5, member_start, member_feat, member_stride, base, skip};
    static uint8_t bins[N * NF];
    for (int64_t i = 0; i < N; ++i)
        for (int32_t f = 0; f < NF; ++f) /* mostly the skipped bin, so rows vary in length */
            bins[i * NF + f] = (uint8_t)(rnd() % 3 ? 0 : rnd() % (uint64_t)n_cells[f]);
    static int64_t sa[N + 1], sb[N + 1];
    static uint16_t ca[N * NF + 1], cb[N * NF + 1];
    const int64_t ka = layout_encode_sparse(bins, N, NF, &rf, sa, ca);
    const int64_t kb = layout_encode_sparse_ref(bins, N, NF, &rf, sb, cb);
    CU_ASSERT_EQUAL(ka, kb);
    CU_ASSERT_EQUAL(memcmp(sa, sb, sizeof sa), 0);
    CU_ASSERT_EQUAL(memcmp(ca, cb, (size_t)kb * sizeof *ca), 0);
    CU_ASSERT(kb > N && kb < (int64_t)N * 7); /* some cells left out, some kept */
}

static const sb_test tests[] = {
    {"layout_pack_columns = ref (blocks, sizes)", test_pack_columns_matches_ref},
    {"layout_transpose = ref (sizes around the block)", test_transpose_matches_ref},
    {"layout_encode_sparse = ref (singles, bundles, never-skipped)", test_encode_sparse_matches_ref},
};

SB_TEST_MAIN(NULL, SB_SUITE("bin_layout", tests))
