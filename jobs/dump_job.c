/* dump_job.c - placeholder until the dump capability lands. */
#include "jobs/jobs.h"

int dump_main(run_ctx *run, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "'dump' is not implemented yet"));
}
