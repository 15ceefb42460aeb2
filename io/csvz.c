/* csvz.c - gzip CSV writer: text buffer -> deflate -> tmp file, sticky error. */
#include "io/csvz.h"

#include <errno.h>  /* for errno */
#include <stdio.h>  /* for FILE, fopen, fwrite */
#include <stdlib.h> /* for free */
#include <string.h> /* for strerror, memcpy */
#include <time.h>   /* for clock_gettime (deflate timing) */
#include <unistd.h> /* for unlink */
#include <zlib.h>   /* for deflate */

#define TEXT_CAP ((size_t)1 << 20) /* text buffer: deflate works in 1 MiB chunks */
#define OUT_CAP ((size_t)1 << 18)  /* compressed bytes per fwrite */

struct csvz {
    char *path, *tmp_path;
    FILE *f;
    z_stream z;
    int z_ready;     /* deflateInit2 succeeded */
    int in_member;   /* text was deflated since the last member end */
    int err;         /* sticky: first error's errno (or -1 for zlib), 0 = fine */
    const char *err_what;
    int closed, renamed;
    char *text;
    size_t text_len;
    unsigned char *out;
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

/* Deflate everything in the text buffer with `flush` (Z_NO_FLUSH or Z_FINISH)
 * and write the output. */
static void pump(csvz *w, int flush)
{
    if (w->err) {
        w->text_len = 0;
        return;
    }
    double t0 = mono_now();
    w->z.next_in = (unsigned char *)w->text;
    w->z.avail_in = (uInt)w->text_len;
    for (;;) {
        w->z.next_out = w->out;
        w->z.avail_out = (uInt)OUT_CAP;
        int zrc = deflate(&w->z, flush);
        if (zrc == Z_STREAM_ERROR) {
            set_err(w, 0, "deflate");
            break;
        }
        size_t have = OUT_CAP - w->z.avail_out;
        if (have > 0) {
            if (fwrite(w->out, 1, have, w->f) != have) {
                set_err(w, errno, "write");
                break;
            }
            w->file_bytes += (int64_t)have;
        }
        if (flush == Z_FINISH ? zrc == Z_STREAM_END : (w->z.avail_in == 0 && w->z.avail_out != 0)) break;
    }
    w->text_len = 0;
    w->deflate_s += mono_now() - t0;
}

int csvz_open(run_ctx *run, const char *path, const char *tmp_path, int level, csvz **out)
{
    if (level < 0 || level > 9) return SB_FAIL(run, SB_EINVAL, "gzip level %d: must be 0..9", level);
    csvz *w = sb_alloc(run, 1, sizeof *w);
    if (w == NULL) return SB_ENOMEM;
    w->path = sb_strdup(run, path);
    w->tmp_path = sb_strdup(run, tmp_path);
    w->text = sb_alloc(run, TEXT_CAP, 1);
    w->out = sb_alloc(run, OUT_CAP, 1);
    if (!w->path || !w->tmp_path || !w->text || !w->out) {
        csvz_free(w);
        return SB_ENOMEM;
    }
    /* windowBits 15 + 16: a gzip wrapper with mtime 0, so bytes are reproducible. */
    if (deflateInit2(&w->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        csvz_free(w);
        return SB_FAIL(run, SB_ENOMEM, "deflateInit2 (level %d) failed", level);
    }
    w->z_ready = 1;
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
    if (w->text_len + need > TEXT_CAP) pump(w, Z_NO_FLUSH);
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
    pump(w, Z_FINISH);
    if (!w->err && deflateReset(&w->z) != Z_OK) set_err(w, 0, "deflateReset");
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
    if (w->in_member || w->file_bytes == 0) csvz_end_member(w);
    if (fflush(w->f) != 0) set_err(w, errno, "flush");
    if (fclose(w->f) != 0) set_err(w, errno, "close");
    w->f = NULL;
    w->closed = 1;
    if (w->err) {
        unlink(w->tmp_path);
        return SB_FAIL(run, SB_EIO, "%s: %s failed: %s", w->tmp_path, w->err_what,
                       w->err > 0 ? strerror(w->err) : "zlib stream error");
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
    if (w->z_ready) deflateEnd(&w->z);
    free(w->path);
    free(w->tmp_path);
    free(w->text);
    free(w->out);
    free(w);
}
