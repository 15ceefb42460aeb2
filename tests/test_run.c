/* test_run.c - run context: errors, frames, agreement, exit codes (singleton MPI). */
#include <stdlib.h> /* for free */
#include <string.h>

#include "cunit_main.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;

static int fails_deep(run_ctx *r) { return SB_FAIL(r, SB_EDATA, "bad.csv:7: expected 3 fields, found 2"); }
static int calls_deep(run_ctx *r)
{
    SB_TRY(r, fails_deep(r));
    return SB_OK;
}

static void test_error_message_and_frames(void)
{
    err_clear(run);
    CU_ASSERT_EQUAL(calls_deep(run), SB_EDATA);
    const char *m = err_message(run);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "bad.csv:7: expected 3 fields"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "test_run.c:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, " <- "));
    /* The first error is kept: a later one must not overwrite the root cause. */
    SB_FAIL(run, SB_EIO, "second");
    CU_ASSERT_EQUAL(err_code(run), SB_EDATA);
    CU_ASSERT_PTR_NULL(strstr(err_message(run), "second"));
    err_clear(run);
}

/* A worker's detached context: its error moves into the run only when taken,
 * and the run's own first error wins. */
static void test_detached_errors(void)
{
    err_clear(run);
    run_ctx *w = run_detached(run);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(run_rank(w), run_rank(run));
    CU_ASSERT_EQUAL(SB_FAIL(w, SB_EDATA, "chunk of rows %d-%d is corrupt", 7, 9), SB_EDATA);
    CU_ASSERT_EQUAL(err_code(run), SB_OK);
    CU_ASSERT_EQUAL(err_take(run, w), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "chunk of rows 7-9 is corrupt"));
    CU_ASSERT_EQUAL(err_code(w), SB_OK); /* taken: cleared */
    CU_ASSERT_EQUAL(err_take(run, w), SB_OK);
    SB_FAIL(w, SB_EIO, "later");
    CU_ASSERT_EQUAL(err_take(run, w), SB_EIO);
    CU_ASSERT_EQUAL(err_code(run), SB_EDATA);
    CU_ASSERT_PTR_NULL(strstr(err_message(run), "later"));
    free(w);
    err_clear(run);
}

static void test_agree_single_rank(void)
{
    err_clear(run);
    CU_ASSERT_EQUAL(run_agree_rc(run, SB_OK), SB_OK);
    CU_ASSERT_EQUAL(run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "nope")), SB_EINVAL);
    CU_ASSERT_TRUE(run_error_agreed(run));
    err_clear(run);
}

static void test_exit_codes(void)
{
    CU_ASSERT_EQUAL(run_exit_code(SB_OK), 0);
    CU_ASSERT_EQUAL(run_exit_code(SB_EINVAL), SB_EXIT_USAGE);
    CU_ASSERT_EQUAL(run_exit_code(SB_EDATA), SB_EXIT_FAIL);
    CU_ASSERT_EQUAL(run_exit_code(SB_EINTR), SB_EXIT_STOPPED);
}

static void test_exscan_single(void)
{
    int64_t before = -1, total = -1;
    CU_ASSERT_EQUAL(comm_exscan_i64(run, 42, &before, &total), SB_OK);
    CU_ASSERT_EQUAL(before, 0);
    CU_ASSERT_EQUAL(total, 42);
}

static const sb_test tests[] = {
    {"error message keeps root cause and frames", test_error_message_and_frames},
    {"detached context: errors move only when taken", test_detached_errors},
    {"agreement on one rank", test_agree_single_rank},
    {"exit codes", test_exit_codes},
    {"exscan on one rank", test_exscan_single},
};

SB_TEST_MAIN(&run, SB_SUITE("run", tests))
