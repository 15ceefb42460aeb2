/* log.c - rank 0's progress messages (see log.h). */
#include "base/log.h"

#include <stdarg.h> /* for va_list */
#include <stdio.h>

#include "base/run_ctx_impl.h"

void run_set_log_level(run_ctx *run, int level) { run->log_level = level; }
int run_log_level(const run_ctx *run) { return run->log_level; }

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
