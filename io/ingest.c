/* ingest.c - see ingest.h. Phases: (1) rank 0 checks the files and reads the
 * header, broadcast; (2) every rank builds the same column plan; (3) each rank
 * parses its pieces; (4) errors agreed; (5) counts, categorical levels, string
 * widths and row offsets agreed; (6) the table is filled. */
#include "io/ingest.h"

#include <errno.h>   /* for errno */
#include <fcntl.h>   /* for open */
#include <stdio.h>   /* for snprintf */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* for fstat */
#include <unistd.h>  /* for read, close */

#include "io/csvrow.h"
#include "io/ingest_plan.h"
#include "io/ingest_rows.h"
#include "io/lines.h"
#include "io/numparse.h"
#include "mpi/comm.h"
#include "mpi/comm_flag.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/timer.h"
#include "mpi/run.h"

int ingest_layout_code(const char *name)
{
    if (name == NULL) return -1;
    if (!strcmp(name, "keywords")) return INGEST_KEYWORDS;
    if (!strcmp(name, "forms")) return INGEST_FORMS;
    if (!strcmp(name, "csv")) return INGEST_CSV;
    return -1;
}

void ingest_piece(const int64_t *size, const int *gz, int n, int r, int nranks, int i, int64_t *begin, int64_t *end)
{
    __extension__ typedef __int128 i128;
    int64_t off = 0, total = 0, cost_i = 0;
    for (int k = 0; k < n; ++k) {
        int64_t c = gz[k] ? size[k] * INGEST_GZ_WEIGHT : size[k];
        if (k < i) off += c;
        if (k == i) cost_i = c;
        total += c;
    }
    *begin = *end = -1;
    if (total == 0 || size[i] == 0) return;
    if (gz[i]) {
        int64_t owner = (int64_t)(((i128)off + cost_i / 2) * nranks / total);
        if (owner > nranks - 1) owner = nranks - 1;
        if (owner == r) {
            *begin = 0;
            *end = size[i];
        }
        return;
    }
    int64_t lo = (int64_t)((i128)total * r / nranks), hi = (int64_t)((i128)total * (r + 1) / nranks);
    int64_t b = lo > off ? lo : off, e = hi < off + size[i] ? hi : off + size[i];
    if (b < e) {
        *begin = b - off;
        *end = e - off;
    }
}

/* ---- phase 1: rank 0 looks at the files ---- */

/* A UTF-16 text (what spreadsheet exports often are): a byte-order mark, or an
 * ASCII character next to a NUL byte at the start. */
static int looks_utf16(const unsigned char *m, off_t size)
{
    if (size >= 2 && ((m[0] == 0xff && m[1] == 0xfe) || (m[0] == 0xfe && m[1] == 0xff))) return 1;
    return size >= 4 && ((m[0] && !m[1] && m[2] && !m[3]) || (!m[0] && m[1] && !m[2] && m[3]));
}

static int probe_file(run_ctx *run, const char *path, int64_t *size, int *gz)
{
    /* O_NONBLOCK: opening a FIFO without a writer must not block; it is refused below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return SB_FAIL(run, SB_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    unsigned char magic[4] = {0, 0, 0, 0};
    int rc = SB_OK;
    if (fstat(fd, &st) != 0) SB_RAISE(run, SB_EIO, "%s: cannot stat: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) SB_RAISE(run, SB_EIO, "%s: not a regular file (%s)", path,
                                          S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
    if (st.st_size == 0) SB_RAISE(run, SB_EDATA, "%s: empty file (0 bytes)", path);
    if (read(fd, magic, 4) < 0) SB_RAISE(run, SB_EIO, "%s: read failed: %s", path, strerror(errno));
    if (looks_utf16(magic, st.st_size))
        SB_RAISE(run, SB_EDATA, "%s: looks like UTF-16 (a byte-order mark or every other byte NUL); "
                                "convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8", path);
    *size = (int64_t)st.st_size;
    *gz = magic[0] == 0x1f && magic[1] == 0x8b; /* gzip's magic bytes */
out:
    close(fd);
    return rc;
}

/* First line of a file (the header), malloc'd into *text. */
static int read_first_line(run_ctx *run, const char *path, int gz, int64_t size, char **text, int64_t *len)
{
    lines *L = NULL;
    SB_TRY(run, lines_open(run, path, gz, 0, size, &L));
    const char *s = NULL;
    size_t n = 0;
    int rc = SB_OK;
    SB_CHECK(run, lines_next(run, L, &s, &n));
    if (s == NULL) SB_RAISE(run, SB_EDATA, "%s: empty file (no header line)", path);
    if (n == 0) SB_RAISE(run, SB_EDATA, "%s:1: empty header line", path);
    SB_ALLOC_OR_OUT(run, *text, n + 1, 1);
    memcpy(*text, s, n);
    *len = (int64_t)n;
out:
    lines_close(L);
    return rc;
}

typedef struct {
    int layout;
    int n;
    int64_t *size;
    int *gz;
    char *header; /* first file's header line (header layouts) */
    int64_t header_len;
    char **hdr;   /* its fields */
    int32_t n_hdr;
    ingest_schema schema;
    ingest_plan plan;
    csvrow *split;
} ingest_job;

static void job_free(ingest_job *J)
{
    for (int32_t i = 0; J->hdr && i < J->n_hdr; ++i) free(J->hdr[i]);
    free(J->hdr);
    free(J->size);
    free(J->gz);
    free(J->header);
    ingest_schema_free(&J->schema);
    ingest_plan_free(&J->plan);
    csvrow_free(J->split);
}

/* Rank 0: probe every file, read the header; meta gets {size, gz} per file
 * and the header's length. Local. */
static int probe_all(run_ctx *run, const sb_source *src, ingest_job *J, int64_t *meta)
{
    for (int i = 0; i < J->n; ++i) SB_TRY(run, probe_file(run, src->paths[i], &J->size[i], &J->gz[i]));
    if (J->plan.has_header)
        SB_TRY(run, read_first_line(run, src->paths[0], J->gz[0], J->size[0], &J->header, &J->header_len));
    for (int i = 0; i < J->n; ++i) {
        meta[2 * i] = J->size[i];
        meta[2 * i + 1] = J->gz[i];
    }
    meta[2 * J->n] = J->header_len;
    return SB_OK;
}

/* The other ranks: rank 0's meta into J, and room for the header. Local. */
static int take_meta(run_ctx *run, ingest_job *J, const int64_t *meta)
{
    for (int i = 0; i < J->n; ++i) {
        J->size[i] = meta[2 * i];
        J->gz[i] = (int)meta[2 * i + 1];
    }
    J->header_len = meta[2 * J->n];
    if (J->plan.has_header && (J->header = sb_alloc(run, (size_t)J->header_len + 1, 1)) == NULL) return SB_ENOMEM;
    return SB_OK;
}

/* Collective: file sizes, gzip flags and the header, from rank 0 to all. */
static int share_files(run_ctx *run, const sb_source *src, ingest_job *J)
{
    int rc = SB_OK;
    int64_t *meta = sb_alloc(run, (size_t)J->n * 2 + 1, sizeof *meta);
    const int probed = meta == NULL ? SB_ENOMEM : run_rank(run) == 0 ? probe_all(run, src, J, meta) : SB_OK;
    SB_CHECK(run, run_agree_rc(run, probed));
    SB_CHECK(run, comm_bcast(run, meta, (int64_t)(2 * J->n + 1) * (int64_t)sizeof *meta, 0));
    SB_CHECK(run, run_agree_rc(run, run_rank(run) != 0 ? take_meta(run, J, meta) : SB_OK));
    if (J->plan.has_header) SB_CHECK(run, comm_bcast(run, J->header, J->header_len, 0));
out:
    free(meta);
    return rc;
}

/* Header fields as strings (local; the same on every rank). */
static int split_header(run_ctx *run, const char *file, const char *line, size_t len, csvrow *split, char ***out,
                        int32_t *n_out)
{
    const csv_field *f = NULL;
    int32_t nf = 0;
    int r = csvrow_split(split, line, len, &f, &nf);
    if (r == CSVROW_EQUOTE) return SB_FAIL(run, SB_EDATA, "%s:1: malformed quotes in the header", file);
    if (r != CSVROW_OK) return SB_FAIL(run, SB_ENOMEM, "out of memory splitting the header of %s", file);
    char **v = sb_alloc(run, (size_t)nf, sizeof *v);
    if (v == NULL) return SB_ENOMEM;
    for (int32_t i = 0; i < nf; ++i) {
        v[i] = sb_alloc(run, f[i].n + 1, 1);
        if (v[i] == NULL) {
            for (int32_t k = 0; k < i; ++k) free(v[k]);
            free(v);
            return SB_ENOMEM;
        }
        memcpy(v[i], f[i].p, f[i].n);
    }
    *out = v;
    *n_out = nf;
    return SB_OK;
}

/* ---- phase 3: this rank's pieces ---- */

static int check_header(run_ctx *run, ingest_job *J, const char *file, const char *file0, const csv_field *f, int32_t nf)
{
    if (nf != J->n_hdr)
        return SB_FAIL(run, SB_EDATA, "%s:1: header has %d columns but %s's has %d", file, (int)nf, file0, (int)J->n_hdr);
    for (int32_t c = 0; c < nf; ++c)
        if (f[c].n != strlen(J->hdr[c]) || memcmp(f[c].p, J->hdr[c], f[c].n) != 0)
            return SB_FAIL(run, SB_EDATA, "%s:1: header column %d is '%.*s' but %s's is '%.64s'", file, (int)c + 1,
                           (int)(f[c].n > 64 ? 64 : f[c].n), f[c].p, file0, J->hdr[c]);
    return SB_OK;
}

/* Lines between polls of the failure flag (~1-3 MB of text). */
#define POLL_LINES 8192

/* One line of piece L: the header of a file (checked against the first
 * file's) or a data row. Local. */
static int parse_line(run_ctx *run, ingest_job *J, const char *file0, ingest_rows *R, lines *L, const char *s,
                      size_t n, int at_start)
{
    const csv_field *f = NULL;
    int32_t nf = 0;
    const int r = csvrow_split(J->split, s, n, &f, &nf);
    if (r == CSVROW_EQUOTE)
        return SB_FAIL(run, SB_EDATA, "%s:%lld: malformed or unterminated quoted field (a record must fit on one line)",
                       R->file, (long long)lines_number(L));
    if (r != CSVROW_OK)
        return SB_FAIL(run, SB_ENOMEM, "out of memory splitting %s:%lld", R->file, (long long)lines_number(L));
    if (at_start && J->plan.has_header) return check_header(run, J, R->file, file0, f, nf);
    return ingest_rows_add(run, R, f, nf);
}

static int parse_piece(run_ctx *run, ingest_job *J, const sb_source *src, int i, int64_t b, int64_t e,
                       ingest_rows *R, int64_t *bytes, comm_flag *flag, int *stopped)
{
    const char *file = src->paths[i];
    lines *L = NULL;
    SB_TRY(run, lines_open(run, file, J->gz[i], b, e, &L));
    R->file = file;
    R->src = L;
    int rc = SB_OK, seen_any = 0;
    const char *s = NULL;
    size_t n = 0;
    int64_t count = 0;
    for (;;) {
        SB_CHECK(run, lines_next(run, L, &s, &n));
        if (s == NULL) break;
        seen_any = 1;
        /* A lower rank failed: its error comes first in input order whatever this
         * rank finds, so stop. A higher rank's failure does not stop us: we might
         * still find an earlier error, and the first one is the one reported. */
        if (++count % POLL_LINES == 0 && comm_flag_lowest(flag) < run_rank(run)) {
            *stopped = 1;
            break;
        }
        const int at_start = lines_at_file_start(L);
        if (n == 0 && !(at_start && J->plan.has_header)) continue; /* blank line */
        SB_CHECK(run, parse_line(run, J, src->paths[0], R, L, s, n, at_start));
    }
    if (b == 0 && !seen_any) SB_RAISE(run, SB_EDATA, "%s: empty file (no lines)", file);
out:
    *bytes += lines_bytes(L);
    lines_close(L);
    R->src = NULL;
    return rc;
}

/* Local apart from the failure notices: raises the flag on error. */
static int parse_local(run_ctx *run, ingest_job *J, const sb_source *src, ingest_rows *R, int64_t *bytes,
                       comm_flag *flag)
{
    int stopped = 0;
    for (int i = 0; i < J->n && !stopped; ++i) {
        int64_t b = -1, e = -1;
        ingest_piece(J->size, J->gz, J->n, run_rank(run), run_size(run), i, &b, &e);
        if (b < 0) continue;
        int rc = parse_piece(run, J, src, i, b, e, R, bytes, flag, &stopped);
        if (rc != SB_OK) {
            comm_flag_raise(flag);
            err_push_frame(run, __FILE__, __LINE__);
            return rc;
        }
    }
    return SB_OK;
}

/* ---- phases 5 and 6: agree and fill the table ---- */

static int agree_levels(run_ctx *run, const ingest_plan *P, ingest_rows *R, sb_table *t)
{
    for (int32_t k = 0; k < P->n_cat; ++k) {
        int32_t f = P->cat_feat[k];
        levels_dict *d = &R->dicts[k];
        sb_feature_info *fi = &t->feat[f];
        if (d->frozen) { /* fixed or given levels: codes are already final */
            fi->levels = sb_alloc(run, (size_t)d->n + 1, sizeof *fi->levels);
            if (fi->levels == NULL) return SB_ENOMEM;
            for (int32_t c = 0; c < d->n; ++c)
                if ((fi->levels[fi->n_levels++] = sb_strdup(run, levels_name(d, c))) == NULL) return SB_ENOMEM;
            continue;
        }
        int32_t *remap = NULL;
        SB_TRY(run, levels_agree(run, d, &fi->levels, &fi->n_levels, &remap));
        float *x = R->x;
        for (int64_t r = 0; r < R->n; ++r) {
            float v = x[r * P->n_feat + f];
            if (v == v) x[r * P->n_feat + f] = (float)remap[(int32_t)v];
        }
        free(remap);
        if (fi->n_levels == 0) { /* every value missing: keep one placeholder so the feature stays categorical */
            free(fi->levels);
            fi->levels = sb_alloc(run, 1, sizeof *fi->levels);
            if (fi->levels == NULL || (fi->levels[0] = sb_strdup(run, "")) == NULL) return SB_ENOMEM;
            fi->n_levels = 1;
        }
    }
    return SB_OK;
}

/* Id column i from the parsed rows (width: the widest over ranks; not_int: an
 * auto column holds text somewhere). Local. */
static int fill_id(run_ctx *run, const ingest_plan *P, ingest_rows *R, int32_t i, int64_t width, int not_int,
                   sb_id_col *c)
{
    const size_t n = (size_t)(R->n ? R->n : 1);
    c->type = P->id_type[i] == ID_KIND_AUTO ? (not_int ? SB_ID_STRING : SB_ID_INT64) : (sb_id_type)P->id_type[i];
    if ((c->name = sb_strdup(run, P->id_names[i])) == NULL) return SB_ENOMEM;
    if (c->type == SB_ID_INT64 && P->id_type[i] == ID_KIND_AUTO) {
        if ((c->i64 = sb_alloc(run, n, sizeof *c->i64)) == NULL) return SB_ENOMEM;
        for (int64_t r = 0; r < R->n; ++r) { /* checked while parsing */
            const int64_t v = R->id_off[i][r];
            numparse_i64(R->arena + ID_REF_OFF(v), ID_REF_LEN(v), &c->i64[r]);
        }
        return SB_OK;
    }
    if (c->type == SB_ID_INT64) {
        c->i64 = R->id_i64[i] ? R->id_i64[i] : sb_alloc(run, 1, sizeof *c->i64);
        R->id_i64[i] = NULL;
        return c->i64 ? SB_OK : SB_ENOMEM;
    }
    c->width = (int32_t)width;
    if ((c->str = sb_alloc(run, n, (size_t)c->width)) == NULL) return SB_ENOMEM;
    for (int64_t r = 0; r < R->n; ++r) {
        const int64_t v = R->id_off[i][r];
        memcpy(c->str + r * c->width, R->arena + ID_REF_OFF(v), ID_REF_LEN(v));
    }
    return SB_OK;
}

static int fill_ids(run_ctx *run, const ingest_plan *P, ingest_rows *R, sb_table *t)
{
    int rc = SB_OK;
    int64_t *width = NULL;
    SB_ALLOC_OR_OUT(run, t->ids, (size_t)P->n_ids + 1, sizeof *t->ids);
    t->n_ids = P->n_ids;
    SB_ALLOC_OR_OUT(run, width, (size_t)P->n_ids * 2 + 1, sizeof *width);
    int64_t *not_int = width + P->n_ids; /* auto ids: a string anywhere makes the column text */
    for (int32_t i = 0; i < P->n_ids; ++i) {
        width[i] = R->id_max[i] > 0 ? R->id_max[i] : 1;
        not_int[i] = R->id_not_int[i];
    }
    SB_CHECK(run, comm_max_i64(run, width, P->n_ids * 2));
    for (int32_t i = 0; i < P->n_ids; ++i) SB_CHECK(run, fill_id(run, P, R, i, width[i], (int)not_int[i], &t->ids[i]));
out:
    free(width);
    return rc;
}

static int fill_table(run_ctx *run, ingest_job *J, ingest_rows *R, const char *layout, sb_table *t)
{
    const ingest_plan *P = &J->plan;
    memset(t, 0, sizeof *t);
    t->n_rows = R->n;
    t->n_feat = P->n_feat;
    if ((t->layout = sb_strdup(run, layout)) == NULL || (t->label_name = sb_strdup(run, P->label_name)) == NULL)
        return SB_ENOMEM;
    if ((t->feat = sb_alloc(run, (size_t)P->n_feat, sizeof *t->feat)) == NULL) return SB_ENOMEM;
    for (int32_t f = 0; f < P->n_feat; ++f)
        if ((t->feat[f].name = sb_strdup(run, P->feat[f].name)) == NULL) return SB_ENOMEM;
    SB_TRY(run, agree_levels(run, P, R, t));
    SB_TRY(run, fill_ids(run, P, R, t));
    t->x = R->x;
    R->x = NULL;
    if (P->has_label) {
        t->label = R->label;
        R->label = NULL;
    }
    if (P->has_weight) {
        t->weight = R->weight;
        R->weight = NULL;
    }
    /* A rank without rows still holds (1-element) arrays, so "has a label" is the same everywhere. */
    if (t->x == NULL && (t->x = sb_alloc(run, 1, sizeof *t->x)) == NULL) return SB_ENOMEM;
    if (P->has_label && t->label == NULL && (t->label = sb_alloc(run, 1, sizeof *t->label)) == NULL) return SB_ENOMEM;
    if (P->has_weight && t->weight == NULL && (t->weight = sb_alloc(run, 1, sizeof *t->weight)) == NULL) return SB_ENOMEM;
    if (P->drop_rule && (t->drop_rule = sb_strdup(run, P->drop_rule)) == NULL) return SB_ENOMEM;
    return comm_exscan_i64(run, t->n_rows, &t->row_start, &t->n_rows_global);
}

/* The arguments checked, the schema read and the job's buffers allocated.
 * Local (every rank sees the same arguments). */
static int check_args(run_ctx *run, const sb_source *src, ingest_job *J)
{
    J->layout = ingest_layout_code(src->layout);
    J->n = src->n_paths;
    if (J->layout < 0)
        return SB_FAIL(run, SB_EINVAL, "unknown layout '%s' (use keywords, forms or csv)",
                       src->layout ? src->layout : "(none)");
    if (J->n < 1) return SB_FAIL(run, SB_EINVAL, "no input files");
    if (J->layout == INGEST_CSV && src->schema == NULL)
        return SB_FAIL(run, SB_EINVAL, "layout csv needs --schema schema.yaml");
    if (J->layout != INGEST_CSV && src->schema != NULL)
        return SB_FAIL(run, SB_EINVAL, "--schema applies to layout csv only");
    if (J->layout == INGEST_CSV) SB_TRY(run, ingest_schema_load(run, src->schema, &J->schema));
    J->size = sb_alloc(run, (size_t)J->n, sizeof *J->size);
    J->gz = sb_alloc(run, (size_t)J->n, sizeof *J->gz);
    J->split = csvrow_new();
    if (!J->size || !J->gz) return SB_ENOMEM;
    if (!J->split) return SB_FAIL(run, SB_ENOMEM, "out of memory");
    return SB_OK;
}

/* The header's fields and the column plan. Local (the same header everywhere). */
static int build_plan(run_ctx *run, const sb_source *src, ingest_job *J)
{
    if (J->plan.has_header)
        SB_TRY(run, split_header(run, src->paths[0], J->header, (size_t)J->header_len, J->split, &J->hdr, &J->n_hdr));
    SB_TRY(run, ingest_plan_build(run, J->layout, &J->schema, src->require_label, src->paths[0], J->hdr, J->n_hdr,
                                  &J->plan));
    J->plan.cap_rate = src->cap_rate;
    return SB_OK;
}

/* Phases 1 and 2. Collective. */
static int prepare(run_ctx *run, const sb_source *src, ingest_job *J)
{
    const int checked = check_args(run, src, J);
    J->plan.has_header = J->layout != INGEST_FORMS;
    SB_TRY(run, run_agree_rc(run, checked)); /* every rank saw the same arguments */
    SB_TRY(run, share_files(run, src, J));
    return run_agree_rc(run, build_plan(run, src, J));
}

/* Phases 3 and 4: this rank's pieces, failures noticed by the others on the
 * way, then agreed. Collective. */
static int parse_all(run_ctx *run, const sb_source *src, ingest_job *J, ingest_rows *R, int64_t *bytes,
                     double t0, double *parse_s)
{
    comm_flag *flag = NULL;
    SB_TRY(run, run_agree_rc(run, comm_flag_open(run, &flag)));
    int rc = ingest_rows_init(run, &J->plan, src->levels_from, src->n_levels_from, R);
    if (rc != SB_OK) comm_flag_raise(flag);
    else rc = parse_local(run, J, src, R, bytes, flag);
    *parse_s = run_wtime() - t0; /* since the start of ingest_load */
    const int closed = comm_flag_close(run, flag);
    return run_agree_rc(run, rc != SB_OK ? rc : closed);
}

/* Phase 5's counts over every rank. */
typedef struct {
    int64_t g[5]; /* rows read, kept, dropped, numerator > denominator, bytes: sums */
    int64_t max_bytes;
    double slowest_parse_s;
} ingest_counts;

/* Sum the counts; then no rows at all, or all dropped, is an error decided
 * from global counts, so the same on every rank (agreed to mark it so).
 * Collective. */
static int agree_counts(run_ctx *run, const sb_source *src, const ingest_job *J, const ingest_rows *R, int64_t bytes,
                        double parse_s, ingest_counts *c)
{
    const int64_t g[5] = {R->rows_read, R->n, R->dropped_zero, R->num_gt_den, bytes};
    memcpy(c->g, g, sizeof g);
    c->max_bytes = bytes;
    c->slowest_parse_s = parse_s;
    SB_TRY(run, comm_sum_i64(run, c->g, 5));
    SB_TRY(run, comm_max_i64(run, &c->max_bytes, 1));
    SB_TRY(run, comm_max_f64(run, &c->slowest_parse_s, 1));
    const int hh = J->plan.has_header;
    if (c->g[0] == 0)
        return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "%s%s: no data rows%s", src->paths[0], hh ? ":2" : "",
                                         hh ? " (header only)" : ""));
    if (c->g[1] == 0)
        return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "%s: all %lld data rows were dropped (%s)", src->paths[0],
                                         (long long)c->g[0], J->plan.drop_rule ? J->plan.drop_rule : "?"));
    return SB_OK;
}

static void put_stats(ingest_stats *stats, const ingest_counts *c, const ingest_plan *P)
{
    memset(stats, 0, sizeof *stats);
    stats->rows_read = c->g[0];
    stats->rows_kept = c->g[1];
    stats->dropped_zero = c->g[2];
    stats->num_gt_den = c->g[3];
    stats->bytes = c->g[4];
    stats->max_rank_bytes = c->max_bytes;
    stats->parse_s = c->slowest_parse_s;
    snprintf(stats->drop_rule, sizeof stats->drop_rule, "%s", P->drop_rule ? P->drop_rule : "");
    snprintf(stats->num_name, sizeof stats->num_name, "%s", P->num_name ? P->num_name : "");
    snprintf(stats->den_name, sizeof stats->den_name, "%s", P->den_name ? P->den_name : "");
}

int ingest_load(run_ctx *run, const sb_source *src, sb_table *out, ingest_stats *stats)
{
    const double t0 = run_wtime();
    ingest_job J;
    ingest_rows R;
    ingest_counts c;
    memset(&J, 0, sizeof J);
    memset(&R, 0, sizeof R);
    memset(out, 0, sizeof *out);
    int64_t bytes = 0;
    double parse_s = 0;
    int rc = SB_OK;
    SB_CHECK(run, prepare(run, src, &J));
    SB_CHECK(run, parse_all(run, src, &J, &R, &bytes, t0, &parse_s));
    SB_CHECK(run, agree_counts(run, src, &J, &R, bytes, parse_s, &c));
    if ((rc = fill_table(run, &J, &R, src->layout, out)) != SB_OK) {
        /* Out of memory or a failed collective half-way through the collectives of
         * fill_table: the ranks cannot agree any more, so this is fatal here. */
        run_report_error(run);
        run_abort(run, run_exit_code(rc));
    }
    out->rows_read = c.g[0];
    out->dropped_zero_trials = c.g[2];
    if (stats) {
        put_stats(stats, &c, &J.plan);
        stats->total_s = run_wtime() - t0;
    }
out:
    if (rc != SB_OK) table_free(out);
    ingest_rows_free(&R);
    job_free(&J);
    return rc;
}
