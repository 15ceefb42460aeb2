/* error.h - status codes and the one error idiom.
 *
 * Every fallible function returns a status. The user message, with the source
 * location where it arose, lives in the run context: err_set formats it, and
 * err_push_frame appends "<- file:line" as the status travels upward, so a
 * report reads like a short traceback. The first error wins (the root cause). */
#ifndef SB_ERROR_H
#define SB_ERROR_H

#include "base/run_ctx.h"

enum {
    SB_OK = 0,
    SB_EINVAL = -1, /* bad usage: options, parameters, schema */
    SB_EDATA = -2,  /* bad input data: names file and line */
    SB_EIO = -3,    /* file system or library I/O failure */
    SB_ENOMEM = -4, /* allocation failed */
    SB_EMPI = -5,   /* MPI call failed */
    SB_EINTR = -6   /* stopped on request (SIGTERM) after a checkpoint */
};

/* Process exit status for each code (main passes these to exit / MPI_Abort). */
enum {
    SB_EXIT_OK = 0,
    SB_EXIT_FAIL = 1,    /* data, I/O, memory, MPI */
    SB_EXIT_USAGE = 2,   /* bad options or parameters */
    SB_EXIT_STOPPED = 75 /* EX_TEMPFAIL: checkpointed on SIGTERM, resume later */
};

int err_set(run_ctx *run, int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void err_push_frame(run_ctx *run, const char *file, int line);
const char *err_message(const run_ctx *run);
int err_code(const run_ctx *run);
void err_clear(run_ctx *run);

/* run_detached - a context for a worker thread's errors: run's rank and
 * size, an empty message of its own. It must not communicate or log (only
 * the main thread calls MPI); free it with free(). NULL when out of memory. */
run_ctx *run_detached(const run_ctx *run);
/* err_take - move src's error, if any, into run (whose first error wins, as
 * with err_set) and clear src. Returns src's code. */
int err_take(run_ctx *run, run_ctx *src);
/* Report the error on stderr: "[rank r] shardboost: error: <msg> (at file:line <- ...)".
 * If the error was agreed (mpi/run.h: run_agree_rc), only rank 0 prints it. */
void run_report_error(const run_ctx *run);
/* Exit status for a status code. */
int run_exit_code(int rc);
/* True if the current error is known to every rank (agreed collectively). */
int run_error_agreed(const run_ctx *run);

/* The one error idiom (Redis's `goto werr`, PETSc's PetscCall):
 *   - a function that holds nothing to release calls SB_TRY, which returns;
 *   - a function that owns memory, files or handles declares `int rc = SB_OK;`,
 *     calls SB_CHECK / SB_RAISE, and releases everything after one label `out:`,
 *     then `return rc;`. No `if (rc == SB_OK) rc = ...` chains. */
#define SB_FAIL(run, code, ...) err_set((run), (code), __FILE__, __LINE__, __VA_ARGS__)
#define SB_TRY(run, expr)                                                                          \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != SB_OK) {                                                                        \
            err_push_frame((run), __FILE__, __LINE__);                                             \
            return rc_;                                                                            \
        }                                                                                          \
    } while (0)
/* SB_CHECK - evaluate a status into the function's `rc`; on failure add a frame, goto out. */
#define SB_CHECK(run, expr)                                                                        \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc != SB_OK) {                                                                         \
            err_push_frame((run), __FILE__, __LINE__);                                             \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
/* SB_RAISE - record an error (as SB_FAIL) into `rc` and goto out. */
#define SB_RAISE(run, code, ...)                                                                   \
    do {                                                                                           \
        rc = SB_FAIL((run), (code), __VA_ARGS__);                                                  \
        goto out;                                                                                  \
    } while (0)

#endif
