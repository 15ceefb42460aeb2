/* gz_merge.c - rank-ordered concatenation of per-rank byte ranges with MPI-IO. */
#include "mpi/gz_merge.h"

#include <errno.h>  /* for errno */
#include <fcntl.h>  /* for open */
#include <stdlib.h> /* for free */
#include <string.h> /* for strerror */
#include <unistd.h> /* for pread, unlink, close */

#include "mpi/comm.h"
#include "mpi/run_impl.h"
#include "base/alloc.h"

#define CHUNK ((int64_t)8 << 20) /* bytes per collective write */

/* Record the first local failure; later chunks write 0 bytes but still take
 * part in the collective calls so that no rank is left waiting. */
static int local_fail(int rc, int *failed)
{
    if (!*failed) *failed = 1;
    return rc;
}

#define mpi_fail(run, mpi_rc, what, path) SB_MPI_FAIL((run), SB_EIO, (mpi_rc), "%s: %s", (path), (what))

int gz_merge_write(run_ctx *run, const char *out_path, const char *src_path, int64_t src_off, int64_t src_len,
                   int64_t *total)
{
    int64_t offset = 0, sum = 0;
    SB_TRY(run, comm_exscan_i64(run, src_len, &offset, &sum));
    /* Start from an empty file: rank 0 removes any stale one before the collective open. */
    if (run->rank == 0 && unlink(out_path) != 0 && errno != ENOENT)
        SB_TRY(run, run_agree_rc(run, SB_FAIL(run, SB_EIO, "%s: cannot remove: %s", out_path, strerror(errno))));
    else
        SB_TRY(run, run_agree_rc(run, SB_OK));

    MPI_File fh;
    int mrc = MPI_File_open(run_comm(run), out_path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    int rc = mrc == MPI_SUCCESS ? SB_OK : mpi_fail(run, mrc, "MPI_File_open", out_path);
    SB_TRY(run, run_agree_rc(run, rc)); /* open is collective: all succeeded or all failed */

    int failed = 0;
    int fd = open(src_path, O_RDONLY);
    if (fd < 0) rc = local_fail(SB_FAIL(run, SB_EIO, "%s: cannot open: %s", src_path, strerror(errno)), &failed);
    char *buf = sb_alloc(run, (size_t)(src_len < CHUNK ? (src_len > 0 ? src_len : 1) : CHUNK), 1);
    if (buf == NULL && !failed) rc = local_fail(SB_ENOMEM, &failed);

    /* Every rank runs the same number of collective writes. */
    int64_t rounds = (src_len + CHUNK - 1) / CHUNK;
    int crc = comm_max_i64(run, &rounds, 1);
    if (crc != SB_OK) {
        MPI_File_close(&fh);
        free(buf);
        if (fd >= 0) close(fd);
        return run_agree_rc(run, crc);
    }
    int64_t done = 0;
    for (int64_t r = 0; r < rounds; ++r) {
        int64_t want = src_len - done < CHUNK ? src_len - done : CHUNK;
        int n = 0;
        if (!failed && want > 0) {
            ssize_t got = pread(fd, buf, (size_t)want, (off_t)(src_off + done));
            if (got != (ssize_t)want)
                rc = local_fail(SB_FAIL(run, SB_EIO, "%s: short read at byte %lld: %s", src_path,
                                             (long long)(src_off + done), got < 0 ? strerror(errno) : "file too short"),
                                &failed);
            else
                n = (int)want;
        }
        MPI_Status st;
        mrc = MPI_File_write_at_all(fh, (MPI_Offset)(offset + done), buf, n, MPI_BYTE, &st);
        if (mrc != MPI_SUCCESS && !failed) rc = local_fail(mpi_fail(run, mrc, "MPI_File_write_at_all", out_path), &failed);
        int written = 0;
        if (!failed && n > 0 && (MPI_Get_count(&st, MPI_BYTE, &written) != MPI_SUCCESS || written != n))
            rc = local_fail(SB_FAIL(run, SB_EIO, "%s: short write at byte %lld", out_path, (long long)(offset + done)),
                            &failed);
        done += n;
    }
    free(buf);
    if (fd >= 0) close(fd);
    mrc = MPI_File_close(&fh);
    if (mrc != MPI_SUCCESS && !failed) rc = mpi_fail(run, mrc, "MPI_File_close", out_path);
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK) {
        if (run->rank == 0) unlink(out_path);
        return rc;
    }
    if (total) *total = sum;
    return SB_OK;
}
