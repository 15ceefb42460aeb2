/* source.h - load a data set as a table, from HDF5 (ingested) or straight
 * from CSV / csv.gz through the ingest parser, so train, predict, evaluate
 * and cv all read data the same way. */
#ifndef SB_SOURCE_H
#define SB_SOURCE_H

#include "io/source_spec.h"
#include "io/table.h"
#include "base/run_ctx.h"


/* source_load - Collective. A path ending in .h5 is read with h5_read_table
 * (even contiguous shards); anything else is parsed as CSV with the layout,
 * rows in global input order (row_start from an exclusive scan; the shards
 * may be uneven). On error the message names the file and line. */
int source_load(run_ctx *run, const sb_source *src, sb_table *out);

/* ---- streaming (predict, evaluate) ----
 * source_load_stream - Collective. source_load, except for one .h5 file whose
 * /features the raw-chunk path reads (io/h5io.h: h5_stream_open): then out
 * holds everything but the features (x NULL) and *stream is set, to read
 * local rows block by block with source_stream_read (categorical codes
 * recoded as source_load does). Otherwise *stream = NULL and out is the whole
 * table. From an .h5 file, label and weight are read only with
 * src->require_label. returns as source_load (agreed); on error out is freed,
 * *stream NULL. */
typedef struct source_stream source_stream;
int source_load_stream(run_ctx *run, const sb_source *src, sb_table *out, source_stream **stream);

/* source_stream_read - Local. Local rows [i0, i1) of the table's shard into x
 * ((i1 - i0) * n_feat floats), the same bits source_load puts in t->x.
 * returns SB_OK | SB_EDATA (corrupt chunk, naming file, dataset and rows) |
 * SB_EIO | SB_ENOMEM | SB_EINVAL; not agreed. */
int source_stream_read(run_ctx *run, source_stream *s, int64_t i0, int64_t i1, float *x);

/* source_stream_block_end - Local. End of a block of at most max_rows rows
 * from local row i, at a storage chunk edge when one lies in the block
 * (h5_stream_block_end). */
int64_t source_stream_block_end(const source_stream *s, int64_t i, int64_t n_rows, int64_t max_rows);

/* source_stream_close - Local; NULL is a no-op. */
void source_stream_close(source_stream *s);

#endif
