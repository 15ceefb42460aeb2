/* comm_hist.h - the histogram collectives of training. */
#ifndef SB_COMM_HIST_H
#define SB_COMM_HIST_H

#include <stdint.h> /* for int64_t */

#include "kernels/split.h" /* for split_info */
#include "mpi/run.h"

/* comm_hist_allreduce - sum fixed-point histograms over all ranks, in place.
 * Collective: every rank calls it at the same point with the same n (one call
 * per tree level / expansion batch, over one contiguous buffer). Integer sums
 * are exact, so the result does not depend on the number of ranks or the
 * reduction order. Sends in pieces below INT_MAX elements. */
int comm_hist_allreduce(run_ctx *run, int64_t *hist, int64_t n);

/* comm_hist_reduce_scatter - the same sums, but each rank receives only its
 * own block of every histogram: hist holds n_hist histograms of hl int64
 * each; block[q] .. block[q + 1] (size + 1 offsets into one histogram, the
 * same on all ranks) is rank q's share. On return hist[j * hl + block[rank]
 * .. block[rank + 1]) are the global sums for every j; the rest of hist is
 * left as it was (local). Each rank sends and sums 1/size of what an
 * allreduce moves. pack: scratch of 2 * n_hist * hl int64; counts: scratch
 * of size ints (allocated once by the caller: nothing here can fail on one
 * rank only and leave the others in the collective). Falls back to
 * comm_hist_allreduce when the counts would not fit an int. Collective. */
int comm_hist_reduce_scatter(run_ctx *run, int64_t *hist, int64_t n_hist, int64_t hl, const int64_t *block,
                             int64_t *pack, int *counts);

/* comm_split_agree - every rank proposes cand[0..n) (its best split of n
 * nodes over its own features); on return cand[i] is the best proposal of
 * all ranks by split_better, a total order, so every rank holds the same
 * splits whatever the number of ranks. scratch: n * size split_info.
 * Collective, n equal on all ranks. */
int comm_split_agree(run_ctx *run, split_info *cand, int32_t n, split_info *scratch);

#endif
