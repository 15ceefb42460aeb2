/* cv_job.c - placeholder until the cv capability lands. */
#include "jobs/jobs.h"

int cv_main(run_ctx *run, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "'cv' is not implemented yet"));
}
