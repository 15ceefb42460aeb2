/* run.h - the MPI lifecycle of a run context, and agreement.
 *
 * main (jobs/main.c) creates the one run_ctx with run_init and ends it with
 * run_finalize or run_abort (style rule R13). Everything else a context carries
 * (errors, allocation, logging, timers) is in base/ and needs no MPI; this header
 * is for code that starts, ends or agrees. */
#ifndef SB_RUN_H
#define SB_RUN_H

#include "base/error.h"   /* for the status codes */
#include "base/run_ctx.h" /* for run_ctx */

/* run_init - MPI_Init_thread, MPI_ERRORS_RETURN on our communicator,
 * LC_NUMERIC=C. Collective over MPI_COMM_WORLD. */
int run_init(int *argc, char ***argv, run_ctx **out);
/* run_finalize - MPI_Finalize and free. Collective. */
void run_finalize(run_ctx *run);
/* run_abort - print nothing, MPI_Abort(world, exit_code). Does not return. */
void run_abort(run_ctx *run, int exit_code) __attribute__((noreturn));

/* run_forgo_finalize - a library's state is beyond repair and its finalize hook
 * would crash (HDF5 1.10 after a failed H5Fclose, e.g. on a full disk, keeps a
 * freed file under a live id): end this process with run_exit_if_forgone
 * instead of MPI_Finalize. Local. */
void run_forgo_finalize(run_ctx *run);
/* run_exit_if_forgone - after run_forgo_finalize: flush stdio and _exit(code)
 * without MPI_Finalize or atexit handlers (mpirun sees a non-zero exit and ends
 * the job). Otherwise returns. */
void run_exit_if_forgone(run_ctx *run, int code);

/* ---- agreement (collective decisions, style rule R7) --------------------
 * run_agree_rc - Collective. Every rank passes its local status; if any rank
 * failed, the message of the lowest failing rank is copied to every rank's
 * context and all return that rank's code. Otherwise returns SB_OK. */
int run_agree_rc(run_ctx *run, int rc);

#endif
