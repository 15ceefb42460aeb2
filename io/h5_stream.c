/* h5_stream.c - a rank's /features rows streamed block by block from the
 * table file (see h5io.h): the file is opened once, collectively, and the
 * rows unfiltered later with no HDF5 or MPI call (io/h5_raw.h). */
#include <stdlib.h>
#include <string.h>

#include "io/h5_internal.h"
#include "io/h5_raw.h"
#include "io/h5io.h"
#include "mpi/comm.h"
#include "mpi/run.h"

struct h5_stream {
    char *path; /* for messages */
    raw_reader r;
    int64_t row_start; /* global index of local row 0 */
};

/* The path for /features, agreed as h5_read_rows agrees it (from file
 * metadata): *raw 1 when every rank can unfilter the chunks itself.
 * Collective; rc (this rank's status so far) is agreed first. */
static int agree_path(run_ctx *run, int rc, hid_t feat, int32_t n_feat, raw_plan *plan, int *raw)
{
    SB_TRY(run, run_agree_rc(run, rc));
    int64_t through_hdf5 = !raw_plan_get(feat, H5T_NATIVE_FLOAT, n_feat, plan);
    SB_TRY(run, comm_max_i64(run, &through_hdf5, 1));
    *raw = !through_hdf5;
    return SB_OK;
}

/* A stream over rows [start, start + n) of feat; *out is set even on error
 * (for h5_stream_close). Local. */
static int stream_new(run_ctx *run, const char *path, hid_t feat, const raw_plan *plan, int64_t start, int64_t n,
                      h5_stream **out)
{
    h5_stream *s = calloc(1, sizeof *s);
    if (s == NULL) return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    s->r.fd = -1;
    *out = s;
    if ((s->path = strdup(path)) == NULL) return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    s->row_start = start;
    return raw_reader_open(run, s->path, feat, plan, start, n, &s->r); /* keeps s->path for later messages */
}

/* /features: a stream when every rank can take the raw path, else the whole
 * shard through HDF5 into out->x, as h5_read_table. Collective. */
static int stream_features(run_ctx *run, const char *path, int rc, hid_t f, hid_t feat, sb_table *out,
                           h5_stream **s)
{
    raw_plan plan;
    int raw = 0;
    SB_TRY(run, agree_path(run, rc, feat, out->n_feat, &plan, &raw));
    if (raw) return stream_new(run, path, feat, &plan, out->row_start, out->n_rows, s);
    const int64_t n = out->n_rows;
    out->x = calloc((size_t)(n > 0 ? n : 1) * (size_t)(out->n_feat ? out->n_feat : 1), sizeof *out->x);
    /* NULL x: agreed ENOMEM */
    return h5_read_rows(run, path, SB_OK, f, "features", H5T_NATIVE_FLOAT, out->x, out->n_feat, out->row_start, n);
}

int h5_stream_open(run_ctx *run, const char *path, int labels, sb_table *out, h5_stream **stream)
{
    hid_t f, feat;
    int rc;
    h5_stream *s = NULL;
    *stream = NULL;
    SB_TRY(run, h5_read_head(run, path, -1, -1, out, &f, &feat, &rc));
    const int64_t start = out->row_start, n = out->n_rows;
    /* each step agrees rc first: every rank makes the same collective calls */
    rc = h5_read_ids(run, path, rc, f, out, start, n);
    if (labels) rc = h5_read_labels(run, path, rc, f, out, start, n);
    rc = stream_features(run, path, rc, f, feat, out, &s);
    if (feat >= 0) H5Dclose(feat);
    H5Fclose(f);
    rc = run_agree_rc(run, rc);
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
    if (i0 < 0 || i1 > s->r.n || i0 > i1)
        return SB_FAIL(run, SB_EINVAL, "%s: stream rows [%lld, %lld) outside the %lld local rows", s->path, (long long)i0,
                       (long long)i1, (long long)s->r.n);
    return raw_reader_rows(run, &s->r, s->row_start + i0, s->row_start + i1, x);
}

void h5_stream_close(h5_stream *s)
{
    if (s == NULL) return;
    raw_reader_close(&s->r);
    free(s->path);
    free(s);
}
