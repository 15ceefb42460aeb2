/* comm_flag.h - a "this rank failed" notice that ranks doing uneven local work
 * (ingest parsing its pieces) can poll cheaply, so the others stop early instead
 * of finishing work whose result will be thrown away. Collective open/close;
 * raise and poll are Local and never block. The decision to fail is still
 * agreed afterwards with run_agree_rc. */
#ifndef SB_COMM_FLAG_H
#define SB_COMM_FLAG_H

#include "mpi/run.h"

typedef struct comm_flag comm_flag;

/* comm_flag_open - Collective over run's communicator (duplicates it, so notices
 * never match other messages). */
int comm_flag_open(run_ctx *run, comm_flag **out);

/* comm_flag_raise - Local: tell every other rank that this rank failed (once). */
void comm_flag_raise(comm_flag *f);

/* comm_flag_lowest - Local: the lowest rank known to have raised (this rank
 * included), or run_size when none has so far. Polls without blocking. */
int comm_flag_lowest(comm_flag *f);

/* comm_flag_close - Collective: receives every outstanding notice, completes the
 * sends, frees. */
int comm_flag_close(run_ctx *run, comm_flag *f);

#endif
