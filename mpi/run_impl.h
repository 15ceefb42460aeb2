/* run_impl.h - private layout of run_ctx; only mpi/ (and io/h5_mpio.c) include it. */
#ifndef SB_RUN_IMPL_H
#define SB_RUN_IMPL_H

#include <mpi.h>

#include "mpi/run.h"

#define SB_ERR_MAX 2048

struct run_ctx {
    MPI_Comm comm;       /* the communicator this context computes over */
    int rank, size;      /* in comm */
    int world_rank;      /* in MPI_COMM_WORLD, for messages */
    int owns_comm;       /* free comm in run_free_child */
    int log_level;
    int err_code;
    int err_agreed;      /* every rank holds the same error */
    int err_rank;        /* rank (in comm) the error came from */
    char err_msg[SB_ERR_MAX];
};

/* The communicator of a context (for mpi/ and io/h5_mpio.c). */
MPI_Comm run_comm(const run_ctx *run);

#endif
