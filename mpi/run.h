/* run.h - the run context: rank, size, error message, log level, seed.
 *
 * One run_ctx is created by main (run_init) and passed explicitly to every
 * function that can fail or communicate. Its struct is private to mpi/ so
 * that this header does not pull in <mpi.h>; io/ and jobs/ include only this.
 * Kernels (kernels/) never see it.
 */
#ifndef SB_RUN_H
#define SB_RUN_H

#include <stdarg.h> /* for va_list */
#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

typedef struct run_ctx run_ctx;

/* Status codes. Every fallible function returns one of these. */
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

enum { SB_LOG_QUIET = 0, SB_LOG_INFO = 1, SB_LOG_VERBOSE = 2 };

/* run_init - MPI_Init_thread, MPI_ERRORS_RETURN on our communicator,
 * LC_NUMERIC=C. Collective over MPI_COMM_WORLD. */
int run_init(int *argc, char ***argv, run_ctx **out);
/* run_init_local - a context without MPI (rank 0 of 1) for commands that
 * never communicate (serve, models): no collective may be called on it.
 * run_finalize_local frees it. */
int run_init_local(run_ctx **out);
void run_finalize_local(run_ctx *run);
/* run_finalize - MPI_Finalize and free. Collective. */
void run_finalize(run_ctx *run);
/* run_abort - print nothing, MPI_Abort(world, exit_code). Does not return. */
void run_abort(run_ctx *run, int exit_code) __attribute__((noreturn));

int run_rank(const run_ctx *run);
int run_size(const run_ctx *run);
/* World rank/size (differ from run_rank/run_size inside a cv group). */
int run_world_rank(const run_ctx *run);

/* Logging: rank 0 only. */
void run_set_log_level(run_ctx *run, int level);
int run_log_level(const run_ctx *run);
void sb_info(const run_ctx *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_verbose(const run_ctx *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Wall clock in seconds (MPI_Wtime). */
double run_wtime(void);

/* ---- errors --------------------------------------------------------------
 * One message per run context. err_set formats the user message and records
 * the source location; err_push_frame appends "<- file:line" as the code
 * returns upward, so the report reads like a short traceback. */
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
 * If the error was agreed (run_agree_rc), only rank 0 prints it. */
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
/* SB_ALLOC_OR_OUT - p = sb_alloc(...); on NULL rc = SB_ENOMEM (message already set), goto out. */
#define SB_ALLOC_OR_OUT(run, p, n, size)                                                           \
    do {                                                                                           \
        if (((p) = sb_alloc((run), (n), (size))) == NULL) {                                        \
            rc = SB_ENOMEM;                                                                        \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* ---- memory ------------------------------------------------------------- */
/* sb_alloc - calloc that records an SB_ENOMEM error (with size) on failure. */
void *sb_alloc(run_ctx *run, size_t n, size_t size);
void *sb_realloc(run_ctx *run, void *p, size_t n, size_t size);
char *sb_strdup(run_ctx *run, const char *s);

/* ---- agreement (collective decisions, style rule R7) --------------------
 * run_agree_rc - Collective. Every rank passes its local status; if any rank
 * failed, the message of the lowest failing rank is copied to every rank's
 * context and all return that rank's code. Otherwise returns SB_OK. */
int run_agree_rc(run_ctx *run, int rc);

/* ---- stop requests (SIGTERM) --------------------------------------------
 * Only commands that can stop cleanly (train, cv: finish the round or point,
 * checkpoint, exit 75) catch SIGTERM; the others keep its default action, so a
 * cancelled ingest or predict ends at once and leaves only temporary names. */
/* Install the SIGTERM handler that sets the stop flag. Local. */
void run_catch_sigterm(void);
/* Local flag set by the SIGTERM handler; agree on it with comm_agree_max. */
int run_stop_requested(void);

#endif
