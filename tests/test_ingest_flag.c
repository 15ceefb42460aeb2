/* test_ingest_flag.c - the failure notice ingest polls while parsing
 * (mpi/comm_flag.h): raised by one rank, seen by every rank without blocking,
 * drained at close. Singleton in the unit suite; np 3 in tests/integration/ingest_h5.sh. */
#include "cunit_main.h"
#include "mpi/comm.h"
#include "mpi/comm_flag.h"
#include "base/error.h"
#include "base/timer.h"
#include "mpi/run.h"

static run_ctx *run;

/* Poll until `want` is seen (bounded: a lost notice fails instead of hanging). */
static int wait_for(comm_flag *f, int want)
{
    double t0 = run_wtime();
    while (comm_flag_lowest(f) != want)
        if (run_wtime() - t0 > 20.0) return 0;
    return 1;
}

static void test_notices(void)
{
    int me = run_rank(run), n = run_size(run);
    comm_flag *f = NULL;
    CU_ASSERT_EQUAL_FATAL(comm_flag_open(run, &f), SB_OK);
    CU_ASSERT_EQUAL(comm_flag_lowest(f), n); /* nobody yet */
    comm_barrier(run);                       /* everyone has looked before anyone raises */
    int raiser = n > 1 ? 1 : 0;
    if (me == raiser) comm_flag_raise(f);
    comm_flag_raise(NULL); /* harmless */
    CU_ASSERT_TRUE(wait_for(f, raiser));
    comm_barrier(run);
    if (me == n - 1) { /* a second raiser, higher: the lowest stays the first */
        comm_flag_raise(f);
        comm_flag_raise(f); /* once only */
    }
    comm_barrier(run);
    CU_ASSERT_EQUAL(comm_flag_lowest(f), raiser);
    CU_ASSERT_EQUAL(comm_flag_close(run, f), SB_OK); /* drains the rest, no hang */
    /* a fresh flag does not see old notices */
    CU_ASSERT_EQUAL_FATAL(comm_flag_open(run, &f), SB_OK);
    CU_ASSERT_EQUAL(comm_flag_lowest(f), n);
    comm_barrier(run);
    CU_ASSERT_EQUAL(comm_flag_close(run, f), SB_OK);
}

static const sb_test tests[] = {{"raise, poll, close", test_notices}};

SB_TEST_MAIN(&run, SB_SUITE("comm_flag", tests))
