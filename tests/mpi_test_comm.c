/* mpi_test_comm.c - the collectives in-process, under mpirun (run_tests.sh runs it at np 3;
 * it also passes at np 1 and 2): uneven shards and a rank with no rows, for the prefix sums,
 * gathers, histogram reductions and split agreement, and run_agree_rc giving every rank the
 * failing rank's code and message. Every rank makes the same collective calls whatever its
 * assertions say (no CU_ASSERT_*_FATAL), so a failure cannot leave a rank waiting. */
#include <limits.h> /* for INT64_MAX */
#include <math.h>   /* for INFINITY */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "helpers.h"
#include "base/error.h"
#include "mpi/comm.h"
#include "mpi/comm_hist.h"
#include "mpi/run.h"

static run_ctx *run;

/* Rows of rank r in a sharding where rank 1 holds none and the others differ: 5, 0, 11, 17, ... */
static int64_t shard_rows(int r) { return r == 1 ? 0 : 5 + 6 * (int64_t)r; }

static void test_exscan_uneven_and_empty(void)
{
    int rank = run_rank(run), size = run_size(run);
    int64_t want_before = 0, want_total = 0;
    for (int q = 0; q < size; ++q) {
        if (q < rank) want_before += shard_rows(q);
        want_total += shard_rows(q);
    }
    int64_t before = -1, total = -1;
    CU_ASSERT_EQUAL(comm_exscan_i64(run, shard_rows(rank), &before, &total), SB_OK);
    CU_ASSERT_EQUAL(before, want_before);
    CU_ASSERT_EQUAL(total, want_total);
}

static void test_sum_max_arrays(void)
{
    int rank = run_rank(run), size = run_size(run);
    int64_t s[3] = {shard_rows(rank), rank, INT64_MAX / 8}, m[2] = {-rank, rank == size - 1 ? 42 : rank};
    double d[2] = {rank == 0 ? -INFINITY : (double)rank / 4, -1.5};
    CU_ASSERT_EQUAL(comm_sum_i64(run, s, 3), SB_OK);
    CU_ASSERT_EQUAL(comm_max_i64(run, m, 2), SB_OK);
    CU_ASSERT_EQUAL(comm_max_f64(run, d, 2), SB_OK);
    int64_t rows = 0;
    for (int q = 0; q < size; ++q) rows += shard_rows(q);
    CU_ASSERT_EQUAL(s[0], rows);
    CU_ASSERT_EQUAL(s[1], (int64_t)size * (size - 1) / 2);
    CU_ASSERT_EQUAL(s[2], (int64_t)size * (INT64_MAX / 8));
    CU_ASSERT_EQUAL(m[0], 0);
    CU_ASSERT_EQUAL(m[1], size - 2 > 42 ? size - 2 : 42);
    CU_ASSERT_EQUAL(d[0], size == 1 ? -INFINITY : (double)(size - 1) / 4);
    CU_ASSERT_EQUAL(d[1], -1.5);
}

/* Every rank gathers every rank's bytes, in rank order; rank 1 contributes none. */
static void test_allgatherv_uneven_and_empty(void)
{
    int rank = run_rank(run), size = run_size(run);
    char mine[64];
    int64_t n = shard_rows(rank);
    for (int64_t i = 0; i < n; ++i) mine[i] = (char)('a' + rank);
    void *all = NULL;
    int64_t total = -1, *counts = calloc((size_t)size, sizeof *counts);
    CU_ASSERT_EQUAL(comm_allgatherv_bytes(run, mine, n, &all, &total, counts), SB_OK);
    int64_t at = 0, bad = 0;
    for (int q = 0; q < size; ++q) {
        bad += counts[q] != shard_rows(q);
        for (int64_t i = 0; i < shard_rows(q) && at + i < total; ++i) bad += ((char *)all)[at + i] != (char)('a' + q);
        at += shard_rows(q);
    }
    CU_ASSERT_EQUAL(total, at);
    CU_ASSERT_EQUAL(bad, 0);
    free(all);
    free(counts);
}

/* Rank r's local histogram cell c is r * 1000 + c (rank 1's shard is empty: all zeros). */
static int64_t local_cell(int r, int64_t c) { return r == 1 ? 0 : (int64_t)r * 1000 + c; }

static int64_t global_cell(int size, int64_t c)
{
    int64_t v = 0;
    for (int q = 0; q < size; ++q) v += local_cell(q, c);
    return v;
}

static void test_hist_allreduce(void)
{
    enum { N = 37 };
    int rank = run_rank(run), size = run_size(run);
    int64_t h[N], bad = 0;
    for (int64_t c = 0; c < N; ++c) h[c] = local_cell(rank, c);
    CU_ASSERT_EQUAL(comm_hist_allreduce(run, h, N), SB_OK);
    for (int64_t c = 0; c < N; ++c) bad += h[c] != global_cell(size, c);
    CU_ASSERT_EQUAL(bad, 0);
}

/* Blocks of unequal width, rank 0's empty: each rank gets the global sums of its own block of
 * every histogram and keeps its local values elsewhere. */
static void test_hist_reduce_scatter_uneven_blocks(void)
{
    enum { NH = 3, HL = 20 };
    int rank = run_rank(run), size = run_size(run);
    int64_t *block = calloc((size_t)size + 1, sizeof *block), hist[NH * HL], pack[2 * NH * HL];
    int *counts = calloc((size_t)size, sizeof *counts);
    for (int q = 1; q <= size; ++q) block[q] = q == size ? HL : (q == 1 ? 0 : block[q - 1] + q + 1);
    for (int64_t j = 0; j < NH; ++j)
        for (int64_t c = 0; c < HL; ++c) hist[j * HL + c] = local_cell(rank, j * HL + c);
    CU_ASSERT_EQUAL(comm_hist_reduce_scatter(run, hist, NH, HL, block, pack, counts), SB_OK);
    int64_t bad = 0;
    for (int64_t j = 0; j < NH; ++j)
        for (int64_t c = 0; c < HL; ++c) {
            int own = c >= block[rank] && c < block[rank + 1];
            int64_t want = own ? global_cell(size, j * HL + c) : local_cell(rank, j * HL + c);
            bad += hist[j * HL + c] != want;
        }
    CU_ASSERT_EQUAL(bad, 0);
    free(block);
    free(counts);
}

/* Each rank proposes for 4 nodes; node 0: the last rank's split is best; node 1: no rank has
 * one; node 2: equal gains, the total order of split_better decides the same way everywhere;
 * node 3: only rank 0 (which may be the only rank) proposes. */
static void test_split_agree(void)
{
    int rank = run_rank(run), size = run_size(run);
    split_info cand[4], *scratch = calloc((size_t)4 * (size_t)size, sizeof *scratch);
    for (int i = 0; i < 4; ++i) cand[i] = (split_info){-INFINITY, -1, 0, 0, 0, 0, 0, {0}};
    cand[0] = (split_info){1.0 + rank, rank, rank, 0, rank, 1, 0, {0}};
    cand[2] = (split_info){5.0, 10 + rank, 3, 1, 7, 9, 0, {0}};
    if (rank == 0) cand[3] = (split_info){0.5, 2, 1, 0, 1, 1, 0, {0}};
    CU_ASSERT_EQUAL(comm_split_agree(run, cand, 4, scratch), SB_OK);
    CU_ASSERT_EQUAL(cand[0].feat, size - 1);
    CU_ASSERT_EQUAL(cand[0].gain, (double)size);
    CU_ASSERT_EQUAL(cand[1].feat, -1);
    CU_ASSERT_EQUAL(cand[3].feat, 2);
    /* node 2: the winner must be the same on every rank */
    int64_t f[2] = {cand[2].feat, -cand[2].feat};
    CU_ASSERT_EQUAL(comm_max_i64(run, f, 2), SB_OK);
    CU_ASSERT_EQUAL(f[0], -f[1]);
    free(scratch);
}

/* The last rank fails: every rank returns its code and holds its message. */
static void test_agree_one_rank_fails(void)
{
    int rank = run_rank(run), size = run_size(run);
    err_clear(run);
    int rc = rank == size - 1 ? SB_FAIL(run, SB_EDATA, "shard.csv:%d: bad value on rank %d", 40 + rank, rank) : SB_OK;
    CU_ASSERT_EQUAL(run_agree_rc(run, rc), SB_EDATA);
    char want[64];
    snprintf(want, sizeof want, "shard.csv:%d: bad value on rank %d", 40 + size - 1, size - 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), want));
    CU_ASSERT_EQUAL(err_code(run), SB_EDATA);
    CU_ASSERT_TRUE(run_error_agreed(run));
    err_clear(run);
}

/* Several ranks fail with different codes: all get the lowest failing rank's. */
static void test_agree_lowest_failing_rank_wins(void)
{
    int rank = run_rank(run), size = run_size(run);
    err_clear(run);
    int first = size > 1 ? 1 : 0, rc = SB_OK;
    if (rank >= first) rc = SB_FAIL(run, rank == first ? SB_EIO : SB_EINVAL, "failure %d on rank %d", rank, rank);
    CU_ASSERT_EQUAL(run_agree_rc(run, rc), SB_EIO);
    char want[48];
    snprintf(want, sizeof want, "failure %d on rank %d", first, first);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), want));
    err_clear(run);
    CU_ASSERT_EQUAL(run_agree_rc(run, SB_OK), SB_OK); /* and the next phase agrees on success */
    CU_ASSERT_EQUAL(err_code(run), SB_OK);
}

static void test_agree_max_and_bcast(void)
{
    int rank = run_rank(run), size = run_size(run);
    int flag = rank == size - 1 ? 3 : rank == 0 ? 1 : 0;
    CU_ASSERT_EQUAL(comm_agree_max(run, &flag), SB_OK);
    CU_ASSERT_EQUAL(flag, 3);
    char msg[32] = "";
    if (rank == size - 1) snprintf(msg, sizeof msg, "from %d", rank);
    CU_ASSERT_EQUAL(comm_bcast(run, msg, sizeof msg, size - 1), SB_OK);
    char want[32];
    snprintf(want, sizeof want, "from %d", size - 1);
    CU_ASSERT_STRING_EQUAL(msg, want);
}

/* A child context over the even ranks and one over the odd ones (empty at np 1): sums stay
 * within the group; an error agreed in one group does not reach the other. */
static void test_split_groups(void)
{
    int rank = run_rank(run);
    run_ctx *child = NULL;
    CU_ASSERT_EQUAL(comm_split(run, rank % 2, rank, &child), SB_OK);
    if (child == NULL) return;
    int64_t v = 1, want = 0;
    for (int q = 0; q < run_size(run); ++q) want += q % 2 == rank % 2;
    CU_ASSERT_EQUAL(comm_sum_i64(child, &v, 1), SB_OK);
    CU_ASSERT_EQUAL(v, want);
    int rc = rank % 2 ? SB_FAIL(child, SB_EDATA, "odd group failed") : SB_OK;
    CU_ASSERT_EQUAL(run_agree_rc(child, rc), rank % 2 ? SB_EDATA : SB_OK);
    comm_free_child(child);
}

static const sb_test tests[] = {
    {"exscan: uneven shards, a rank with 0 rows", test_exscan_uneven_and_empty},
    {"sum / max of int64 and double arrays", test_sum_max_arrays},
    {"allgatherv: rank order, uneven and empty blocks", test_allgatherv_uneven_and_empty},
    {"histogram allreduce, a rank with an empty shard", test_hist_allreduce},
    {"histogram reduce-scatter: uneven blocks, an empty block", test_hist_reduce_scatter_uneven_blocks},
    {"split agreement: best, none, ties, one proposer", test_split_agree},
    {"run_agree_rc: one rank fails, all report its code and message", test_agree_one_rank_fails},
    {"run_agree_rc: the lowest failing rank wins, then success", test_agree_lowest_failing_rank_wins},
    {"comm_agree_max and bcast from the last rank", test_agree_max_and_bcast},
    {"comm_split groups: sums and errors stay in the group", test_split_groups},
};

SB_TEST_MAIN(&run, SB_SUITE("mpi_comm", tests))
