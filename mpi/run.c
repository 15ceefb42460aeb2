/* run.c - run context lifecycle over MPI, and agreement on a status. */
#include "mpi/run_impl.h"

#include <locale.h> /* for setlocale */
#include <stdarg.h> /* for va_list */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h> /* for _exit */

#include "base/log.h"

int run_init(int *argc, char ***argv, run_ctx **out)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "shardboost: error: MPI_Init_thread failed\n");
        return SB_EMPI;
    }
    run_ctx *run = calloc(1, sizeof *run);
    struct run_comm *comm = calloc(1, sizeof *comm);
    if (run == NULL || comm == NULL) {
        fprintf(stderr, "shardboost: error: out of memory at start-up\n");
        MPI_Abort(MPI_COMM_WORLD, SB_EXIT_FAIL);
    }
    comm->comm = MPI_COMM_WORLD;
    run->comm = comm;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &run->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &run->size);
    run->world_rank = run->rank;
    run->log_level = SB_LOG_INFO;
    setlocale(LC_NUMERIC, "C"); /* numbers round-trip whatever the user's locale */
    *out = run;
    return SB_OK;
}

void run_finalize(run_ctx *run)
{
    MPI_Finalize();
    if (run) free(run->comm);
    free(run);
}

void run_forgo_finalize(run_ctx *run)
{
    if (run && run->comm) run->comm->forgo = 1;
}

void run_exit_if_forgone(run_ctx *run, int code)
{
    if (!run || !run->comm || !run->comm->forgo) return;
    fflush(stdout);
    fflush(stderr);
    _exit(code); /* no MPI_Finalize, no atexit: both would enter the broken library */
}

void run_abort(run_ctx *run, int exit_code)
{
    (void)run;
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    exit(exit_code); /* not reached */
}

MPI_Comm run_comm(const run_ctx *run) { return run->comm->comm; }

int mpi_fail_at(run_ctx *run, int code, int mpi_rc, const char *file, int line, const char *fmt, ...)
{
    char what[512], text[MPI_MAX_ERROR_STRING];
    int len = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    MPI_Error_string(mpi_rc, text, &len);
    return err_set(run, code, file, line, "%s failed: %s", what, text);
}

int run_agree_rc(run_ctx *run, int rc)
{
    int mine = (rc != SB_OK) ? run->rank : run->size;
    int first = run->size;
    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, run_comm(run)) != MPI_SUCCESS) {
        /* The channel we would agree over is broken: nothing left but abort. */
        fprintf(stderr, "[rank %d] shardboost: error: MPI_Allreduce failed while agreeing on status\n",
                run->world_rank);
        run_abort(run, SB_EXIT_FAIL);
    }
    if (first == run->size) return SB_OK;
    struct {
        int code, world_rank;
    } hdr = {run->err_code != SB_OK ? run->err_code : rc, run->world_rank};
    if (MPI_Bcast(&hdr, 2, MPI_INT, first, run_comm(run)) != MPI_SUCCESS ||
        MPI_Bcast(run->err_msg, SB_ERR_MAX, MPI_CHAR, first, run_comm(run)) != MPI_SUCCESS) {
        fprintf(stderr, "[rank %d] shardboost: error: MPI_Bcast failed while agreeing on status\n",
                run->world_rank);
        run_abort(run, SB_EXIT_FAIL);
    }
    run->err_msg[SB_ERR_MAX - 1] = '\0';
    run->err_code = hdr.code;
    run->err_agreed = 1;
    run->err_rank = hdr.world_rank;
    return hdr.code;
}
