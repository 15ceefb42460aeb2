/* gz_stream.h - a strict reader of a gzip file: every member is inflated and its
 * CRC and length checked (zlib), and whatever follows a member must be another
 * member. zlib's gzread stops silently at bytes after a member that do not start
 * a new one, so a corrupt header of member 2 (or any trailing garbage) lost the
 * rest of the file with exit 0; here it is an error naming the file, the member
 * and the byte offset. Trailing bytes are an error, not a warning: a file that
 * was cut and pasted together cannot be told apart from one that lost data. */
#ifndef SB_GZ_STREAM_H
#define SB_GZ_STREAM_H

#include <stddef.h> /* for size_t */

#include "base/run_ctx.h"

typedef struct gz_stream gz_stream;

/* gz_stream_open - read the already opened `fd` (owned from now on, closed by
 * gz_stream_close) as gzip; `path` names it in messages. Local.
 * Returns SB_OK or SB_ENOMEM (fd closed). */
int gz_stream_open(run_ctx *run, const char *path, int fd, gz_stream **out);

/* gz_stream_read - up to `want` uncompressed bytes into buf; *got = 0 only at the
 * clean end of the last member. `line` (lines returned so far) goes into messages.
 * Returns SB_OK, or SB_EIO: read error, corrupt or truncated member, trailing
 * garbage (message names file, member, byte offset and the line reached). Local. */
int gz_stream_read(run_ctx *run, gz_stream *g, char *buf, size_t want, size_t *got, long long line);

void gz_stream_close(gz_stream *g);

#endif
