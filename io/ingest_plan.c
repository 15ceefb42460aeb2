/* ingest_plan.c - build the column plan of a layout (see ingest_plan.h). */
#include "io/ingest_plan.h"
#include "base/error.h"
#include "base/alloc.h"

#include <stdio.h>  /* for snprintf */
#include <stdlib.h>
#include <string.h>

const char *const ingest_keyword_devices[3] = {"Computer", "Smartphone", "Tablet"};

void ingest_plan_free(ingest_plan *p)
{
    for (int32_t c = 0; p->col_names && c < p->n_cols; ++c) free(p->col_names[c]);
    for (int32_t f = 0; p->feat && f < p->n_feat; ++f) free(p->feat[f].name);
    for (int32_t i = 0; p->id_names && i < p->n_ids; ++i) free(p->id_names[i]);
    free(p->col_names);
    free(p->cols);
    free(p->feat);
    free(p->feat_cat);
    free(p->cat_feat);
    free(p->id_names);
    free(p->id_type);
    free(p->label_name);
    free(p->drop_rule);
    free(p->num_name);
    free(p->den_name);
    memset(p, 0, sizeof *p);
}

/* Room for n columns, n features, n ids, n categoricals (n bounds them all). */
static int plan_alloc(run_ctx *run, ingest_plan *p, int32_t n)
{
    p->cols = sb_alloc(run, (size_t)n, sizeof *p->cols);
    p->col_names = sb_alloc(run, (size_t)n, sizeof *p->col_names);
    p->feat = sb_alloc(run, (size_t)n, sizeof *p->feat);
    p->feat_cat = sb_alloc(run, (size_t)n, sizeof *p->feat_cat);
    p->cat_feat = sb_alloc(run, (size_t)n, sizeof *p->cat_feat);
    p->id_names = sb_alloc(run, (size_t)n, sizeof *p->id_names);
    p->id_type = sb_alloc(run, (size_t)n, sizeof *p->id_type);
    if (!p->cols || !p->col_names || !p->feat || !p->feat_cat || !p->cat_feat || !p->id_names || !p->id_type)
        return SB_ENOMEM;
    for (int32_t c = 0; c < n; ++c) p->cols[c] = (ingest_col){-1, -1, 0};
    return SB_OK;
}

static int add_feature(run_ctx *run, ingest_plan *p, const char *name, int categorical)
{
    int32_t f = p->n_feat++;
    if ((p->feat[f].name = sb_strdup(run, name)) == NULL) return SB_ENOMEM;
    p->feat_cat[f] = -1;
    if (categorical) {
        p->feat_cat[f] = p->n_cat;
        p->cat_feat[p->n_cat++] = f;
    }
    return SB_OK;
}

static int add_id(run_ctx *run, ingest_plan *p, const char *name, int type)
{
    int32_t i = p->n_ids++;
    p->id_type[i] = type;
    return (p->id_names[i] = sb_strdup(run, name)) ? SB_OK : SB_ENOMEM;
}

static int set_strings(run_ctx *run, ingest_plan *p, const char *label, const char *drop, const char *num,
                       const char *den)
{
    p->label_name = sb_strdup(run, label);
    p->drop_rule = drop ? sb_strdup(run, drop) : NULL;
    p->num_name = num ? sb_strdup(run, num) : NULL;
    p->den_name = den ? sb_strdup(run, den) : NULL;
    if (!p->label_name || (drop && !p->drop_rule) || (num && !p->num_name) || (den && !p->den_name)) return SB_ENOMEM;
    return SB_OK;
}

static int build_forms(run_ctx *run, ingest_plan *p)
{
    SB_TRY(run, plan_alloc(run, p, FORMS_N_FEAT));
    for (int f = 0; f < FORMS_N_FEAT; ++f) {
        char name[16];
        snprintf(name, sizeof name, "f%d", f);
        SB_TRY(run, add_feature(run, p, name, 0));
    }
    SB_TRY(run, add_id(run, p, "form_id", SB_ID_INT64));
    p->has_label = p->ratio = p->has_weight = p->require_label;
    p->counts_integral = 1;
    return set_strings(run, p, "completion_rate", "views == 0", "submissions", "views");
}

static int build_keywords(run_ctx *run, ingest_plan *p, const char *file, char **hdr, int32_t nh)
{
    const int32_t full = 165, bare = 163; /* entity_id, 160 att, device, week [, Clicks, Conversions] */
    if (nh != full && !(nh == bare && !p->require_label))
        return SB_FAIL(run, SB_EDATA, "%s:1: keyword header has %d columns, expected %d (entity_id, att1..att160, "
                       "device, week, Clicks, Conversions)%s", file, (int)nh, (int)full,
                       p->require_label ? "" : " or 163 without Clicks, Conversions");
    SB_TRY(run, plan_alloc(run, p, full));
    p->n_cols = nh;
    for (int32_t c = 0; c < nh; ++c) {
        char want[16];
        if (c == 0) snprintf(want, sizeof want, "entity_id");
        else if (c <= 160) snprintf(want, sizeof want, "att%d", (int)c);
        else snprintf(want, sizeof want, "%s", c == 161 ? "device" : c == 162 ? "week" : c == 163 ? "Clicks" : "Conversions");
        if (strcmp(hdr[c], want) != 0)
            return SB_FAIL(run, SB_EDATA, "%s:1: header column %d is '%.64s', expected '%s' (keyword layout)", file,
                           (int)c + 1, hdr[c], want);
        if ((p->col_names[c] = sb_strdup(run, want)) == NULL) return SB_ENOMEM;
        if (c == 0) {
            p->cols[c].id = 0;
            SB_TRY(run, add_id(run, p, "entity_id", SB_ID_INT64));
        } else if (c == 161) {
            p->cols[c].id = 1;
            SB_TRY(run, add_id(run, p, "device", SB_ID_STRING));
        }
        if ((c >= 1 && c <= 162)) {
            p->cols[c].feat = p->n_feat;
            SB_TRY(run, add_feature(run, p, want, c == 161));
        }
        if (c == 163 && p->require_label) p->cols[c].target = TGT_DEN | TGT_WEIGHT;
        if (c == 164 && p->require_label) p->cols[c].target = TGT_NUM;
    }
    p->fixed_levels_strict = 1;
    p->has_label = p->ratio = p->has_weight = p->require_label;
    p->counts_integral = 1;
    return set_strings(run, p, "cr", "Clicks == 0", "Conversions", "Clicks");
}

static int32_t find_col(char **hdr, int32_t nh, const char *name)
{
    for (int32_t c = 0; c < nh; ++c)
        if (strcmp(hdr[c], name) == 0) return c;
    return -1;
}

/* Resolve a schema column name; missing is an error unless `optional`. */
static int schema_col(run_ctx *run, const ingest_schema *s, const char *file, char **hdr, int32_t nh,
                      const char *key, const char *name, int optional, int32_t *out)
{
    *out = find_col(hdr, nh, name);
    if (*out < 0 && !optional)
        return SB_FAIL(run, SB_EDATA, "%s:1: column '%s' (schema %s, '%s') is not in the header", file, name, s->path, key);
    return SB_OK;
}

/* Room for a label name or a drop rule ("<denominator> == 0"); longer
 * column names are cut in these texts only. */
#define PLAN_NAME_MAX 300

/* The targets a schema may name: label, numerator, denominator, weight. */
#define N_TARGETS 4

/* The weight column: the schema's, else the denominator's unless "none". */
static const char *weight_col(const ingest_schema *s)
{
    return s->weight ? s->weight : (s->weight_none ? NULL : s->denominator);
}

/* Which header columns the schema names: ids, ignored, categorical, and the
 * label / numerator / denominator / weight targets (role[c] 1: not a numeric
 * feature). Local. */
static int schema_roles(run_ctx *run, ingest_plan *p, const ingest_schema *s, const char *file, char **hdr, int32_t nh,
                        int *role, int *is_cat)
{
    int32_t c = -1;
    for (int32_t i = 0; i < s->n_ids; ++i) {
        SB_TRY(run, schema_col(run, s, file, hdr, nh, "ids", s->ids[i], 0, &c));
        if (p->cols[c].id >= 0) return SB_FAIL(run, SB_EINVAL, "%s: id column '%s' listed twice", s->path, s->ids[i]);
        p->cols[c].id = p->n_ids;
        role[c] = 1;
        SB_TRY(run, add_id(run, p, s->ids[i], s->id_kind[i]));
    }
    for (int32_t i = 0; i < s->n_ignore; ++i) {
        SB_TRY(run, schema_col(run, s, file, hdr, nh, "ignore", s->ignore[i], 0, &c));
        role[c] = 1;
    }
    for (int32_t i = 0; i < s->n_cat; ++i) {
        SB_TRY(run, schema_col(run, s, file, hdr, nh, "categorical", s->categorical[i], 0, &c));
        is_cat[c] = 1;
    }
    const char *tnames[N_TARGETS] = {s->label, s->numerator, s->denominator, weight_col(s)};
    const char *tkeys[N_TARGETS] = {"label", "numerator", "denominator", "weight"};
    const int tbits[N_TARGETS] = {TGT_LABEL, TGT_NUM, TGT_DEN, TGT_WEIGHT};
    for (int t = 0; t < N_TARGETS; ++t) {
        if (tnames[t] == NULL) continue;
        SB_TRY(run, schema_col(run, s, file, hdr, nh, tkeys[t], tnames[t], !p->require_label, &c));
        if (c < 0) continue;
        if (is_cat[c] || p->cols[c].id >= 0)
            return SB_FAIL(run, SB_EINVAL, "%s: column '%s' cannot be both %s and an id or categorical", s->path,
                           tnames[t], tkeys[t]);
        role[c] = 1;
        if (p->require_label) p->cols[c].target |= tbits[t];
    }
    return SB_OK;
}

static int build_csv(run_ctx *run, ingest_plan *p, const ingest_schema *s, const char *file, char **hdr, int32_t nh)
{
    SB_TRY(run, plan_alloc(run, p, nh));
    p->n_cols = nh;
    for (int32_t c = 0; c < nh; ++c) {
        if (hdr[c][0] == '\0') return SB_FAIL(run, SB_EDATA, "%s:1: header column %d has no name", file, (int)c + 1);
        if (find_col(hdr, c, hdr[c]) >= 0)
            return SB_FAIL(run, SB_EDATA, "%s:1: header column %d '%.64s' repeats an earlier column", file, (int)c + 1, hdr[c]);
        if ((p->col_names[c] = sb_strdup(run, hdr[c])) == NULL) return SB_ENOMEM;
    }
    int rc = SB_OK;
    int *role = NULL, *is_cat = NULL;
    SB_ALLOC_OR_OUT(run, role, (size_t)nh, sizeof *role);
    SB_ALLOC_OR_OUT(run, is_cat, (size_t)nh, sizeof *is_cat);
    SB_CHECK(run, schema_roles(run, p, s, file, hdr, nh, role, is_cat));
    for (int32_t k = 0; k < nh; ++k)
        if (is_cat[k] || !role[k]) {
            p->cols[k].feat = p->n_feat;
            SB_CHECK(run, add_feature(run, p, hdr[k], is_cat[k]));
        }
    if (p->n_feat == 0) SB_RAISE(run, SB_EDATA, "%s:1: no feature columns left after the schema %s", file, s->path);
    p->ratio = p->require_label && s->label == NULL;
    p->has_label = p->require_label;
    p->has_weight = p->require_label && weight_col(s) != NULL;
    char label[PLAN_NAME_MAX];
    snprintf(label, sizeof label, "%s", s->label ? s->label : s->label_name ? s->label_name : "rate");
    char drop[PLAN_NAME_MAX];
    if (s->denominator) snprintf(drop, sizeof drop, "%s == 0", s->denominator);
    SB_CHECK(run, set_strings(run, p, label, s->denominator ? drop : NULL, s->numerator, s->denominator));
out:
    free(role);
    free(is_cat);
    return rc;
}

int ingest_plan_build(run_ctx *run, int layout, const ingest_schema *schema, int require_label, const char *file,
                      char **header, int32_t n_header, ingest_plan *out)
{
    memset(out, 0, sizeof *out);
    out->layout = layout;
    out->require_label = require_label;
    out->has_header = layout != INGEST_FORMS;
    int rc = layout == INGEST_FORMS      ? build_forms(run, out)
             : layout == INGEST_KEYWORDS ? build_keywords(run, out, file, header, n_header)
                                         : build_csv(run, out, schema, file, header, n_header);
    if (rc != SB_OK) ingest_plan_free(out);
    return rc;
}
