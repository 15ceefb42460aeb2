/* serve_model.c - load, score, reference-count and swap the served model. */
#include "jobs/serve_model.h"

#include <jansson.h> /* for the /v1/models entry */
#include <limits.h>  /* for PATH_MAX */
#include <stdio.h>   /* for snprintf */
#include <stdlib.h>  /* for free */
#include <string.h>  /* for strcmp, memset */

#include "kernels/objective.h"
#include "base/error.h"
#include "base/alloc.h"

static void model_destroy(serve_model *m)
{
    if (m == NULL) return;
    predict_scorer_free(&m->scorer);
    serve_schema_free(&m->schema);
    model_free(&m->m);
    free(m->info_json);
    free(m);
}

/* {"name","version","ref","path","checksum","layout","objective","trees","features":[...]} */
static char *info_json(const serve_model *s, const char *text)
{
    json_t *feats = json_array();
    for (int32_t f = 0; f < s->m.n_feat; ++f) json_array_append_new(feats, json_string(s->m.feat[f].name));
    json_t *ids = json_array();
    for (int32_t i = 0; i < s->m.n_ids; ++i) json_array_append_new(ids, json_string(s->m.id_names[i]));
    char crc[16];
    snprintf(crc, sizeof crc, "%08x", (unsigned)s->crc);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:i,s:o,s:o}", "name", s->name, "version", s->version, "ref",
                          text, "path", s->ref.path, "checksum", crc, "layout", s->m.layout, "objective",
                          objective_name(s->m.params.objective), "trees", (int)s->m.n_trees, "features", feats, "ids", ids);
    char *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return out;
}

/* The scorer over a table that is the model's own feature list: identity
 * column order, so no gather buffer and nothing written while scoring. */
static int build_scorer(run_ctx *run, serve_model *s, const char *label)
{
    sb_table t;
    memset(&t, 0, sizeof t);
    t.layout = s->m.layout;
    t.n_feat = s->m.n_feat;
    t.feat = s->m.feat;
    SB_TRY(run, predict_scorer_init(run, &s->m, label, &t, label, &s->scorer));
    if (!s->scorer.identity) return SB_FAIL(run, SB_EDATA, "model %s: duplicate feature names", label);
    int strict = s->m.layout != NULL && strcmp(s->m.layout, "keywords") == 0; /* fixed device levels */
    if (serve_schema_init(&s->schema, s->m.n_feat, s->m.feat, s->m.n_ids, s->m.id_names, strict) != 0)
        return SB_FAIL(run, SB_ENOMEM, "model %s: out of memory for the request schema", label);
    return SB_OK;
}

int serve_model_load(run_ctx *run, const char *text, serve_model **out)
{
    int rc = SB_OK;
    char label[PATH_MAX + 64];
    serve_model *s = NULL;
    *out = NULL;
    SB_ALLOC_OR_OUT(run, s, 1, sizeof *s);
    atomic_init(&s->refs, 1);
    SB_CHECK(run, model_ref_resolve(run, text, &s->ref));
    SB_CHECK(run, model_file_crc32(run, s->ref.path, &s->crc));
    SB_CHECK(run, model_read(run, s->ref.path, &s->m));
    model_ref_label(&s->ref, label, sizeof label);
    SB_CHECK(run, build_scorer(run, s, label));
    snprintf(s->name, sizeof s->name, "%s", s->ref.name);
    if (s->ref.kind == REF_PATH) snprintf(s->version, sizeof s->version, "-");
    else snprintf(s->version, sizeof s->version, "v%d", (int)s->ref.version);
    if ((s->info_json = info_json(s, text)) == NULL) SB_RAISE(run, SB_ENOMEM, "model %s: out of memory", label);
    *out = s;
    s = NULL;
out:
    model_destroy(s);
    return rc;
}

void serve_model_release(serve_model *m)
{
    if (m != NULL && atomic_fetch_sub(&m->refs, 1) == 1) model_destroy(m);
}

void serve_model_score(serve_model *m, const float *x, int64_t n, double *pred)
{
    const int32_t nf = m->m.n_feat;
    for (int64_t i = 0; i < n; i += PREDICT_BLOCK_ROWS) {
        int64_t k = n - i < PREDICT_BLOCK_ROWS ? n - i : PREDICT_BLOCK_ROWS;
        predict_scorer_rows(&m->scorer, x + i * nf, nf, k, pred + i);
    }
}

void serve_slot_init(serve_slot *s, serve_model *first)
{
    pthread_mutex_init(&s->mu, NULL);
    s->cur = first;
}

serve_model *serve_slot_acquire(serve_slot *s)
{
    pthread_mutex_lock(&s->mu);
    serve_model *m = s->cur;
    if (m != NULL) atomic_fetch_add(&m->refs, 1);
    pthread_mutex_unlock(&s->mu);
    return m;
}

void serve_slot_swap(serve_slot *s, serve_model *m)
{
    pthread_mutex_lock(&s->mu);
    serve_model *old = s->cur;
    s->cur = m;
    pthread_mutex_unlock(&s->mu);
    serve_model_release(old); /* in-flight requests still hold theirs */
}

void serve_slot_destroy(serve_slot *s)
{
    serve_slot_swap(s, NULL);
    pthread_mutex_destroy(&s->mu);
}
