/* ordered_write.c - rank-ordered concatenation with MPI-IO (see ordered_write.h). */
#include "mpi/ordered_write.h"

#include <errno.h>  /* for errno */
#include <fcntl.h>  /* for open */
#include <stdlib.h> /* for free */
#include <string.h> /* for strerror */
#include <unistd.h> /* for unlink */

#include "base/alloc.h"
#include "base/write_errno.h"
#include "mpi/comm.h"
#include "mpi/run_impl.h"

#define CHUNK ((int64_t)8 << 20) /* bytes per collective write */

#define mpi_fail(run, mpi_rc, what, path) SB_MPI_FAIL((run), SB_EIO, (mpi_rc), "%s: %s", (path), (what))

/* Start from an empty file: rank 0 removes any stale one before the
 * collective open. Collective; all succeed or all fail. */
static int open_fresh(run_ctx *run, const char *path, MPI_File *fh)
{
    int removed = SB_OK;
    if (run->rank == 0 && unlink(path) != 0 && errno != ENOENT)
        removed = SB_FAIL(run, SB_EIO, "%s: cannot remove: %s", path, strerror(errno));
    SB_TRY(run, run_agree_rc(run, removed));
    const int mrc = MPI_File_open(run_comm(run), path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, fh);
    return run_agree_rc(run, mrc == MPI_SUCCESS ? SB_OK : mpi_fail(run, mrc, "MPI_File_open", path));
}

/* Why a collective write came back short: MPI-IO reports neither the cause nor
 * an errno. Writing the missing bytes again with pwrite (this rank's own range)
 * either succeeds (the cause is gone, the bytes are there) or says why. */
static const char *short_write_reason(const char *path, int64_t at, const char *buf, int64_t n, char *why, size_t cap)
{
    int fd = open(path, O_WRONLY);
    ssize_t put = fd < 0 ? -1 : pwrite(fd, buf, (size_t)n, (off_t)at);
    const int e = put == (ssize_t)n ? 0 : put < 0 ? errno : ENOSPC; /* a short pwrite: the disk is full */
    if (fd >= 0 && close(fd) != 0 && e == 0) return write_failure_reason(errno, path, why, cap);
    return write_failure_reason(e, path, why, cap);
}

/* rounds collective writes of this rank's bytes from offset on; after a local
 * failure (rc) a rank writes 0 bytes but still takes part. Returns the first
 * local failure. */
static int write_rounds(run_ctx *run, MPI_File fh, const char *path, int64_t offset, int64_t len, int64_t rounds,
                        ordered_fill fill, void *ctx, char *buf, int rc)
{
    int64_t done = 0;
    for (int64_t r = 0; r < rounds; ++r) {
        int64_t n = len - done < CHUNK ? len - done : CHUNK;
        if (rc != SB_OK || n < 0) n = 0;
        if (n > 0 && (rc = fill(run, ctx, done, buf, n)) != SB_OK) n = 0;
        MPI_Status st;
        int written = 0;
        errno = 0; /* MPI-IO returns no cause: its failing pwrite's errno is the cause */
        const int mrc = MPI_File_write_at_all(fh, (MPI_Offset)(offset + done), buf, (int)n, MPI_BYTE, &st);
        const int e = errno;
        if (mrc != MPI_SUCCESS) rc = mpi_fail(run, mrc, "MPI_File_write_at_all", path); /* the first error stays */
        else if (n > 0 && (MPI_Get_count(&st, MPI_BYTE, &written) != MPI_SUCCESS || written != n)) {
            char why[160];
            if (write_failure_reason(e, path, why, sizeof why)[0] == '\0')
                short_write_reason(path, offset + done, buf, n, why, sizeof why);
            rc = SB_FAIL(run, SB_EIO, "%s: short write at byte %lld%s", path, (long long)(offset + done), why);
        }
        done += n;
    }
    return rc;
}

int ordered_write(run_ctx *run, const char *path, int64_t len, int status, ordered_fill fill, void *ctx,
                  int64_t *total)
{
    int64_t offset = 0, sum = 0, rounds = (len + CHUNK - 1) / CHUNK;
    MPI_File fh;
    SB_TRY(run, comm_exscan_i64(run, len, &offset, &sum));
    SB_TRY(run, open_fresh(run, path, &fh));
    int rc = SB_OK;
    char *buf = sb_alloc(run, (size_t)(len < CHUNK ? (len > 0 ? len : 1) : CHUNK), 1);
    const int ready = status != SB_OK ? status : buf ? SB_OK : SB_ENOMEM;
    SB_CHECK(run, comm_max_i64(run, &rounds, 1)); /* every rank runs the same number of collective writes */
    rc = write_rounds(run, fh, path, offset, len, rounds, fill, ctx, buf, ready);
out:
    free(buf);
    const int mrc = MPI_File_close(&fh);
    if (mrc != MPI_SUCCESS) rc = mpi_fail(run, mrc, "MPI_File_close", path); /* the first error stays */
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK && run->rank == 0) unlink(path);
    if (rc == SB_OK && total) *total = sum;
    return rc;
}
