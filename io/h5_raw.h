/* h5_raw.h - reading a chunked dataset of the table file chunk by chunk,
 * without HDF5's filters and without MPI (used by io/h5_read.c and
 * io/h5_stream.c).
 *
 * HDF5 1.10 always inflates with zlib, much slower than libdeflate on our
 * chunks (tests/bench/perf-log.md), and sends LZ4 chunks through a filter
 * callback that allocates a buffer per chunk. For a dataset stored the way
 * h5_write_table stores it, each rank instead looks up the chunks of its own
 * rows (H5Dget_chunk_info_by_coord), preads their stored bytes from its own
 * descriptor and undoes the filters with io/chunk_codec. Everything here is
 * local. */
#ifndef SB_H5_RAW_H
#define SB_H5_RAW_H

#include <hdf5.h>
#include <stddef.h> /* for size_t */
#include <stdint.h>

#include "base/run_ctx.h"
#include "io/chunk_codec.h"

typedef struct {
    hsize_t n_rows;     /* rows of the dataset */
    hsize_t chunk_rows; /* rows per chunk; a chunk spans every column */
    size_t elem;        /* bytes per element, file type == memory type */
    size_t row_bytes;
    size_t chunk_bytes; /* what every stored chunk (edge ones too) unfilters to */
    int shuffle;        /* index in the pipeline, or -1 */
    int codec;          /* index of the deflate or LZ4 filter in the pipeline, or -1 */
    int lz4;            /* that filter is LZ4 (else deflate) */
} raw_plan;

/* Stored location of one chunk, looked up once (H5Dget_chunk_info_by_coord). */
typedef struct {
    haddr_t addr;
    hsize_t size;
    unsigned mask; /* bit i set: filter i was skipped for this chunk */
} raw_chunk;

/* The chunks of rows [row0, row0 + n) of one dataset, their locations, a
 * descriptor and one chunk of scratch; rows are then unfiltered without any
 * HDF5 call (raw_reader_rows), so the file may be closed meanwhile. The last
 * chunk unfiltered into scratch stays there: row ranges that cut a chunk
 * unfilter it once. */
typedef struct {
    raw_plan p;
    const char *path; /* for messages; the caller keeps it alive */
    char dname[256];
    int64_t row0, n;
    hsize_t first;    /* chunk index of row0 */
    hsize_t n_chunks; /* chunks[0 .. n_chunks) are chunks first, first + 1, ... */
    raw_chunk *chunks;
    int fd;
    unsigned char *stored, *tmp1, *tmp2;
    size_t stored_cap;
    chunk_inflater *z;
    hsize_t cached; /* chunk index whose rows `cache` holds, or (hsize_t)-1 */
    const unsigned char *cache;
} raw_reader;

/* raw_plan_get - 1 if dataset d (read as mtype, [N] or [N, cols]) can be read
 * chunk by chunk without HDF5's filters: chunked over whole rows, every chunk
 * allocated, pipeline exactly none, shuffle, a codec (deflate or LZ4) or both,
 * file type equal to mtype (so no conversion), no user block, partial chunks
 * filtered like the others. Decided from file metadata only, so every rank
 * decides the same. SB_H5_RAW_CHUNKS=0 in the environment: always 0. */
int raw_plan_get(hid_t d, hid_t mtype, int64_t cols, raw_plan *p);

/* raw_reader_open - set up r for rows [start, start + n) of d through plan p:
 * descriptor (of path, which must outlive r), scratch, and the location of
 * every chunk of those rows. r is always safe to close, even on error. */
int raw_reader_open(run_ctx *run, const char *path, hid_t d, const raw_plan *p, int64_t start, int64_t n,
                    raw_reader *r);

/* raw_reader_rows - rows [b, e) (global, inside the reader's rows) into data;
 * one chunk of scratch (stored bytes, inflated, unshuffled) at a time. A chunk
 * wholly inside the rows is unfiltered straight into data. Errors name the
 * file, dataset and the chunk's rows (SB_EDATA), or SB_ENOMEM. */
int raw_reader_rows(run_ctx *run, raw_reader *r, int64_t b, int64_t e, void *data);

/* raw_reader_close - free and close; r may be closed twice. */
void raw_reader_close(raw_reader *r);

#endif
