/* eio_shim.c - a failing disk for tests/integration/faults.sh (LD_PRELOAD; never
 * linked into shardboost). For files whose path contains $SB_EIO_MATCH:
 *   write, pwrite, pwritev, writev: pass the first $SB_EIO_AFTER bytes (default 0;
 *     counted over the process), cut the write that crosses it short, then EIO;
 *   fsync, fdatasync: EIO once a byte was refused or when $SB_EIO_AFTER is 0;
 *   fclose: closes, then reports EIO likewise (stdio's own writes go through
 *     glibc-internal calls a preload cannot see: EIO at fsync/fclose is how a
 *     failing disk or an NFS server's writeback error reaches them).
 * The descriptor's path is read from /proc/self/fd. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long spent = 0;
static int refused = 0;

static int fd_matches(int fd)
{
    const char *m = getenv("SB_EIO_MATCH");
    char link[64], path[4096];
    if (m == NULL || *m == '\0' || fd < 0) return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = '\0';
    return strstr(path, m) != NULL;
}

static long long after(void)
{
    const char *a = getenv("SB_EIO_AFTER");
    return a ? atoll(a) : 0;
}

/* How many of n bytes may pass; -1 with errno EIO when none. */
static ssize_t allow(int fd, size_t n)
{
    if (!fd_matches(fd)) return (ssize_t)n;
    long long left = after() - spent;
    if (left <= 0 || n == 0) {
        refused = 1;
        errno = EIO;
        return n == 0 ? 0 : -1;
    }
    size_t k = (size_t)left < n ? (size_t)left : n;
    spent += (long long)k;
    return (ssize_t)k;
}

#define REAL(name, type)                                                                           \
    static type real_##name;                                                                       \
    if (!real_##name) real_##name = (type)dlsym(RTLD_NEXT, #name)

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwritev_fn)(int, const struct iovec *, int, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef int (*fd_fn)(int);
typedef int (*fclose_fn)(FILE *);

ssize_t write(int fd, const void *b, size_t n)
{
    REAL(write, write_fn);
    ssize_t k = allow(fd, n);
    return k < 0 ? -1 : real_write(fd, b, (size_t)k);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t off)
{
    REAL(pwrite, pwrite_fn);
    ssize_t k = allow(fd, n);
    return k < 0 ? -1 : real_pwrite(fd, b, (size_t)k, off);
}
ssize_t pwrite64(int fd, const void *b, size_t n, off_t off) { return pwrite(fd, b, n, off); }

/* The vector calls pass whole buffers or fail: enough to stop a writer part-way. */
static size_t iov_bytes(const struct iovec *v, int c)
{
    size_t n = 0;
    for (int i = 0; i < c; ++i) n += v[i].iov_len;
    return n;
}

ssize_t pwritev(int fd, const struct iovec *v, int c, off_t off)
{
    REAL(pwritev, pwritev_fn);
    size_t n = iov_bytes(v, c);
    if (fd_matches(fd) && (long long)n > after() - spent) return refused = 1, errno = EIO, -1;
    if (fd_matches(fd)) spent += (long long)n;
    return real_pwritev(fd, v, c, off);
}
ssize_t pwritev64(int fd, const struct iovec *v, int c, off_t off) { return pwritev(fd, v, c, off); }

ssize_t writev(int fd, const struct iovec *v, int c)
{
    REAL(writev, writev_fn);
    size_t n = iov_bytes(v, c);
    if (fd_matches(fd) && (long long)n > after() - spent) return refused = 1, errno = EIO, -1;
    if (fd_matches(fd)) spent += (long long)n;
    return real_writev(fd, v, c);
}

static int sync_fails(int fd) { return fd_matches(fd) && (refused || after() == 0); }

int fsync(int fd)
{
    REAL(fsync, fd_fn);
    if (sync_fails(fd)) return errno = EIO, -1;
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync, fd_fn);
    if (sync_fails(fd)) return errno = EIO, -1;
    return real_fdatasync(fd);
}

int fclose(FILE *f)
{
    REAL(fclose, fclose_fn);
    int bad = f != NULL && sync_fails(fileno(f));
    int r = real_fclose(f);
    if (bad) return errno = EIO, EOF;
    return r;
}
