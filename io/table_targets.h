/* table_targets.h - labels and weights a trainer can take, checked where the
 * file name is still known (a table read from HDF5 written by another tool was
 * never through ingest's row checks). */
#ifndef SB_TABLE_TARGETS_H
#define SB_TABLE_TARGETS_H

#include "base/run_ctx.h"
#include "io/table.h"

/* Largest label or weight magnitude taken: float32's range. Beyond it the
 * squared gradients and hessian sums of one round overflow a double. */
#define TABLE_TARGET_MAX 3.4028234663852886e38

/* table_check_targets - every label a finite number within +-TABLE_TARGET_MAX,
 * every weight finite, non-negative and at most TABLE_TARGET_MAX; else an
 * SB_EDATA error "what: row N: ..." (N 1-based over all ranks' rows). what
 * names the file(s). Collective (agreed). */
int table_check_targets(run_ctx *run, const char *what, const sb_table *t);

#endif
