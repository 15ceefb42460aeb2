/* predict_rows.c - header and lines of the scoring output contract. */
#include "jobs/predict_rows.h"

#include <math.h>   /* for isnan */
#include <string.h> /* for strcmp, memchr, memcpy, strlen */

#include "kernels/fmt_ryu.h"
#include "base/error.h"

static const sb_id_col *find_id(const sb_table *t, const char *name)
{
    for (int32_t i = 0; i < t->n_ids; ++i)
        if (strcmp(t->ids[i].name, name) == 0) return &t->ids[i];
    return NULL;
}

/* The column `name` from the ids, else from a categorical feature. */
static int add_named(run_ctx *run, const sb_table *t, const char *name, const char *data_name, predict_rows *p)
{
    predict_col *c = &p->cols[p->n_cols];
    c->name = name;
    c->id = find_id(t, name);
    c->feat = -1;
    if (c->id == NULL) {
        c->feat = table_find_feature(t, name);
        if (c->feat < 0 || t->feat[c->feat].n_levels <= 0)
            return SB_FAIL(run, SB_EDATA, "%s: no column '%s', which the %s output contract needs", data_name, name,
                           t->layout);
    }
    p->n_cols++;
    return SB_OK;
}

static int64_t col_max_bytes(const sb_table *t, const predict_col *c)
{
    if (c->id != NULL) return c->id->type == SB_ID_INT64 ? FMT_I64_MAX : 2 * (int64_t)c->id->width + 2;
    int64_t m = 3; /* "nan" for a missing level */
    const sb_feature_info *f = &t->feat[c->feat];
    for (int32_t l = 0; l < f->n_levels; ++l) {
        int64_t n = 2 * (int64_t)strlen(f->levels[l]) + 2;
        if (n > m) m = n;
    }
    return m;
}

int predict_rows_plan(run_ctx *run, const sb_table *t, const char *data_name, predict_rows *out)
{
    memset(out, 0, sizeof *out);
    if (t->layout != NULL && strcmp(t->layout, "keywords") == 0) {
        SB_TRY(run, add_named(run, t, "entity_id", data_name, out));
        SB_TRY(run, add_named(run, t, "device", data_name, out));
        out->pred_name = "cr";
    } else if (t->layout != NULL && strcmp(t->layout, "forms") == 0) {
        SB_TRY(run, add_named(run, t, "form_id", data_name, out));
        out->pred_name = "completion_rate";
    } else {
        if (t->n_ids > (int32_t)(sizeof out->cols / sizeof out->cols[0]))
            return SB_FAIL(run, SB_EINVAL, "%s: %d id columns; at most 16 are supported", data_name, (int)t->n_ids);
        for (int32_t i = 0; i < t->n_ids; ++i) SB_TRY(run, add_named(run, t, t->ids[i].name, data_name, out));
        out->pred_name = "prediction";
    }
    int64_t m = FMT_DOUBLE_MAX + 1;
    for (int32_t i = 0; i < out->n_cols; ++i) m += col_max_bytes(t, &out->cols[i]) + 1;
    out->max_row_bytes = m;
    if (m > (int64_t)CSVZ_RESERVE_MAX)
        return SB_FAIL(run, SB_EDATA, "%s: id values up to %lld bytes per line are too wide to write", data_name,
                       (long long)m);
    return SB_OK;
}

/* Text of a field, quoted when it holds a separator, quote or line break. */
static char *put_field(char *o, const char *s, size_t n)
{
    int quote = n > 0 && (memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n));
    if (!quote) {
        memcpy(o, s, n);
        return o + n;
    }
    *o++ = '"';
    for (size_t i = 0; i < n; ++i) {
        if (s[i] == '"') *o++ = '"';
        *o++ = s[i];
    }
    *o++ = '"';
    return o;
}

int predict_rows_add_contribs(run_ctx *run, predict_rows *p, const sb_feature_info *feat, int32_t n_feat,
                              const char *model_name)
{
    int64_t m = p->max_row_bytes + (int64_t)(n_feat + 1) * (FMT_DOUBLE_MAX + 1);
    for (int32_t f = 0; f < n_feat; ++f)
        if (strcmp(feat[f].name, "bias") == 0)
            return SB_FAIL(run, SB_EDATA, "%s: feature 'bias' would share its --contribs column name with the "
                           "bias_contrib column", model_name);
    if (m > (int64_t)CSVZ_RESERVE_MAX)
        return SB_FAIL(run, SB_EDATA, "%s: %d features: --contribs lines of up to %lld bytes are too wide to write",
                       model_name, (int)n_feat, (long long)m);
    p->contrib_feat = feat;
    p->n_contrib = n_feat;
    p->max_row_bytes = m;
    return SB_OK;
}

/* One header field NAME_contrib, quoted as put_field would quote it. */
static void put_contrib_name(csvz *w, const char *name)
{
    static const char suffix[] = "_contrib";
    const size_t n = strlen(name), ns = sizeof suffix - 1;
    int quote = memchr(name, ',', n) || memchr(name, '"', n) || memchr(name, '\n', n) || memchr(name, '\r', n);
    char *o = csvz_reserve(w, 2 * n + ns + 4), *e = o;
    *e++ = ',';
    if (quote) *e++ = '"';
    for (size_t i = 0; i < n; ++i) {
        if (quote && name[i] == '"') *e++ = '"';
        *e++ = name[i];
    }
    memcpy(e, suffix, ns);
    e += ns;
    if (quote) *e++ = '"';
    csvz_commit(w, (size_t)(e - o));
}

void predict_rows_header(const predict_rows *p, csvz *w)
{
    for (int32_t c = 0; c < p->n_cols; ++c) {
        char *o = csvz_reserve(w, 2 * strlen(p->cols[c].name) + 3);
        char *e = put_field(o, p->cols[c].name, strlen(p->cols[c].name));
        *e++ = ',';
        csvz_commit(w, (size_t)(e - o));
    }
    csvz_write(w, p->pred_name, strlen(p->pred_name));
    if (p->contrib_feat != NULL) {
        for (int32_t f = 0; f < p->n_contrib; ++f) put_contrib_name(w, p->contrib_feat[f].name);
        csvz_write(w, ",bias_contrib", 13);
    }
    csvz_write(w, "\n", 1);
}

/* ",c0,c1,...,bias" of one row. */
static char *put_contribs(const predict_rows *p, const double *c, char *e)
{
    for (int32_t j = 0; j <= p->n_contrib; ++j) {
        *e++ = ',';
        e += fmt_double(c[j], e);
    }
    return e;
}

/* One line of the general plan at e; returns its end. */
/* x holds the feature rows from local row i0 on. */
static char *put_line(const predict_rows *p, const sb_table *t, const float *x, int64_t i0, int64_t i, double pred,
                      const double *contrib, char *e)
{
    for (int32_t c = 0; c < p->n_cols; ++c) {
        const predict_col *col = &p->cols[c];
        if (col->id != NULL && col->id->type == SB_ID_INT64) {
            e += fmt_i64(col->id->i64[i], e);
        } else if (col->id != NULL) {
            const char *s = col->id->str + i * (int64_t)col->id->width;
            e = put_field(e, s, strnlen(s, (size_t)col->id->width));
        } else {
            float code = x[(i - i0) * t->n_feat + col->feat];
            const sb_feature_info *f = &t->feat[col->feat];
            if (isnan(code) || code < 0 || code >= (float)f->n_levels) {
                memcpy(e, "nan", 3); /* a level the model never saw */
                e += 3;
            } else {
                const char *s = f->levels[(int32_t)code];
                e = put_field(e, s, strlen(s));
            }
        }
        *e++ = ',';
    }
    e += fmt_double(pred, e);
    if (contrib != NULL) e = put_contribs(p, contrib, e);
    *e++ = '\n';
    return e;
}

void predict_rows_write_x(const predict_rows *p, const sb_table *t, const float *x, int64_t i0, int64_t i1,
                          const double *pred, csvz *w)
{
    predict_rows_write_xc(p, t, x, i0, i1, pred, NULL, w);
}

void predict_rows_write_xc(const predict_rows *p, const sb_table *t, const float *x, int64_t i0, int64_t i1,
                           const double *pred, const double *contrib, csvz *w)
{
    const int64_t nc = contrib != NULL ? p->n_contrib + 1 : 0;
    /* As many whole lines as one reservation holds, so the writer is called
     * once per ~64 KiB of text instead of once per line. */
    const size_t row_max = (size_t)p->max_row_bytes;
    const int64_t batch = (int64_t)(CSVZ_RESERVE_MAX / row_max);
    /* forms (and any plan with one int64 id): id,prediction */
    const int64_t *one_id = contrib == NULL && p->n_cols == 1 && p->cols[0].id != NULL &&
                                    p->cols[0].id->type == SB_ID_INT64
                                ? p->cols[0].id->i64
                                : NULL;
    for (int64_t b0 = i0; b0 < i1; b0 += batch) {
        const int64_t b1 = i1 - b0 < batch ? i1 : b0 + batch;
        char *o = csvz_reserve(w, (size_t)(b1 - b0) * row_max);
        char *e = o;
        if (one_id != NULL) {
            for (int64_t i = b0; i < b1; ++i) {
                e += fmt_i64(one_id[i], e);
                *e++ = ',';
                e += fmt_double(pred[i - i0], e);
                *e++ = '\n';
            }
        } else {
            for (int64_t i = b0; i < b1; ++i)
                e = put_line(p, t, x, i0, i, pred[i - i0], contrib != NULL ? contrib + (i - i0) * nc : NULL, e);
        }
        csvz_commit(w, (size_t)(e - o));
    }
}
