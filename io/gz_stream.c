/* gz_stream.c - see gz_stream.h. */
#include "io/gz_stream.h"
#include "base/error.h"
#include "base/alloc.h"

#include <errno.h>  /* for errno */
#include <stdint.h> /* for int64_t */
#include <stdlib.h> /* for free */
#include <string.h> /* for strerror */
#include <unistd.h> /* for read, close */
#include <zlib.h>   /* for inflate */

#define GZ_IN (1u << 18)

struct gz_stream {
    const char *path;
    int fd;
    int eof;        /* no more compressed input */
    int between;    /* a member ended; the next input must start a new one */
    int member;     /* 1-based member being read */
    int64_t in_off; /* file offset of the next unread compressed byte */
    z_stream z;
    unsigned char *in;
};

int gz_stream_open(run_ctx *run, const char *path, int fd, gz_stream **out)
{
    gz_stream *g = sb_alloc(run, 1, sizeof *g);
    unsigned char *in = sb_alloc(run, GZ_IN, 1);
    if (g == NULL || in == NULL || inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
        free(g);
        free(in);
        close(fd);
        return g && in ? SB_FAIL(run, SB_ENOMEM, "%s: zlib init failed", path) : SB_ENOMEM;
    }
    g->path = path;
    g->fd = fd;
    g->member = 1;
    g->in = in;
    *out = g;
    return SB_OK;
}

void gz_stream_close(gz_stream *g)
{
    if (g == NULL) return;
    inflateEnd(&g->z);
    close(g->fd);
    free(g->in);
    free(g);
}

/* More compressed input when zlib has used all it had. */
static int fill_input(run_ctx *run, gz_stream *g)
{
    if (g->z.avail_in > 0 || g->eof) return SB_OK;
    ssize_t n;
    do n = read(g->fd, g->in, GZ_IN);
    while (n < 0 && errno == EINTR);
    if (n < 0) return SB_FAIL(run, SB_EIO, "%s: read failed: %s", g->path, strerror(errno));
    if (n == 0) g->eof = 1;
    g->z.next_in = g->in;
    g->z.avail_in = (uInt)n;
    return SB_OK;
}

/* After a member's end: clean end of file, or the two magic bytes of the next member. */
static int next_member(run_ctx *run, gz_stream *g, long long line)
{
    SB_TRY(run, fill_input(run, g));
    if (g->z.avail_in == 0) return SB_OK; /* end of file right after a member */
    int64_t at = g->in_off;
    if (g->z.next_in[0] != 0x1f || (g->z.avail_in > 1 && g->z.next_in[1] != 0x8b))
        return SB_FAIL(run, SB_EIO, "%s: trailing garbage at byte %lld after gzip member %d (line %lld): "
                       "not a gzip member (corrupt header?)", g->path, (long long)at, g->member, line);
    inflateReset(&g->z);
    g->between = 0;
    g->member++;
    return SB_OK;
}

int gz_stream_read(run_ctx *run, gz_stream *g, char *buf, size_t want, size_t *got, long long line)
{
    *got = 0;
    g->z.next_out = (Bytef *)buf;
    g->z.avail_out = (uInt)(want > (1u << 30) ? (1u << 30) : want);
    while (g->z.avail_out > 0) {
        if (g->between) {
            SB_TRY(run, next_member(run, g, line));
            if (g->between) break; /* clean end */
        }
        SB_TRY(run, fill_input(run, g));
        uInt before = g->z.avail_in;
        int zr = inflate(&g->z, Z_NO_FLUSH);
        g->in_off += before - g->z.avail_in;
        if (zr == Z_STREAM_END) g->between = 1;
        else if (zr == Z_BUF_ERROR && g->eof && g->z.avail_in == 0)
            return SB_FAIL(run, SB_EIO, "%s: gzip data truncated or corrupt after line %lld (member %d ends early)", g->path,
                           line, g->member);
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return SB_FAIL(run, SB_EIO, "%s: gzip data truncated or corrupt after line %lld (member %d, near byte %lld: %s)",
                           g->path, line, g->member, (long long)g->in_off, g->z.msg ? g->z.msg : "inflate error");
        if (*got == 0 && (char *)g->z.next_out > buf) break; /* hand back what we have */
    }
    *got = (size_t)((char *)g->z.next_out - buf);
    return SB_OK;
}
