/* h5_raw.c - a chunked dataset read chunk by chunk, no HDF5 filters, no MPI
 * (see h5_raw.h). */
#include "io/h5_raw.h"

#include <errno.h>
#include <fcntl.h> /* for open */
#include <stdio.h> /* for snprintf */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for pread, close */

#include "base/error.h"

/* Largest chunk (unfiltered) the raw path takes; bigger ones go through HDF5. */
#define RAW_CHUNK_MAX ((size_t)64 << 20)
/* Most filters in a pipeline the raw path takes (shuffle and one codec). */
#define RAW_MAX_FILTERS 2
/* A stored chunk larger than 2x its unfiltered size plus this is corrupt:
 * neither codec grows data that much. */
#define RAW_STORED_SLACK 4096
/* Room for one "why" of a bad chunk. */
#define RAW_WHY_MAX 96

/* Check one filter of the pipeline into p; 0 if the raw path cannot undo it. */
static int plan_filter(hid_t dcpl, int i, raw_plan *p)
{
    unsigned flags = 0, cd[8] = {0}, cfg = 0;
    size_t ncd = sizeof cd / sizeof cd[0];
    char fname[64];
    H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof fname, fname, &cfg);
    if (id == H5Z_FILTER_SHUFFLE && p->shuffle < 0 && p->codec < 0 && ncd >= 1 && cd[0] == p->elem) {
        p->shuffle = i;
        return 1;
    }
    if ((id == H5Z_FILTER_DEFLATE || id == CHUNK_H5Z_FILTER_LZ4) && p->codec < 0) {
        p->codec = i;
        p->lz4 = id == CHUNK_H5Z_FILTER_LZ4;
        return 1;
    }
    return 0;
}

/* Type, shape and chunking of d into p; 0 if the raw path cannot read them. */
static int plan_shape(hid_t ft, hid_t sp, hid_t dcpl, hid_t mtype, int64_t cols, raw_plan *p)
{
    const int rank = cols > 0 ? 2 : 1;
    hsize_t dims[2] = {0, 0}, chunk[2] = {0, 0};
    unsigned opts = 0; /* H5Pget_chunk_opts leaves it alone when no option is set */
    H5T_class_t cls = H5Tget_class(ft);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER && !(cls == H5T_STRING && H5Tis_variable_str(ft) == 0)) return 0;
    if (H5Tequal(ft, mtype) <= 0) return 0;
    p->elem = H5Tget_size(ft);
    if (H5Sget_simple_extent_ndims(sp) != rank || H5Sget_simple_extent_dims(sp, dims, NULL) != rank) return 0;
    if (rank == 2 && dims[1] != (hsize_t)cols) return 0;
    if (H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, rank, chunk) != rank || chunk[0] < 1) return 0;
    if (rank == 2 && chunk[1] != dims[1]) return 0;
    if (H5Pget_chunk_opts(dcpl, &opts) < 0 || opts != 0) return 0;
    p->n_rows = dims[0];
    p->chunk_rows = chunk[0];
    p->row_bytes = p->elem * (size_t)(rank == 2 ? dims[1] : 1);
    if (p->row_bytes == 0 || p->chunk_rows > RAW_CHUNK_MAX / p->row_bytes) return 0;
    p->chunk_bytes = (size_t)p->chunk_rows * p->row_bytes;
    return 1;
}

int raw_plan_get(hid_t d, hid_t mtype, int64_t cols, raw_plan *p)
{
    memset(p, 0, sizeof *p);
    p->shuffle = p->codec = -1;
    const char *off = getenv("SB_H5_RAW_CHUNKS"); /* "0": always through HDF5 (tests, timing) */
    if (off && strcmp(off, "0") == 0) return 0;
    int ok = 0;
    hid_t ft = H5Dget_type(d), sp = H5Dget_space(d), dcpl = H5Dget_create_plist(d), f = H5Iget_file_id(d), fcpl = -1;
    hsize_t ub = 1, nch = 0;
    if (ft < 0 || sp < 0 || dcpl < 0 || f < 0 || !plan_shape(ft, sp, dcpl, mtype, cols, p)) goto out;
    const int nf = H5Pget_nfilters(dcpl);
    if (nf < 0 || nf > RAW_MAX_FILTERS) goto out;
    for (int i = 0; i < nf; ++i)
        if (!plan_filter(dcpl, i, p)) goto out;
    fcpl = H5Fget_create_plist(f);
    if (fcpl < 0 || H5Pget_userblock(fcpl, &ub) < 0 || ub != 0) goto out; /* chunk addresses = file offsets */
    if (H5Dget_num_chunks(d, sp, &nch) < 0 || nch != (p->n_rows + p->chunk_rows - 1) / p->chunk_rows) goto out;
    ok = 1;
out:
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
        p += got;
        n -= (size_t)got;
        off += (uint64_t)got;
    }
    return 0;
}

void raw_reader_close(raw_reader *r)
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

/* SB_EDATA for chunk k of r: its file, dataset and rows, and why. */
static int raw_bad(run_ctx *run, const raw_reader *r, hsize_t k, const char *why)
{
    const hsize_t r0 = k * r->p.chunk_rows;
    const hsize_t r1 = r0 + r->p.chunk_rows < r->p.n_rows ? r0 + r->p.chunk_rows : r->p.n_rows;
    return SB_FAIL(run, SB_EDATA, "%s: dataset '%s': chunk of rows %llu-%llu is corrupt or truncated: %s", r->path,
                   r->dname, (unsigned long long)r0, (unsigned long long)(r1 - 1), why);
}

int raw_reader_open(run_ctx *run, const char *path, hid_t d, const raw_plan *p, int64_t start, int64_t n,
                    raw_reader *r)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->p = *p;
    r->path = path;
    r->row0 = start;
    r->n = n > 0 ? n : 0;
    r->cached = (hsize_t)-1;
    if (H5Iget_name(d, r->dname, sizeof r->dname) < 0) snprintf(r->dname, sizeof r->dname, "?");
    if (n <= 0) return SB_OK;
    if ((hsize_t)(start + n) > p->n_rows)
        return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' has %llu rows, rows up to %lld expected", path, r->dname,
                       (unsigned long long)p->n_rows, (long long)(start + n));
    const hsize_t cr = p->chunk_rows;
    r->first = (hsize_t)start / cr;
    r->n_chunks = (hsize_t)(start + n - 1) / cr - r->first + 1;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) return SB_FAIL(run, SB_EIO, "%s: cannot open for reading: %s", path, strerror(errno));
    r->chunks = calloc((size_t)r->n_chunks, sizeof *r->chunks);
    r->tmp1 = malloc(p->chunk_bytes);
    r->tmp2 = malloc(p->chunk_bytes);
    const int inflater = p->codec >= 0 && !p->lz4;
    r->z = inflater ? chunk_inflater_new() : NULL;
    if (!r->chunks || !r->tmp1 || !r->tmp2 || (inflater && !r->z))
        return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    for (hsize_t i = 0; i < r->n_chunks; ++i) {
        hsize_t coord[2] = {(r->first + i) * cr, 0};
        raw_chunk *ch = &r->chunks[i];
        ch->addr = HADDR_UNDEF;
        if (H5Dget_chunk_info_by_coord(d, coord, &ch->mask, &ch->addr, &ch->size) < 0 || ch->addr == HADDR_UNDEF)
            return raw_bad(run, r, r->first + i, "no stored chunk (HDF5 chunk index)");
    }
    return SB_OK;
}

/* What chunk k holds and where its rows [lo, hi) of [b, e) go. */
typedef struct {
    hsize_t k, r0, lo, hi;
    unsigned char *dst; /* where row lo goes */
    int whole;          /* all chunk_rows rows land in the caller's buffer */
} chunk_job;

/* Stored bytes of chunk j->k into the scratch (or straight to dst when stored
 * as is and whole); *src gets where they are. */
static int fetch_stored(run_ctx *run, raw_reader *r, const chunk_job *j, int decode, int unshuf, unsigned char **src)
{
    const raw_chunk *ch = &r->chunks[j->k - r->first];
    const hsize_t size = ch->size;
    const size_t cb = r->p.chunk_bytes;
    char why[RAW_WHY_MAX];
    if (!decode && size != cb) {
        snprintf(why, sizeof why, "stored size %llu, expected %zu unfiltered bytes", (unsigned long long)size, cb);
        return raw_bad(run, r, j->k, why);
    }
    if (size > (hsize_t)2 * cb + RAW_STORED_SLACK) {
        snprintf(why, sizeof why, "stored size %llu for a %zu-byte chunk", (unsigned long long)size, cb);
        return raw_bad(run, r, j->k, why);
    }
    if (!decode && !unshuf && j->whole) *src = j->dst; /* stored as is: straight into place */
    else {
        if (size > r->stored_cap) {
            free(r->stored);
            r->stored_cap = (size_t)size;
            if ((r->stored = malloc(r->stored_cap)) == NULL) {
                r->stored_cap = 0;
                return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", r->path);
            }
        }
        *src = r->stored;
    }
    const int err = pread_all(r->fd, *src, (size_t)size, (uint64_t)ch->addr);
    if (err == 0) return SB_OK;
    snprintf(why, sizeof why, "read of %llu bytes at offset %llu failed: %s", (unsigned long long)size,
             (unsigned long long)ch->addr, err == EIO ? "file ends early or I/O error" : strerror(err));
    return raw_bad(run, r, j->k, why);
}

/* Chunk j->k unfiltered, its rows [lo, hi) into dst; a cut chunk stays cached. */
static int unfilter_chunk(run_ctx *run, raw_reader *r, const chunk_job *j, int active_mask)
{
    const raw_plan *p = &r->p;
    const int todo = active_mask & ~(int)r->chunks[j->k - r->first].mask;
    const int decode = p->codec >= 0 && (todo >> p->codec & 1), unshuf = p->shuffle >= 0 && (todo >> p->shuffle & 1);
    unsigned char *src = NULL;
    SB_TRY(run, fetch_stored(run, r, j, decode, unshuf, &src));
    const hsize_t size = r->chunks[j->k - r->first].size;
    if (decode) {
        unsigned char *out = (!unshuf && j->whole) ? j->dst : r->tmp1;
        chunk_status s = p->lz4 ? chunk_lz4_decode(src, (size_t)size, out, p->chunk_bytes)
                                : chunk_inflate(r->z, src, (size_t)size, out, p->chunk_bytes);
        if (s != CHUNK_OK) return raw_bad(run, r, j->k, chunk_status_str(s));
        src = out;
    }
    if (unshuf) {
        unsigned char *out = j->whole ? j->dst : (src == r->tmp1 ? r->tmp2 : r->tmp1);
        chunk_unshuffle(out, src, p->chunk_bytes / p->elem, p->elem);
        src = out;
    }
    if (src != j->dst) {
        memcpy(j->dst, src + (size_t)(j->lo - j->r0) * p->row_bytes, (size_t)(j->hi - j->lo) * p->row_bytes);
        r->cached = j->k;
        r->cache = src;
    }
    return SB_OK;
}

int raw_reader_rows(run_ctx *run, raw_reader *r, int64_t b, int64_t e, void *data)
{
    const raw_plan *p = &r->p;
    if (e <= b) return SB_OK;
    const int active_mask = (p->shuffle >= 0 ? 1 << p->shuffle : 0) | (p->codec >= 0 ? 1 << p->codec : 0);
    const hsize_t cr = p->chunk_rows, first = (hsize_t)b / cr, last = (hsize_t)(e - 1) / cr;
    for (hsize_t k = first; k <= last; ++k) {
        chunk_job j = {k, k * cr, 0, 0, NULL, 0};
        const hsize_t r1 = j.r0 + cr < p->n_rows ? j.r0 + cr : p->n_rows; /* rows held */
        j.lo = j.r0 > (hsize_t)b ? j.r0 : (hsize_t)b;
        j.hi = r1 < (hsize_t)e ? r1 : (hsize_t)e;
        j.dst = (unsigned char *)data + (size_t)(j.lo - (hsize_t)b) * p->row_bytes;
        if (k == r->cached) {
            memcpy(j.dst, r->cache + (size_t)(j.lo - j.r0) * p->row_bytes, (size_t)(j.hi - j.lo) * p->row_bytes);
            continue;
        }
        r->cached = (hsize_t)-1; /* the scratch is about to change */
        j.whole = j.r0 >= (hsize_t)b && j.r0 + cr <= (hsize_t)e;
        SB_TRY(run, unfilter_chunk(run, r, &j, active_mask));
    }
    return SB_OK;
}
