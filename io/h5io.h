/* h5io.h - the columnar HDF5 file (parallel HDF5; the implementation in
 * io/h5_mpio.c is the one file outside mpi/ that sees MPI).
 *
 * File layout (format "shardboost-h5", version 1):
 *   /features  float32 [N, F], chunked + shuffle + deflate
 *   /label     float64 [N]      (absent when there is no label)
 *   /weight    float64 [N]      (absent when every weight is 1)
 *   /ids/<name> int64 [N] or fixed-length string [N]
 *   attributes: format, version, layout, label_name, feature_names,
 *   categorical levels per feature, rows_read, dropped_zero_trials.
 */
#ifndef SB_H5IO_H
#define SB_H5IO_H

#include "io/table.h"
#include "mpi/run.h"

/* h5_write_table - write every rank's rows, in global row order, into one file.
 * Collective; t->row_start/n_rows_global must already be set (exclusive scan),
 * feature info equal on all ranks. Writes "<path>.tmp" and renames it on
 * success; on failure no file named <path> is left from this call. */
int h5_write_table(run_ctx *run, const char *path, const sb_table *t);

/* Default deflate level of /features and string ids: 1 halves a forms file at
 * ~2x the cost of no compression; higher levels gain a few percent for 1.5x more. */
#define H5_DEFLATE_DEFAULT 1

/* h5_write_table_level - h5_write_table with a deflate level 0..9 (0: chunked,
 * shuffle, no deflate). Collective; level equal on all ranks. */
int h5_write_table_level(run_ctx *run, const char *path, const sb_table *t, int level);

/* h5_read_table - each rank reads its contiguous shard (table_shard_range).
 * Collective. Errors name the file and the missing/bad dataset. */
int h5_read_table(run_ctx *run, const char *path, sb_table *out);

#endif
