/* train_job.c - placeholder until the train capability lands. */
#include "jobs/jobs.h"

int train_main(run_ctx *run, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "'train' is not implemented yet"));
}
