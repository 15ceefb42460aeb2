/* comm_hist.c - histogram allreduce / reduce-scatter and the split agreement. */
#include "mpi/comm_hist.h"

#include <limits.h> /* for INT_MAX */
#include <string.h> /* for memcpy */

#include "mpi/run_impl.h"

#define mpi_fail(run, rc, what, n) SB_MPI_FAIL((run), SB_EMPI, (rc), "%s (%lld values)", (what), (long long)(n))

int comm_hist_allreduce(run_ctx *run, int64_t *hist, int64_t n)
{
    if (run->size == 1) return SB_OK; /* nothing to combine */
    const int64_t piece_max = INT_MAX / 2;
    for (int64_t at = 0; at < n; at += piece_max) {
        int piece = (int)(n - at < piece_max ? n - at : piece_max);
        int rc = MPI_Allreduce(MPI_IN_PLACE, hist + at, piece, MPI_INT64_T, MPI_SUM, run_comm(run));
        if (rc != MPI_SUCCESS) return mpi_fail(run, rc, "MPI_Allreduce(histograms)", piece);
    }
    return SB_OK;
}

int comm_hist_reduce_scatter(run_ctx *run, int64_t *hist, int64_t n_hist, int64_t hl, const int64_t *block,
                             int64_t *pack, int *counts)
{
    const int P = run->size, me = run->rank;
    if (P == 1) return SB_OK;
    const int64_t total = n_hist * hl;
    if (total > INT_MAX / 2) return comm_hist_allreduce(run, hist, total); /* everyone gets everything */
    /* Block-major: rank q's share of every histogram, then rank q + 1's ... */
    int64_t at = 0;
    for (int q = 0; q < P; ++q) {
        const int64_t w = block[q + 1] - block[q];
        for (int64_t j = 0; j < n_hist; ++j, at += w) memcpy(pack + at, hist + j * hl + block[q], (size_t)w * sizeof *hist);
        counts[q] = (int)(w * n_hist);
    }
    int64_t *mine = pack + total;
    int rc = MPI_Reduce_scatter(pack, mine, counts, MPI_INT64_T, MPI_SUM, run_comm(run));
    if (rc != MPI_SUCCESS) return mpi_fail(run, rc, "MPI_Reduce_scatter(histograms)", total);
    const int64_t w = block[me + 1] - block[me];
    for (int64_t j = 0; j < n_hist; ++j) memcpy(hist + j * hl + block[me], mine + j * w, (size_t)w * sizeof *hist);
    return SB_OK;
}

int comm_split_agree(run_ctx *run, split_info *cand, int32_t n, split_info *scratch)
{
    const int P = run->size;
    if (P == 1 || n == 0) return SB_OK;
    const int bytes = (int)((size_t)n * sizeof *cand);
    int rc = MPI_Allgather(cand, bytes, MPI_BYTE, scratch, bytes, MPI_BYTE, run_comm(run));
    if (rc != MPI_SUCCESS) return mpi_fail(run, rc, "MPI_Allgather(split candidates)", n);
    for (int32_t i = 0; i < n; ++i) {
        cand[i] = scratch[i];
        for (int q = 1; q < P; ++q)
            if (split_better(&scratch[(int64_t)q * n + i], &cand[i])) cand[i] = scratch[(int64_t)q * n + i];
    }
    return SB_OK;
}
