/* fuzz_common.h - what the libFuzzer targets tests/fuzz/<name>_fuzz.c share: one
 * run context without MPI (base/run_local.h) made once, and the input as a file
 * for readers that take a path (an anonymous memfd, named /proc/self/fd/N, so
 * nothing is left on disk and two fuzzers never share a name).
 * Built and run by tests/fuzz.mk (make fuzz) and tests/integration/fuzz_smoke.sh. */
#ifndef SB_FUZZ_COMMON_H
#define SB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h> /* for memfd_create */
#include <unistd.h>

#include "base/error.h"
#include "base/run_local.h"

/* The one run context (messages land in it; err_clear between inputs). */
static run_ctx *fuzz_run(void)
{
    static run_ctx *run = NULL;
    if (run == NULL && run_init_local(&run) != SB_OK) abort();
    err_clear(run);
    return run;
}

/* data[0 .. n) as a file: its path in path (cap bytes); returns the fd to close, -1 on error. */
static int fuzz_file(const uint8_t *data, size_t n, char *path, size_t cap)
{
    int fd = memfd_create("sbfuzz", MFD_CLOEXEC);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w <= 0) { close(fd); return -1; }
        done += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

/* A broken invariant: say which, with the run's message, and abort (libFuzzer keeps the input). */
static void fuzz_die(run_ctx *run, const char *what)
{
    fprintf(stderr, "fuzz invariant broken: %s: %s\n", what, err_message(run));
    abort();
}

/* A refusal must say something: an error code without a message is a defect. */
static void fuzz_check_refusal(run_ctx *run, int rc)
{
    if (rc != SB_OK && err_message(run)[0] == '\0') fuzz_die(run, "an error without a message");
}

#endif
