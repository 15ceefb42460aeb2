/* gz_merge.c - predict --merge's one csv.gz from every rank's part file (see
 * gz_merge.h): the part files are read here, the collective write is
 * mpi/ordered_write's. */
#include "io/gz_merge.h"

#include <errno.h>  /* for errno */
#include <fcntl.h>  /* for open */
#include <string.h> /* for strerror */
#include <unistd.h> /* for pread, close */

#include "base/error.h"
#include "mpi/ordered_write.h"

/* A byte range of a local part file. */
typedef struct {
    int fd;
    const char *path;
    int64_t off;
} part_range;

static int part_fill(run_ctx *run, void *ctx, int64_t at, void *buf, int64_t n)
{
    const part_range *p = ctx;
    const ssize_t got = pread(p->fd, buf, (size_t)n, (off_t)(p->off + at));
    if (got == (ssize_t)n) return SB_OK;
    return SB_FAIL(run, SB_EIO, "%s: short read at byte %lld: %s", p->path, (long long)(p->off + at),
                   got < 0 ? strerror(errno) : "file too short");
}

int gz_merge_write(run_ctx *run, const char *out_path, const char *src_path, int64_t src_off, int64_t src_len,
                   int64_t *total)
{
    part_range p = {open(src_path, O_RDONLY), src_path, src_off};
    const int opened = p.fd >= 0 ? SB_OK : SB_FAIL(run, SB_EIO, "%s: cannot open: %s", src_path, strerror(errno));
    const int rc = ordered_write(run, out_path, src_len, opened, part_fill, &p, total);
    if (p.fd >= 0) close(p.fd);
    return rc;
}
