/* h5_mpio.c - the columnar HDF5 table file with parallel HDF5 (see h5io.h).
 * The one file in io/ that sees MPI: it hands the run's communicator to HDF5.
 *
 * Every rank writes its rows [row_start, row_start + n_rows) of each dataset in
 * one collective hyperslab write (ranks without rows select nothing but still
 * take part: parallel HDF5 1.10 allows filters only with collective writes).
 * Metadata (attributes) is identical on all ranks, as HDF5 requires.
 * Extra attributes beyond h5io.h: id_names (order of /ids), n_levels and
 * levels on /features, drop_rule, n_rows. */
#include "io/h5io.h"

#include <errno.h>
#include <fcntl.h> /* for open (raw chunk reads) */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h> /* for snprintf, rename */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for unlink, pread, close */

#include "io/chunk_codec.h"
#include "mpi/comm.h"
#include "mpi/run_impl.h"
#include "base/error.h"
#include "mpi/run.h"

#ifndef H5_HAVE_PARALLEL
#error "parallel HDF5 required: build with pkg-config hdf5-openmpi"
#endif

#define SB_H5_FORMAT "shardboost-h5"
#define SB_H5_VERSION 1

typedef struct {
    run_ctx *run;
    const char *path; /* for messages */
    int rc;
} h5ctx;

/* Record the first failure; later steps are skipped by checking c->rc. */
static int h5fail(h5ctx *c, const char *file, int line, const char *what)
{
    if (c->rc == SB_OK) c->rc = err_set(c->run, SB_EIO, file, line, "%s: HDF5 %s failed", c->path, what);
    return c->rc;
}
#define CHECK(c, cond, what) ((cond) ? SB_OK : h5fail((c), __FILE__, __LINE__, (what)))

/* ---- attributes ---- */

static void attr_str(h5ctx *c, hid_t loc, const char *name, const char *v)
{
    if (c->rc) return;
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
    H5Tset_size(t, strlen(v) + 1);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(c, a >= 0 && H5Awrite(a, t, v) >= 0, name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
}

static void attr_strs(h5ctx *c, hid_t loc, const char *name, char *const *v, int64_t n)
{
    if (c->rc) return;
    size_t w = 1;
    for (int64_t i = 0; i < n; ++i)
        if (strlen(v[i]) + 1 > w) w = strlen(v[i]) + 1;
    char *buf = calloc(n > 0 ? (size_t)n : 1, w);
    if (buf == NULL) {
        c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory writing %s", name);
        return;
    }
    for (int64_t i = 0; i < n; ++i) memcpy(buf + i * w, v[i], strlen(v[i]));
    hsize_t dim = (hsize_t)n;
    hid_t t = H5Tcopy(H5T_C_S1), s = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_NULL);
    H5Tset_size(t, w);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(c, a >= 0 && (n == 0 || H5Awrite(a, t, buf) >= 0), name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    free(buf);
}

static void attr_num(h5ctx *c, hid_t loc, const char *name, hid_t type, const void *v, hsize_t n)
{
    if (c->rc) return;
    hid_t s = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_NULL);
    hid_t a = H5Acreate2(loc, name, type, s, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(c, a >= 0 && (n == 0 || H5Awrite(a, type, v) >= 0), name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(s);
}

/* ---- datasets ---- */

/* How write_rows stores a dataset: contiguous, or chunked through a codec. */
typedef struct {
    int chunked;
    h5_codec codec;
    int level; /* deflate level; 0: shuffle only */
} store_opts;

static const store_opts CONTIGUOUS = {0, H5_CODEC_NONE, 0};

/* HDF5's registered LZ4 filter, implemented by io/chunk_codec. Registered by
 * every entry point that creates or reads a dataset (H5Zregister replaces an
 * earlier registration), so HDF5 never looks for a plugin of its own: Debian's
 * is built against the serial library. */
static const H5Z_class2_t LZ4_FILTER = {
    H5Z_CLASS_T_VERS, (H5Z_filter_t)CHUNK_H5Z_FILTER_LZ4, 1, 1, "lz4 (HDF5 registered filter 32004)", NULL, NULL,
    chunk_lz4_h5filter};

static int lz4_register(run_ctx *run)
{
    if (H5Zregister(&LZ4_FILTER) < 0) return SB_FAIL(run, SB_EIO, "cannot register the LZ4 filter with HDF5");
    return SB_OK;
}

/* Create `name` of [N] or [N, cols] and write this rank's rows collectively. */
static void write_rows(h5ctx *c, hid_t loc, const char *name, hid_t mtype, hid_t ftype, const void *data, int64_t cols,
                       int64_t N, int64_t start, int64_t n, store_opts st)
{
    if (c->rc) return;
    int rank = cols > 0 ? 2 : 1;
    hsize_t dims[2] = {(hsize_t)N, (hsize_t)(cols > 0 ? cols : 1)};
    hid_t fs = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0); /* no timestamps: same input, same bytes */
    if (st.chunked && N > 0) {
        size_t row_bytes = H5Tget_size(ftype) * (size_t)dims[1];
        hsize_t chunk[2] = {(hsize_t)((1u << 20) / row_bytes), dims[1]};
        if (chunk[0] < 1) chunk[0] = 1;
        if (chunk[0] > (hsize_t)N) chunk[0] = (hsize_t)N;
        H5Pset_chunk(dcpl, rank, chunk);
        if (st.codec == H5_CODEC_DEFLATE) {
            H5Pset_shuffle(dcpl);
            if (st.level > 0) H5Pset_deflate(dcpl, (unsigned)st.level);
        } else if (st.codec == H5_CODEC_LZ4) { /* no shuffle: LZ4 packs whole floats better than byte planes */
            CHECK(c, H5Pset_filter(dcpl, (H5Z_filter_t)CHUNK_H5Z_FILTER_LZ4, H5Z_FLAG_MANDATORY, 0, NULL) >= 0, name);
        }
    }
    hid_t d = H5Dcreate2(loc, name, ftype, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    CHECK(c, d >= 0, name);
    hsize_t mdims[2] = {(hsize_t)(n > 0 ? n : 1), dims[1]};
    hid_t ms = H5Screate_simple(rank, mdims, NULL);
    hsize_t off[2] = {(hsize_t)start, 0}, cnt[2] = {(hsize_t)n, dims[1]};
    if (n > 0) H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    else H5Sselect_none(fs), H5Sselect_none(ms);
    hid_t dx = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
    if (c->rc == SB_OK) CHECK(c, H5Dwrite(d, mtype, ms, fs, dx, data) >= 0, name);
    H5Pclose(dx);
    H5Sclose(ms);
    if (d >= 0) H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(fs);
}

static void write_meta(h5ctx *c, hid_t f, const sb_table *t, hid_t feat_loc)
{
    int32_t version = SB_H5_VERSION;
    attr_str(c, f, "format", SB_H5_FORMAT);
    attr_num(c, f, "version", H5T_NATIVE_INT32, &version, 1);
    attr_str(c, f, "layout", t->layout ? t->layout : "");
    attr_str(c, f, "label_name", t->label_name ? t->label_name : "");
    attr_str(c, f, "drop_rule", t->drop_rule ? t->drop_rule : "");
    attr_num(c, f, "rows_read", H5T_NATIVE_INT64, &t->rows_read, 1);
    attr_num(c, f, "dropped_zero_trials", H5T_NATIVE_INT64, &t->dropped_zero_trials, 1);
    attr_num(c, f, "n_rows", H5T_NATIVE_INT64, &t->n_rows_global, 1);
    char **ids = calloc((size_t)t->n_ids + 1, sizeof *ids);
    char **names = calloc((size_t)t->n_feat + 1, sizeof *names);
    int32_t *nlev = calloc((size_t)t->n_feat + 1, sizeof *nlev);
    int64_t total = 0;
    for (int32_t f2 = 0; f2 < t->n_feat; ++f2) total += t->feat[f2].n_levels;
    char **levels = calloc((size_t)total + 1, sizeof *levels);
    if (!ids || !names || !nlev || !levels) {
        if (c->rc == SB_OK) c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory writing %s", c->path);
    } else {
        for (int32_t i = 0; i < t->n_ids; ++i) ids[i] = t->ids[i].name;
        int64_t k = 0;
        for (int32_t j = 0; j < t->n_feat; ++j) {
            names[j] = t->feat[j].name;
            nlev[j] = t->feat[j].n_levels;
            for (int32_t l = 0; l < t->feat[j].n_levels; ++l) levels[k++] = t->feat[j].levels[l];
        }
        attr_strs(c, f, "id_names", ids, t->n_ids);
        attr_strs(c, feat_loc, "feature_names", names, t->n_feat);
        attr_num(c, feat_loc, "n_levels", H5T_NATIVE_INT32, nlev, (hsize_t)t->n_feat);
        attr_strs(c, feat_loc, "levels", levels, total);
    }
    free(ids);
    free(names);
    free(nlev);
    free(levels);
}

static void write_ids(h5ctx *c, hid_t f, const sb_table *t, store_opts st)
{
    if (c->rc) return;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t g = H5Gcreate2(f, "ids", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    CHECK(c, g >= 0, "create /ids");
    for (int32_t i = 0; c->rc == SB_OK && i < t->n_ids; ++i) {
        const sb_id_col *col = &t->ids[i];
        if (col->type == SB_ID_INT64) {
            write_rows(c, g, col->name, H5T_NATIVE_INT64, H5T_STD_I64LE, col->i64, 0, t->n_rows_global, t->row_start,
                       t->n_rows, CONTIGUOUS);
        } else {
            hid_t stype = H5Tcopy(H5T_C_S1);
            H5Tset_size(stype, (size_t)col->width);
            H5Tset_strpad(stype, H5T_STR_NULLPAD);
            write_rows(c, g, col->name, stype, stype, col->str, 0, t->n_rows_global, t->row_start, t->n_rows, st);
            H5Tclose(stype);
        }
    }
    if (g >= 0) H5Gclose(g);
}

/* Checks that would make ranks take different HDF5 paths, agreed first. */
static int check_shape(run_ctx *run, const sb_table *t, int *has_label, int *has_weight)
{
    int64_t v[4] = {t->n_feat, t->n_ids, t->label != NULL, t->weight != NULL};
    int64_t lo[4] = {-v[0], -v[1], -v[2], -v[3]};
    SB_TRY(run, comm_max_i64(run, v, 4));
    SB_TRY(run, comm_max_i64(run, lo, 4));
    int same = 1;
    for (int i = 0; i < 4; ++i) same &= (v[i] == -lo[i]);
    for (int32_t i = 0; same && i < t->n_ids; ++i) {
        int64_t w[2] = {t->ids[i].width, -(int64_t)t->ids[i].width};
        SB_TRY(run, comm_max_i64(run, w, 2));
        same &= (w[0] == -w[1]);
    }
    if (!same) return SB_FAIL(run, SB_EINVAL, "h5_write_table: ranks disagree on columns, label, weight or id width");
    *has_label = (int)v[2];
    *has_weight = (int)v[3];
    return SB_OK;
}

int h5_write_table(run_ctx *run, const char *path, const sb_table *t)
{
    return h5_write_table_codec(run, path, t, H5_CODEC_LZ4, 0);
}

int h5_write_table_level(run_ctx *run, const char *path, const sb_table *t, int level)
{
    return h5_write_table_codec(run, path, t, H5_CODEC_DEFLATE, level);
}

int h5_write_table_codec(run_ctx *run, const char *path, const sb_table *t, h5_codec codec, int level)
{
    if (codec != H5_CODEC_LZ4 && codec != H5_CODEC_DEFLATE && codec != H5_CODEC_NONE)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "unknown HDF5 codec %d", (int)codec));
    if (codec == H5_CODEC_DEFLATE && (level < 0 || level > 9))
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "deflate level %d is not 0..9", level));
    const store_opts st = {1, codec, level};
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages instead of HDF5's stack dumps */
    SB_TRY(run, run_agree_rc(run, lz4_register(run)));
    int has_label = 0, has_weight = 0;
    SB_TRY(run, run_agree_rc(run, check_shape(run, t, &has_label, &has_weight)));
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "output path too long: %s", path));
    h5ctx c = {run, path, SB_OK};
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, run_comm(run), MPI_INFO_NULL);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST); /* dense attributes: many levels fit */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0); /* root group without timestamps: byte-stable files */
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    if (f < 0) {
        SB_FAIL(run, SB_EIO, "%s: cannot create (HDF5)", tmp);
        return run_agree_rc(run, SB_EIO);
    }
    write_rows(&c, f, "features", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, t->x, t->n_feat, t->n_rows_global, t->row_start,
               t->n_rows, st);
    if (has_label)
        write_rows(&c, f, "label", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, t->label, 0, t->n_rows_global, t->row_start, t->n_rows,
                   CONTIGUOUS);
    if (has_weight)
        write_rows(&c, f, "weight", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, t->weight, 0, t->n_rows_global, t->row_start,
                   t->n_rows, CONTIGUOUS);
    write_ids(&c, f, t, st);
    hid_t feat = c.rc ? -1 : H5Dopen2(f, "features", H5P_DEFAULT);
    write_meta(&c, f, t, feat);
    if (feat >= 0) H5Dclose(feat);
    if (H5Fclose(f) < 0) CHECK(&c, 0, "close");
    int rc = c.rc;
    if (rc == SB_OK && run_rank(run) == 0 && rename(tmp, path) != 0)
        rc = SB_FAIL(run, SB_EIO, "rename %s -> %s failed", tmp, path);
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK && run_rank(run) == 0) unlink(tmp);
    return rc;
}

/* ---- reading ---- */

/* A string (scalar) or string-array attribute: *out gets n malloc'd strings. */
static void read_strs(h5ctx *c, hid_t loc, const char *name, char ***out, int64_t *n)
{
    *out = NULL;
    *n = 0;
    if (c->rc) return;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) {
        c->rc = SB_FAIL(c->run, SB_EDATA, "%s: attribute '%s' missing (not written by shardboost ingest?)", c->path, name);
        return;
    }
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    size_t w = H5Tget_size(ft);
    hssize_t np = H5Sget_simple_extent_type(sp) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(sp);
    char *buf = calloc((size_t)(np > 0 ? np : 1), w + 1);
    char **v = calloc((size_t)(np > 0 ? np : 1), sizeof *v);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, w);
    if (H5Tget_class(ft) != H5T_STRING || np < 0) c->rc = SB_FAIL(c->run, SB_EDATA, "%s: attribute '%s' is not text", c->path, name);
    else if (!buf || !v) c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading %s", c->path);
    else if (np > 0) CHECK(c, H5Aread(a, mt, buf) >= 0, name);
    for (hssize_t i = 0; c->rc == SB_OK && i < np; ++i) {
        v[i] = calloc(w + 1, 1);
        if (v[i] == NULL) c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading %s", c->path);
        else memcpy(v[i], buf + (size_t)i * w, w);
    }
    H5Tclose(mt);
    H5Tclose(ft);
    H5Sclose(sp);
    H5Aclose(a);
    free(buf);
    if (c->rc) {
        for (hssize_t i = 0; v && i < np; ++i) free(v[i]);
        free(v);
        return;
    }
    *out = v;
    *n = np;
}

static char *read_str(h5ctx *c, hid_t loc, const char *name)
{
    char **v = NULL;
    int64_t n = 0;
    read_strs(c, loc, name, &v, &n);
    if (c->rc) return NULL;
    char *s = n > 0 ? v[0] : calloc(1, 1);
    for (int64_t i = 1; i < n; ++i) free(v[i]);
    free(v);
    return s;
}

static void read_num(h5ctx *c, hid_t loc, const char *name, hid_t type, void *out, int64_t n)
{
    if (c->rc) return;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) {
        c->rc = SB_FAIL(c->run, SB_EDATA, "%s: attribute '%s' missing", c->path, name);
        return;
    }
    hid_t sp = H5Aget_space(a);
    hssize_t np = H5Sget_simple_extent_type(sp) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(sp);
    if (np != n) c->rc = SB_FAIL(c->run, SB_EDATA, "%s: attribute '%s' has %lld values, expected %lld", c->path, name, (long long)np, (long long)n);
    else if (n > 0) CHECK(c, H5Aread(a, type, out) >= 0, name);
    H5Sclose(sp);
    H5Aclose(a);
}

/* Rows per H5Dread: collective reads of a chunked, filtered dataset decompress
 * every chunk of the selection into buffers of their own, so one read of a
 * whole shard holds the shard about twice (measured: peak RSS 166 MB for a
 * 75 MB shard). Blocks of ~8 MiB bound that transient. */
#define READ_BLOCK_BYTES ((int64_t)8 << 20)

/* Read rows [start, start + n) of dataset d collectively through HDF5, in row
 * blocks; every rank makes the same number of H5Dread calls (the most any
 * rank needs), a rank with no rows left selects none. The fallback of
 * read_rows: every layout, filter and type conversion HDF5 knows. */
static void read_collective(h5ctx *c, hid_t d, const char *name, hid_t mtype, void *data, int64_t cols, int64_t start,
                            int64_t n)
{
    int rank = cols > 0 ? 2 : 1;
    const int64_t width = cols > 0 ? cols : 1;
    const size_t row_bytes = H5Tget_size(mtype) * (size_t)width;
    int64_t block = READ_BLOCK_BYTES / (int64_t)row_bytes;
    if (block < 1) block = 1;
    int64_t most = n; /* every rank makes the same number of collective reads */
    const int mrc = comm_max_i64(c->run, &most, 1);
    if (mrc != SB_OK) c->rc = mrc;
    const int64_t n_blocks = most > 0 ? (most + block - 1) / block : 1;
    hid_t fs = H5Dget_space(d);
    hid_t dx = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
    for (int64_t k = 0; k < n_blocks; ++k) { /* all blocks even after an error: the reads are collective */
        int64_t b0 = k * block, nb = n - b0 < block ? n - b0 : block;
        if (nb < 0 || c->rc != SB_OK) nb = 0;
        hsize_t mdims[2] = {(hsize_t)(nb > 0 ? nb : 1), (hsize_t)width};
        hid_t ms = H5Screate_simple(rank, mdims, NULL);
        hsize_t off[2] = {(hsize_t)(start + b0), 0}, cnt[2] = {(hsize_t)nb, mdims[1]};
        if (nb > 0) H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
        else H5Sselect_none(fs), H5Sselect_none(ms);
        void *dst = nb > 0 ? (char *)data + (size_t)b0 * row_bytes : data;
        if (H5Dread(d, mtype, ms, fs, dx, dst) < 0 && c->rc == SB_OK) h5fail(c, __FILE__, __LINE__, name);
        H5Sclose(ms);
    }
    H5Pclose(dx);
    H5Sclose(fs);
}

/* ---- raw-chunk reads ----
 * HDF5 1.10 always inflates with zlib, much slower than libdeflate on our
 * chunks (tests/bench/perf-log.md), and sends LZ4 chunks through a filter callback that allocates a
 * buffer per chunk. For a dataset stored the way
 * h5_write_table stores it, each rank instead looks up the chunks of its own
 * rows (H5Dget_chunk_info_by_coord), preads their stored bytes from its own
 * descriptor and undoes the filters with io/chunk_codec; no MPI at all. */

/* Largest chunk (unfiltered) the raw path takes; bigger ones go through HDF5. */
#define RAW_CHUNK_MAX ((size_t)64 << 20)

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

/* 1 if dataset d (read as mtype, [N] or [N, cols]) can be read chunk by chunk
 * without HDF5's filters: chunked over whole rows, every chunk allocated,
 * pipeline exactly none, shuffle, a codec (deflate or LZ4) or both, file type
 * equal to mtype (so no conversion: native little-endian numbers, the same
 * fixed string), no user block, partial chunks filtered like the others.
 * Decided from file metadata only, so every rank decides the same. */
static int raw_plan_get(hid_t d, hid_t mtype, int64_t cols, raw_plan *p)
{
    memset(p, 0, sizeof *p);
    p->shuffle = p->codec = -1;
    const char *off = getenv("SB_H5_RAW_CHUNKS"); /* "0": always through HDF5 (tests, timing) */
    if (off && strcmp(off, "0") == 0) return 0;
    int ok = 0, rank = cols > 0 ? 2 : 1;
    hid_t ft = H5Dget_type(d), sp = H5Dget_space(d), dcpl = H5Dget_create_plist(d), f = H5Iget_file_id(d), fcpl = -1;
    hsize_t dims[2] = {0, 0}, chunk[2] = {0, 0}, ub = 1, nch = 0;
    unsigned opts = 0; /* H5Pget_chunk_opts leaves it alone when no option is set */
    if (ft < 0 || sp < 0 || dcpl < 0 || f < 0) goto done;
    H5T_class_t cls = H5Tget_class(ft);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER && !(cls == H5T_STRING && H5Tis_variable_str(ft) == 0)) goto done;
    if (H5Tequal(ft, mtype) <= 0) goto done;
    p->elem = H5Tget_size(ft);
    if (H5Sget_simple_extent_ndims(sp) != rank || H5Sget_simple_extent_dims(sp, dims, NULL) != rank) goto done;
    if (rank == 2 && dims[1] != (hsize_t)cols) goto done;
    if (H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, rank, chunk) != rank || chunk[0] < 1) goto done;
    if (rank == 2 && chunk[1] != dims[1]) goto done;
    if (H5Pget_chunk_opts(dcpl, &opts) < 0 || opts != 0) goto done;
    p->n_rows = dims[0];
    p->chunk_rows = chunk[0];
    p->row_bytes = p->elem * (size_t)(rank == 2 ? dims[1] : 1);
    if (p->row_bytes == 0 || p->chunk_rows > RAW_CHUNK_MAX / p->row_bytes) goto done;
    p->chunk_bytes = (size_t)p->chunk_rows * p->row_bytes;
    int nf = H5Pget_nfilters(dcpl);
    if (nf < 0 || nf > 2) goto done;
    for (int i = 0; i < nf; ++i) {
        unsigned flags = 0, cd[8] = {0}, cfg = 0;
        size_t ncd = 8;
        char fname[64];
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof fname, fname, &cfg);
        if (id == H5Z_FILTER_SHUFFLE && p->shuffle < 0 && p->codec < 0 && ncd >= 1 && cd[0] == p->elem) p->shuffle = i;
        else if ((id == H5Z_FILTER_DEFLATE || id == CHUNK_H5Z_FILTER_LZ4) && p->codec < 0)
            p->codec = i, p->lz4 = id == CHUNK_H5Z_FILTER_LZ4;
        else goto done;
    }
    fcpl = H5Fget_create_plist(f);
    if (fcpl < 0 || H5Pget_userblock(fcpl, &ub) < 0 || ub != 0) goto done; /* chunk addresses = file offsets */
    if (H5Dget_num_chunks(d, sp, &nch) < 0 || nch != (p->n_rows + p->chunk_rows - 1) / p->chunk_rows) goto done;
    ok = 1;
done:
    if (fcpl >= 0) H5Pclose(fcpl);
    if (f >= 0) H5Fclose(f);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    return ok;
}

/* pread exactly n bytes at off; 0, or an errno (EIO for a file that ends early). */
static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    char *p = buf;
    while (n > 0) {
        ssize_t got = pread(fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return errno;
        if (got == 0) return EIO;
        p += got, n -= (size_t)got, off += (uint64_t)got;
    }
    return 0;
}

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
    const char *path;
    char dname[256];
    int64_t row0, n;
    hsize_t first;     /* chunk index of row0 */
    hsize_t n_chunks;  /* chunks[0 .. n_chunks) are chunks first, first + 1, ... */
    raw_chunk *chunks;
    int fd;
    unsigned char *stored, *tmp1, *tmp2;
    size_t stored_cap;
    chunk_inflater *z;
    hsize_t cached;              /* chunk index whose rows `cache` holds, or (hsize_t)-1 */
    const unsigned char *cache;
} raw_reader;

static void raw_reader_close(raw_reader *r)
{
    chunk_inflater_free(r->z);
    free(r->stored);
    free(r->tmp1);
    free(r->tmp2);
    free(r->chunks);
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    r->z = NULL;
    r->stored = r->tmp1 = r->tmp2 = NULL;
    r->chunks = NULL;
}

static void raw_bad(h5ctx *c, const raw_reader *r, hsize_t k, const char *why)
{
    const hsize_t r0 = k * r->p.chunk_rows, r1 = r0 + r->p.chunk_rows < r->p.n_rows ? r0 + r->p.chunk_rows : r->p.n_rows;
    c->rc = SB_FAIL(c->run, SB_EDATA, "%s: dataset '%s': chunk of rows %llu-%llu is corrupt or truncated: %s", c->path,
                    r->dname, (unsigned long long)r0, (unsigned long long)(r1 - 1), why);
}

/* Set up r for rows [start, start + n) of d through plan p: descriptor,
 * scratch, and the location of every chunk of those rows. Local; errors in
 * c->rc (r is always safe to close). */
static void raw_reader_open(h5ctx *c, hid_t d, const raw_plan *p, int64_t start, int64_t n, raw_reader *r)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->p = *p;
    r->path = c->path;
    r->row0 = start;
    r->n = n > 0 ? n : 0;
    r->cached = (hsize_t)-1;
    if (H5Iget_name(d, r->dname, sizeof r->dname) < 0) snprintf(r->dname, sizeof r->dname, "?");
    if (n <= 0) return;
    if ((hsize_t)(start + n) > p->n_rows) {
        c->rc = SB_FAIL(c->run, SB_EDATA, "%s: dataset '%s' has %llu rows, rows up to %lld expected", c->path, r->dname,
                        (unsigned long long)p->n_rows, (long long)(start + n));
        return;
    }
    const hsize_t cr = p->chunk_rows;
    r->first = (hsize_t)start / cr;
    r->n_chunks = (hsize_t)(start + n - 1) / cr - r->first + 1;
    r->fd = open(c->path, O_RDONLY | O_CLOEXEC);
    r->chunks = calloc((size_t)r->n_chunks, sizeof *r->chunks);
    r->tmp1 = malloc(p->chunk_bytes);
    r->tmp2 = malloc(p->chunk_bytes);
    const int inflater = p->codec >= 0 && !p->lz4;
    r->z = inflater ? chunk_inflater_new() : NULL;
    if (r->fd < 0) c->rc = SB_FAIL(c->run, SB_EIO, "%s: cannot open for reading: %s", c->path, strerror(errno));
    else if (!r->chunks || !r->tmp1 || !r->tmp2 || (inflater && !r->z))
        c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading %s", c->path);
    for (hsize_t i = 0; c->rc == SB_OK && i < r->n_chunks; ++i) {
        hsize_t coord[2] = {(r->first + i) * cr, 0};
        raw_chunk *ch = &r->chunks[i];
        ch->addr = HADDR_UNDEF;
        if (H5Dget_chunk_info_by_coord(d, coord, &ch->mask, &ch->addr, &ch->size) < 0 || ch->addr == HADDR_UNDEF)
            raw_bad(c, r, r->first + i, "no stored chunk (HDF5 chunk index)");
    }
}

/* Rows [b, e) (global, inside the reader's rows) into data; one chunk of
 * scratch (stored bytes, inflated, unshuffled) at a time. A chunk wholly
 * inside the rows is unfiltered straight into data. Local; errors in c->rc
 * name the file, dataset and the chunk's rows. */
static void raw_reader_rows(h5ctx *c, raw_reader *r, int64_t b, int64_t e, void *data)
{
    const raw_plan *p = &r->p;
    if (c->rc != SB_OK || e <= b) return;
    const int active_mask = (p->shuffle >= 0 ? 1 << p->shuffle : 0) | (p->codec >= 0 ? 1 << p->codec : 0);
    const hsize_t cr = p->chunk_rows, first = (hsize_t)b / cr, last = (hsize_t)(e - 1) / cr;
    for (hsize_t k = first; c->rc == SB_OK && k <= last; ++k) {
        const hsize_t r0 = k * cr, r1 = r0 + cr < p->n_rows ? r0 + cr : p->n_rows; /* rows held */
        const hsize_t lo = r0 > (hsize_t)b ? r0 : (hsize_t)b;
        const hsize_t hi = r1 < (hsize_t)e ? r1 : (hsize_t)e;
        unsigned char *dst = (unsigned char *)data + (size_t)(lo - (hsize_t)b) * p->row_bytes;
        if (k == r->cached) {
            memcpy(dst, r->cache + (size_t)(lo - r0) * p->row_bytes, (size_t)(hi - lo) * p->row_bytes);
            continue;
        }
        r->cached = (hsize_t)-1; /* the scratch is about to change */
        const int whole = r0 >= (hsize_t)b && r0 + cr <= (hsize_t)e; /* all cr rows land in data */
        const raw_chunk *ch = &r->chunks[k - r->first];
        const hsize_t size = ch->size;
        char whybuf[96];
        const int todo = active_mask & ~(int)ch->mask;
        const int decode = p->codec >= 0 && (todo >> p->codec & 1), unshuf = p->shuffle >= 0 && (todo >> p->shuffle & 1);
        if (!decode && size != p->chunk_bytes) {
            snprintf(whybuf, sizeof whybuf, "stored size %llu, expected %zu unfiltered bytes", (unsigned long long)size,
                     p->chunk_bytes);
            raw_bad(c, r, k, whybuf);
            break;
        }
        if (size > (hsize_t)2 * p->chunk_bytes + 4096) { /* neither codec grows data that much */
            snprintf(whybuf, sizeof whybuf, "stored size %llu for a %zu-byte chunk", (unsigned long long)size, p->chunk_bytes);
            raw_bad(c, r, k, whybuf);
            break;
        }
        unsigned char *src;
        if (!decode && !unshuf && whole) src = dst; /* stored as is: straight into place */
        else {
            if (size > r->stored_cap) {
                free(r->stored);
                r->stored_cap = (size_t)size;
                r->stored = malloc(r->stored_cap);
                if (r->stored == NULL) {
                    r->stored_cap = 0;
                    c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading %s", c->path);
                    break;
                }
            }
            src = r->stored;
        }
        int err = pread_all(r->fd, src, (size_t)size, (uint64_t)ch->addr);
        if (err != 0) {
            snprintf(whybuf, sizeof whybuf, "read of %llu bytes at offset %llu failed: %s", (unsigned long long)size,
                     (unsigned long long)ch->addr, err == EIO ? "file ends early or I/O error" : strerror(err));
            raw_bad(c, r, k, whybuf);
            break;
        }
        if (decode) {
            unsigned char *out = (!unshuf && whole) ? dst : r->tmp1;
            chunk_status s = p->lz4 ? chunk_lz4_decode(src, (size_t)size, out, p->chunk_bytes)
                                    : chunk_inflate(r->z, src, (size_t)size, out, p->chunk_bytes);
            if (s != CHUNK_OK) {
                raw_bad(c, r, k, chunk_status_str(s));
                break;
            }
            src = out;
        }
        if (unshuf) {
            unsigned char *out = whole ? dst : (src == r->tmp1 ? r->tmp2 : r->tmp1);
            chunk_unshuffle(out, src, p->chunk_bytes / p->elem, p->elem);
            src = out;
        }
        if (src != dst) {
            memcpy(dst, src + (size_t)(lo - r0) * p->row_bytes, (size_t)(hi - lo) * p->row_bytes);
            r->cached = k;
            r->cache = src;
        }
    }
}

/* Rows [start, start + n) through the plan; only this rank's chunks. Local. */
static void read_raw(h5ctx *c, hid_t d, const raw_plan *p, void *data, int64_t start, int64_t n)
{
    raw_reader r;
    raw_reader_open(c, d, p, start, n, &r);
    raw_reader_rows(c, &r, start, start + n, data);
    raw_reader_close(&r);
}

/* Read rows [start, start + n) of dataset `name` ([N] or [N, cols]) into data.
 * Collective, whatever this rank's state: errors so far are agreed first (so
 * every rank skips the read or none does), the path (raw chunks or HDF5) is
 * agreed from each rank's verdict on the file's metadata, and the outcome is
 * agreed at the end, so callers see the same c->rc on every rank. data NULL
 * (a failed allocation) is an error. */
static void read_rows(h5ctx *c, hid_t loc, const char *name, hid_t mtype, void *data, int64_t cols, int64_t start, int64_t n)
{
    c->rc = run_agree_rc(c->run, c->rc);
    if (c->rc) return;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    raw_plan plan;
    if (d < 0) c->rc = SB_FAIL(c->run, SB_EDATA, "%s: dataset '%s' missing", c->path, name);
    else if (data == NULL) c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading '%s' of %s", name, c->path);
    int64_t v[2] = {d < 0 || !raw_plan_get(d, mtype, cols, &plan), c->rc != SB_OK}; /* {through HDF5, failed} */
    const int mrc = comm_max_i64(c->run, v, 2);
    if (mrc != SB_OK) {
        if (c->rc == SB_OK) c->rc = mrc;
    } else if (!v[1]) {
        if (v[0]) read_collective(c, d, name, mtype, data, cols, start, n);
        else read_raw(c, d, &plan, data, start, n);
    }
    if (d >= 0) H5Dclose(d);
    c->rc = run_agree_rc(c->run, c->rc);
}

static void read_meta(h5ctx *c, hid_t f, hid_t feat, sb_table *t)
{
    char **names = NULL, **levels = NULL;
    int64_t nn = 0, nl = 0;
    t->layout = read_str(c, f, "layout");
    t->label_name = read_str(c, f, "label_name");
    char *rule = read_str(c, f, "drop_rule");
    if (rule && rule[0]) t->drop_rule = rule;
    else free(rule);
    read_num(c, f, "rows_read", H5T_NATIVE_INT64, &t->rows_read, 1);
    read_num(c, f, "dropped_zero_trials", H5T_NATIVE_INT64, &t->dropped_zero_trials, 1);
    read_strs(c, feat, "feature_names", &names, &nn);
    if (c->rc == SB_OK && nn != t->n_feat)
        c->rc = SB_FAIL(c->run, SB_EDATA, "%s: %lld feature names for %d features", c->path, (long long)nn, (int)t->n_feat);
    int32_t *nlev = calloc((size_t)t->n_feat + 1, sizeof *nlev);
    if (nlev == NULL && c->rc == SB_OK) c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading %s", c->path);
    read_num(c, feat, "n_levels", H5T_NATIVE_INT32, nlev, t->n_feat);
    read_strs(c, feat, "levels", &levels, &nl);
    int64_t k = 0;
    for (int32_t j = 0; c->rc == SB_OK && j < t->n_feat; ++j) {
        t->feat[j].name = names[j];
        names[j] = NULL;
        if (nlev[j] < 0 || k + nlev[j] > nl) {
            c->rc = SB_FAIL(c->run, SB_EDATA, "%s: categorical levels do not match n_levels", c->path);
            break;
        }
        t->feat[j].n_levels = nlev[j];
        t->feat[j].levels = nlev[j] ? calloc((size_t)nlev[j], sizeof(char *)) : NULL;
        for (int32_t l = 0; l < nlev[j] && t->feat[j].levels; ++l) t->feat[j].levels[l] = levels[k], levels[k++] = NULL;
    }
    for (int64_t i = 0; names && i < nn; ++i) free(names[i]);
    for (int64_t i = 0; levels && i < nl; ++i) free(levels[i]);
    free(names);
    free(levels);
    free(nlev);
}

static void read_ids(h5ctx *c, hid_t f, sb_table *t, int64_t start, int64_t n)
{
    char **names = NULL;
    int64_t ni = 0;
    read_strs(c, f, "id_names", &names, &ni);
    if (c->rc == SB_OK) {
        t->ids = calloc((size_t)ni + 1, sizeof *t->ids);
        if (t->ids == NULL) c->rc = SB_FAIL(c->run, SB_ENOMEM, "out of memory reading %s", c->path);
    }
    /* agreed: every rank below makes the same read_rows calls (collective) */
    c->rc = run_agree_rc(c->run, c->rc);
    if (c->rc) {
        for (int64_t i = 0; names && i < ni; ++i) free(names[i]);
        free(names);
        return;
    }
    hid_t g = H5Gopen2(f, "ids", H5P_DEFAULT);
    if (g < 0) c->rc = SB_FAIL(c->run, SB_EDATA, "%s: group /ids missing", c->path);
    for (int64_t i = 0; c->rc == SB_OK && i < ni; ++i) {
        sb_id_col *col = &t->ids[i];
        col->name = names[i];
        names[i] = NULL;
        t->n_ids = (int32_t)i + 1;
        hid_t d = H5Dopen2(g, col->name, H5P_DEFAULT);
        if (d < 0) {
            c->rc = SB_FAIL(c->run, SB_EDATA, "%s: dataset '/ids/%s' missing", c->path, col->name);
            break;
        }
        hid_t ft = H5Dget_type(d);
        int is_str = H5Tget_class(ft) == H5T_STRING;
        size_t w = H5Tget_size(ft);
        H5Tclose(ft);
        H5Dclose(d);
        if (is_str) {
            col->type = SB_ID_STRING;
            col->width = (int32_t)w;
            col->str = calloc((size_t)(n > 0 ? n : 1), w);
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, w);
            H5Tset_strpad(mt, H5T_STR_NULLPAD);
            read_rows(c, g, col->name, mt, col->str, 0, start, n); /* NULL str: agreed ENOMEM */
            H5Tclose(mt);
        } else {
            col->type = SB_ID_INT64;
            col->i64 = calloc((size_t)(n > 0 ? n : 1), sizeof *col->i64);
            read_rows(c, g, col->name, H5T_NATIVE_INT64, col->i64, 0, start, n);
        }
    }
    if (g >= 0) H5Gclose(g);
    for (int64_t i = 0; i < ni; ++i) free(names[i]);
    free(names);
}

int h5_read_table(run_ctx *run, const char *path, sb_table *out)
{
    return h5_read_table_rows(run, path, -1, -1, out);
}

/* The part of a table read that every reader shares: open path, check the
 * format, size /features, choose this rank's rows (row_begin < 0: the
 * table_shard_range block) and read the metadata into out (x not allocated).
 * Collective (H5Fopen). *f and *feat are -1 when not opened; c->rc holds this
 * rank's first error, not yet agreed. returns 0, or an agreed status when the
 * file could not be opened at all (nothing to close). */
static int read_head(run_ctx *run, h5ctx *c, const char *path, int64_t row_begin, int64_t row_end, sb_table *out,
                     hid_t *f_out, hid_t *feat_out)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    memset(out, 0, sizeof *out);
    *f_out = *feat_out = -1;
    int rc = run_agree_rc(run, lz4_register(run)); /* for reads that go through HDF5 */
    if (rc != SB_OK) return rc;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_mpio(fapl, run_comm(run), MPI_INFO_NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f < 0) return run_agree_rc(run, SB_FAIL(run, SB_EIO, "%s: cannot open as an HDF5 file", path));
    char *fmt = read_str(c, f, "format");
    if (c->rc == SB_OK && strcmp(fmt, SB_H5_FORMAT) != 0)
        c->rc = SB_FAIL(run, SB_EDATA, "%s: format '%s', expected '%s'", path, fmt, SB_H5_FORMAT);
    free(fmt);
    hid_t feat = c->rc ? -1 : H5Dopen2(f, "features", H5P_DEFAULT);
    if (c->rc == SB_OK && feat < 0) c->rc = SB_FAIL(run, SB_EDATA, "%s: dataset 'features' missing", path);
    hsize_t dims[2] = {0, 0};
    if (c->rc == SB_OK) {
        hid_t sp = H5Dget_space(feat);
        if (H5Sget_simple_extent_ndims(sp) != 2) c->rc = SB_FAIL(run, SB_EDATA, "%s: 'features' is not 2-D", path);
        else H5Sget_simple_extent_dims(sp, dims, NULL);
        H5Sclose(sp);
    }
    int64_t start = 0, end = 0;
    if (row_begin < 0) table_shard_range((int64_t)dims[0], run_size(run), run_rank(run), &start, &end);
    else if (row_begin <= row_end && row_end <= (int64_t)dims[0]) start = row_begin, end = row_end;
    else if (c->rc == SB_OK)
        c->rc = SB_FAIL(run, SB_EINVAL, "%s: rows [%lld, %lld) asked of %llu", path, (long long)row_begin, (long long)row_end,
                        (unsigned long long)dims[0]);
    out->n_rows_global = (int64_t)dims[0];
    out->n_feat = (int32_t)dims[1];
    out->row_start = start;
    out->n_rows = end - start;
    out->feat = calloc((size_t)out->n_feat + 1, sizeof *out->feat);
    if (c->rc == SB_OK && !out->feat) c->rc = SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    if (c->rc == SB_OK) read_meta(c, f, feat, out);
    *f_out = f;
    *feat_out = feat;
    return SB_OK;
}

/* /label and /weight (when the file has them) of rows [start, start + n). */
static void read_labels(h5ctx *c, hid_t f, sb_table *out, int64_t start, int64_t n)
{
    size_t nr = (size_t)(n > 0 ? n : 1);
    if (c->rc == SB_OK && H5Lexists(f, "label", H5P_DEFAULT) > 0) {
        out->label = calloc(nr, sizeof *out->label);
        read_rows(c, f, "label", H5T_NATIVE_DOUBLE, out->label, 0, start, n);
    }
    if (c->rc == SB_OK && H5Lexists(f, "weight", H5P_DEFAULT) > 0) {
        out->weight = calloc(nr, sizeof *out->weight);
        read_rows(c, f, "weight", H5T_NATIVE_DOUBLE, out->weight, 0, start, n);
    }
}

int h5_read_table_rows(run_ctx *run, const char *path, int64_t row_begin, int64_t row_end, sb_table *out)
{
    h5ctx c = {run, path, SB_OK};
    hid_t f, feat;
    SB_TRY(run, read_head(run, &c, path, row_begin, row_end, out, &f, &feat));
    out->x = calloc((size_t)(out->n_rows > 0 ? out->n_rows : 1) * (size_t)(out->n_feat ? out->n_feat : 1), sizeof *out->x);
    if (c.rc == SB_OK && !out->x) c.rc = SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    const int64_t start = out->row_start;
    read_rows(&c, f, "features", H5T_NATIVE_FLOAT, out->x, out->n_feat, start, out->n_rows);
    read_labels(&c, f, out, start, out->n_rows);
    read_ids(&c, f, out, start, out->n_rows);
    if (feat >= 0) H5Dclose(feat);
    H5Fclose(f);
    int rc = run_agree_rc(run, c.rc);
    if (rc != SB_OK) table_free(out);
    return rc;
}

/* ---- streaming /features ---- */

struct h5_stream {
    char *path; /* for messages */
    raw_reader r;
    int64_t row_start; /* global index of local row 0 */
};

int h5_stream_open(run_ctx *run, const char *path, int labels, sb_table *out, h5_stream **stream)
{
    *stream = NULL;
    h5ctx c = {run, path, SB_OK};
    hid_t f, feat;
    SB_TRY(run, read_head(run, &c, path, -1, -1, out, &f, &feat));
    const int64_t start = out->row_start;
    read_ids(&c, f, out, start, out->n_rows);
    if (labels) read_labels(&c, f, out, start, out->n_rows);
    /* The path for /features, agreed as read_rows does (from file metadata). */
    c.rc = run_agree_rc(run, c.rc);
    raw_plan plan;
    int64_t v[2] = {c.rc != SB_OK || !raw_plan_get(feat, H5T_NATIVE_FLOAT, out->n_feat, &plan), c.rc != SB_OK};
    const int mrc = comm_max_i64(run, v, 2);
    if (mrc != SB_OK && c.rc == SB_OK) c.rc = mrc;
    h5_stream *s = NULL;
    if (c.rc == SB_OK && !v[1] && v[0]) { /* through HDF5: the whole shard, as h5_read_table */
        out->x = calloc((size_t)(out->n_rows > 0 ? out->n_rows : 1) * (size_t)(out->n_feat ? out->n_feat : 1), sizeof *out->x);
        read_rows(&c, f, "features", H5T_NATIVE_FLOAT, out->x, out->n_feat, start, out->n_rows); /* NULL x: agreed ENOMEM */
    } else if (c.rc == SB_OK && !v[1]) {
        s = calloc(1, sizeof *s);
        if (s == NULL || (s->path = strdup(path)) == NULL) {
            c.rc = SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
            if (s) s->r.fd = -1;
        } else {
            s->row_start = start;
            c.path = s->path; /* the reader keeps the name for later messages */
            raw_reader_open(&c, feat, &plan, start, out->n_rows, &s->r);
        }
    }
    if (feat >= 0) H5Dclose(feat);
    H5Fclose(f);
    int rc = run_agree_rc(run, c.rc);
    if (rc != SB_OK) {
        h5_stream_close(s);
        table_free(out);
        return rc;
    }
    *stream = s;
    return SB_OK;
}

int64_t h5_stream_block_end(const h5_stream *s, int64_t i, int64_t n_rows, int64_t max_rows)
{
    int64_t e = i + max_rows < n_rows ? i + max_rows : n_rows;
    if (e == n_rows) return e;
    const int64_t cr = (int64_t)s->r.p.chunk_rows, g = s->row_start + e;
    const int64_t edge = g / cr * cr - s->row_start; /* last chunk edge at or before e */
    return edge > i ? edge : e;
}

int h5_stream_read(run_ctx *run, h5_stream *s, int64_t i0, int64_t i1, float *x)
{
    h5ctx c = {run, s->path, SB_OK};
    if (i0 < 0 || i1 > s->r.n || i0 > i1)
        return SB_FAIL(run, SB_EINVAL, "%s: stream rows [%lld, %lld) outside the %lld local rows", s->path, (long long)i0,
                       (long long)i1, (long long)s->r.n);
    raw_reader_rows(&c, &s->r, s->row_start + i0, s->row_start + i1, x);
    return c.rc;
}

void h5_stream_close(h5_stream *s)
{
    if (s == NULL) return;
    raw_reader_close(&s->r);
    free(s->path);
    free(s);
}
