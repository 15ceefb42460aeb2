/* ingest_job.c - placeholder until the ingest capability lands. */
#include "jobs/jobs.h"

int ingest_main(run_ctx *run, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "'ingest' is not implemented yet"));
}
