/* run_ctx_impl.h - private layout of run_ctx; only base/ and mpi/ include it. */
#ifndef SB_RUN_CTX_IMPL_H
#define SB_RUN_CTX_IMPL_H

#include "base/run_ctx.h"

#define SB_ERR_MAX 2048

/* The MPI side of a context (communicator, ownership), defined by mpi/ alone. */
struct run_comm;

struct run_ctx {
    struct run_comm *comm; /* NULL until mpi/ attaches one */
    int rank, size;        /* in comm */
    int world_rank;        /* in MPI_COMM_WORLD, for messages */
    int log_level;
    int err_code;
    int err_agreed; /* every rank holds the same error */
    int err_rank;   /* rank (in comm) the error came from */
    char err_msg[SB_ERR_MAX];
};

#endif
