/* stop.h - stop requests (SIGTERM).
 * Only commands that can stop cleanly (train, cv: finish the round or point,
 * checkpoint, exit 75) catch SIGTERM; the others keep its default action, so a
 * cancelled ingest or predict ends at once and leaves only temporary names.
 * The flag is local: agree on it with mpi/comm.h's comm_agree_max. */
#ifndef SB_STOP_H
#define SB_STOP_H

/* Install the SIGTERM handler that sets the stop flag. Local. */
void run_catch_sigterm(void);
/* Local flag set by the SIGTERM handler. */
int run_stop_requested(void);

#endif
