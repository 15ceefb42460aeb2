/* lines.h - stream the physical lines of one input piece: a byte range of a
 * plain file, or a whole gzip file (io/gz_stream: every member checked; a gzip stream cannot be split).
 * Only one buffer (4 MiB, grown for longer lines up to LINES_MAX_LINE) is held:
 * the file is never in memory as a whole.
 *
 * Piece rule: a piece [begin, end) of a plain file owns the lines whose first
 * byte lies in it, so pieces that tile a file read every line exactly once.
 * Accepted oddities: a UTF-8 byte-order mark at the start of a file is skipped,
 * and a '\r' before '\n' (CRLF) is removed. */
#ifndef SB_LINES_H
#define SB_LINES_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

#include "base/run_ctx.h"

#define LINES_MAX_LINE ((size_t)64 << 20) /* longer lines are an error */

typedef struct lines lines;

/* lines_open - open `path` for the lines starting in [begin, end); gz != 0 reads
 * it through zlib and then begin must be 0 and end is ignored. Local.
 * Returns SB_OK, SB_EIO (cannot open; message names the file), SB_ENOMEM. */
int lines_open(run_ctx *run, const char *path, int gz, int64_t begin, int64_t end, lines **out);

/* lines_next - the next line, without its terminator, in *line / *len (valid until
 * the next call; *line is NULL at the end of the piece). Local.
 * Returns SB_OK, SB_EIO (read error, truncated gzip) or SB_EDATA (line too long). */
int lines_next(run_ctx *run, lines *L, const char **line, size_t *len);

/* lines_number - physical 1-based line number, in the whole file, of the line last
 * returned. For a piece that starts inside a file this counts the newlines before
 * the piece once (meant for error messages, not for every row). Local. */
int64_t lines_number(lines *L);

/* lines_at_file_start - 1 if the line last returned is line 1 of its file. Local. */
int lines_at_file_start(const lines *L);

/* Bytes of text read so far (uncompressed). Local. */
int64_t lines_bytes(const lines *L);

void lines_close(lines *L);

#endif
