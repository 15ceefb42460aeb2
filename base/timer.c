/* timer.c - wall clock and phase timers (see timer.h). */
#include "base/timer.h"

#include <stdio.h>
#include <string.h>
#include <time.h> /* for clock_gettime */

#include "base/log.h"

double run_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void timer_init(sb_timers *t, const char *const *names, int n)
{
    memset(t, 0, sizeof *t);
    t->names = names;
    t->n = n < SB_TIMER_MAX_PHASES ? n : SB_TIMER_MAX_PHASES;
}

void timer_start(sb_timers *t, int phase) { t->started[phase] = run_wtime(); }

double timer_stop(sb_timers *t, int phase)
{
    const double dt = run_wtime() - t->started[phase];
    t->total[phase] += dt;
    return dt;
}

double timer_total(const sb_timers *t, int phase) { return t->total[phase]; }

void timer_report(const run_ctx *run, const sb_timers *t, const char *title)
{
    if (run_log_level(run) < SB_LOG_VERBOSE) return;
    char line[1024];
    size_t w = (size_t)snprintf(line, sizeof line, "%s:", title);
    for (int i = 0; i < t->n && w < sizeof line; ++i)
        w += (size_t)snprintf(line + w, sizeof line - w, "%s %s %.3fs", i ? "," : "", t->names[i], t->total[i]);
    sb_verbose(run, "%s\n", line);
}
