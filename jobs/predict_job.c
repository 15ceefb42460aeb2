/* predict_job.c - placeholder until the predict capability lands. */
#include "jobs/jobs.h"

int predict_main(run_ctx *run, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "'predict' is not implemented yet"));
}
