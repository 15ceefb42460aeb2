/* serve_request.c - request bodies -> feature rows; the JSON answer (see serve_request.h). */
#include "jobs/serve_request.h"

#include <math.h>   /* for NAN, fabs, isfinite */
#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for vsnprintf */
#include <stdlib.h> /* for malloc, free, qsort */
#include <string.h> /* for strcmp, memcmp, memcpy */

#include "io/level_codes.h" /* for cat_feature_int_coded */
#include "io/csvrow.h"
#include "kernels/fmt_ryu.h"
#include "io/numparse.h"

/* ---- schema ---- */

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Compare the counted string s[0..n) with the NUL-terminated t, as strcmp would. */
static int cmp_counted(const char *s, size_t n, const char *t)
{
    size_t m = strlen(t);
    int c = memcmp(s, t, n < m ? n : m);
    return c != 0 ? c : (n > m) - (n < m);
}

int32_t serve_schema_find(const serve_schema *s, const char *name, size_t len)
{
    int32_t lo = 0, hi = s->n_names - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = cmp_counted(name, len, s->names[mid]);
        if (c == 0) return mid;
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    return -1;
}

int serve_schema_init(serve_schema *s, int32_t n_feat, const sb_feature_info *feat, int32_t n_ids,
                      char *const *id_names, int strict_levels)
{
    memset(s, 0, sizeof *s);
    s->n_feat = n_feat;
    s->feat = feat;
    s->n_ids = n_ids;
    s->id_names = id_names;
    s->strict_levels = strict_levels;
    size_t total = (size_t)n_feat + (size_t)n_ids + 1;
    s->names = malloc(total * sizeof *s->names);
    s->feat_of = malloc(total * sizeof *s->feat_of);
    s->id_of = malloc(total * sizeof *s->id_of);
    if (!s->names || !s->feat_of || !s->id_of) {
        serve_schema_free(s);
        return -1;
    }
    int32_t n = 0;
    for (int32_t f = 0; f < n_feat; ++f) s->names[n++] = feat[f].name;
    for (int32_t i = 0; i < n_ids; ++i) s->names[n++] = id_names[i];
    qsort(s->names, (size_t)n, sizeof *s->names, cmp_name);
    int32_t u = 0; /* unique */
    for (int32_t k = 0; k < n; ++k)
        if (u == 0 || strcmp(s->names[u - 1], s->names[k]) != 0) s->names[u++] = s->names[k];
    s->n_names = u;
    for (int32_t k = 0; k < u; ++k) s->feat_of[k] = s->id_of[k] = -1;
    for (int32_t f = 0; f < n_feat; ++f) s->feat_of[serve_schema_find(s, feat[f].name, strlen(feat[f].name))] = f;
    for (int32_t i = 0; i < n_ids; ++i) s->id_of[serve_schema_find(s, id_names[i], strlen(id_names[i]))] = i;
    return 0;
}

void serve_schema_free(serve_schema *s)
{
    free(s->names);
    free(s->feat_of);
    free(s->id_of);
    s->names = NULL;
    s->feat_of = s->id_of = NULL;
}

/* ---- values ---- */

__attribute__((format(printf, 3, 4))) static int refuse(serve_batch *b, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    b->status = status;
    return -1;
}

/* Code of the level s[0..n) of categorical f (levels sorted bytewise), or -1. */
static int32_t level_code(const sb_feature_info *f, const char *s, size_t n)
{
    int32_t lo = 0, hi = f->n_levels - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int c = cmp_counted(s, n, f->levels[mid]);
        if (c == 0) return mid;
        if (c < 0) hi = mid - 1;
        else lo = mid + 1;
    }
    /* integer-coded levels ("0".."n-1", io/level_codes.h) are in code order, not bytewise */
    for (int32_t l = 0; l < f->n_levels; ++l)
        if (cmp_counted(s, n, f->levels[l]) == 0) return l;
    return -1;
}

/* "Computer, Smartphone or Tablet" (at most the first few). */
static void level_list(const sb_feature_info *f, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int32_t l = 0; l < f->n_levels && l < 8 && o < len; ++l)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", l == 0 ? "" : l + 1 == f->n_levels ? " or " : ", ",
                              f->levels[l]);
    if (f->n_levels > 8 && o < len) snprintf(buf + o, len - o, ", ...");
}

static int put_level(const serve_schema *s, serve_batch *b, int64_t row, int32_t f, const char *v, size_t n,
                     float *out)
{
    const sb_feature_info *fi = &s->feat[f];
    int32_t c = level_code(fi, v, n);
    if (c < 0 && s->strict_levels) {
        char list[256];
        level_list(fi, list, sizeof list);
        return refuse(b, 400, "row %lld, field '%s': unknown level '%.*s' (expected %s)", (long long)row, fi->name,
                      n > 64 ? 64 : (int)n, v, list);
    }
    *out = c < 0 ? NAN : (float)c; /* an unseen level is missing, as in predict */
    return 0;
}

/* A number as ingest stores it: correctly rounded double, then float. */
static int put_number(serve_batch *b, int64_t row, const char *name, double v, float *out)
{
    if (!(fabs(v) < NUMPARSE_F32_FINITE_BELOW)) /* as ingest: FLT_MAX as printed (3.4028235e38) is in */
        return refuse(b, 400, "row %lld, field '%s': %g is outside the float32 range", (long long)row, name, v);
    *out = (float)v;
    return 0;
}

static int batch_alloc(const serve_schema *s, serve_batch *b, int64_t n, int64_t max_rows)
{
    if (n > max_rows) return refuse(b, 413, "%lld rows: more than the limit of %lld per request", (long long)n, (long long)max_rows);
    size_t cells = (size_t)(n > 0 ? n : 1) * (size_t)(s->n_feat > 0 ? s->n_feat : 1);
    b->x = malloc(cells * sizeof *b->x);
    b->ids = json_array();
    if (b->x == NULL || b->ids == NULL) return refuse(b, 500, "out of memory for %lld rows", (long long)n);
    for (size_t i = 0; i < cells; ++i) b->x[i] = NAN; /* fields a row leaves out are missing */
    b->n_rows = n;
    return 0;
}

/* ---- JSON ---- */

static int json_feature(const serve_schema *s, serve_batch *b, int64_t row, int32_t f, json_t *v, float *out)
{
    const sb_feature_info *fi = &s->feat[f];
    if (json_is_null(v)) return 0; /* missing */
    if (fi->n_levels > 0 && json_is_integer(v)) { /* 3 for the level "3" (categorical_feature's codes) */
        char code[32];
        const int len = snprintf(code, sizeof code, "%lld", (long long)json_integer_value(v));
        if (level_code(fi, code, (size_t)len) >= 0 || cat_feature_int_coded(fi))
            return put_level(s, b, row, f, code, (size_t)len, out); /* a code beyond the levels: unseen */
    }
    if (fi->n_levels > 0) {
        if (!json_is_string(v))
            return refuse(b, 400, "row %lld, field '%s': expected a level name (string) or null", (long long)row,
                          fi->name);
        return put_level(s, b, row, f, json_string_value(v), json_string_length(v), out);
    }
    if (json_is_integer(v)) return put_number(b, row, fi->name, (double)json_integer_value(v), out);
    if (json_is_real(v)) return put_number(b, row, fi->name, json_real_value(v), out);
    return refuse(b, 400, "row %lld, field '%s': expected a number or null", (long long)row, fi->name);
}

static int json_row(const serve_schema *s, serve_batch *b, int64_t row, json_t *obj)
{
    if (!json_is_object(obj)) return refuse(b, 400, "row %lld: expected an object of field: value", (long long)row);
    json_t *ids = NULL, *v;
    const char *key;
    json_object_foreach(obj, key, v)
    {
        int32_t k = serve_schema_find(s, key, strlen(key));
        if (k < 0) {
            json_decref(ids);
            return refuse(b, 400, "row %lld, field '%.64s': not a feature or id of the model", (long long)row, key);
        }
        if (s->feat_of[k] >= 0 && json_feature(s, b, row, s->feat_of[k], v, b->x + row * s->n_feat + s->feat_of[k])) {
            json_decref(ids);
            return -1;
        }
        if (s->id_of[k] >= 0) {
            if (json_is_object(v) || json_is_array(v)) {
                json_decref(ids);
                return refuse(b, 400, "row %lld, field '%s': an id must be a string, number or null", (long long)row,
                              key);
            }
            if (ids == NULL && (ids = json_object()) == NULL) return refuse(b, 500, "out of memory");
            json_object_set(ids, key, v);
        }
    }
    return json_array_append_new(b->ids, ids != NULL ? ids : json_null()) == 0 ? 0 : refuse(b, 500, "out of memory");
}

static int parse_json(const serve_schema *s, const char *body, size_t len, int64_t max_rows, serve_batch *b)
{
    json_error_t e;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (root == NULL)
        return refuse(b, 400, "malformed JSON at line %d, column %d: %s", e.line, e.column, e.text);
    json_t *rows = root;
    if (json_is_object(root)) {
        rows = json_object_get(root, "rows");
        if (rows == NULL || json_object_size(root) != 1) {
            json_decref(root);
            return refuse(b, 400, "expected {\"rows\": [...]} (only the key \"rows\") or a bare array of rows");
        }
    }
    int rc = 0;
    if (!json_is_array(rows)) rc = refuse(b, 400, "\"rows\" must be an array of row objects");
    else rc = batch_alloc(s, b, (int64_t)json_array_size(rows), max_rows);
    for (int64_t i = 0; rc == 0 && i < b->n_rows; ++i) rc = json_row(s, b, i, json_array_get(rows, (size_t)i));
    json_decref(root);
    return rc;
}

/* ---- CSV ---- */

/* The next line of the body from *pos: [*line, *line + *n), '\r' dropped. */
static int next_line(const char *body, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len) return 0;
    const char *p = body + *pos, *nl = memchr(p, '\n', len - *pos);
    size_t m = nl ? (size_t)(nl - p) : len - *pos;
    *pos += m + (nl != NULL);
    *line = p;
    *n = m > 0 && p[m - 1] == '\r' ? m - 1 : m;
    return 1;
}

static int64_t count_rows(const char *body, size_t len, size_t pos)
{
    int64_t n = 0;
    const char *line;
    size_t m;
    while (next_line(body, len, &pos, &line, &m)) n += m > 0;
    return n;
}

/* An id field's JSON value: an integer when it is a canonical one, else the text. */
static json_t *csv_id_value(const csv_field *f)
{
    int64_t i = 0;
    char buf[24];
    if (f->n > 0 && f->n < sizeof buf && numparse_i64(f->p, f->n, &i) == NUMPARSE_OK &&
        (size_t)snprintf(buf, sizeof buf, "%lld", (long long)i) == f->n && memcmp(buf, f->p, f->n) == 0)
        return json_integer(i);
    return json_stringn(f->p, f->n); /* NULL for invalid UTF-8 */
}

static int csv_feature(const serve_schema *s, serve_batch *b, int64_t row, int32_t f, const csv_field *v, float *out)
{
    const sb_feature_info *fi = &s->feat[f];
    if (fi->n_levels > 0) {
        if (!s->strict_levels && numparse_is_missing(v->p, v->n)) return 0;
        return put_level(s, b, row, f, v->p, v->n, out);
    }
    double d = 0;
    if (numparse_f64(v->p, v->n, &d) != NUMPARSE_OK) {
        if (numparse_is_missing(v->p, v->n)) return 0;
        return refuse(b, 400, "row %lld, field '%s': '%.*s' is not a number", (long long)row, fi->name,
                      v->n > 64 ? 64 : (int)v->n, v->p);
    }
    if (d != d) return 0; /* "nan" */
    return put_number(b, row, fi->name, d, out);
}

static int csv_row(const serve_schema *s, serve_batch *b, int64_t row, const int32_t *col, int32_t ncol,
                   const csv_field *f, int32_t nf)
{
    if (nf != ncol) return refuse(b, 400, "row %lld: %d fields, the header has %d", (long long)row, (int)nf, (int)ncol);
    json_t *ids = NULL;
    for (int32_t c = 0; c < nf; ++c) {
        int32_t k = col[c];
        if (s->feat_of[k] >= 0 && csv_feature(s, b, row, s->feat_of[k], &f[c], b->x + row * s->n_feat + s->feat_of[k])) {
            json_decref(ids);
            return -1;
        }
        if (s->id_of[k] >= 0) {
            json_t *v = csv_id_value(&f[c]);
            if (v == NULL) {
                json_decref(ids);
                return refuse(b, 400, "row %lld, field '%s': not valid UTF-8", (long long)row, s->names[k]);
            }
            if (ids == NULL) ids = json_object();
            json_object_set_new(ids, s->names[k], v);
        }
    }
    return json_array_append_new(b->ids, ids != NULL ? ids : json_null()) == 0 ? 0 : refuse(b, 500, "out of memory");
}

/* Header fields -> name indices; every column must be a feature or an id, once. */
static int csv_header(const serve_schema *s, serve_batch *b, const csv_field *f, int32_t nf, int32_t *col)
{
    for (int32_t c = 0; c < nf; ++c) {
        if ((col[c] = serve_schema_find(s, f[c].p, f[c].n)) < 0)
            return refuse(b, 400, "CSV header, column %d '%.*s': not a feature or id of the model", (int)c + 1,
                          f[c].n > 64 ? 64 : (int)f[c].n, f[c].p);
        for (int32_t d = 0; d < c; ++d)
            if (col[d] == col[c]) return refuse(b, 400, "CSV header: column '%s' twice", s->names[col[c]]);
    }
    return 0;
}

static int parse_csv(const serve_schema *s, const char *body, size_t len, int64_t max_rows, serve_batch *b)
{
    size_t pos = len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* byte-order mark */
    const char *line;
    size_t n;
    if (!next_line(body, len, &pos, &line, &n) || n == 0) return refuse(b, 400, "CSV body: no header line");
    csvrow *r = csvrow_new();
    int32_t *col = NULL, ncol = 0, nf = 0;
    const csv_field *f = NULL;
    int rc = r == NULL ? refuse(b, 500, "out of memory") : 0;
    if (rc == 0 && csvrow_split(r, line, n, &f, &nf) != CSVROW_OK) rc = refuse(b, 400, "CSV header: malformed quotes");
    if (rc == 0 && (col = malloc(((size_t)nf + 1) * sizeof *col)) == NULL) rc = refuse(b, 500, "out of memory");
    if (rc == 0) rc = csv_header(s, b, f, ncol = nf, col);
    if (rc == 0) rc = batch_alloc(s, b, count_rows(body, len, pos), max_rows);
    for (int64_t row = 0; rc == 0 && next_line(body, len, &pos, &line, &n);) {
        if (n == 0) continue;
        if (csvrow_split(r, line, n, &f, &nf) != CSVROW_OK) rc = refuse(b, 400, "row %lld: malformed quotes", (long long)row);
        else rc = csv_row(s, b, row++, col, ncol, f, nf);
    }
    free(col);
    csvrow_free(r);
    return rc;
}

/* ---- entry points ---- */

int serve_body_kind(const char *ct)
{
    if (ct == NULL) return SERVE_BODY_JSON;
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) --n;
    if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) || n == 0) return SERVE_BODY_JSON;
    if (n == 8 && strncasecmp(ct, "text/csv", 8) == 0) return SERVE_BODY_CSV;
    return -1;
}

int serve_parse(const serve_schema *s, int kind, const char *body, size_t len, int64_t max_rows, serve_batch *b)
{
    memset(b, 0, sizeof *b);
    if (len == 0) return refuse(b, 400, "empty body");
    if (kind == SERVE_BODY_CSV) return parse_csv(s, body, len, max_rows, b);
    if (kind == SERVE_BODY_JSON) return parse_json(s, body, len, max_rows, b);
    return refuse(b, 415, "Content-Type must be application/json or text/csv");
}

void serve_batch_free(serve_batch *b)
{
    free(b->x);
    json_decref(b->ids);
    b->x = NULL;
    b->ids = NULL;
}

/* A JSON string literal of s (escaped by jansson); malloc'd. */
static char *json_literal(const char *s)
{
    json_t *j = json_string(s);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return t;
}

char *serve_answer(const char *model, const char *version, const double *pred, int64_t n, const json_t *ids,
                   size_t *len)
{
    char *m = json_literal(model), *v = json_literal(version);
    char *id = ids ? json_dumps(ids, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    size_t cap = (m ? strlen(m) : 0) + (v ? strlen(v) : 0) + (id ? strlen(id) : 2) + 64 +
                 (size_t)n * (FMT_DOUBLE_MAX + 1);
    char *out = m && v ? malloc(cap) : NULL;
    if (out != NULL) {
        char *o = out + sprintf(out, "{\"model\":%s,\"version\":%s,\"predictions\":[", m, v);
        for (int64_t i = 0; i < n; ++i) {
            if (i > 0) *o++ = ',';
            if (isfinite(pred[i])) o += fmt_double(pred[i], o);
            else o += sprintf(o, "null");
        }
        o += sprintf(o, "],\"ids\":%s}\n", id ? id : "[]");
        *len = (size_t)(o - out);
    }
    free(m);
    free(v);
    free(id);
    return out;
}

char *serve_error_json(const char *msg, size_t *len)
{
    json_t *j = json_pack("{s:s}", "error", msg);
    char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (t == NULL) { /* msg itself may be invalid UTF-8: say so without it */
        j = json_pack("{s:s}", "error", "request refused (message not valid UTF-8)");
        t = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
    }
    if (t != NULL) *len = strlen(t);
    return t;
}
