/* stop.h - stop requests (SIGTERM), the grace timer, and watchdogs.
 * Only commands that can stop cleanly (train, cv: finish the round or point,
 * checkpoint, exit 75) catch SIGTERM; the others keep its default action, so a
 * cancelled ingest or predict ends at once and leaves only temporary names.
 * The flag is local: agree on it with mpi/comm.h's comm_agree_max.
 *
 * Grace timer: a caught SIGTERM also arms an alarm (SHARDBOOST_TERM_GRACE
 * seconds, default 30). A rank that has not ended when it rings -- stuck in a
 * collective because a peer was killed with -9 and will never answer -- says so
 * and exits 1 itself, well before Slurm's KillWait sends SIGKILL.
 * Watchdog: the same alarm around a library call that may wait forever in a
 * collective another rank left after an I/O error (HDF5 1.10's H5Fclose). */
#ifndef SB_STOP_H
#define SB_STOP_H

/* Install the SIGTERM handler that sets the stop flag and arms the grace timer. Local. */
void run_catch_sigterm(void);
/* Local flag set by the SIGTERM handler. */
int run_stop_requested(void);
/* Seconds from env `name` (a whole number 1..86400), else dflt. */
unsigned run_env_seconds(const char *name, unsigned dflt);

/* run_watchdog_arm - after `seconds`, remove `tmp` (a temporary output; NULL:
 * none), print "[rank r] shardboost: error: <what> did not finish within N s
 * (...)" and _exit(1). Local. run_watchdog_disarm cancels it (unless a
 * SIGTERM's grace timer is running). */
void run_watchdog_arm(int rank, unsigned seconds, const char *what, const char *tmp);
void run_watchdog_disarm(void);

#endif
