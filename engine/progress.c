/* progress.c - rank 0's progress line while training: redrawn in place on a
 * terminal, one line every few rounds otherwise (logs). */
#include <stdio.h>  /* for printf, snprintf */
#include <string.h> /* for strncmp */
#include <unistd.h> /* for isatty, getppid, readlink */

#include "engine/booster_internal.h"
#include "kernels/metric.h"
#include "base/log.h"
#include "base/timer.h"

/* Without --progress-every: a line every tenth of the rounds, from this many rounds on. */
#define PROGRESS_TENTHS_FROM 20

/* Is the user looking at a terminal? Under mpirun a rank's stdout is a pty
 * whatever mpirun's own stdout is (a file, a pipe, a Slurm log), so the
 * launcher's stdout decides: /proc/<parent>/fd/1 must be a terminal too. */
static int stdout_is_terminal(void)
{
    if (!isatty(1)) return 0;
    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/%ld/fd/1", (long)getppid());
    const ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) return 1; /* cannot tell: trust our own stdout */
    target[n] = '\0';
    return !strncmp(target, "/dev/pts/", 9) || !strncmp(target, "/dev/tty", 8);
}

void progress_line(const trainer *T, int32_t round, double train_m, double valid_m)
{
    const booster_opts *o = T->opts;
    if (!o || !o->progress || run_rank(T->run) != 0 || run_log_level(T->run) < SB_LOG_INFO) return;
    const int32_t total = T->params->n_rounds;
    const int tty = stdout_is_terminal();
    const int32_t every = o->progress_every > 0 ? o->progress_every : (total >= PROGRESS_TENTHS_FROM ? total / 10 : 1);
    const int last = round + 1 == total;
    if (!tty && !last && (round + 1) % every != 0) return;
    const double elapsed = run_wtime() - T->started;
    const double eta = round + 1 > 0 ? elapsed / (round + 1) * (total - round - 1) : 0;
    const char *mn = metric_name(T->params->eval_metric);
    char vbuf[64] = "";
    if (T->has_valid) snprintf(vbuf, sizeof vbuf, "  valid-%s %.6g", mn, valid_m);
    printf("%s[%d/%d] train-%s %.6g%s  elapsed %.1fs  eta %.1fs%s", tty ? "\r" : "", round + 1, total, mn, train_m,
           vbuf, elapsed, eta, tty ? (last ? "\n" : "   ") : "\n");
    fflush(stdout);
}
