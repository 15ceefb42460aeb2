/* csvz.h - one gzip-compressed CSV output file (a part file of predict).
 *
 * Text is appended into an internal buffer (csvz_reserve/csvz_commit, or
 * csvz_write); each full buffer (1 MiB of text) is compressed (level 1: ISA-L
 * igzip; other levels: libdeflate) into one complete gzip member written
 * straight to <tmp_path>; nothing is ever written under the final name until
 * csvz_rename. csvz_end_member ends the current member early; later text
 * starts a new one. Concatenated members are one valid gzip stream for zcat,
 * gzip, zlib's gzread and Python, and they let the merge step reuse a part
 * file's bytes without recompressing (see io/gz_merge.h). The output bytes
 * depend only on the text, the end_member points, the level and the buffer
 * size (gzip header mtime 0; level 1 also on the igzip code ISA-L picks for
 * the CPU), never on how the text was cut into reserve/commit pieces.
 *
 * Errors are sticky (Redis RIO_FLAG_WRITE_ERROR style): the first failed
 * write or deflate is remembered, later writes are no-ops, and csvz_close
 * reports it naming the file. Every function is Local. */
#ifndef SB_CSVZ_H
#define SB_CSVZ_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

#include "base/run_ctx.h"

typedef struct csvz csvz;

/* Largest single csvz_reserve request. */
#define CSVZ_RESERVE_MAX ((size_t)1 << 16)

/* csvz_open - create (truncate) tmp_path for gzip level 0..9 (1: igzip's
 * level 1; others: libdeflate's level of the same number, 0 = stored blocks).
 * returns SB_OK | SB_EINVAL (level) | SB_EIO (naming tmp_path) | SB_ENOMEM;
 * on error nothing is left on disk and *out is untouched. */
int csvz_open(run_ctx *run, const char *path, const char *tmp_path, int level, csvz **out);

/* csvz_reserve - a pointer to at least `need` (<= CSVZ_RESERVE_MAX) free bytes
 * at the end of the text; csvz_commit(w, n) then appends the first n of them.
 * Never fails: after a write error the bytes are discarded at the next flush. */
char *csvz_reserve(csvz *w, size_t need);
void csvz_commit(csvz *w, size_t n);
/* csvz_write - append n bytes of text. */
void csvz_write(csvz *w, const void *text, size_t n);

/* csvz_end_member - finish the current gzip member; later text starts a new one. */
void csvz_end_member(csvz *w);
/* Bytes written to the file so far; after csvz_end_member it is the offset
 * where the next member starts. */
int64_t csvz_file_bytes(const csvz *w);
/* Uncompressed text bytes appended so far. */
int64_t csvz_text_bytes(const csvz *w);
/* Seconds spent in deflate and in file writes (for the benchmark breakdown). */
double csvz_deflate_seconds(const csvz *w);

/* csvz_close - finish the last member, flush and close tmp_path; check the
 * sticky error. returns SB_OK | SB_EIO; on error tmp_path is removed. The file
 * keeps its temporary name. */
int csvz_close(run_ctx *run, csvz *w);
/* csvz_rename - rename tmp_path to path (after a successful csvz_close). */
int csvz_rename(run_ctx *run, csvz *w);
/* csvz_discard - close if open and remove whatever this writer put on disk
 * (tmp_path, or path if already renamed). For the failure path. */
void csvz_discard(csvz *w);
/* csvz_free - release memory (does not touch files). NULL is fine. */
void csvz_free(csvz *w);

/* The temporary name of the file (read by the merge step). */
const char *csvz_tmp_path(const csvz *w);

#endif
