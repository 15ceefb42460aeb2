/* run_impl.h - the MPI side of a run context; only mpi/ (and io/h5_mpio.c) include it. */
#ifndef SB_RUN_IMPL_H
#define SB_RUN_IMPL_H

#include <mpi.h>

#include "base/run_ctx_impl.h"
#include "mpi/run.h"

struct run_comm {
    MPI_Comm comm; /* the communicator the context computes over */
    int owns;      /* free comm with the context (comm_free_child) */
    int forgo;     /* run_forgo_finalize was called */
};

/* The communicator of a context (for mpi/ and io/h5_mpio.c). */
MPI_Comm run_comm(const run_ctx *run);

/* mpi_fail_at - the one way a failed MPI call becomes an error: records code with
 * "<what> failed: <MPI's own error text>", what formatted from fmt. Returns code. */
int mpi_fail_at(run_ctx *run, int code, int mpi_rc, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
#define SB_MPI_FAIL(run, code, mpi_rc, ...) mpi_fail_at((run), (code), (mpi_rc), __FILE__, __LINE__, __VA_ARGS__)

#endif
