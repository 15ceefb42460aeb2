/* write_errno.c - see write_errno.h. */
#include "base/write_errno.h"

#include <errno.h>
#include <stdio.h>       /* for snprintf */
#include <string.h>      /* for strrchr */
#include <sys/statvfs.h> /* for statvfs */

/* Below this many free bytes a short write is taken for a full disk: one
 * file-system block plus HDF5's metadata that a short write cannot place. */
#define NEARLY_FULL_BYTES ((unsigned long long)64 << 10)

/* The errno values a write, fsync or close can leave, with strerror's text
 * fixed here so the messages do not depend on the locale. */
const char *write_errno_suffix(int e)
{
    switch (e) {
    case ENOSPC: return ": No space left on device";
    case EDQUOT: return ": Disk quota exceeded";
    case EIO: return ": Input/output error";
    case EFBIG: return ": File too large";
    case EROFS: return ": Read-only file system";
    case ENXIO: return ": No such device or address";
    case EPIPE: return ": Broken pipe";
    case ESTALE: return ": Stale file handle";
    default: return "";
    }
}

const char *write_failure_reason(int e, const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "%s", write_errno_suffix(e));
    if (buf[0] != '\0' || path == NULL) return buf;
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0) return buf;
    const unsigned long long avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
    if (avail < NEARLY_FULL_BYTES || sv.f_favail == 0)
        snprintf(buf, n, ": No space left on device (%llu bytes, %llu inodes free)", avail,
                 (unsigned long long)sv.f_favail);
    return buf;
}
