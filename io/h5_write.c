/* h5_write.c - the writer of the columnar table file (see h5io.h).
 *
 * Every rank writes its rows [row_start, row_start + n_rows) of each dataset in
 * one collective hyperslab write (ranks without rows select nothing but still
 * take part: parallel HDF5 1.10 allows filters only with collective writes).
 * Metadata (attributes) is identical on all ranks, as HDF5 requires.
 * Extra attributes beyond h5io.h: id_names (order of /ids), n_levels and
 * levels on /features, drop_rule, n_rows. */
#include <errno.h> /* for errno */
#include <stdio.h> /* for snprintf, rename */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for unlink */

#include "base/stop.h"
#include "base/write_errno.h"
#include "io/chunk_codec.h"
#include "io/h5_internal.h"
#include "io/h5io.h"
#include "mpi/comm.h"
#include "mpi/run.h"

/* Target bytes of one /features chunk (whole rows). */
#define CHUNK_TARGET_BYTES ((size_t)1 << 20)
/* Longest output path (with ".tmp"). */
#define H5_PATH_MAX 4096
#define DEFLATE_MAX_LEVEL 9
/* H5Fclose only writes metadata: minutes means a rank waits for one that left */
#define H5_CLOSE_TIMEOUT_S 300u

/* How write_rows stores a dataset: contiguous, or chunked through a codec. */
typedef struct {
    int chunked;
    h5_codec codec;
    int level; /* deflate level; 0: shuffle only */
} store_opts;

static const store_opts CONTIGUOUS = {0, H5_CODEC_NONE, 0};

/* One dataset's rows: [N] (cols 0) or [N, cols]; this rank holds [start, start + n). */
typedef struct {
    const char *name;
    hid_t mtype, ftype;
    const void *data;
    int64_t cols, N, start, n;
} rows_spec;

/* HDF5's registered LZ4 filter, implemented by io/chunk_codec. */
static const H5Z_class2_t LZ4_FILTER = {
    H5Z_CLASS_T_VERS, (H5Z_filter_t)CHUNK_H5Z_FILTER_LZ4, 1, 1, "lz4 (HDF5 registered filter 32004)", NULL, NULL,
    chunk_lz4_h5filter};

int h5_lz4_register(run_ctx *run)
{
    if (H5Zregister(&LZ4_FILTER) < 0) return SB_FAIL(run, SB_EIO, "cannot register the LZ4 filter with HDF5");
    return SB_OK;
}

/* The dataset creation list: no timestamps (same input, same bytes), and for
 * a chunked store whole-row chunks of about CHUNK_TARGET_BYTES through the codec. */
static hid_t create_plist(const rows_spec *r, const hsize_t *dims, int rank, store_opts st)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    if (!st.chunked || r->N <= 0) return dcpl;
    const size_t row_bytes = H5Tget_size(r->ftype) * (size_t)dims[1];
    hsize_t chunk[2] = {(hsize_t)(CHUNK_TARGET_BYTES / row_bytes), dims[1]};
    if (chunk[0] < 1) chunk[0] = 1;
    if (chunk[0] > (hsize_t)r->N) chunk[0] = (hsize_t)r->N;
    H5Pset_chunk(dcpl, rank, chunk);
    if (st.codec == H5_CODEC_DEFLATE) {
        H5Pset_shuffle(dcpl);
        if (st.level > 0) H5Pset_deflate(dcpl, (unsigned)st.level);
    } else if (st.codec == H5_CODEC_LZ4) { /* no shuffle: LZ4 packs whole floats better than byte planes */
        if (H5Pset_filter(dcpl, (H5Z_filter_t)CHUNK_H5Z_FILTER_LZ4, H5Z_FLAG_MANDATORY, 0, NULL) < 0) {
            H5Pclose(dcpl);
            return -1;
        }
    }
    return dcpl;
}

/* Create r->name under loc and write this rank's rows collectively. */
static int write_rows(run_ctx *run, const char *path, hid_t loc, const rows_spec *r, store_opts st)
{
    int rc = SB_OK;
    const int rank = r->cols > 0 ? 2 : 1;
    hsize_t dims[2] = {(hsize_t)r->N, (hsize_t)(r->cols > 0 ? r->cols : 1)};
    hsize_t mdims[2] = {(hsize_t)(r->n > 0 ? r->n : 1), dims[1]};
    hsize_t off[2] = {(hsize_t)r->start, 0}, cnt[2] = {(hsize_t)r->n, dims[1]};
    hid_t fs = H5Screate_simple(rank, dims, NULL), ms = H5Screate_simple(rank, mdims, NULL);
    hid_t dcpl = create_plist(r, dims, rank, st), d = -1, dx = H5Pcreate(H5P_DATASET_XFER);
    char why[160];
    if (dcpl < 0) SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed", path, r->name);
    if ((d = H5Dcreate2(loc, r->name, r->ftype, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0)
        SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed", path, r->name);
    if (r->n > 0) H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    else {
        H5Sselect_none(fs);
        H5Sselect_none(ms);
    }
    H5Pset_dxpl_mpio(dx, H5FD_MPIO_COLLECTIVE);
    errno = 0;
    if (H5Dwrite(d, r->mtype, ms, fs, dx, r->data) < 0)
        SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed%s", path, r->name, write_failure_reason(errno, path, why, sizeof why));
out:
    H5Pclose(dx);
    H5Sclose(ms);
    if (d >= 0) H5Dclose(d);
    if (dcpl >= 0) H5Pclose(dcpl);
    H5Sclose(fs);
    /* a write fails on the ranks whose bytes did not fit (a full disk), not on all */
    return run_agree_rc(run, rc);
}

/* The file's and /features' attributes. Collective. */
static int write_meta(run_ctx *run, const char *path, hid_t f, const sb_table *t, hid_t feat)
{
    int rc = SB_OK;
    const int32_t version = SB_H5_VERSION;
    int64_t total = 0;
    for (int32_t j = 0; j < t->n_feat; ++j) total += t->feat[j].n_levels;
    char **ids = calloc((size_t)t->n_ids + 1, sizeof *ids);
    char **names = calloc((size_t)t->n_feat + 1, sizeof *names);
    int32_t *nlev = calloc((size_t)t->n_feat + 1, sizeof *nlev);
    char **levels = calloc((size_t)total + 1, sizeof *levels);
    const int have = ids && names && nlev && levels;
    SB_CHECK(run, run_agree_rc(run, have ? SB_OK : SB_FAIL(run, SB_ENOMEM, "out of memory writing %s", path)));
    for (int32_t i = 0; i < t->n_ids; ++i) ids[i] = t->ids[i].name;
    int64_t k = 0;
    for (int32_t j = 0; j < t->n_feat; ++j) {
        names[j] = t->feat[j].name;
        nlev[j] = t->feat[j].n_levels;
        for (int32_t l = 0; l < t->feat[j].n_levels; ++l) levels[k++] = t->feat[j].levels[l];
    }
    SB_CHECK(run, h5_attr_put_str(run, path, f, "format", SB_H5_FORMAT));
    SB_CHECK(run, h5_attr_put_num(run, path, f, "version", H5T_NATIVE_INT32, &version, 1));
    SB_CHECK(run, h5_attr_put_str(run, path, f, "layout", t->layout ? t->layout : ""));
    SB_CHECK(run, h5_attr_put_str(run, path, f, "label_name", t->label_name ? t->label_name : ""));
    SB_CHECK(run, h5_attr_put_str(run, path, f, "drop_rule", t->drop_rule ? t->drop_rule : ""));
    SB_CHECK(run, h5_attr_put_num(run, path, f, "rows_read", H5T_NATIVE_INT64, &t->rows_read, 1));
    SB_CHECK(run, h5_attr_put_num(run, path, f, "dropped_zero_trials", H5T_NATIVE_INT64, &t->dropped_zero_trials, 1));
    SB_CHECK(run, h5_attr_put_num(run, path, f, "n_rows", H5T_NATIVE_INT64, &t->n_rows_global, 1));
    SB_CHECK(run, h5_attr_put_strs(run, path, f, "id_names", ids, t->n_ids));
    SB_CHECK(run, h5_attr_put_strs(run, path, feat, "feature_names", names, t->n_feat));
    SB_CHECK(run, h5_attr_put_num(run, path, feat, "n_levels", H5T_NATIVE_INT32, nlev, (hsize_t)t->n_feat));
    SB_CHECK(run, h5_attr_put_strs(run, path, feat, "levels", levels, total));
out:
    free(ids);
    free(names);
    free(nlev);
    free(levels);
    return rc;
}

/* /ids/<name>: int64 contiguous, fixed strings through the codec. Collective. */
static int write_ids(run_ctx *run, const char *path, hid_t f, const sb_table *t, store_opts st)
{
    int rc = SB_OK;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t g = H5Gcreate2(f, "ids", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed", path, "create /ids");
    for (int32_t i = 0; i < t->n_ids; ++i) {
        const sb_id_col *col = &t->ids[i];
        rows_spec r = {col->name, H5T_NATIVE_INT64, H5T_STD_I64LE, col->i64, 0, t->n_rows_global, t->row_start,
                       t->n_rows};
        if (col->type == SB_ID_INT64) {
            SB_CHECK(run, write_rows(run, path, g, &r, CONTIGUOUS));
            continue;
        }
        hid_t stype = H5Tcopy(H5T_C_S1);
        H5Tset_size(stype, (size_t)col->width);
        H5Tset_strpad(stype, H5T_STR_NULLPAD);
        r.mtype = r.ftype = stype;
        r.data = col->str;
        rc = write_rows(run, path, g, &r, st);
        H5Tclose(stype);
        SB_CHECK(run, rc);
    }
out:
    if (g >= 0) H5Gclose(g);
    return rc;
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

/* Every dataset and attribute into the open file f. Collective; HDF5 fails
 * alike on every rank (h5_internal.h), so every rank stops at the same step. */
static int write_all(run_ctx *run, const char *path, hid_t f, const sb_table *t, store_opts st, int has_label,
                     int has_weight)
{
    const int64_t N = t->n_rows_global, s = t->row_start, n = t->n_rows;
    const rows_spec x = {"features", H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, t->x, t->n_feat, N, s, n};
    const rows_spec y = {"label", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, t->label, 0, N, s, n};
    const rows_spec w = {"weight", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, t->weight, 0, N, s, n};
    SB_TRY(run, write_rows(run, path, f, &x, st));
    if (has_label) SB_TRY(run, write_rows(run, path, f, &y, CONTIGUOUS));
    if (has_weight) SB_TRY(run, write_rows(run, path, f, &w, CONTIGUOUS));
    SB_TRY(run, write_ids(run, path, f, t, st));
    hid_t feat = H5Dopen2(f, "features", H5P_DEFAULT);
    if (feat < 0) return H5_FAIL(run, path, "features");
    const int rc = write_meta(run, path, f, t, feat);
    H5Dclose(feat);
    return run_agree_rc(run, rc);
}

/* Create tmp for writing by every rank. Collective; < 0 (agreed) on failure. */
static hid_t create_file(run_ctx *run, const char *tmp)
{
    hid_t fapl = h5_fapl_mpio(run);
    if (fapl >= 0) H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST); /* dense attributes: many levels fit */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0); /* root group without timestamps: byte-stable files */
    hid_t f = fapl < 0 ? -1 : H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    if (run_agree_rc(run, f < 0 ? SB_FAIL(run, SB_EIO, "%s: cannot create (HDF5)", tmp) : SB_OK) != SB_OK) {
        if (f >= 0) H5Fclose(f);
        return -1;
    }
    return f;
}

int h5_write_table(run_ctx *run, const char *path, const sb_table *t)
{
    return h5_write_table_codec(run, path, t, H5_CODEC_LZ4, 0);
}

int h5_write_table_level(run_ctx *run, const char *path, const sb_table *t, int level)
{
    return h5_write_table_codec(run, path, t, H5_CODEC_DEFLATE, level);
}

/* Arguments and the ranks' tables checked, agreed; *tmp gets "<path>.tmp". */
static int check_args(run_ctx *run, const char *path, const sb_table *t, h5_codec codec, int level, char *tmp,
                      int *has_label, int *has_weight)
{
    if (codec != H5_CODEC_LZ4 && codec != H5_CODEC_DEFLATE && codec != H5_CODEC_NONE)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "unknown HDF5 codec %d", (int)codec));
    if (codec == H5_CODEC_DEFLATE && (level < 0 || level > DEFLATE_MAX_LEVEL))
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "deflate level %d is not 0..9", level));
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages instead of HDF5's stack dumps */
    SB_TRY(run, run_agree_rc(run, h5_lz4_register(run)));
    SB_TRY(run, run_agree_rc(run, check_shape(run, t, has_label, has_weight)));
    if (snprintf(tmp, H5_PATH_MAX, "%s.tmp", path) >= H5_PATH_MAX)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "output path too long: %s", path));
    return SB_OK;
}

int h5_write_table_codec(run_ctx *run, const char *path, const sb_table *t, h5_codec codec, int level)
{
    char tmp[H5_PATH_MAX];
    int has_label = 0, has_weight = 0;
    SB_TRY(run, check_args(run, path, t, codec, level, tmp, &has_label, &has_weight));
    const hid_t f = create_file(run, tmp);
    if (f < 0) return SB_EIO; /* agreed, reported */
    const store_opts st = {1, codec, level};
    int rc = SB_OK;
    const int written = write_all(run, path, f, t, st, has_label, has_weight); /* agreed */
    if (written != SB_OK) {
        /* No H5Fclose: its metadata flush would fail on some ranks only and HDF5 1.10
         * then waits in a barrier the others skipped; the file is removed anyway. */
        run_forgo_finalize(run);
        SB_CHECK(run, written);
    }
    errno = 0;
    char what[H5_PATH_MAX + 32];
    snprintf(what, sizeof what, "closing %s (HDF5)", tmp);
    /* a metadata write that fails on one rank leaves the others in HDF5's barrier */
    run_watchdog_arm(run_rank(run), run_env_seconds("SHARDBOOST_CLOSE_TIMEOUT", H5_CLOSE_TIMEOUT_S), what, tmp);
    const int closed = H5Fclose(f) >= 0; /* collective: every rank, whatever happened */
    const int close_errno = errno;
    run_watchdog_disarm();
    char why[160];
    rc = run_agree_rc(run, closed ? SB_OK : SB_FAIL(run, SB_EIO, "%s: HDF5 close failed%s", path,
                                                     write_failure_reason(close_errno, path, why, sizeof why)));
    if (rc != SB_OK) run_forgo_finalize(run); /* HDF5 1.10 keeps the failed file's id: its exit hook would crash */
    SB_CHECK(run, rc);
    if (run_rank(run) == 0 && rename(tmp, path) != 0) SB_RAISE(run, SB_EIO, "rename %s -> %s failed", tmp, path);
out:
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK && run_rank(run) == 0) unlink(tmp);
    return rc;
}
