/* gz_merge.h - one shared output file assembled from every rank's bytes.
 *
 * Used by `predict --merge`: each rank's part file already holds its rows as
 * complete gzip members, and concatenated gzip members decompress as one
 * stream (docs/PLATFORM.md section 3), so the merged csv.gz is rank 0's part
 * file followed by each other rank's part file minus its header member. This
 * file reads the part files; the collective rank-ordered write is
 * mpi/ordered_write.h's. No data is recompressed and no rank holds more than
 * one chunk in memory. */
#ifndef SB_GZ_MERGE_H
#define SB_GZ_MERGE_H

#include <stdint.h> /* for int64_t */

#include "base/run_ctx.h"

/* gz_merge_write - Collective; out_path must be equal on all ranks.
 * in:  bytes [src_off, src_off + src_len) of this rank's local file src_path
 *      (src_len may be 0 on any rank)
 * out: out_path (created or truncated) holds every rank's bytes in rank
 *      order; *total (if non-NULL) its size, equal on all ranks.
 * returns SB_OK or an error agreed on every rank (run_agree_rc); on error
 * out_path has been removed. */
int gz_merge_write(run_ctx *run, const char *out_path, const char *src_path, int64_t src_off, int64_t src_len,
                   int64_t *total);

#endif
