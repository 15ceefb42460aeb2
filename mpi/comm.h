/* comm.h - the named collectives. Every function here is Collective over the
 * context's communicator unless it says otherwise, and every rank must call
 * it at the same point with the same counts (style rule R6).
 * Counts are int64_t; narrowing to MPI's int is checked in one place. */
#ifndef SB_COMM_H
#define SB_COMM_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

#include "mpi/run.h"

/* Agree on a flag: every rank gets the max over ranks of *flag. */
int comm_agree_max(run_ctx *run, int *flag);

/* comm_node_cpus - Collective. The ranks of this rank's node (shared
 * memory) and the CPUs their affinity masks cover together, so a job can
 * tell whether its ranks have CPUs to spare for helper threads (mpirun
 * --map-by slot:PE=2 or Slurm --cpus-per-task=2: twice as many CPUs as
 * ranks; one rank per core: as many). */
int comm_node_cpus(run_ctx *run, int *ranks, int *cpus);

/* In-place sums / extrema of small arrays. */
int comm_sum_i64(run_ctx *run, int64_t *v, int64_t n);
int comm_max_i64(run_ctx *run, int64_t *v, int64_t n);
int comm_max_f64(run_ctx *run, double *v, int64_t n);

/* Exclusive prefix sum of one value (rank 0 gets 0) and the global total. */
int comm_exscan_i64(run_ctx *run, int64_t mine, int64_t *before, int64_t *total);

/* Broadcast n bytes from root. */
int comm_bcast(run_ctx *run, void *buf, int64_t nbytes, int root);

/* Gather variable-sized byte blocks to every rank in rank order.
 * *out (malloc'd, caller frees) receives the concatenation; counts[size] if non-NULL. */
int comm_allgatherv_bytes(run_ctx *run, const void *mine, int64_t nbytes, void **out, int64_t *total,
                          int64_t *counts);

/* Barrier (only for tests and orderly shutdown). */
int comm_barrier(run_ctx *run);

/* Checked narrowing to MPI's int count. Local. */
int comm_count(run_ctx *run, int64_t n, int *out);

/* comm_split - a child context over a subset of ranks (MPI_Comm_split with
 * color, key). Collective over run's communicator. Free with comm_free_child. */
int comm_split(run_ctx *run, int color, int key, run_ctx **child);
void comm_free_child(run_ctx *child);

#endif
