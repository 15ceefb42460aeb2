/* ingest_rows.c - see ingest_rows.h. Kept light per field: the common column
 * kinds (numeric feature, int64 id) take a short path without role tests. */
#include "io/ingest_rows.h"

#include <math.h>   /* for isfinite, NAN */
#include <stdarg.h>
#include <stdio.h>  /* for vsnprintf */
#include <stdlib.h>
#include <string.h>

#include "io/numparse.h"
#include "io/table_targets.h"
#include "base/error.h"
#include "base/alloc.h"

enum { K_IGNORE = 0, K_NUM, K_GENERAL };

static int row_fail(run_ctx *run, ingest_rows *R, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int row_fail(run_ctx *run, ingest_rows *R, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return SB_FAIL(run, SB_EDATA, "%s:%lld: %s", R->file, (long long)lines_number(R->src), what);
}

/* At most 40 bytes of a field, for messages. */
#define EXCERPT(f) (int)((f).n > 40 ? 40 : (f).n), (f).p, ((f).n > 40 ? "..." : "")

void ingest_rows_free(ingest_rows *R)
{
    const ingest_plan *p = R->plan;
    for (int32_t i = 0; p && i < p->n_ids; ++i) {
        if (R->id_i64) free(R->id_i64[i]);
        if (R->id_off) free(R->id_off[i]);
    }
    for (int32_t c = 0; p && R->dicts && c < p->n_cat; ++c) levels_free(&R->dicts[c]);
    free(R->id_i64);
    free(R->id_off);
    free(R->id_max);
    free(R->id_not_int);
    free(R->dicts);
    free(R->kind);
    free(R->x);
    free(R->label);
    free(R->weight);
    free(R->arena);
    memset(R, 0, sizeof *R);
}

int ingest_rows_init(run_ctx *run, const ingest_plan *plan, const sb_feature_info *levels_from,
                     int32_t n_levels_from, ingest_rows *R)
{
    memset(R, 0, sizeof *R);
    R->plan = plan;
    int32_t ni = plan->n_ids ? plan->n_ids : 1, nc = plan->n_cols ? plan->n_cols : 1;
    R->id_i64 = sb_alloc(run, (size_t)ni, sizeof *R->id_i64);
    R->id_off = sb_alloc(run, (size_t)ni, sizeof *R->id_off);
    R->id_max = sb_alloc(run, (size_t)ni, sizeof *R->id_max);
    R->id_not_int = sb_alloc(run, (size_t)ni, sizeof *R->id_not_int);
    R->dicts = sb_alloc(run, (size_t)(plan->n_cat ? plan->n_cat : 1), sizeof *R->dicts);
    R->kind = sb_alloc(run, (size_t)nc, sizeof *R->kind);
    if (!R->id_i64 || !R->id_off || !R->id_max || !R->id_not_int || !R->dicts || !R->kind) return SB_ENOMEM;
    for (int32_t c = 0; c < plan->n_cols; ++c) {
        const ingest_col *col = &plan->cols[c];
        int num = col->feat >= 0 && plan->feat_cat[col->feat] < 0 && col->id < 0 && col->target == 0;
        R->kind[c] = num ? K_NUM : (col->feat >= 0 || col->id >= 0 || col->target) ? K_GENERAL : K_IGNORE;
    }
    for (int32_t k = 0; k < plan->n_cat; ++k) {
        const char *name = plan->feat[plan->cat_feat[k]].name;
        const sb_feature_info *given = NULL;
        for (int32_t g = 0; levels_from && g < n_levels_from; ++g)
            if (levels_from[g].n_levels > 0 && strcmp(levels_from[g].name, name) == 0) given = &levels_from[g];
        if (given) SB_TRY(run, levels_init(run, &R->dicts[k], given->levels, given->n_levels));
        else if (plan->fixed_levels_strict)
            SB_TRY(run, levels_init(run, &R->dicts[k], (char *const *)ingest_keyword_devices, 3));
        else SB_TRY(run, levels_init(run, &R->dicts[k], NULL, 0));
    }
    return SB_OK;
}

static int grow(run_ctx *run, ingest_rows *R)
{
    const ingest_plan *p = R->plan;
    int64_t cap = R->cap ? R->cap * 2 : 4096;
    float *x = sb_realloc(run, R->x, (size_t)cap * (size_t)p->n_feat, sizeof *x);
    if (x == NULL) return SB_ENOMEM;
    R->x = x;
    if (p->has_label) {
        double *l = sb_realloc(run, R->label, (size_t)cap, sizeof *l);
        if (l == NULL) return SB_ENOMEM;
        R->label = l;
    }
    if (p->has_weight) {
        double *w = sb_realloc(run, R->weight, (size_t)cap, sizeof *w);
        if (w == NULL) return SB_ENOMEM;
        R->weight = w;
    }
    for (int32_t i = 0; i < p->n_ids; ++i) {
        int64_t **col = p->id_type[i] == SB_ID_INT64 ? &R->id_i64[i] : &R->id_off[i];
        int64_t *v = sb_realloc(run, *col, (size_t)cap, sizeof *v);
        if (v == NULL) return SB_ENOMEM;
        *col = v;
    }
    R->cap = cap;
    return SB_OK;
}

static int put_string(run_ctx *run, ingest_rows *R, int32_t id, csv_field f)
{
    if (f.n > INGEST_MAX_STR)
        return row_fail(run, R, "id '%s' value of %zu bytes exceeds the %d-byte limit", R->plan->id_names[id], f.n,
                        INGEST_MAX_STR);
    if (R->arena_used + f.n > R->arena_cap) {
        size_t cap = (R->arena_used + f.n) * 2 + 4096;
        char *a = sb_realloc(run, R->arena, cap, 1);
        if (a == NULL) return SB_ENOMEM;
        R->arena = a;
        R->arena_cap = cap;
    }
    memcpy(R->arena + R->arena_used, f.p, f.n);
    R->id_off[id][R->n] = ID_REF(R->arena_used, f.n);
    R->arena_used += f.n;
    if ((int32_t)f.n > R->id_max[id]) R->id_max[id] = (int32_t)f.n;
    return SB_OK;
}

/* "0", "42", "-7": what an int64 prints as, so auto ids round-trip (zip codes like "007" stay text). */
static int is_canonical_int(csv_field f)
{
    int64_t v = 0;
    size_t neg = f.n > 0 && f.p[0] == '-';
    if (f.n == neg || f.p[neg] < '0' || f.p[neg] > '9' || f.p[f.n - 1] < '0' || f.p[f.n - 1] > '9') return 0;
    if (f.p[neg] == '0' && f.n > neg + 1) return 0;
    if (neg && f.n == 2 && f.p[1] == '0') return 0;
    return numparse_i64(f.p, f.n, &v) == NUMPARSE_OK;
}

/* The 1-based CSV column of feature feat (its feature number where the layout has no columns). */
static int feature_column(const ingest_plan *p, int32_t feat)
{
    for (int32_t c = 0; c < p->n_cols; ++c)
        if (p->cols[c].feat == feat) return (int)c + 1;
    return (int)feat + 1;
}

static int parse_feature(run_ctx *run, ingest_rows *R, int32_t feat, csv_field f, float *out)
{
    double v = 0;
    if (numparse_f64(f.p, f.n, &v) != NUMPARSE_OK) {
        const char *nul = memchr(f.p, '\0', f.n);
        if (nul != NULL) /* the printed value would end at the NUL */
            return row_fail(run, R, "NUL byte at column %d (feature '%s', byte %d of its value)",
                            feature_column(R->plan, feat), R->plan->feat[feat].name, (int)(nul - f.p) + 1);
        if (numparse_is_missing(f.p, f.n)) {
            *out = NAN;
            return SB_OK;
        }
        return row_fail(run, R, "feature '%s': '%.*s%s' is not a number", R->plan->feat[feat].name, EXCERPT(f));
    }
    if (isnan(v)) {
        *out = NAN;
        return SB_OK;
    }
    if (!(fabs(v) < NUMPARSE_F32_FINITE_BELOW))
        return row_fail(run, R, "feature '%s': '%.*s%s' is infinite or outside the float32 range",
                        R->plan->feat[feat].name, EXCERPT(f));
    *out = (float)v;
    return SB_OK;
}

static int parse_category(run_ctx *run, ingest_rows *R, int32_t feat, csv_field f, float *out)
{
    const ingest_plan *p = R->plan;
    if (p->fixed_levels_strict) {
        int known = 0;
        for (int k = 0; k < 3; ++k)
            known |= strlen(ingest_keyword_devices[k]) == f.n && !memcmp(ingest_keyword_devices[k], f.p, f.n);
        if (!known)
            return row_fail(run, R, "unknown %s '%.*s%s' (expected Computer, Smartphone or Tablet)", p->feat[feat].name,
                            EXCERPT(f));
    } else if (numparse_is_missing(f.p, f.n)) {
        *out = NAN;
        return SB_OK;
    }
    if (memchr(f.p, '\0', f.n)) return row_fail(run, R, "feature '%s': NUL byte in value", p->feat[feat].name);
    if (f.n > INGEST_MAX_STR)
        return row_fail(run, R, "feature '%s': categorical value of %zu bytes exceeds the %d-byte limit",
                        p->feat[feat].name, f.n, INGEST_MAX_STR);
    int32_t code = levels_code(run, &R->dicts[p->feat_cat[feat]], f.p, f.n);
    if (code == -2) return row_fail(run, R, "feature '%s': %s", p->feat[feat].name, err_message(run));
    *out = code < 0 ? NAN : (float)code;
    return SB_OK;
}

/* A count or weight: finite, >= 0, and an integer where the layout says so. */
static int parse_target(run_ctx *run, ingest_rows *R, const char *name, int nonneg, csv_field f, double *out)
{
    if (numparse_f64(f.p, f.n, out) != NUMPARSE_OK)
        return row_fail(run, R, "%s: '%.*s%s' is not a number", name, EXCERPT(f));
    if (!isfinite(*out)) return row_fail(run, R, "%s: '%.*s%s' is not a finite number", name, EXCERPT(f));
    if (fabs(*out) > TABLE_TARGET_MAX) /* squared gradients of such a row overflow in training */
        return row_fail(run, R, "%s: '%.*s%s' is outside the float32 range (labels, counts and weights)", name,
                        EXCERPT(f));
    if (nonneg && *out < 0) return row_fail(run, R, "%s: negative value '%.*s%s'", name, EXCERPT(f));
    if (nonneg && R->plan->counts_integral && *out != floor(*out))
        return row_fail(run, R, "%s: '%.*s%s' is not a whole number", name, EXCERPT(f));
    return SB_OK;
}

static int parse_general(run_ctx *run, ingest_rows *R, int32_t c, csv_field f, float *x, double *t)
{
    const ingest_plan *p = R->plan;
    const ingest_col *col = &p->cols[c];
    if (col->feat >= 0) {
        if (p->feat_cat[col->feat] >= 0) SB_TRY(run, parse_category(run, R, col->feat, f, &x[col->feat]));
        else SB_TRY(run, parse_feature(run, R, col->feat, f, &x[col->feat]));
    }
    if (col->id >= 0) {
        if (p->id_type[col->id] != ID_KIND_INT64) {
            SB_TRY(run, put_string(run, R, col->id, f));
            if (p->id_type[col->id] == ID_KIND_AUTO && !R->id_not_int[col->id] && !is_canonical_int(f))
                R->id_not_int[col->id] = 1;
        } else {
            int r = numparse_i64(f.p, f.n, &R->id_i64[col->id][R->n]);
            if (r != NUMPARSE_OK)
                return row_fail(run, R, "id '%s': '%.*s%s' is %s", p->id_names[col->id], EXCERPT(f),
                                r == NUMPARSE_RANGE ? "outside the int64 range" : "not an integer");
        }
    }
    for (int b = 0; b < 4; ++b)
        if (col->target & (1 << b))
            SB_TRY(run, parse_target(run, R, p->col_names[c], (1 << b) != TGT_LABEL, f, &t[b]));
    return SB_OK;
}

/* Label and weight of a kept row from t[] = {label, numerator, denominator, weight}; 0 = dropped. */
static int finish_targets(ingest_rows *R, const double *t)
{
    const ingest_plan *p = R->plan;
    if (!p->has_label) return 1;
    double label = t[0];
    if (p->ratio) {
        if (t[2] == 0) {
            R->dropped_zero++;
            return 0;
        }
        R->num_gt_den += t[1] > t[2];
        label = (p->cap_rate && t[1] > t[2]) ? 1.0 : t[1] / t[2];
    }
    R->label[R->n] = label;
    if (p->has_weight) R->weight[R->n] = t[3];
    return 1;
}

static int add_generic(run_ctx *run, ingest_rows *R, const csv_field *f, int32_t nf)
{
    const ingest_plan *p = R->plan;
    if (nf != p->n_cols) return row_fail(run, R, "expected %d fields, found %d", (int)p->n_cols, (int)nf);
    float *x = R->x + R->n * p->n_feat;
    double t[4] = {0, 0, 0, 0};
    size_t arena_mark = R->arena_used;
    for (int32_t c = 0; c < nf; ++c) {
        if (R->kind[c] == K_NUM) {
            double v = 0;
            int32_t k = p->cols[c].feat;
            unsigned d = f[c].n == 1 ? (unsigned)(f[c].p[0] - '0') : 10u;
            if (d < 10) x[k] = (float)d; /* 0/1 flags: the most common field by far */
            else if (numparse_f64(f[c].p, f[c].n, &v) == NUMPARSE_OK && fabs(v) < NUMPARSE_F32_FINITE_BELOW)
                x[k] = (float)v;
            else SB_TRY(run, parse_feature(run, R, k, f[c], &x[k]));
        } else if (R->kind[c] == K_GENERAL) {
            SB_TRY(run, parse_general(run, R, c, f[c], x, t));
        }
    }
    if (!finish_targets(R, t)) {
        R->arena_used = arena_mark;
        return SB_OK;
    }
    R->n++;
    return SB_OK;
}

/* forms: "(id,submissions,views,f0-f1-...-f46)", or "(id,f0-...-f46)" when labels are not required. */
static int add_forms(run_ctx *run, ingest_rows *R, const csv_field *f, int32_t nf)
{
    const ingest_plan *p = R->plan;
    if (nf != 4 && !(nf == 2 && !p->require_label))
        return row_fail(run, R, "expected 4 fields '(id,submissions,views,f0-...-f46)', found %d", (int)nf);
    csv_field id = f[0], feats = f[nf - 1];
    if (id.n == 0 || id.p[0] != '(') return row_fail(run, R, "form row must start with '(', found '%.*s%s'", EXCERPT(id));
    if (feats.n == 0 || feats.p[feats.n - 1] != ')')
        return row_fail(run, R, "form row must end with ')'");
    id.p++, id.n--;
    feats.n--;
    int r = numparse_i64(id.p, id.n, &R->id_i64[0][R->n]);
    if (r != NUMPARSE_OK) return row_fail(run, R, "form id '%.*s%s' is not an integer", EXCERPT(id));
    double t[4] = {0, 0, 0, 0};
    if (p->has_label) {
        SB_TRY(run, parse_target(run, R, "submissions", 1, f[1], &t[1]));
        SB_TRY(run, parse_target(run, R, "views", 1, f[2], &t[2]));
        t[3] = t[2];
    }
    float *x = R->x + R->n * p->n_feat;
    const char *s = feats.p, *end = feats.p + feats.n;
    for (int32_t k = 0; k < FORMS_N_FEAT; ++k) {
        const char *dash = memchr(s, '-', (size_t)(end - s));
        const char *e = dash ? dash : end;
        if (k == FORMS_N_FEAT - 1 && dash)
            return row_fail(run, R, "more than %d '-'-separated features (negative values cannot be written)", FORMS_N_FEAT);
        if (k < FORMS_N_FEAT - 1 && !dash)
            return row_fail(run, R, "expected %d '-'-separated features, found %d", FORMS_N_FEAT, (int)k + 1);
        double v = 0;
        if (numparse_f64(s, (size_t)(e - s), &v) == NUMPARSE_OK && fabs(v) < NUMPARSE_F32_FINITE_BELOW)
            x[k] = (float)v;
        else SB_TRY(run, parse_feature(run, R, k, (csv_field){s, (size_t)(e - s)}, &x[k]));
        s = e + 1;
    }
    if (finish_targets(R, t)) R->n++;
    return SB_OK;
}

int ingest_rows_add(run_ctx *run, ingest_rows *R, const csv_field *f, int32_t nf)
{
    if (R->n == R->cap) SB_TRY(run, grow(run, R));
    R->rows_read++;
    return R->plan->layout == INGEST_FORMS ? add_forms(run, R, f, nf) : add_generic(run, R, f, nf);
}
