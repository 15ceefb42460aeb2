/* h5_read.c - the collective reader of the columnar table file (see h5io.h):
 * open and check the file, then each dataset either through HDF5's collective
 * H5Dread or chunk by chunk (io/h5_raw.h), as the ranks agree. */
#include <errno.h>    /* for errno */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* for stat */

#include "io/h5_check.h"
#include "io/h5_internal.h"
#include "io/h5_raw.h"
#include "io/h5io.h"
#include "mpi/comm.h"
#include "mpi/run.h"

/* Rows per H5Dread: collective reads of a chunked, filtered dataset decompress
 * every chunk of the selection into buffers of their own, so one read of a
 * whole shard holds the shard about twice. Blocks of ~8 MiB bound that
 * transient. */
#define READ_BLOCK_BYTES ((int64_t)8 << 20)

/* Read rows [start, start + n) of dataset d collectively through HDF5, in row
 * blocks; every rank makes the same number of H5Dread calls (the most any
 * rank needs), a rank with no rows left (or failed) selects none. The fallback
 * of h5_read_rows: every layout, filter and type conversion HDF5 knows. */
static int read_collective(run_ctx *run, const char *path, hid_t d, const char *name, hid_t mtype, void *data,
                           int64_t cols, int64_t start, int64_t n)
{
    const int rank = cols > 0 ? 2 : 1;
    const int64_t width = cols > 0 ? cols : 1;
    const size_t row_bytes = H5Tget_size(mtype) * (size_t)width;
    int64_t block = READ_BLOCK_BYTES / (int64_t)row_bytes;
    if (block < 1) block = 1;
    int64_t most = n; /* every rank makes the same number of collective reads */
    int rc = comm_max_i64(run, &most, 1);
    const int64_t n_blocks = most > 0 ? (most + block - 1) / block : 1;
    hid_t fs = H5Dget_space(d), dx = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
    for (int64_t k = 0; k < n_blocks; ++k) { /* all blocks even after an error: the reads are collective */
        const int64_t b0 = k * block;
        int64_t nb = n - b0 < block ? n - b0 : block;
        if (nb < 0 || rc != SB_OK) nb = 0;
        hsize_t mdims[2] = {(hsize_t)(nb > 0 ? nb : 1), (hsize_t)width};
        hid_t ms = H5Screate_simple(rank, mdims, NULL);
        hsize_t off[2] = {(hsize_t)(start + b0), 0}, cnt[2] = {(hsize_t)nb, mdims[1]};
        if (nb > 0) H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
        else {
            H5Sselect_none(fs);
            H5Sselect_none(ms);
        }
        void *dst = nb > 0 ? (char *)data + (size_t)b0 * row_bytes : data;
        if (H5Dread(d, mtype, ms, fs, dx, dst) < 0) rc = H5_FAIL(run, path, name); /* the first error stays */
        H5Sclose(ms);
    }
    H5Pclose(dx);
    H5Sclose(fs);
    return rc;
}

/* Rows [start, start + n) through the plan; only this rank's chunks. Local. */
static int read_raw(run_ctx *run, const char *path, hid_t d, const raw_plan *p, void *data, int64_t start, int64_t n)
{
    int rc = SB_OK;
    raw_reader r;
    SB_CHECK(run, raw_reader_open(run, path, d, p, start, n, &r));
    SB_CHECK(run, raw_reader_rows(run, &r, start, start + n, data));
out:
    raw_reader_close(&r);
    return rc;
}

int h5_read_rows(run_ctx *run, const char *path, int rc, hid_t loc, const char *name, hid_t mtype, void *data,
                 int64_t cols, int64_t start, int64_t n)
{
    SB_TRY(run, run_agree_rc(run, rc));
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    raw_plan plan;
    if (d < 0) rc = SB_FAIL(run, SB_EDATA, "%s: dataset '%s' missing", path, name);
    else if (data == NULL) rc = SB_FAIL(run, SB_ENOMEM, "out of memory reading '%s' of %s", name, path);
    int64_t v[2] = {d < 0 || !raw_plan_get(d, mtype, cols, &plan), rc != SB_OK}; /* {through HDF5, failed} */
    const int mrc = comm_max_i64(run, v, 2);
    if (mrc != SB_OK) rc = mrc;
    else if (!v[1] && v[0]) rc = read_collective(run, path, d, name, mtype, data, cols, start, n);
    else if (!v[1]) rc = read_raw(run, path, d, &plan, data, start, n);
    if (d >= 0) H5Dclose(d);
    return run_agree_rc(run, rc);
}

/* /features' shape into dims. Local. */
static int feature_dims(run_ctx *run, const char *path, hid_t feat, hsize_t *dims)
{
    hid_t sp = H5Dget_space(feat);
    const int two = H5Sget_simple_extent_ndims(sp) == 2;
    if (two) H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    return two ? SB_OK : SB_FAIL(run, SB_EDATA, "%s: 'features' is not 2-D", path);
}

/* True when the file's root group holds nothing. */
static int root_is_empty(hid_t f)
{
    H5G_info_t info;
    return H5Gget_info(f, &info) >= 0 && info.nlinks == 0;
}

/* Why H5Fopen failed on path: empty, not HDF5 at all, or the system's reason. Local. */
static int open_failed(run_ctx *run, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return SB_FAIL(run, SB_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (st.st_size == 0) return SB_FAIL(run, SB_EDATA, "%s: not a shardboost HDF5 file (empty: 0 bytes)", path);
    if (H5Fis_hdf5(path) == 0)
        return SB_FAIL(run, SB_EDATA, "%s: not a shardboost HDF5 file (no HDF5 signature)", path);
    return SB_FAIL(run, SB_EIO, "%s: cannot open as an HDF5 file", path);
}

/* The local part of h5_read_head, after the collective open. */
static int head_local(run_ctx *run, const char *path, hid_t f, int64_t row_begin, int64_t row_end, sb_table *out,
                      hid_t *feat)
{
    char *fmt = NULL;
    if (H5Aexists(f, "format") <= 0) /* an HDF5 file, but not ours (or empty) */
        return SB_FAIL(run, SB_EDATA, "%s: not a shardboost HDF5 file (no 'format' attribute%s)", path,
                       root_is_empty(f) ? ", no datasets" : "");
    SB_TRY(run, h5_attr_str(run, path, f, "format", &fmt));
    const int known = strcmp(fmt, SB_H5_FORMAT) == 0;
    if (!known) SB_FAIL(run, SB_EDATA, "%s: format '%s', expected '%s'", path, fmt, SB_H5_FORMAT);
    free(fmt);
    if (!known) return SB_EDATA;
    if ((*feat = H5Dopen2(f, "features", H5P_DEFAULT)) < 0)
        return SB_FAIL(run, SB_EDATA, "%s: dataset 'features' missing", path);
    hsize_t dims[2] = {0, 0};
    SB_TRY(run, feature_dims(run, path, *feat, dims));
    SB_TRY(run, h5_check_table(run, path, f, (int64_t)dims[0], (int64_t)dims[1]));
    int64_t start = 0, end = 0;
    if (row_begin < 0) table_shard_range((int64_t)dims[0], run_size(run), run_rank(run), &start, &end);
    else if (row_begin <= row_end && row_end <= (int64_t)dims[0]) start = row_begin, end = row_end;
    else
        return SB_FAIL(run, SB_EINVAL, "%s: rows [%lld, %lld) asked of %llu", path, (long long)row_begin,
                       (long long)row_end, (unsigned long long)dims[0]);
    out->n_rows_global = (int64_t)dims[0];
    out->n_feat = (int32_t)dims[1];
    out->row_start = start;
    out->n_rows = end - start;
    if ((out->feat = calloc((size_t)out->n_feat + 1, sizeof *out->feat)) == NULL)
        return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    return h5_read_meta(run, path, f, *feat, out);
}

int h5_read_head(run_ctx *run, const char *path, int64_t row_begin, int64_t row_end, sb_table *out, hid_t *f,
                 hid_t *feat, int *local_rc)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    memset(out, 0, sizeof *out);
    *f = *feat = -1;
    *local_rc = SB_OK;
    SB_TRY(run, run_agree_rc(run, h5_lz4_register(run))); /* for reads that go through HDF5 */
    hid_t fapl = h5_fapl_mpio(run);
    *f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (*f < 0) return run_agree_rc(run, open_failed(run, path));
    *local_rc = head_local(run, path, *f, row_begin, row_end, out, feat);
    return SB_OK;
}

int h5_read_labels(run_ctx *run, const char *path, int rc, hid_t f, sb_table *out, int64_t start, int64_t n)
{
    if (rc != SB_OK) return rc; /* agreed by the caller */
    const size_t nr = (size_t)(n > 0 ? n : 1);
    if (H5Lexists(f, "label", H5P_DEFAULT) > 0) {
        out->label = calloc(nr, sizeof *out->label); /* NULL: agreed ENOMEM */
        SB_TRY(run, h5_read_rows(run, path, SB_OK, f, "label", H5T_NATIVE_DOUBLE, out->label, 0, start, n));
    }
    if (H5Lexists(f, "weight", H5P_DEFAULT) > 0) {
        out->weight = calloc(nr, sizeof *out->weight);
        SB_TRY(run, h5_read_rows(run, path, SB_OK, f, "weight", H5T_NATIVE_DOUBLE, out->weight, 0, start, n));
    }
    return SB_OK;
}

int h5_read_table(run_ctx *run, const char *path, sb_table *out)
{
    return h5_read_table_rows(run, path, -1, -1, out);
}

int h5_read_table_rows(run_ctx *run, const char *path, int64_t row_begin, int64_t row_end, sb_table *out)
{
    hid_t f, feat;
    int rc;
    SB_TRY(run, h5_read_head(run, path, row_begin, row_end, out, &f, &feat, &rc));
    const int64_t start = out->row_start, n = out->n_rows;
    out->x = calloc((size_t)(n > 0 ? n : 1) * (size_t)(out->n_feat ? out->n_feat : 1), sizeof *out->x);
    /* each step agrees rc first: every rank makes the same collective calls */
    rc = h5_read_rows(run, path, rc, f, "features", H5T_NATIVE_FLOAT, out->x, out->n_feat, start, n);
    rc = h5_read_labels(run, path, rc, f, out, start, n);
    rc = h5_read_ids(run, path, rc, f, out, start, n);
    if (feat >= 0) H5Dclose(feat);
    H5Fclose(f);
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK) table_free(out);
    return rc;
}
