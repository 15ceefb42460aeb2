/* dir_lock.c - see dir_lock.h. */
#include "io/dir_lock.h"
#include "base/error.h"

#include <errno.h>    /* for errno, EWOULDBLOCK */
#include <fcntl.h>    /* for open */
#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for snprintf */
#include <string.h>   /* for strerror */
#include <sys/file.h> /* for flock */
#include <unistd.h>   /* for close */

#define LOCK_NAME ".shardboost.lock"

int dir_lock_take(run_ctx *run, const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, LOCK_NAME) >= (int)sizeof path)
        return SB_FAIL(run, SB_EINVAL, "%s: path too long", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return SB_FAIL(run, SB_EIO, "%s: cannot create the lock file: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return SB_FAIL(run, SB_EINVAL, "%s: another run is writing this directory (lock %s held); "
                           "wait for it or choose another output", dir, LOCK_NAME);
        return SB_FAIL(run, SB_EIO, "%s: cannot lock: %s", path, strerror(e));
    }
    /* fd stays open on purpose: the lock lasts until the process ends */
    return SB_OK;
}
