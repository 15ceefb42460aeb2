/* run_local.c - a run context for commands that never communicate (serve,
 * models): one process, rank 0 of 1, and MPI left uninitialised, so they run
 * without mpirun, start fast, and a long-running server holds no MPI state.
 * Errors, logging and allocation behave as with run_init; run_agree_rc and
 * every collective must not be called on such a context. */
#include "mpi/run_impl.h"

#include <locale.h> /* for setlocale */
#include <stdio.h>
#include <stdlib.h>

int run_init_local(run_ctx **out)
{
    run_ctx *run = calloc(1, sizeof *run);
    if (run == NULL) {
        fprintf(stderr, "shardboost: error: out of memory at start-up\n");
        return SB_ENOMEM;
    }
    run->comm = MPI_COMM_NULL;
    run->rank = 0;
    run->size = 1;
    run->world_rank = 0;
    run->log_level = SB_LOG_INFO;
    run->err_agreed = 1; /* a single process: its errors are everyone's */
    setlocale(LC_NUMERIC, "C");
    *out = run;
    return SB_OK;
}

void run_finalize_local(run_ctx *run) { free(run); }
