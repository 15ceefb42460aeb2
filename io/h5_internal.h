/* h5_internal.h - what the io/h5_*.c files share to read and write the
 * columnar table file (h5io.h); not for other modules.
 *
 * Errors: HDF5 metadata calls see the same file on every rank and fail alike,
 * so only local steps (allocation, this rank's rows) need agreement before the
 * next collective call; each function says which it is. */
#ifndef SB_H5_INTERNAL_H
#define SB_H5_INTERNAL_H

#include <hdf5.h>
#include <stdint.h>

#include "base/error.h"
#include "io/table.h"

#ifndef H5_HAVE_PARALLEL
#error "parallel HDF5 required: build with pkg-config hdf5-openmpi"
#endif

#define SB_H5_FORMAT "shardboost-h5"
#define SB_H5_VERSION 1

/* A failed HDF5 call on `what` of path (SB_EIO). */
#define H5_FAIL(run, path, what) SB_FAIL((run), SB_EIO, "%s: HDF5 %s failed", (path), (what))

/* h5_fapl_mpio - a file-access property list that hands HDF5 run's
 * communicator (io/h5_mpio.c, the one io/ file that sees MPI); < 0 on failure.
 * Local; the H5Fcreate / H5Fopen that uses it is collective. */
hid_t h5_fapl_mpio(const run_ctx *run);

/* h5_lz4_register - register the LZ4 filter (HDF5 filter 32004, io/chunk_codec)
 * so HDF5 never looks for a plugin of its own: Debian's is built against the
 * serial library. Every entry point that creates or reads a dataset calls it.
 * Local. */
int h5_lz4_register(run_ctx *run);

/* ---- attributes (io/h5_attr.c), local; h5_attr_put_* are collective in
 * parallel HDF5 (every rank calls them with the same values) ---- */
int h5_attr_put_str(run_ctx *run, const char *path, hid_t loc, const char *name, const char *v);
int h5_attr_put_strs(run_ctx *run, const char *path, hid_t loc, const char *name, char *const *v, int64_t n);
int h5_attr_put_num(run_ctx *run, const char *path, hid_t loc, const char *name, hid_t type, const void *v, hsize_t n);
/* h5_attr_strs - a string (scalar) or string-array attribute: *out gets n
 * malloc'd strings (NULL, 0 on error). SB_EDATA when missing or not text. */
int h5_attr_strs(run_ctx *run, const char *path, hid_t loc, const char *name, char ***out, int64_t *n);
/* h5_attr_str - one string ("" for an empty attribute); *out NULL on error. */
int h5_attr_str(run_ctx *run, const char *path, hid_t loc, const char *name, char **out);
/* h5_attr_num - exactly n numbers of memory type `type`. */
int h5_attr_num(run_ctx *run, const char *path, hid_t loc, const char *name, hid_t type, void *out, int64_t n);
/* h5_free_strs - free n strings and the array (NULL is fine). */
void h5_free_strs(char **v, int64_t n);

/* ---- reading (io/h5_read.c, io/h5_read_meta.c) ---- */

/* h5_read_rows - rows [start, start + n) of dataset `name` ([N] or [N, cols])
 * into data. Collective, whatever this rank's state: rc (this rank's status so
 * far) is agreed first, so every rank skips the read or none does; the path
 * (raw chunks or HDF5) is agreed from each rank's verdict on the file's
 * metadata, and the outcome is agreed at the end. data NULL (a failed
 * allocation) is SB_ENOMEM. Returns the agreed status. */
int h5_read_rows(run_ctx *run, const char *path, int rc, hid_t loc, const char *name, hid_t mtype, void *data,
                 int64_t cols, int64_t start, int64_t n);

/* h5_read_head - the part of a table read that every reader shares: open
 * path, check the format, size /features, choose this rank's rows (row_begin
 * < 0: the table_shard_range block) and read the metadata into out (x not
 * allocated). Collective (H5Fopen). Returns an agreed status when the file
 * could not be opened (*f, *feat are -1, nothing to close); otherwise SB_OK
 * with *f open and *local_rc this rank's first error, not yet agreed (*feat
 * -1 when not opened). */
int h5_read_head(run_ctx *run, const char *path, int64_t row_begin, int64_t row_end, sb_table *out, hid_t *f,
                 hid_t *feat, int *local_rc);

/* h5_read_meta - layout, names, counts and categorical levels into t (n_feat
 * set, feat allocated). Local. */
int h5_read_meta(run_ctx *run, const char *path, hid_t f, hid_t feat, sb_table *t);

/* h5_read_ids - /ids of rows [start, start + n) into t. Collective: rc (this
 * rank's status so far) is agreed before the first read. Returns the agreed
 * status. */
int h5_read_ids(run_ctx *run, const char *path, int rc, hid_t f, sb_table *t, int64_t start, int64_t n);

/* h5_read_labels - /label and /weight (when the file has them) of rows
 * [start, start + n). Collective as h5_read_rows; returns the agreed status. */
int h5_read_labels(run_ctx *run, const char *path, int rc, hid_t f, sb_table *out, int64_t start, int64_t n);

#endif
