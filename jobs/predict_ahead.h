/* predict_ahead.h - the blocks of rows predict scores, read one block ahead.
 *
 * Reading a block of an ingested file is mostly inflating its chunks, a
 * large share of a one-core run. With a second CPU for the
 * rank, a worker thread unfilters block k + 1 into the other of two buffers
 * while the main thread scores, formats and gzips block k. The worker makes
 * no MPI or HDF5 call (source_stream_read on the raw-chunk path: pread,
 * inflate, unshuffle, recode), so MPI_THREAD_FUNNELED suffices; its errors go
 * to a detached context and reach the run when the main thread takes the
 * failed block. Without the thread the blocks are read in turn, the same
 * bytes either way. */
#ifndef SB_PREDICT_AHEAD_H
#define SB_PREDICT_AHEAD_H

#include <stdint.h> /* for int32_t, int64_t */

#include "io/source.h"
#include "base/run_ctx.h"

/* Rows per streamed block: read from the file, scored, formatted and gzipped
 * while they are still in cache; cut at the file's chunk edges (~5600 forms
 * rows per 1 MiB chunk), so whole chunks unfilter straight into the block.
 * Measured (forms bench, np 1, gzip 1, medians of 3; see commit history). */
#ifndef PREDICT_STREAM_ROWS
#define PREDICT_STREAM_ROWS 8192
#endif

typedef enum { AHEAD_AUTO = 0, AHEAD_ON = 1, AHEAD_OFF = 2 } ahead_mode;

/* ahead_mode_parse - "auto", "on" or "off"; -1 otherwise. Local. */
int ahead_mode_parse(const char *s);

typedef struct predict_ahead predict_ahead;

/* predict_ahead_open - Local. Blocks of at most max_rows of the stream's
 * n_rows local rows (n_feat floats each), in order; threaded: read one block
 * ahead in a worker thread (if it cannot start, blocks are read in turn). */
int predict_ahead_open(run_ctx *run, source_stream *s, int64_t n_rows, int64_t max_rows, int32_t n_feat, int threaded,
                       predict_ahead **out);

/* predict_ahead_start - Collective (every rank, whatever its own status rc:
 * the CPU count is a collective). predict_ahead_open with the worker chosen
 * by mode: AHEAD_AUTO starts it when the node's ranks may use 2 CPUs each
 * (comm_node_cpus), AHEAD_ON always, AHEAD_OFF never; logs the choice
 * (--verbose). Returns rc when it is not SB_OK (nothing opened). */
int predict_ahead_start(run_ctx *run, int rc, source_stream *s, int64_t n_rows, int64_t max_rows, int32_t n_feat,
                        ahead_mode mode, predict_ahead **out);

/* predict_ahead_next - Local. The next block: rows [*b, *e) at *x (valid
 * until the next call); *b == *e == n_rows after the last. A block that
 * failed to read returns its error (the message names file and rows). */
int predict_ahead_next(run_ctx *run, predict_ahead *a, int64_t *b, int64_t *e, const float **x);

/* predict_ahead_threaded - 1 if a worker reads ahead. Local. */
int predict_ahead_threaded(const predict_ahead *a);

/* predict_ahead_close - stop and join the worker, free. NULL is a no-op. Local. */
void predict_ahead_close(predict_ahead *a);

#endif
