/* run.c - run context lifecycle, errors, logging, agreement. */
#include "mpi/run_impl.h"

#include <locale.h> /* for setlocale */
#include <signal.h> /* for sigaction */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The only process-wide state: a signal handler cannot reach a context. */
static volatile sig_atomic_t stop_flag = 0;

static void on_sigterm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int run_stop_requested(void) { return stop_flag != 0; }

int run_init(int *argc, char ***argv, run_ctx **out)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "shardboost: error: MPI_Init_thread failed\n");
        return SB_EMPI;
    }
    run_ctx *run = calloc(1, sizeof *run);
    if (run == NULL) {
        fprintf(stderr, "shardboost: error: out of memory at start-up\n");
        MPI_Abort(MPI_COMM_WORLD, SB_EXIT_FAIL);
    }
    run->comm = MPI_COMM_WORLD;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(run->comm, &run->rank);
    MPI_Comm_size(run->comm, &run->size);
    run->world_rank = run->rank;
    run->log_level = SB_LOG_INFO;
    setlocale(LC_NUMERIC, "C"); /* numbers round-trip whatever the user's locale */
    *out = run;
    return SB_OK;
}

void run_catch_sigterm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
}

void run_finalize(run_ctx *run)
{
    MPI_Finalize();
    free(run);
}

void run_abort(run_ctx *run, int exit_code)
{
    (void)run;
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    exit(exit_code); /* not reached */
}

MPI_Comm run_comm(const run_ctx *run) { return run->comm; }
int run_rank(const run_ctx *run) { return run->rank; }
int run_size(const run_ctx *run) { return run->size; }
int run_world_rank(const run_ctx *run) { return run->world_rank; }
void run_set_log_level(run_ctx *run, int level) { run->log_level = level; }
int run_log_level(const run_ctx *run) { return run->log_level; }
double run_wtime(void) { return MPI_Wtime(); }

static void vlog(const run_ctx *run, int min_level, FILE *f, const char *fmt, va_list ap)
{
    if (run->rank != 0 || run->log_level < min_level) return;
    vfprintf(f, fmt, ap);
    fflush(f);
}

void sb_info(const run_ctx *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(run, SB_LOG_INFO, stdout, fmt, ap);
    va_end(ap);
}

void sb_verbose(const run_ctx *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(run, SB_LOG_VERBOSE, stdout, fmt, ap);
    va_end(ap);
}

/* ---- errors ---- */

int err_set(run_ctx *run, int code, const char *file, int line, const char *fmt, ...)
{
    if (run->err_code != SB_OK) return run->err_code; /* keep the first, root cause */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(run->err_msg, SB_ERR_MAX, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n < SB_ERR_MAX) snprintf(run->err_msg + n, SB_ERR_MAX - (size_t)n, " (at %s:%d", file, line);
    run->err_code = code;
    run->err_agreed = 0;
    run->err_rank = run->rank;
    return code;
}

void err_push_frame(run_ctx *run, const char *file, int line)
{
    size_t n = strlen(run->err_msg);
    if (n + 1 < SB_ERR_MAX) snprintf(run->err_msg + n, SB_ERR_MAX - n, " <- %s:%d", file, line);
}

const char *err_message(const run_ctx *run) { return run->err_msg; }
int err_code(const run_ctx *run) { return run->err_code; }
int run_error_agreed(const run_ctx *run) { return run->err_agreed; }

void err_clear(run_ctx *run)
{
    run->err_code = SB_OK;
    run->err_agreed = 0;
    run->err_msg[0] = '\0';
}

run_ctx *run_detached(const run_ctx *run)
{
    run_ctx *d = malloc(sizeof *d);
    if (d != NULL) {
        memcpy(d, run, sizeof *d);
        err_clear(d);
    }
    return d;
}

int err_take(run_ctx *run, run_ctx *src)
{
    const int code = src->err_code;
    if (code != SB_OK && run->err_code == SB_OK) {
        memcpy(run->err_msg, src->err_msg, SB_ERR_MAX);
        run->err_code = code;
        run->err_agreed = 0;
        run->err_rank = run->rank;
    }
    err_clear(src);
    return code;
}

int run_exit_code(int rc)
{
    switch (rc) {
    case SB_OK: return SB_EXIT_OK;
    case SB_EINVAL: return SB_EXIT_USAGE;
    case SB_EINTR: return SB_EXIT_STOPPED;
    default: return SB_EXIT_FAIL;
    }
}

void run_report_error(const run_ctx *run)
{
    if (run->err_code == SB_EINTR) {
        if (run->rank == 0) fprintf(stderr, "shardboost: %s)\n", run->err_msg);
        return;
    }
    if (run->err_agreed && run->rank != 0) return;
    const char *msg = run->err_msg[0] ? run->err_msg : "unknown error (no message";
    fprintf(stderr, "[rank %d] shardboost: error: %s)\n", run->err_agreed ? run->err_rank : run->world_rank, msg);
    fflush(stderr);
}

/* ---- memory ---- */

void *sb_alloc(run_ctx *run, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        SB_FAIL(run, SB_ENOMEM, "out of memory allocating %zu x %zu bytes on rank %d", n, size, run->world_rank);
    return p;
}

void *sb_realloc(run_ctx *run, void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        SB_FAIL(run, SB_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    size_t bytes = n * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (q == NULL)
        SB_FAIL(run, SB_ENOMEM, "out of memory growing to %zu x %zu bytes on rank %d", n, size, run->world_rank);
    return q;
}

char *sb_strdup(run_ctx *run, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = sb_alloc(run, n, 1);
    if (p) memcpy(p, s, n);
    return p;
}

/* ---- agreement ---- */

int run_agree_rc(run_ctx *run, int rc)
{
    int mine = (rc != SB_OK) ? run->rank : run->size;
    int first = run->size;
    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, run->comm) != MPI_SUCCESS) {
        /* The channel we would agree over is broken: nothing left but abort. */
        fprintf(stderr, "[rank %d] shardboost: error: MPI_Allreduce failed while agreeing on status\n",
                run->world_rank);
        run_abort(run, SB_EXIT_FAIL);
    }
    if (first == run->size) return SB_OK;
    struct {
        int code, world_rank;
    } hdr = {run->err_code != SB_OK ? run->err_code : rc, run->world_rank};
    if (MPI_Bcast(&hdr, 2, MPI_INT, first, run->comm) != MPI_SUCCESS ||
        MPI_Bcast(run->err_msg, SB_ERR_MAX, MPI_CHAR, first, run->comm) != MPI_SUCCESS) {
        fprintf(stderr, "[rank %d] shardboost: error: MPI_Bcast failed while agreeing on status\n",
                run->world_rank);
        run_abort(run, SB_EXIT_FAIL);
    }
    run->err_msg[SB_ERR_MAX - 1] = '\0';
    run->err_code = hdr.code;
    run->err_agreed = 1;
    run->err_rank = hdr.world_rank;
    return hdr.code;
}
