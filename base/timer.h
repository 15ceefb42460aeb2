/* timer.h - wall clock and named phase timers.
 *
 * A job names its phases once (an enum and a table of names), then brackets each
 * phase with timer_start / timer_stop; totals accumulate over repeated phases
 * (every tree level, every round). timer_report prints them at --verbose, so no
 * function keeps hand-made t0..tN timestamps. Local: no communication. */
#ifndef SB_TIMER_H
#define SB_TIMER_H

#include "base/run_ctx.h"

#define SB_TIMER_MAX_PHASES 16

/* Wall clock in seconds, monotonic. */
double run_wtime(void);

typedef struct {
    const char *const *names; /* n phase names, static */
    int n;
    double total[SB_TIMER_MAX_PHASES];   /* seconds accumulated per phase */
    double started[SB_TIMER_MAX_PHASES]; /* run_wtime() of the open bracket */
} sb_timers;

/* timer_init - n <= SB_TIMER_MAX_PHASES phases named names[0..n-1], all at zero. */
void timer_init(sb_timers *t, const char *const *names, int n);
void timer_start(sb_timers *t, int phase);
/* timer_stop - add the time since timer_start(phase); returns that interval. */
double timer_stop(sb_timers *t, int phase);
double timer_total(const sb_timers *t, int phase);
/* timer_report - one line at --verbose on rank 0: "<title>: name 1.234s, ..." */
void timer_report(const run_ctx *run, const sb_timers *t, const char *title);

#endif
