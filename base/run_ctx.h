/* run_ctx.h - the run context: who this process is, its log level and its error.
 *
 * One run_ctx is created by main (mpi/run.h: run_init) and passed explicitly to
 * every function that can fail or communicate. Its layout is private to base/ and
 * mpi/ (base/run_ctx_impl.h), so this header needs no MPI: io/, engine/ and jobs/
 * allocate, log and fail through base/ and reach mpi/ only to communicate.
 * Kernels (kernels/) never see it. */
#ifndef SB_RUN_CTX_H
#define SB_RUN_CTX_H

typedef struct run_ctx run_ctx;

int run_rank(const run_ctx *run);
int run_size(const run_ctx *run);
/* World rank (differs from run_rank inside a cv group), for messages. */
int run_world_rank(const run_ctx *run);

#endif
