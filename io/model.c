/* model.c - model file: JSON writer with a trailing CRC-32, atomic write by
 * rank 0 (the validating reader is io/model_read.c). Format documented in io/model.h. */
#include "io/model.h"

#include <errno.h>  /* for errno */
#include <math.h>   /* for isfinite */
#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for FILE, vsnprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, strerror */
#include <unistd.h> /* for getpid, unlink */
#include <zlib.h>   /* for crc32 */

#include "io/atomic_file.h"
#include "kernels/split_cat.h"
#include "base/version.h" /* for SB_VERSION: created_by */
#include "io/drift_ref.h"
#include "base/json_str.h"
#include "io/json_field.h" /* for jf_utf8_check */
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"


/* First size of the model text buffer (doubles as it grows). */
#define SBUF_FIRST_CAP ((size_t)64 << 10)
/* Longest temporary path of a model being written. */
#define MODEL_PATH_MAX 4096

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

/* A tree's "categories" (only a tree with categorical splits has the key, so
 * other models' bytes stay as they were): [[node, [level codes going left]], ...]. */
static void put_categories(sbuf *b, const sb_model *m, int32_t t)
{
    const uint64_t *cats = model_tree_cats(m, t);
    if (!cats || m->cat_start[t + 1] == m->cat_start[t]) return;
    sb_printf(b, ",\n     \"categories\": [");
    int first = 1;
    for (int64_t k = m->tree_start[t]; k < m->tree_start[t + 1]; ++k) {
        const sb_node *nd = &m->nodes[k];
        if (nd->feat < 0 || nd->cat <= 0) continue;
        sb_printf(b, "%s[%lld, [", first ? "" : ", ", (long long)(k - m->tree_start[t]));
        first = 0;
        const uint64_t *set = cats + SPLIT_CAT_WORDS * (int64_t)(nd->cat - 1);
        for (int32_t c = 0, n = 0; c < 64 * SPLIT_CAT_WORDS; ++c)
            if (split_cat_has(set, c)) sb_printf(b, "%s%d", n++ ? ", " : "", c);
        sb_printf(b, "]]");
    }
    sb_printf(b, "]");
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
        sb_printf(b, "]");
        put_categories(b, m, t);
        sb_printf(b, "}%s\n", t + 1 < m->n_trees ? "," : "");
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

/* Every text the model file holds is UTF-8: a column name with a byte like 0xff
 * (a Latin-1 CSV header) made a file that no JSON reader, ours included, reads. */
static int check_texts(run_ctx *run, const sb_model *m)
{
    SB_TRY(run, jf_utf8_check(run, m->layout ? m->layout : "", "model: layout"));
    SB_TRY(run, jf_utf8_check(run, m->label_name ? m->label_name : "", "model: label name"));
    for (int32_t i = 0; i < m->n_ids; ++i) SB_TRY(run, jf_utf8_check(run, m->id_names[i], "model: id column"));
    for (int32_t f = 0; f < m->n_feat; ++f) {
        SB_TRY(run, jf_utf8_check(run, m->feat[f].name ? m->feat[f].name : "", "model: feature %d name", f + 1));
        for (int32_t l = 0; l < m->feat[f].n_levels; ++l)
            SB_TRY(run, jf_utf8_check(run, m->feat[f].levels[l], "model: feature '%s' level", m->feat[f].name));
    }
    return SB_OK;
}

int model_to_json(run_ctx *run, const sb_model *m, char **out, int64_t *len)
{
    int rc = SB_OK;
    sbuf b = {0};
    SB_TRY(run, check_texts(run, m));
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
    sb_forest f = {m->nodes, m->tree_start, m->n_trees, m->cat_bits, m->cat_start};
    return f;
}

const uint64_t *model_tree_cats(const sb_model *m, int32_t t)
{
    return m->cat_bits ? m->cat_bits + SPLIT_CAT_WORDS * m->cat_start[t] : NULL;
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
    free(m->cat_bits);
    free(m->cat_start);
    free(m->train_metric);
    free(m->valid_metric);
    drift_ref_free(m->reference);
    memset(m, 0, sizeof *m);
}
