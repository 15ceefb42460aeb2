/* h5io.h - the columnar HDF5 file (parallel HDF5): written by io/h5_write.c,
 * read by io/h5_read.c and io/h5_stream.c; io/h5_mpio.c, which hands HDF5 the
 * communicator, is the one file outside mpi/ that sees MPI.
 *
 * File layout (format "shardboost-h5", version 1):
 *   /features  float32 [N, F], chunked (whole rows, ~1 MiB) + LZ4 (or deflate)
 *   /label     float64 [N]      (absent when there is no label)
 *   /weight    float64 [N]      (absent when every weight is 1)
 *   /ids/<name> int64 [N] or fixed-length string [N]
 *   attributes: format, version, layout, label_name, feature_names,
 *   categorical levels per feature, rows_read, dropped_zero_trials.
 */
#ifndef SB_H5IO_H
#define SB_H5IO_H

#include "io/table.h"
#include "base/run_ctx.h"

/* h5_write_table - write every rank's rows, in global row order, into one file.
 * Collective; t->row_start/n_rows_global must already be set (exclusive scan),
 * feature info equal on all ranks. Writes "<path>.tmp" and renames it on
 * success; on failure no file named <path> is left from this call. */
int h5_write_table(run_ctx *run, const char *path, const sb_table *t);

/* How /features and string ids are stored (chunked; label, weight and int64
 * ids are contiguous whatever the codec):
 *   H5_CODEC_LZ4      HDF5's registered LZ4 filter (32004), no shuffle (LZ4
 *                     packs whole floats better than byte planes), the
 *                     default: nearly deflate's size, written and read
 *                     several times faster (tests/bench/perf-log.md)
 *                     (readers outside shardboost need Debian's
 *                     hdf5-filter-plugin or h5py's hdf5plugin);
 *   H5_CODEC_DEFLATE  shuffle + deflate at `level` 1..9 (0: shuffle only),
 *                     readable by any HDF5 build;
 *   H5_CODEC_NONE     no filter. */
typedef enum { H5_CODEC_LZ4 = 0, H5_CODEC_DEFLATE = 1, H5_CODEC_NONE = 2 } h5_codec;

/* Default deflate level: 1 halves a forms file at ~2x the cost of no
 * compression; higher levels gain a few percent for 1.5x more. */
#define H5_DEFLATE_DEFAULT 1

/* h5_write_table_codec - h5_write_table with the given codec (level: deflate
 * only, 0..9). Collective; arguments equal on all ranks. */
int h5_write_table_codec(run_ctx *run, const char *path, const sb_table *t, h5_codec codec, int level);
/* h5_write_table_level - H5_CODEC_DEFLATE at `level`. */
int h5_write_table_level(run_ctx *run, const char *path, const sb_table *t, int level);

/* h5_read_table - each rank reads its contiguous shard (table_shard_range).
 * Collective. Errors name the file and the missing/bad dataset. */
int h5_read_table(run_ctx *run, const char *path, sb_table *out);

/* h5_read_table_rows - h5_read_table of the global rows [row_begin, row_end) on
 * this rank (ranges may differ per rank, overlap or be empty; row_begin < 0:
 * the table_shard_range block). Collective. SB_EINVAL (agreed) for a range
 * outside the file's rows.
 *
 * Both read a chunked dataset whose pipeline is none, or shuffle and/or one of
 * deflate and LZ4, and whose file type is the memory type by fetching this
 * rank's chunks and unfiltering them itself (libdeflate, liblz4,
 * io/chunk_codec.h); anything
 * else goes through HDF5's collective H5Dread. SB_H5_RAW_CHUNKS=0 in the
 * environment forces the HDF5 path (tests, timings). A corrupt or truncated
 * chunk is SB_EDATA naming the file, dataset and chunk rows, on every rank. */
int h5_read_table_rows(run_ctx *run, const char *path, int64_t row_begin, int64_t row_end, sb_table *out);

/* ---- streaming /features (predict) ----
 * A rank that scores its rows one block at a time needs no feature table: it
 * opens the file once, keeps this rank's ids and the locations of its
 * /features chunks, and then unfilters rows block by block into a buffer of
 * its own, with no HDF5 or MPI call, while the file itself is closed. */
typedef struct h5_stream h5_stream;

/* h5_stream_open - Collective. Read this rank's shard (table_shard_range) of
 * path like h5_read_table, except: /label and /weight only with labels != 0
 * (they take 16 of a forms row's ~200 bytes); and when /features takes
 * the raw-chunk path (decided from file metadata, agreed over ranks, as
 * h5_read_table_rows decides), out->x stays NULL and *stream is set: read the
 * rows with h5_stream_read, then h5_stream_close. Otherwise *stream = NULL and
 * out->x holds the whole shard, read through HDF5's collective H5Dread.
 * The HDF5 file is closed on return either way. returns (agreed) SB_OK |
 * SB_EIO | SB_EDATA (format, missing dataset, a chunk missing from the chunk
 * index, naming file, dataset and rows) | SB_ENOMEM; on error out is freed and
 * *stream is NULL. */
int h5_stream_open(run_ctx *run, const char *path, int labels, sb_table *out, h5_stream **stream);

/* h5_stream_read - Local. Rows [i0, i1) of this rank's shard (0 = its first
 * row, i1 <= out->n_rows) into x, (i1 - i0) * n_feat floats, bit for bit what
 * h5_read_table gives. Any range works (a chunk cut by the range is unfiltered
 * once: the last such chunk is kept); ranges ending at chunk edges
 * (h5_stream_block_end) unfilter straight into x. Scratch: about two chunks.
 * returns SB_OK | SB_EDATA (a corrupt or truncated chunk: "FILE: dataset
 * '/features': chunk of rows A-B is corrupt or truncated: why") | SB_EIO |
 * SB_ENOMEM | SB_EINVAL (a range outside the shard). Not agreed: the caller
 * agrees later (other ranks may finish). */
int h5_stream_read(run_ctx *run, h5_stream *s, int64_t i0, int64_t i1, float *x);

/* h5_stream_block_end - Local. The end of a block of at most max_rows rows
 * starting at local row i of a shard of n_rows rows: the last chunk edge in
 * (i, i + max_rows], or i + max_rows (capped at n_rows) when there is none. */
int64_t h5_stream_block_end(const h5_stream *s, int64_t i, int64_t n_rows, int64_t max_rows);

/* h5_stream_close - Local (the file is already closed); NULL is a no-op. */
void h5_stream_close(h5_stream *s);

#endif
