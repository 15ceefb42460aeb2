/* error.c - the error message of a run context (see error.h). */
#include "base/error.h"
#include "base/escape.h"

#include <stdarg.h> /* for va_list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/run_ctx_impl.h"

int err_set(run_ctx *run, int code, const char *file, int line, const char *fmt, ...)
{
    if (run->err_code != SB_OK) return run->err_code; /* keep the first, root cause */
    char raw[SB_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if (n >= SB_ERR_MAX) n = SB_ERR_MAX - 1;
    /* messages echo input (fields, keys, paths): never raw bytes to a terminal */
    n = (int)sb_escape(run->err_msg, SB_ERR_MAX, raw, (size_t)n);
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
