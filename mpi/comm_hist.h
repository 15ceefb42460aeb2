/* comm_hist.h - the histogram collective of training. */
#ifndef SB_COMM_HIST_H
#define SB_COMM_HIST_H

#include <stdint.h> /* for int64_t */

#include "mpi/run.h"

/* comm_hist_allreduce - sum fixed-point histograms over all ranks, in place.
 * Collective: every rank calls it at the same point with the same n (one call
 * per tree level / expansion batch, over one contiguous buffer). Integer sums
 * are exact, so the result does not depend on the number of ranks or the
 * reduction order. Sends in pieces below INT_MAX elements. */
int comm_hist_allreduce(run_ctx *run, int64_t *hist, int64_t n);

#endif
