/* log.h - progress messages, printed by rank 0 only. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include "base/run_ctx.h"

enum { SB_LOG_QUIET = 0, SB_LOG_INFO = 1, SB_LOG_VERBOSE = 2 };

void run_set_log_level(run_ctx *run, int level);
int run_log_level(const run_ctx *run);
void sb_info(const run_ctx *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_verbose(const run_ctx *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
