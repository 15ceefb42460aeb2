/* run_local.h - a run context without MPI, for commands that never communicate.
 *
 * serve and models run as one process: rank 0 of 1, comm NULL, MPI never
 * initialised, so they need no mpirun, start fast, and a long-running server
 * holds no MPI state. Errors, logging and allocation (base/) behave as with
 * run_init; run_agree_rc and every collective in mpi/ must not be called on it. */
#ifndef SB_RUN_LOCAL_H
#define SB_RUN_LOCAL_H

#include "base/run_ctx.h"

/* run_init_local - a fresh context (log level info, LC_NUMERIC=C) into *out;
 * SB_ENOMEM (with a message on stderr) when out of memory. */
int run_init_local(run_ctx **out);
/* run_finalize_local - free a context made by run_init_local. */
void run_finalize_local(run_ctx *run);

#endif
