/* write_errno.h - the reason a write failed, for messages.
 * A library that writes for us (stdio, HDF5, MPI-IO, zlib) reports failure
 * without the cause; the errno its failing write() left is the cause when it
 * is one a write can leave (ENOSPC, EDQUOT, EIO, EFBIG, EROFS, ...). Anything
 * else is stale (some earlier, harmless call) and is not shown. */
#ifndef SB_WRITE_ERRNO_H
#define SB_WRITE_ERRNO_H

#include <stddef.h> /* for size_t */

/* ": <strerror(e)>" when e is a write's errno, "" otherwise. Static text. */
const char *write_errno_suffix(int e);

/* write_failure_reason - write_errno_suffix(e) into buf; when e says nothing
 * (a library saw a short write, which sets no errno: HDF5 and MPI-IO do) and
 * the file system holding path has (almost) no space left, ": No space left
 * on device (N bytes free)"; otherwise "". Returns buf. */
const char *write_failure_reason(int e, const char *path, char *buf, size_t n);

#endif
