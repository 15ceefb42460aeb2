/* ordered_write.h - one shared output file assembled from every rank's bytes,
 * in rank order, with MPI-IO.
 *
 * Each rank contributes len bytes (0 is fine); they land after the lower
 * ranks' bytes (offsets from an exclusive scan) and are written in collective
 * chunks (MPI_File_write_at_all). The bytes of each chunk come from the
 * caller's fill callback, so no rank holds more than one chunk in memory and
 * this layer knows nothing of where they come from (io/gz_merge.h: part files
 * of gzip members). */
#ifndef SB_ORDERED_WRITE_H
#define SB_ORDERED_WRITE_H

#include <stdint.h> /* for int64_t */

#include "mpi/run.h"

/* Bytes [at, at + n) of this rank's contribution into buf. Local; a failure
 * (status with the error set) stops this rank's writes. */
typedef int (*ordered_fill)(run_ctx *run, void *ctx, int64_t at, void *buf, int64_t n);

/* ordered_write - Collective; path equal on all ranks. path (created or
 * truncated) gets every rank's len bytes in rank order. status: this rank's
 * state so far: not SB_OK, it writes nothing but still takes part, so no rank
 * is left waiting. Returns SB_OK or an error agreed on every rank
 * (run_agree_rc); on error path has been removed. *total (if non-NULL): the
 * file's size, equal on all ranks. */
int ordered_write(run_ctx *run, const char *path, int64_t len, int status, ordered_fill fill, void *ctx,
                  int64_t *total);

#endif
