/* evaluate_job.c - placeholder until the evaluate capability lands. */
#include "jobs/jobs.h"

int evaluate_main(run_ctx *run, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "'evaluate' is not implemented yet"));
}
