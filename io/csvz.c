/* csvz.c - gzip CSV writer: text buffer -> gzip members -> tmp file, sticky
 * error.
 *
 * Every TEXT_CAP bytes of text (counted from the last csvz_end_member) become
 * one complete gzip member, compressed in one call (whole buffer, no
 * streaming state), and the text left after an end_member becomes the last
 * member of that group. Member boundaries therefore depend only on the text
 * and the end_member calls, never on how the caller cut it into
 * reserve/commit pieces: the text buffer has CSVZ_RESERVE_MAX bytes of slack
 * past TEXT_CAP, a full buffer is compressed at the next reserve, and the few
 * bytes past TEXT_CAP move to the front. Both compressors write gzip headers
 * with mtime 0, so the bytes depend only on text, level and TEXT_CAP (and,
 * for level 1, on which code ISA-L picked for the CPU).
 *
 * Level 1, the speed setting, is ISA-L's igzip level 1; levels 0 and 2..9
 * are libdeflate's: igzip 1 is the fastest of the three at level 1 and packs
 * about as well (tests/bench/perf-log.md, 2026-11-24).
 *
 * TEXT_CAP is chosen by measurement: smaller members compress worse and were
 * no faster, larger ones gain almost nothing for their memory. */
#include "io/csvz.h"
#include "base/error.h"
#include "base/alloc.h"

#include <errno.h>           /* for errno */
#include <isa-l/igzip_lib.h> /* for isal_deflate */
#include <libdeflate.h>      /* for libdeflate_gzip_compress */
#include <stdio.h>           /* for FILE, fopen, fwrite */
#include <stdlib.h>          /* for free */
#include <string.h>          /* for strerror, memcpy, memmove */
#include <time.h>            /* for clock_gettime (deflate timing) */
#include <unistd.h>          /* for unlink */

#define TEXT_CAP ((size_t)1 << 20) /* text bytes per gzip member */
/* Room above TEXT_CAP + 1/8 for igzip's stored-block fallback and the gzip wrapper. */
#define IGZIP_BOUND_SLACK 4096

struct csvz {
    char *path, *tmp_path;
    FILE *f;
    struct libdeflate_compressor *c; /* levels 0, 2..9 */
    struct isal_zstream *zs;         /* level 1 */
    uint8_t *zs_buf;                 /* level 1: igzip's hash tables */
    int in_member;     /* text was appended since the last member end */
    int group_members; /* members written since the last member end */
    int err;           /* sticky: first error's errno (or -1 for the compressor), 0 = fine */
    const char *err_what;
    int closed, renamed;
    char *text; /* TEXT_CAP + CSVZ_RESERVE_MAX bytes */
    size_t text_len;
    unsigned char *out;
    size_t out_cap;
    int64_t file_bytes, text_bytes;
    double deflate_s;
};

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void set_err(csvz *w, int err, const char *what)
{
    if (w->err == 0) {
        w->err = err ? err : -1;
        w->err_what = what;
    }
}

/* One gzip member of the first n bytes of text into w->out with igzip level
 * 1; returns its size, 0 if it failed or did not fit. */
static size_t igzip_member(csvz *w, size_t n)
{
    struct isal_zstream *z = w->zs;
    isal_deflate_init(z);
    z->level = 1;
    z->level_buf = w->zs_buf;
    z->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    z->gzip_flag = IGZIP_GZIP;
    z->end_of_stream = 1;
    z->flush = NO_FLUSH;
    z->next_in = (uint8_t *)w->text;
    z->avail_in = (uint32_t)n;
    z->next_out = w->out;
    z->avail_out = (uint32_t)w->out_cap;
    if (isal_deflate(z) != COMP_OK || z->avail_in != 0 || z->internal_state.state != ZSTATE_END) return 0;
    return z->total_out;
}

/* Compress the first n (<= TEXT_CAP) bytes of text as one gzip member, write
 * it, and move the rest of the text to the front. After an error the text is
 * dropped. */
static void emit_member(csvz *w, size_t n)
{
    if (w->err) {
        w->text_len = 0;
        return;
    }
    double t0 = mono_now();
    size_t got = w->zs != NULL ? igzip_member(w, n) : libdeflate_gzip_compress(w->c, w->text, n, w->out, w->out_cap);
    if (got == 0) {
        set_err(w, 0, "gzip compress");
    } else if (fwrite(w->out, 1, got, w->f) != got) {
        set_err(w, errno, "write");
    } else {
        w->file_bytes += (int64_t)got;
        w->group_members++;
    }
    if (w->err) {
        w->text_len = 0;
    } else {
        w->text_len -= n;
        if (w->text_len > 0) memmove(w->text, w->text + n, w->text_len);
    }
    w->deflate_s += mono_now() - t0;
}

int csvz_open(run_ctx *run, const char *path, const char *tmp_path, int level, csvz **out)
{
    if (level < 0 || level > 9) return SB_FAIL(run, SB_EINVAL, "gzip level %d: must be 0..9", level);
    csvz *w = sb_alloc(run, 1, sizeof *w);
    if (w == NULL) return SB_ENOMEM;
    /* --gzip-level 1 is igzip level 1, n != 1 libdeflate level n (0 = stored
     * blocks; 2..9 on zlib's scale). igzip's output bound: its stored-block
     * fallback adds 5 bytes per 64 KiB, the gzip wrapper 18. */
    if (level == 1) {
        w->zs = sb_alloc(run, 1, sizeof *w->zs);
        w->zs_buf = sb_alloc(run, ISAL_DEF_LVL1_DEFAULT, 1);
        w->out_cap = TEXT_CAP + TEXT_CAP / 8 + IGZIP_BOUND_SLACK;
        if (w->zs == NULL || w->zs_buf == NULL) {
            csvz_free(w);
            return SB_ENOMEM;
        }
    } else {
        w->c = libdeflate_alloc_compressor(level);
        if (w->c == NULL) {
            csvz_free(w);
            return SB_FAIL(run, SB_ENOMEM, "libdeflate compressor (level %d): out of memory", level);
        }
        w->out_cap = libdeflate_gzip_compress_bound(w->c, TEXT_CAP);
    }
    w->path = sb_strdup(run, path);
    w->tmp_path = sb_strdup(run, tmp_path);
    w->text = sb_alloc(run, TEXT_CAP + CSVZ_RESERVE_MAX, 1);
    w->out = sb_alloc(run, w->out_cap, 1);
    if (!w->path || !w->tmp_path || !w->text || !w->out) {
        csvz_free(w);
        return SB_ENOMEM;
    }
    w->f = fopen(tmp_path, "wb");
    if (w->f == NULL) {
        int e = errno;
        csvz_free(w);
        return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp_path, strerror(e));
    }
    *out = w;
    return SB_OK;
}

char *csvz_reserve(csvz *w, size_t need)
{
    (void)need; /* <= CSVZ_RESERVE_MAX: always fits in the slack once text_len < TEXT_CAP */
    if (w->text_len >= TEXT_CAP) emit_member(w, TEXT_CAP);
    w->in_member = 1;
    return w->text + w->text_len;
}

void csvz_commit(csvz *w, size_t n)
{
    w->text_len += n;
    w->text_bytes += (int64_t)n;
}

void csvz_write(csvz *w, const void *text, size_t n)
{
    const char *p = text;
    while (n > 0) {
        size_t piece = n < CSVZ_RESERVE_MAX ? n : CSVZ_RESERVE_MAX;
        memcpy(csvz_reserve(w, piece), p, piece);
        csvz_commit(w, piece);
        p += piece;
        n -= piece;
    }
}

void csvz_end_member(csvz *w)
{
    if (w->text_len > TEXT_CAP) emit_member(w, TEXT_CAP);
    /* The rest, or one empty member when the group has none (valid gzip either way). */
    if (w->text_len > 0 || w->group_members == 0) emit_member(w, w->text_len);
    w->text_len = 0;
    w->group_members = 0;
    w->in_member = 0;
}

int64_t csvz_file_bytes(const csvz *w) { return w->file_bytes; }
int64_t csvz_text_bytes(const csvz *w) { return w->text_bytes; }
double csvz_deflate_seconds(const csvz *w) { return w->deflate_s; }
const char *csvz_tmp_path(const csvz *w) { return w->tmp_path; }

int csvz_close(run_ctx *run, csvz *w)
{
    if (w->closed) return SB_OK;
    /* An empty file still gets one (empty) member so it is valid gzip. */
    double t0 = mono_now();
    if (w->in_member || w->file_bytes == 0) csvz_end_member(w);
    if (fflush(w->f) != 0) set_err(w, errno, "flush");
    /* on disk before the rename and _SUCCESS; a failing disk may say so only here (EINVAL: cannot sync a pipe) */
    if (fsync(fileno(w->f)) != 0 && errno != EINVAL) set_err(w, errno, "fsync");
    if (fclose(w->f) != 0) set_err(w, errno, "close");
    w->deflate_s += mono_now() - t0;
    w->f = NULL;
    w->closed = 1;
    if (w->err) {
        unlink(w->tmp_path);
        return SB_FAIL(run, SB_EIO, "%s: %s failed: %s", w->tmp_path, w->err_what,
                       w->err > 0 ? strerror(w->err) : "the compressor failed");
    }
    return SB_OK;
}

int csvz_rename(run_ctx *run, csvz *w)
{
    if (!w->closed || w->err) return SB_FAIL(run, SB_EINVAL, "%s: rename before a successful close", w->tmp_path);
    if (rename(w->tmp_path, w->path) != 0)
        return SB_FAIL(run, SB_EIO, "rename %s -> %s: %s", w->tmp_path, w->path, strerror(errno));
    w->renamed = 1;
    return SB_OK;
}

void csvz_discard(csvz *w)
{
    if (w == NULL) return;
    if (w->f != NULL) {
        fclose(w->f);
        w->f = NULL;
        w->closed = 1;
    }
    unlink(w->renamed ? w->path : w->tmp_path);
}

void csvz_free(csvz *w)
{
    if (w == NULL) return;
    if (w->f != NULL) fclose(w->f);
    if (w->c != NULL) libdeflate_free_compressor(w->c);
    free(w->zs);
    free(w->zs_buf);
    free(w->path);
    free(w->tmp_path);
    free(w->text);
    free(w->out);
    free(w);
}
