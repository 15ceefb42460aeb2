/* h5_mpio.c - hands HDF5 the run's communicator (see h5_internal.h).
 * The one io/ file that sees MPI (tests/tools/lint.py checks it): everything
 * else about the table file lives in the other io/h5_*.c files, and collectives
 * go through mpi/comm.h. */
#include "io/h5_internal.h"

#include "mpi/run_impl.h" /* for run_comm */

hid_t h5_fapl_mpio(const run_ctx *run)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return fapl;
    if (H5Pset_fapl_mpio(fapl, run_comm(run), MPI_INFO_NULL) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}
