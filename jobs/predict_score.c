/* predict_score.c - model/data matching and blocked scoring. */
#include "jobs/predict_score.h"

#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp */

#include "io/cat_feature.h"
#include "io/foreign_model.h"
#include "kernels/objective.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

int predict_load_model(run_ctx *run, const char *path, sb_model *m)
{
    return predict_load_model_ref(run, path, m, NULL, NULL);
}

int predict_load_model_ref(run_ctx *run, const char *text, sb_model *m, model_ref *ref, uint32_t *crc)
{
    model_ref r;
    uint32_t c = 0;
    memset(&r, 0, sizeof r);
    int rc = SB_OK;
    if (run_rank(run) == 0) { /* one look at the stage: every rank reads the same version */
        rc = model_ref_resolve(run, text, &r);
        if (rc == SB_OK && crc != NULL) rc = model_file_crc32(run, r.path, &c);
    }
    SB_TRY(run, run_agree_rc(run, rc));
    SB_TRY(run, comm_bcast(run, &r, (int64_t)sizeof r, 0));
    SB_TRY(run, comm_bcast(run, &c, (int64_t)sizeof c, 0));
    SB_TRY(run, run_agree_rc(run, model_read_any(run, r.path, m))); /* shardboost's format or XGBoost JSON */
    if (ref != NULL) *ref = r;
    if (crc != NULL) *crc = c;
    return SB_OK;
}

sb_source predict_source(const sb_model *m, const char *const *paths, int n_paths, const char *layout,
                         const char *schema, int require_label)
{
    sb_source s = {0};
    s.paths = paths;
    s.n_paths = n_paths;
    size_t n = strlen(paths[0]);
    int h5 = n >= 3 && strcmp(paths[0] + n - 3, ".h5") == 0;
    s.layout = h5 ? NULL : (layout != NULL ? layout : m->layout);
    s.schema = schema;
    s.require_label = require_label;
    s.levels_from = m->feat;
    s.n_levels_from = m->n_feat;
    return s;
}

/* The layout's arrays, sized by the kernel's measure (kernels do not allocate). */
static int layout_alloc(run_ctx *run, const sb_forest *f, tree_layout *L)
{
    size_t nt = (size_t)(f->n_trees > 0 ? f->n_trees : 1);
    L->n_trees = f->n_trees;
    L->depth = sb_alloc(run, nt, sizeof *L->depth);
    L->node_off = sb_alloc(run, nt, sizeof *L->node_off);
    L->leaf_off = sb_alloc(run, nt, sizeof *L->leaf_off);
    if (!L->depth || !L->node_off || !L->leaf_off) return SB_ENOMEM;
    int64_t n_inner = 0, n_leaf = 0;
    tree_layout_measure(f, L->depth, &n_inner, &n_leaf);
    L->feat = sb_alloc(run, (size_t)n_inner + 1, sizeof *L->feat);
    L->thr = sb_alloc(run, (size_t)n_inner + 1, sizeof *L->thr);
    L->dright = sb_alloc(run, (size_t)n_inner + 1, sizeof *L->dright);
    L->leaf = sb_alloc(run, (size_t)n_leaf + 1, sizeof *L->leaf);
    L->kcol = sb_alloc(run, (size_t)n_inner + 1, sizeof *L->kcol);
    L->kthr = sb_alloc(run, (size_t)n_inner + 1, sizeof *L->kthr);
    if (!L->feat || !L->thr || !L->dright || !L->leaf || !L->kcol || !L->kthr) return SB_ENOMEM;
    return SB_OK;
}

static void layout_free(tree_layout *L)
{
    free(L->depth);
    free(L->node_off);
    free(L->leaf_off);
    free(L->feat);
    free(L->thr);
    free(L->dright);
    free(L->leaf);
    free(L->kcol);
    free(L->kthr);
    memset(L, 0, sizeof *L);
}

int predict_scorer_init(run_ctx *run, const sb_model *m, const char *model_name, const sb_table *t,
                        const char *data_name, predict_scorer *s)
{
    int rc = SB_OK;
    memset(s, 0, sizeof *s);
    if (m->layout != NULL && t->layout != NULL && strcmp(m->layout, t->layout) != 0)
        return SB_FAIL(run, SB_EDATA, "%s has the '%s' layout but model %s was trained on the '%s' layout", data_name,
                       t->layout, model_name, m->layout);
    SB_ALLOC_OR_OUT(run, s->col_of, (size_t)(m->n_feat > 0 ? m->n_feat : 1), sizeof *s->col_of);
    s->identity = t->n_feat == m->n_feat;
    for (int32_t f = 0; f < m->n_feat; ++f) {
        int32_t c = table_find_feature(t, m->feat[f].name);
        if (c < 0)
            SB_RAISE(run, SB_EDATA, "%s: no column '%s', a feature of model %s (%d features)", data_name,
                     m->feat[f].name, model_name, (int)m->n_feat);
        if (m->feat[f].n_levels > 0 && t->feat[c].n_levels == 0 && cat_feature_int_coded(&m->feat[f])) {
            if (!s->code_lim) SB_ALLOC_OR_OUT(run, s->code_lim, (size_t)m->n_feat, sizeof *s->code_lim);
            s->code_lim[f] = (float)m->feat[f].n_levels; /* the values are the codes */
        } else if ((m->feat[f].n_levels > 0) != (t->feat[c].n_levels > 0))
            SB_RAISE(run, SB_EDATA, "%s: column '%s' is %s but model %s treats it as %s", data_name, m->feat[f].name,
                     t->feat[c].n_levels > 0 ? "categorical" : "numeric", model_name,
                     m->feat[f].n_levels > 0 ? "categorical" : "numeric");
        s->col_of[f] = c;
        if (c != f) s->identity = 0;
    }
    if (!s->identity || s->code_lim)
        SB_ALLOC_OR_OUT(run, s->xbuf, (size_t)PREDICT_BLOCK_ROWS * (size_t)(m->n_feat > 0 ? m->n_feat : 1),
                        sizeof(float));
    s->forest = model_forest(m);
    SB_CHECK(run, layout_alloc(run, &s->forest, &s->layout));
    tree_layout_fill(&s->forest, &s->layout);
    s->base_margin = m->base_margin;
    s->objective = m->params.objective;
    s->n_feat = m->n_feat;
out:
    if (rc != SB_OK) predict_scorer_free(s);
    return rc;
}

void predict_scorer_rows(predict_scorer *s, const float *x, int32_t x_cols, int64_t n, double *pred)
{
    if (!s->identity || s->code_lim) {
        for (int64_t i = 0; i < n; ++i) {
            const float *row = x + i * x_cols;
            float *dst = s->xbuf + i * s->n_feat;
            for (int32_t f = 0; f < s->n_feat; ++f) dst[f] = predict_scorer_value(s, row, f);
        }
        x = s->xbuf;
    }
    tree_layout_margin(&s->layout, &s->forest, s->base_margin, x, n, s->n_feat, pred);
    objective_link(s->objective, pred, pred, n);
}

void predict_scorer_free(predict_scorer *s)
{
    free(s->col_of);
    free(s->xbuf);
    free(s->code_lim);
    s->code_lim = NULL;
    layout_free(&s->layout);
    s->col_of = NULL;
    s->xbuf = NULL;
}
