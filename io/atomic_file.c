/* atomic_file.c - temp file -> fsync -> rename. */
#include "io/atomic_file.h"
#include "base/error.h"
#include "base/write_errno.h"

#include <errno.h>  /* for errno, EINVAL */
#include <string.h> /* for strerror */
#include <unistd.h> /* for fsync, unlink */

int atomic_file_commit(run_ctx *run, FILE *f, const char *tmp, const char *path)
{
    /* stdio keeps a failed write's error sticky but not its errno: the caller's last
     * write, just before this call, failed the same way if the first one did */
    int err = ferror(f) ? errno : 0; /* the last failing step's errno */
    int bad = ferror(f);
    if (fflush(f) != 0) err = errno;
    /* EINVAL: the file system cannot fsync (e.g. a pipe or special file); not a data loss. */
    if (fsync(fileno(f)) != 0 && errno != EINVAL) err = errno;
    if (fclose(f) != 0) err = errno;
    if (bad || err != 0) {
        unlink(tmp);
        return SB_FAIL(run, SB_EIO, "%s: write failed%s", tmp, err ? write_errno_suffix(err) : "");
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return SB_FAIL(run, SB_EIO, "rename %s -> %s: %s", tmp, path, strerror(e));
    }
    return SB_OK;
}
