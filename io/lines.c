/* lines.c - see lines.h. */
#include "io/lines.h"
#include "base/error.h"
#include "base/alloc.h"
#include "io/gz_stream.h"

#include <errno.h>  /* for errno */
#include <fcntl.h>  /* for open, posix_fadvise */
#include <stdlib.h>
#include <string.h> /* for memchr, memmove, strerror */
#include <unistd.h> /* for read, pread, close */

#define CHUNK ((size_t)4 << 20)

struct lines {
    char *path;
    int fd;
    gz_stream *gz;
    char *buf;
    size_t cap, pos, fill; /* unread data is buf[pos, fill) */
    int64_t buf_off;       /* file offset of buf[0] (plain files) */
    int64_t end;           /* lines starting at or after this offset belong to the next piece */
    int64_t first_off;     /* file offset of the first line of the piece */
    int eof;
    int64_t line_local;    /* lines returned so far, counting blank ones */
    int64_t line_base;     /* newlines before first_off; -1 until needed */
    int64_t bytes;
};

void lines_close(lines *L)
{
    if (L == NULL) return;
    if (L->fd >= 0) close(L->fd);
    gz_stream_close(L->gz);
    free(L->buf);
    free(L->path);
    free(L);
}

/* Append more input to buf[fill..]; sets eof. Keeps buf[pos..fill) in place or moved to 0. */
static int refill(run_ctx *run, lines *L)
{
    if (L->pos > 0) {
        memmove(L->buf, L->buf + L->pos, L->fill - L->pos);
        L->buf_off += (int64_t)L->pos;
        L->fill -= L->pos;
        L->pos = 0;
    }
    if (L->fill == L->cap) {
        if (L->cap >= LINES_MAX_LINE)
            return SB_FAIL(run, SB_EDATA, "%s:%lld: line longer than %zu MiB", L->path,
                           (long long)lines_number(L) + 1, LINES_MAX_LINE >> 20);
        char *nb = sb_realloc(run, L->buf, L->cap * 2, 1);
        if (nb == NULL) return SB_ENOMEM;
        L->buf = nb;
        L->cap *= 2;
    }
    size_t want = L->cap - L->fill;
    if (L->gz) {
        size_t got = 0;
        SB_TRY(run, gz_stream_read(run, L->gz, L->buf + L->fill, want, &got, (long long)L->line_local));
        if (got == 0) L->eof = 1;
        L->fill += got;
        return SB_OK;
    }
    ssize_t got;
    do got = read(L->fd, L->buf + L->fill, want);
    while (got < 0 && errno == EINTR);
    if (got < 0) return SB_FAIL(run, SB_EIO, "%s: read failed: %s", L->path, strerror(errno));
    if (got == 0) L->eof = 1;
    L->fill += (size_t)got;
    return SB_OK;
}

/* Skip the tail of a line owned by the previous piece: start one byte
 * before begin and drop everything through the first '\n' (or just the '\n'). */
static int skip_partial_line(run_ctx *run, lines *L, int64_t begin)
{
    if (lseek(L->fd, begin - 1, SEEK_SET) < 0)
        return SB_FAIL(run, SB_EIO, "%s: seek failed: %s", L->path, strerror(errno));
    L->buf_off = begin - 1;
    for (;;) {
        char *nl = memchr(L->buf + L->pos, '\n', L->fill - L->pos);
        if (nl) {
            L->pos = (size_t)(nl - L->buf) + 1;
            return SB_OK;
        }
        L->pos = L->fill;
        if (L->eof) return SB_OK;
        SB_TRY(run, refill(run, L));
    }
}

int lines_open(run_ctx *run, const char *path, int gz, int64_t begin, int64_t end, lines **out)
{
    int rc = SB_OK;
    lines *L = sb_alloc(run, 1, sizeof *L);
    if (L == NULL) return SB_ENOMEM;
    L->fd = -1;
    L->line_base = -1;
    L->end = gz ? INT64_MAX : end;
    L->cap = CHUNK;
    L->path = sb_strdup(run, path);
    L->buf = sb_alloc(run, L->cap, 1);
    if (L->path == NULL || L->buf == NULL) SB_CHECK(run, SB_ENOMEM);
    if (gz) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) SB_RAISE(run, SB_EIO, "%s: cannot open: %s", path, strerror(errno));
        SB_CHECK(run, gz_stream_open(run, L->path, fd, &L->gz));
        begin = 0;
    } else {
        if ((L->fd = open(path, O_RDONLY)) < 0) SB_RAISE(run, SB_EIO, "%s: cannot open: %s", path, strerror(errno));
        posix_fadvise(L->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    if (begin > 0) SB_CHECK(run, skip_partial_line(run, L, begin));
    L->first_off = L->buf_off + (int64_t)L->pos;
    if (begin == 0) L->line_base = 0;
    *out = L;
    return SB_OK;
out:
    lines_close(L);
    return rc;
}

int lines_next(run_ctx *run, lines *L, const char **line, size_t *len)
{
    *line = NULL;
    *len = 0;
    for (;;) {
        if (L->buf_off + (int64_t)L->pos >= L->end) return SB_OK; /* next piece's line */
        char *start = L->buf + L->pos;
        char *nl = memchr(start, '\n', L->fill - L->pos);
        if (nl == NULL && !L->eof) {
            SB_TRY(run, refill(run, L));
            continue;
        }
        if (nl == NULL && L->pos == L->fill) return SB_OK; /* end of file */
        size_t n = nl ? (size_t)(nl - start) : L->fill - L->pos;
        L->pos += n + (nl != NULL);
        L->bytes += (int64_t)(n + (nl != NULL));
        if (L->line_local == 0 && L->line_base == 0 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
            start += 3; /* UTF-8 byte-order mark */
            n -= 3;
        }
        if (n > 0 && start[n - 1] == '\r') --n;
        ++L->line_local;
        *line = start;
        *len = n;
        return SB_OK;
    }
}

/* Newlines in [0, upto) of a plain file; -1 on error (the message then just lacks the base). */
static int64_t count_newlines(const char *path, int64_t upto)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    char buf[1 << 16];
    int64_t off = 0, count = 0;
    while (off < upto) {
        size_t want = (size_t)((upto - off) < (int64_t)sizeof buf ? (upto - off) : (int64_t)sizeof buf);
        ssize_t got = pread(fd, buf, want, off);
        if (got <= 0) break;
        for (const char *p = buf, *e = buf + got; (p = memchr(p, '\n', (size_t)(e - p))) != NULL; ++p) ++count;
        off += got;
    }
    close(fd);
    return count;
}

int64_t lines_number(lines *L)
{
    if (L->line_base < 0) {
        int64_t c = count_newlines(L->path, L->first_off);
        L->line_base = c < 0 ? 0 : c;
    }
    return L->line_base + L->line_local;
}

int lines_at_file_start(const lines *L) { return L->line_base == 0 && L->line_local == 1; }
int64_t lines_bytes(const lines *L) { return L->bytes; }
