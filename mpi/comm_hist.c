/* comm_hist.c - histogram allreduce. */
#include "mpi/comm_hist.h"

#include <limits.h> /* for INT_MAX */

#include "mpi/run_impl.h"

int comm_hist_allreduce(run_ctx *run, int64_t *hist, int64_t n)
{
    if (run->size == 1) return SB_OK; /* nothing to combine */
    const int64_t piece_max = INT_MAX / 2;
    for (int64_t at = 0; at < n; at += piece_max) {
        int piece = (int)(n - at < piece_max ? n - at : piece_max);
        int rc = MPI_Allreduce(MPI_IN_PLACE, hist + at, piece, MPI_INT64_T, MPI_SUM, run->comm);
        if (rc != MPI_SUCCESS) {
            char text[MPI_MAX_ERROR_STRING];
            int len = 0;
            MPI_Error_string(rc, text, &len);
            return SB_FAIL(run, SB_EMPI, "MPI_Allreduce(histograms, %d values) failed: %s", piece, text);
        }
    }
    return SB_OK;
}
