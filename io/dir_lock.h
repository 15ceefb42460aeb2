/* dir_lock.h - an exclusive lock on an output directory for the life of the
 * process, so two runs writing the same directory cannot both proceed (same
 * temporary names: one wrote _SUCCESS over the other's corrupt part file).
 * flock(2) on DIR/.shardboost.lock: released by the kernel when the process ends,
 * however it ends, so a killed run never leaves a stale lock. */
#ifndef SB_DIR_LOCK_H
#define SB_DIR_LOCK_H

#include "base/run_ctx.h"

/* dir_lock_take - lock existing directory `dir` (held until exit; taking it again
 * in the same process is a no-op for the same dir). SB_EINVAL when another process
 * holds it (message names the directory), SB_EIO when the lock file cannot be made.
 * Local (call on one rank and agree). */
int dir_lock_take(run_ctx *run, const char *dir);

#endif
