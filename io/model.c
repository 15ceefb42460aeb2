/* model.c - model file: JSON writer with a trailing CRC-32, validating reader,
 * atomic write by rank 0. Format documented in io/model.h. */
#include "io/model.h"

#include <ctype.h> /* for isxdigit */
#include <errno.h>  /* for errno */
#include <math.h>   /* for isfinite */
#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for FILE, vsnprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, strerror */
#include <unistd.h> /* for getpid, unlink */
#include <zlib.h>   /* for crc32 */

#include "io/atomic_file.h"
#include "base/version.h" /* for SB_VERSION: created_by */
#include "io/drift_ref.h"
#include "io/drift_ref_read.h"
#include "base/json_str.h"
#include "io/model_json.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"


/* First size of the model text buffer (doubles as it grows). */
#define SBUF_FIRST_CAP ((size_t)64 << 10)
/* Reading a model file: first buffer, and the least free room before a read. */
#define MODEL_READ_FIRST_CAP ((size_t)1 << 20)
#define MODEL_READ_MIN_ROOM ((size_t)64 << 10)
/* Longest temporary path of a model being written. */
#define MODEL_PATH_MAX 4096
/* The crc32 line ends the file: it is looked for in this many last bytes. */
#define CRC_LINE_SEARCH 64

/* ---- growable text buffer ------------------------------------------------ */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (w < 0) { b->oom = 1; return; }
        if (b->p && b->len + (size_t)w < b->cap) { b->len += (size_t)w; return; }
        size_t cap = b->cap ? b->cap * 2 : SBUF_FIRST_CAP;
        while (cap < b->len + (size_t)w + 1) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) { b->oom = 1; return; }
        b->p = q;
        b->cap = cap;
    }
}

/* A JSON string (base/json_str.h's quoting). */
static void sb_jstr(sbuf *b, const char *s)
{
    size_t n = json_quote(NULL, 0, s);
    char *q = malloc(n + 1);
    if (q == NULL) {
        b->oom = 1;
        return;
    }
    json_quote(q, n + 1, s);
    sb_printf(b, "%s", q);
    free(q);
}

/* Doubles: %.17g round-trips; non-finite values (no JSON literal) become null. */
static void sb_num(sbuf *b, double v)
{
    if (isfinite(v)) sb_printf(b, "%.17g", v);
    else sb_printf(b, "null");
}

static void param_cb(void *ctx, const char *key, const char *value)
{
    sbuf *b = ctx;
    sb_printf(b, "%s", b->p[b->len - 1] == '{' ? "" : ", ");
    sb_jstr(b, key);
    sb_printf(b, ": ");
    sb_jstr(b, value);
}

/* format .. id_names: what the model is and what it reads. */
static void put_header(sbuf *b, const sb_model *m)
{
    sb_printf(b, "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"created_by\": \"shardboost %s\",\n",
              SB_MODEL_FORMAT, SB_MODEL_VERSION, SB_VERSION);
    sb_printf(b, "  \"objective\": \"%s\",\n  \"base_score\": ", objective_name(m->params.objective));
    sb_num(b, m->base_score);
    sb_printf(b, ",\n  \"base_margin\": ");
    sb_num(b, m->base_margin);
    sb_printf(b, ",\n  \"params\": {");
    params_each(&m->params, param_cb, b);
    sb_printf(b, "},\n  \"layout\": ");
    sb_jstr(b, m->layout ? m->layout : "");
    sb_printf(b, ",\n  \"label_name\": ");
    sb_jstr(b, m->label_name ? m->label_name : "");
    sb_printf(b, ",\n  \"id_names\": [");
    for (int32_t i = 0; i < m->n_ids; ++i) {
        if (i) sb_printf(b, ", ");
        sb_jstr(b, m->id_names[i]);
    }
}

/* "features": name, categorical levels (or null) and bin cuts of each. */
static void put_features(sbuf *b, const sb_model *m)
{
    sb_printf(b, "],\n  \"features\": [\n");
    for (int32_t f = 0; f < m->n_feat; ++f) {
        sb_printf(b, "    {\"name\": ");
        sb_jstr(b, m->feat[f].name);
        sb_printf(b, ", \"levels\": ");
        if (m->feat[f].n_levels > 0) {
            sb_printf(b, "[");
            for (int32_t l = 0; l < m->feat[f].n_levels; ++l) {
                if (l) sb_printf(b, ", ");
                sb_jstr(b, m->feat[f].levels[l]);
            }
            sb_printf(b, "]");
        } else sb_printf(b, "null");
        sb_printf(b, ", \"cuts\": [");
        for (int64_t c = m->cut_start[f]; c < m->cut_start[f + 1]; ++c)
            sb_printf(b, "%s%.9g", c > m->cut_start[f] ? ", " : "", (double)m->cuts[c]);
        sb_printf(b, "]}%s\n", f + 1 < m->n_feat ? "," : "");
    }
}

/* "[v0, v1, ...]" of n doubles. */
static void put_nums(sbuf *b, const double *v, int32_t n)
{
    sb_printf(b, "[");
    for (int32_t r = 0; r < n; ++r) {
        if (r) sb_printf(b, ", ");
        sb_num(b, v[r]);
    }
    sb_printf(b, "]");
}

/* "data" (what it was trained on) and "training" (rounds and metrics). */
static void put_data_training(sbuf *b, const sb_model *m)
{
    sb_printf(b, "  ],\n  \"data\": {\"rows\": %lld, \"rows_read\": %lld, \"dropped_zero_trials\": %lld, "
                 "\"fingerprint\": \"%016llx\", \"sum_weight\": ",
              (long long)m->n_rows, (long long)m->rows_read, (long long)m->dropped_zero_trials,
              (unsigned long long)m->fingerprint);
    sb_num(b, m->sum_weight);
    sb_printf(b, "},\n  \"training\": {\"rounds\": %d, \"best_iteration\": %d, \"metric\": \"%s\", \"weighted\": %d,\n",
              m->n_rounds_done, m->best_iteration, metric_name(m->metric), m->weighted_metric);
    sb_printf(b, "    \"train_metric\": ");
    put_nums(b, m->train_metric, m->n_rounds_done);
    sb_printf(b, ",\n    \"valid_metric\": ");
    if (m->valid_metric) put_nums(b, m->valid_metric, m->n_rounds_done);
    else sb_printf(b, "null");
}

/* "trees": one row of [feat, left, right, default_left, bin, threshold, value, gain, cover] per node. */
static void put_trees(sbuf *b, const sb_model *m)
{
    sb_printf(b, "},\n  \"trees\": [\n");
    for (int32_t t = 0; t < m->n_trees; ++t) {
        sb_printf(b, "    {\"nodes\": [");
        for (int64_t k = m->tree_start[t]; k < m->tree_start[t + 1]; ++k) {
            const sb_node *nd = &m->nodes[k];
            sb_printf(b, "%s\n      [%d, %d, %d, %d, %d, %.9g, ", k > m->tree_start[t] ? "," : "", nd->feat, nd->left,
                      nd->right, nd->default_left, nd->bin, (double)nd->threshold);
            sb_num(b, nd->value);
            sb_printf(b, ", ");
            sb_num(b, nd->gain);
            sb_printf(b, ", ");
            sb_num(b, nd->cover);
            sb_printf(b, "]");
        }
        sb_printf(b, "]}%s\n", t + 1 < m->n_trees ? "," : "");
    }
    sb_printf(b, "  ],\n");
}

/* "reference" (optional): the training data for drift (io/drift_ref.h). */
static int put_reference(run_ctx *run, sbuf *b, const sb_model *m)
{
    if (m->reference == NULL) return SB_OK;
    char *ref = NULL;
    SB_TRY(run, drift_ref_to_json(run, m->reference, &ref));
    sb_printf(b, "  \"reference\": %s,\n", ref);
    free(ref);
    return SB_OK;
}

int model_to_json(run_ctx *run, const sb_model *m, char **out, int64_t *len)
{
    int rc = SB_OK;
    sbuf b = {0};
    put_header(&b, m);
    put_features(&b, m);
    put_data_training(&b, m);
    put_trees(&b, m);
    SB_CHECK(run, put_reference(run, &b, m));
    if (!b.oom) { /* the CRC covers everything before its own line */
        const uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)b.p, (uInt)b.len);
        sb_printf(&b, "  \"crc32\": \"%08x\"\n}\n", crc);
    }
    if (b.oom) SB_RAISE(run, SB_ENOMEM, "model text: out of memory");
    *out = b.p;
    *len = (int64_t)b.len;
    b.p = NULL;
out:
    free(b.p);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

/* Verify the trailing crc32 line; its absence means truncation. */
static int check_crc(run_ctx *run, const char *text, int64_t len, const char *name)
{
    const char *tag = "\n  \"crc32\": \"";
    size_t tl = strlen(tag);
    int64_t at = -1;
    for (int64_t i = len - (int64_t)tl; i >= 0 && i >= len - CRC_LINE_SEARCH; --i)
        if (!memcmp(text + i, tag, tl)) { at = i; break; }
    if (at < 0) return SB_FAIL(run, SB_EDATA, "%s: truncated or not a shardboost model (no crc32 line at the end)", name);
    /* 8 hex digits read within len: the text is not NUL-terminated (sscanf ran
     * strlen past the end, into uninitialised bytes) */
    unsigned want = 0;
    const int64_t hex = at + (int64_t)tl;
    int digits = 0;
    for (; digits < 8 && hex + digits < len && isxdigit((unsigned char)text[hex + digits]); ++digits) {
        const char c = text[hex + digits];
        want = want * 16u + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    if (digits != 8) return SB_FAIL(run, SB_EDATA, "%s: corrupt crc32 line", name);
    uint32_t got = (uint32_t)crc32(0L, (const Bytef *)text, (uInt)(at + 1));
    if (got != want)
        return SB_FAIL(run, SB_EDATA, "%s: corrupt model file (crc32 %08x, expected %08x): it was modified or damaged",
                       name, got, want);
    return SB_OK;
}

static int read_params(run_ctx *run, json_cursor *j, const char *name, sb_params *p)
{
    params_default(p);
    int first = 1;
    char key[64];
    json_begin_obj(j);
    while (json_more(j, '}', &first)) {
        json_key(j, key, sizeof key);
        char *v = json_str(j);
        if (!v) break;
        int rc = params_set_stored(run, p, key, v, "%s: params", name);
        free(v);
        if (rc != SB_OK) return rc;
    }
    return SB_OK;
}

static int read_features(run_ctx *run, json_cursor *j, sb_model *m)
{
    int first = 1, cap = 0;
    int64_t ccap = 0, nc = 0;
    json_begin_arr(j);
    while (json_more(j, ']', &first)) {
        if (m->n_feat == cap) {
            cap = cap ? cap * 2 : 64;
            sb_feature_info *nf = sb_realloc(run, m->feat, (size_t)cap, sizeof *nf);
            int64_t *ns = sb_realloc(run, m->cut_start, (size_t)cap + 1, sizeof *ns);
            if (nf) m->feat = nf;
            if (ns) m->cut_start = ns;
            if (!nf || !ns) return SB_ENOMEM;
        }
        sb_feature_info *fi = &m->feat[m->n_feat];
        memset(fi, 0, sizeof *fi);
        m->cut_start[m->n_feat] = nc;
        m->n_feat++;
        int f1 = 1;
        char key[32];
        json_begin_obj(j);
        while (json_more(j, '}', &f1)) {
            json_key(j, key, sizeof key);
            if (!strcmp(key, "name")) fi->name = json_str(j);
            else if (!strcmp(key, "levels")) {
                if (model_json_null(j)) continue;
                int f2 = 1;
                json_begin_arr(j);
                while (json_more(j, ']', &f2)) {
                    char **nl = sb_realloc(run, fi->levels, (size_t)fi->n_levels + 1, sizeof *nl);
                    if (!nl) return SB_ENOMEM;
                    fi->levels = nl;
                    fi->levels[fi->n_levels++] = json_str(j);
                }
            } else if (!strcmp(key, "cuts")) {
                int f2 = 1;
                json_begin_arr(j);
                while (json_more(j, ']', &f2)) {
                    if (nc == ccap) {
                        ccap = ccap ? ccap * 2 : 4096;
                        float *ncut = sb_realloc(run, m->cuts, (size_t)ccap, sizeof *ncut);
                        if (!ncut) return SB_ENOMEM;
                        m->cuts = ncut;
                    }
                    m->cuts[nc++] = json_float(j);
                }
            } else json_skip(j);
        }
    }
    if (m->cut_start == NULL && (m->cut_start = sb_alloc(run, 1, sizeof *m->cut_start)) == NULL) return SB_ENOMEM;
    m->cut_start[m->n_feat] = nc;
    return SB_OK;
}

static int read_metric_array(run_ctx *run, json_cursor *j, double **out, int32_t *n)
{
    if (model_json_null(j)) return SB_OK;
    int first = 1;
    int32_t cap = 0, k = 0;
    json_begin_arr(j);
    while (json_more(j, ']', &first)) {
        if (k == cap) {
            cap = cap ? cap * 2 : 256;
            double *q = sb_realloc(run, *out, (size_t)cap, sizeof *q);
            if (!q) return SB_ENOMEM;
            *out = q;
        }
        (*out)[k++] = json_num(j);
    }
    if (*out == NULL && (*out = sb_alloc(run, 1, sizeof **out)) == NULL) return SB_ENOMEM;
    *n = k;
    return SB_OK;
}

static int read_training(run_ctx *run, json_cursor *j, const char *name, sb_model *m)
{
    int first = 1;
    char key[32];
    int32_t nt = -1, nv = -1;
    json_begin_obj(j);
    while (json_more(j, '}', &first)) {
        json_key(j, key, sizeof key);
        if (!strcmp(key, "rounds")) m->n_rounds_done = (int32_t)json_i64(j);
        else if (!strcmp(key, "best_iteration")) m->best_iteration = (int32_t)json_i64(j);
        else if (!strcmp(key, "weighted")) m->weighted_metric = (int)json_i64(j);
        else if (!strcmp(key, "metric")) {
            char *s = json_str(j);
            int bad = s && metric_parse(s, &m->metric) != 0;
            free(s);
            if (bad) return SB_FAIL(run, SB_EDATA, "%s: unknown metric in training record", name);
        } else if (!strcmp(key, "train_metric")) SB_TRY(run, read_metric_array(run, j, &m->train_metric, &nt));
        else if (!strcmp(key, "valid_metric")) SB_TRY(run, read_metric_array(run, j, &m->valid_metric, &nv));
        else json_skip(j);
    }
    if (!j->err[0] && ((nt >= 0 && nt != m->n_rounds_done) || (nv >= 0 && nv != m->n_rounds_done)))
        return SB_FAIL(run, SB_EDATA, "%s: training record has %d/%d metric values for %d rounds", name, nt, nv,
                       m->n_rounds_done);
    return SB_OK;
}

static int read_trees(run_ctx *run, json_cursor *j, sb_model *m)
{
    int first = 1;
    int32_t tcap = 0;
    int64_t ncap = 0, nn = 0;
    json_begin_arr(j);
    while (json_more(j, ']', &first)) {
        if (m->n_trees + 1 >= tcap) {
            tcap = tcap ? tcap * 2 : 128;
            int64_t *q = sb_realloc(run, m->tree_start, (size_t)tcap + 1, sizeof *q);
            if (!q) return SB_ENOMEM;
            m->tree_start = q;
        }
        m->tree_start[m->n_trees++] = nn;
        int f1 = 1;
        char key[16];
        json_begin_obj(j);
        while (json_more(j, '}', &f1)) {
            json_key(j, key, sizeof key);
            if (strcmp(key, "nodes")) { json_skip(j); continue; }
            int f2 = 1;
            json_begin_arr(j);
            while (json_more(j, ']', &f2)) {
                if (nn == ncap) {
                    ncap = ncap ? ncap * 2 : 4096;
                    sb_node *q = sb_realloc(run, m->nodes, (size_t)ncap, sizeof *q);
                    if (!q) return SB_ENOMEM;
                    m->nodes = q;
                }
                sb_node *nd = &m->nodes[nn++];
                int f3 = 1, k = 0;
                json_begin_arr(j);
                while (json_more(j, ']', &f3)) {
                    switch (k++) {
                    case 0: nd->feat = json_i32(j); break;
                    case 1: nd->left = json_i32(j); break;
                    case 2: nd->right = json_i32(j); break;
                    case 3: nd->default_left = json_i32(j); break;
                    case 4: nd->bin = (int32_t)json_i64(j); break;
                    case 5: nd->threshold = json_float(j); break;
                    case 6: nd->value = json_num(j); break;
                    case 7: nd->gain = json_num(j); break;
                    case 8: nd->cover = json_num(j); break;
                    default: json_skip(j); break;
                    }
                }
                if (k < 9 && !j->err[0]) snprintf(j->err, sizeof j->err, "tree node with %d fields (need 9)", k);
            }
        }
    }
    if (m->tree_start == NULL && (m->tree_start = sb_alloc(run, 1, sizeof *m->tree_start)) == NULL) return SB_ENOMEM;
    m->tree_start[m->n_trees] = nn;
    return SB_OK;
}

/* Structural checks so a crafted or stale file cannot make predict walk out of bounds. */
static int validate(run_ctx *run, const sb_model *m, const char *name)
{
    for (int32_t t = 0; t < m->n_trees; ++t) {
        int64_t n = m->tree_start[t + 1] - m->tree_start[t];
        if (n < 1) return SB_FAIL(run, SB_EDATA, "%s: tree %d has no nodes", name, t);
        for (int64_t k = 0; k < n; ++k) {
            const sb_node *nd = &m->nodes[m->tree_start[t] + k];
            if (nd->feat < 0) {
                if (!isfinite(nd->value)) return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: leaf value not finite", name, t, (long long)k);
                continue;
            }
            /* a NaN threshold (JSON null) would split differently in the scalar and vector walks */
            if (isnan(nd->threshold))
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: split threshold is not a number", name, t,
                               (long long)k);
            /* children must come after the parent: no cycles */
            if (nd->feat >= m->n_feat || nd->left <= k || nd->right <= k || nd->left >= n || nd->right >= n)
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: bad feature or child index", name, t, (long long)k);
        }
    }
    if (m->best_iteration < 0 || (m->n_rounds_done > 0 && m->best_iteration >= m->n_rounds_done))
        return SB_FAIL(run, SB_EDATA, "%s: best_iteration %d out of range", name, m->best_iteration);
    return model_check(run, m, name);
}

static int parse_body(run_ctx *run, json_cursor *j, const char *name, sb_model *m)
{
    int first = 1, have_format = 0;
    char key[64];
    json_begin_obj(j);
    while (json_more(j, '}', &first)) {
        json_key(j, key, sizeof key);
        if (!strcmp(key, "format")) {
            char *s = json_str(j);
            int bad = s && strcmp(s, SB_MODEL_FORMAT) != 0;
            free(s);
            if (bad) return SB_FAIL(run, SB_EDATA, "%s: not a %s file", name, SB_MODEL_FORMAT);
            have_format = 1;
        } else if (!strcmp(key, "version")) {
            int64_t v = json_i64(j);
            if (!j->err[0] && v != SB_MODEL_VERSION)
                return SB_FAIL(run, SB_EDATA, "%s: model format version %lld, this shardboost reads version %d", name,
                               (long long)v, SB_MODEL_VERSION);
        } else if (!strcmp(key, "base_score")) m->base_score = json_num(j);
        else if (!strcmp(key, "base_margin")) m->base_margin = json_num(j);
        else if (!strcmp(key, "params")) SB_TRY(run, read_params(run, j, name, &m->params));
        else if (!strcmp(key, "layout")) m->layout = json_str(j);
        else if (!strcmp(key, "label_name")) m->label_name = json_str(j);
        else if (!strcmp(key, "id_names")) {
            int f2 = 1;
            json_begin_arr(j);
            while (json_more(j, ']', &f2)) {
                char **q = sb_realloc(run, m->id_names, (size_t)m->n_ids + 1, sizeof *q);
                if (!q) return SB_ENOMEM;
                m->id_names = q;
                m->id_names[m->n_ids++] = json_str(j);
            }
        } else if (!strcmp(key, "features")) SB_TRY(run, read_features(run, j, m));
        else if (!strcmp(key, "data")) {
            int f2 = 1;
            json_begin_obj(j);
            while (json_more(j, '}', &f2)) {
                json_key(j, key, sizeof key);
                if (!strcmp(key, "rows")) m->n_rows = json_i64(j);
                else if (!strcmp(key, "rows_read")) m->rows_read = json_i64(j);
                else if (!strcmp(key, "dropped_zero_trials")) m->dropped_zero_trials = json_i64(j);
                else if (!strcmp(key, "sum_weight")) m->sum_weight = json_num(j);
                else if (!strcmp(key, "fingerprint")) {
                    char *s = json_str(j);
                    if (s) m->fingerprint = (uint64_t)strtoull(s, NULL, 16);
                    free(s);
                } else json_skip(j);
            }
        } else if (!strcmp(key, "training")) SB_TRY(run, read_training(run, j, name, m));
        else if (!strcmp(key, "trees")) SB_TRY(run, read_trees(run, j, m));
        else if (!strcmp(key, "reference"))
            SB_TRY(run, drift_ref_read(run, j, name, m->n_feat, m->cut_start, &m->reference));
        else json_skip(j); /* crc32, created_by, objective (also in params), future keys */
    }
    if (j->err[0]) return SB_FAIL(run, SB_EDATA, "%s: malformed model: %s", name, j->err);
    if (!have_format) return SB_FAIL(run, SB_EDATA, "%s: not a %s file (no format key)", name, SB_MODEL_FORMAT);
    if (!m->cut_start || !m->tree_start) return SB_FAIL(run, SB_EDATA, "%s: model lacks features or trees", name);
    return validate(run, m, name);
}

int model_from_json(run_ctx *run, const char *text, int64_t len, const char *name, sb_model *out)
{
    memset(out, 0, sizeof *out);
    SB_TRY(run, check_crc(run, text, len, name));
    json_cursor j;
    json_init(&j, text, (size_t)len);
    int rc = parse_body(run, &j, name, out);
    if (rc != SB_OK) model_free(out);
    return rc;
}

int model_read(run_ctx *run, const char *path, sb_model *out)
{
    memset(out, 0, sizeof *out);
    int rc = SB_OK;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot open model: %s", path, strerror(errno));
    for (;;) {
        if (len + MODEL_READ_MIN_ROOM > cap) {
            cap = cap ? cap * 2 : MODEL_READ_FIRST_CAP;
            char *q = realloc(buf, cap);
            if (!q) SB_RAISE(run, SB_ENOMEM, "%s: out of memory reading model", path);
            buf = q;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) SB_RAISE(run, SB_EIO, "%s: read error", path);
    SB_CHECK(run, model_from_json(run, buf, (int64_t)len, path, out));
out:
    fclose(f);
    free(buf);
    return rc;
}

/* Rank 0's part of model_write: the text to a temporary name, then renamed. */
static int write_text(run_ctx *run, const sb_model *m, const char *path)
{
    int rc = SB_OK;
    char *text = NULL, tmp[MODEL_PATH_MAX];
    int64_t len = 0;
    SB_CHECK(run, model_to_json(run, m, &text, &len));
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        SB_RAISE(run, SB_EINVAL, "model path too long: %s", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) SB_RAISE(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    fwrite(text, 1, (size_t)len, f); /* a short write sets ferror, checked at commit */
    SB_CHECK(run, atomic_file_commit(run, f, tmp, path));
out:
    free(text);
    return rc;
}

int model_write(run_ctx *run, const sb_model *m, const char *path)
{
    return run_agree_rc(run, run_rank(run) == 0 ? write_text(run, m, path) : SB_OK);
}

sb_forest model_forest(const sb_model *m)
{
    sb_forest f = {m->nodes, m->tree_start, m->n_trees};
    return f;
}

void model_free(sb_model *m)
{
    if (!m) return;
    free(m->layout);
    free(m->label_name);
    for (int32_t i = 0; i < m->n_ids; ++i) free(m->id_names[i]);
    free(m->id_names);
    for (int32_t f = 0; f < m->n_feat && m->feat; ++f) {
        free(m->feat[f].name);
        for (int32_t l = 0; l < m->feat[f].n_levels; ++l) free(m->feat[f].levels[l]);
        free(m->feat[f].levels);
    }
    free(m->feat);
    free(m->cut_start);
    free(m->cuts);
    free(m->tree_start);
    free(m->nodes);
    free(m->train_metric);
    free(m->valid_metric);
    drift_ref_free(m->reference);
    memset(m, 0, sizeof *m);
}
