/* run_local.c - a run context for commands that never communicate (see run_local.h). */
#include "base/run_local.h"

#include <locale.h> /* for setlocale */
#include <stdio.h>  /* for fprintf */
#include <stdlib.h> /* for calloc, free */

#include "base/error.h"
#include "base/log.h"
#include "base/run_ctx_impl.h"

int run_init_local(run_ctx **out)
{
    run_ctx *run = calloc(1, sizeof *run);
    if (run == NULL) {
        fprintf(stderr, "shardboost: error: out of memory at start-up\n");
        return SB_ENOMEM;
    }
    run->comm = NULL; /* no MPI: mpi/ must never see this context */
    run->rank = 0;
    run->size = 1;
    run->world_rank = 0;
    run->log_level = SB_LOG_INFO;
    run->err_agreed = 1; /* a single process: its errors are everyone's */
    setlocale(LC_NUMERIC, "C"); /* numbers round-trip whatever the user's locale */
    *out = run;
    return SB_OK;
}

void run_finalize_local(run_ctx *run) { free(run); }
