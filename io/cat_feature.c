/* cat_feature.c - the categorical_feature parameter (cat_feature.h). */
#include "io/cat_feature.h"

#include <math.h>   /* for isnan, NAN, floorf */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for calloc, free */
#include <string.h> /* for strlen, strncmp, memcpy */

#include "base/alloc.h"
#include "base/error.h"
#include "mpi/comm.h"

#define KEY "categorical_feature"
/* Room for a decimal level name. */
#define CODE_TEXT_MAX 16
/* Largest feature index the text may give. */
#define INDEX_MAX 100000000L

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* s[*b, *e) without surrounding blanks and one pair of quotes. */
static void trim(const char *s, size_t *b, size_t *e)
{
    while (*b < *e && is_space(s[*b])) ++*b;
    while (*e > *b && is_space(s[*e - 1])) --*e;
    if (*e - *b >= 2 && (s[*b] == '"' || s[*b] == '\'') && s[*e - 1] == s[*b]) ++*b, --*e;
}

/* One entry s[b, e) as entry i of out: all digits = an index, else a name. */
static int add_entry(const char *s, size_t b, size_t e, cons_list *out)
{
    const int32_t i = out->n;
    size_t d = b;
    while (d < e && s[d] >= '0' && s[d] <= '9') ++d;
    if (d == e && e - b < 10 && strtol(s + b, NULL, 10) <= INDEX_MAX) {
        out->index[i] = (int32_t)strtol(s + b, NULL, 10);
    } else {
        if (!(out->name[i] = malloc(e - b + 1))) return -2;
        memcpy(out->name[i], s + b, e - b);
        out->name[i][e - b] = '\0';
    }
    out->n++;
    return 0;
}

int cat_feature_parse(const char *text, cons_list *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    size_t b = 0, e = strlen(text);
    trim(text, &b, &e);
    if (e - b >= 5 && strncmp(text + b, "name:", 5) == 0) b += 5; /* LightGBM's name:a,b */
    if (e > b && ((text[b] == '[' && text[e - 1] == ']') || (text[b] == '(' && text[e - 1] == ')'))) ++b, --e;
    trim(text, &b, &e);
    if (b == e) return 0; /* none */
    size_t n = 1;
    for (size_t k = b; k < e; ++k) n += text[k] == ',';
    out->name = calloc(n, sizeof *out->name);
    out->index = calloc(n, sizeof *out->index);
    out->value = calloc(n, sizeof *out->value);
    if (!out->name || !out->index || !out->value) return cons_list_free(out), -2;
    for (size_t s = b; s <= e;) {
        size_t t = s;
        while (t < e && text[t] != ',') ++t;
        size_t eb = s, ee = t;
        trim(text, &eb, &ee);
        if (eb == ee || strchr("[]()", text[eb]) != NULL) {
            snprintf(err, err_len, "entry %d is empty or nested (give names or indices: a,b or [0, 3])", (int)out->n + 1);
            return cons_list_free(out), -1;
        }
        const int arc = add_entry(text, eb, ee, out);
        if (arc != 0) return cons_list_free(out), arc;
        s = t + 1;
    }
    return 0;
}

/* The column entry i of l names, checked. */
static int column_of(run_ctx *run, const cons_list *l, int32_t i, const sb_table *t, int32_t *f)
{
    if (l->name[i]) {
        *f = table_find_feature(t, l->name[i]);
        if (*f < 0) return SB_FAIL(run, SB_EINVAL, "parameter '%s': no feature named '%s' in the data", KEY, l->name[i]);
    } else if ((*f = l->index[i]) >= t->n_feat) {
        return SB_FAIL(run, SB_EINVAL, "parameter '%s': feature index %d out of range (the data has %d features)", KEY,
                       (int)*f, (int)t->n_feat);
    }
    if (t->feat[*f].n_levels > 0)
        return SB_FAIL(run, SB_EINVAL,
                       "parameter '%s': feature '%s' is categorical already (its levels come from the data's layout "
                       "or schema)", KEY, t->feat[*f].name);
    return SB_OK;
}

/* This rank's largest code of column f (-1: none) and its first row with a
 * value that is no code (-1: none). Local. */
static void scan_column(const sb_table *t, int32_t f, int64_t *max_code, int64_t *bad_row)
{
    *max_code = -1;
    *bad_row = -1;
    for (int64_t r = 0; r < t->n_rows; ++r) {
        const float v = t->x[r * t->n_feat + f];
        if (isnan(v)) continue;
        if (!(v >= 0.0f && v <= (float)CAT_FEATURE_MAX_CODE && floorf(v) == v)) {
            *bad_row = t->row_start + r;
            return;
        }
        if ((int64_t)v > *max_code) *max_code = (int64_t)v;
    }
}

/* levels "0".."n-1" for feature fi. Local. */
static int set_levels(run_ctx *run, sb_feature_info *fi, int32_t n)
{
    char **lv = sb_alloc(run, (size_t)n, sizeof *lv);
    if (!lv) return SB_ENOMEM;
    for (int32_t k = 0; k < n; ++k) {
        char buf[CODE_TEXT_MAX];
        snprintf(buf, sizeof buf, "%d", (int)k);
        if (!(lv[k] = sb_strdup(run, buf))) {
            for (int32_t j = 0; j < k; ++j) free(lv[j]);
            free(lv);
            return SB_ENOMEM;
        }
    }
    fi->levels = lv;
    fi->n_levels = n;
    return SB_OK;
}

/* Column f made categorical: every rank's values checked, the max agreed. Collective. */
static int make_one(run_ctx *run, sb_table *t, int32_t f)
{
    int64_t v[2];
    scan_column(t, f, &v[0], &v[1]);
    v[1] = v[1] < 0 ? INT64_MIN + 1 : -v[1]; /* the max of -row: the first bad row over all ranks */
    SB_TRY(run, comm_max_i64(run, v, 2));
    if (v[1] != INT64_MIN + 1)
        return SB_FAIL(run, SB_EINVAL,
                       "parameter '%s': feature '%s' has a value that is no category code at data row %lld (codes "
                       "are integers 0..%d, or missing)",
                       KEY, t->feat[f].name, (long long)(-v[1] + 1), CAT_FEATURE_MAX_CODE);
    if (v[0] < 0)
        return SB_FAIL(run, SB_EINVAL, "parameter '%s': feature '%s' has no value (all missing)", KEY, t->feat[f].name);
    return set_levels(run, &t->feat[f], (int32_t)v[0] + 1);
}

int cat_feature_apply(run_ctx *run, const char *text, sb_table *t, int32_t *n_made)
{
    char err[256];
    cons_list l;
    *n_made = 0;
    const int prc = cat_feature_parse(text ? text : "", &l, err, sizeof err);
    if (prc != 0)
        return run_agree_rc(run, prc == -2 ? SB_FAIL(run, SB_ENOMEM, "parameter '%s': out of memory", KEY)
                                           : SB_FAIL(run, SB_EINVAL, "parameter '%s': %s", KEY, err));
    int rc = SB_OK;
    for (int32_t i = 0; i < l.n; ++i) { /* same table layout on every rank: these checks agree */
        int32_t f = 0;
        SB_CHECK(run, run_agree_rc(run, column_of(run, &l, i, t, &f)));
        SB_CHECK(run, run_agree_rc(run, make_one(run, t, f)));
        ++*n_made;
    }
out:
    cons_list_free(&l);
    return rc;
}

int cat_feature_adopt(run_ctx *run, sb_table *t, const sb_feature_info *ref, int32_t n_ref)
{
    for (int32_t g = 0; g < n_ref; ++g) {
        if (!cat_feature_int_coded(&ref[g])) continue;
        const int32_t f = table_find_feature(t, ref[g].name);
        if (f < 0 || t->feat[f].n_levels > 0) continue;
        SB_TRY(run, set_levels(run, &t->feat[f], ref[g].n_levels));
        const float lim = (float)ref[g].n_levels;
        for (int64_t r = 0; t->x && r < t->n_rows; ++r) {
            float *v = &t->x[r * t->n_feat + f];
            if (!(*v >= 0.0f && *v < lim && floorf(*v) == *v)) *v = NAN;
        }
    }
    return SB_OK;
}
