/* predict_contribs.c - TreeSHAP over blocks of rows for predict --contribs. */
#include "jobs/predict_contribs.h"

#include <math.h>   /* for isfinite */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset */

#include "base/alloc.h"
#include "base/error.h"

/* A tree whose root splits must carry covers: without them every branch
 * would weigh the same and the contributions would mean nothing. */
static int check_covers(run_ctx *run, const sb_model *m, const char *model_name)
{
    for (int32_t t = 0; t < m->n_trees; ++t) {
        const sb_node *root = &m->nodes[m->tree_start[t]];
        if (root->feat >= 0 && !(root->cover > 0 && isfinite(root->cover)))
            return SB_FAIL(run, SB_EDATA,
                           "%s: tree %d has no node cover (sum of hessians, %g at its root); --contribs needs the "
                           "covers (an XGBoost model saved without sum_hessian?)",
                           model_name, t, root->cover);
    }
    return SB_OK;
}

int predict_contribs_init(run_ctx *run, const sb_model *m, const char *model_name, predict_contribs *c)
{
    int rc = SB_OK;
    int32_t *depth = NULL;
    memset(c, 0, sizeof *c);
    SB_CHECK(run, check_covers(run, m, model_name));
    const sb_forest f = model_forest(m);
    int64_t most = 1;
    for (int32_t t = 0; t < m->n_trees; ++t)
        if (m->tree_start[t + 1] - m->tree_start[t] > most) most = m->tree_start[t + 1] - m->tree_start[t];
    SB_ALLOC_OR_OUT(run, depth, (size_t)most, sizeof *depth);
    const int32_t D = tree_shap_max_depth(&f, depth);
    c->n_feat = m->n_feat;
    SB_ALLOC_OR_OUT(run, c->mean, (size_t)(m->n_trees > 0 ? m->tree_start[m->n_trees] : 0) + 1, sizeof *c->mean);
    SB_ALLOC_OR_OUT(run, c->scratch.path, (size_t)tree_shap_path_elems(D, m->n_feat), sizeof *c->scratch.path);
    SB_ALLOC_OR_OUT(run, c->scratch.stack, (size_t)D + 1, sizeof *c->scratch.stack);
    SB_ALLOC_OR_OUT(run, c->row, (size_t)m->n_feat + 1, sizeof *c->row);
    SB_ALLOC_OR_OUT(run, c->phi, (size_t)PREDICT_BLOCK_ROWS * ((size_t)m->n_feat + 1), sizeof *c->phi);
    tree_shap_node_means(&f, c->mean);
out:
    free(depth);
    if (rc != SB_OK) predict_contribs_free(c);
    return rc;
}

void predict_contribs_rows(predict_contribs *c, const predict_scorer *s, const float *x, int32_t x_cols, int64_t n)
{
    const int32_t nf = c->n_feat;
    for (int64_t i = 0; i < n; ++i) {
        const float *row = x + i * x_cols;
        if (!s->identity || s->code_lim) { /* the model's feature order, as the scorer gathers it */
            for (int32_t f = 0; f < nf; ++f) c->row[f] = predict_scorer_value(s, row, f);
            row = c->row;
        }
        tree_shap_row(&s->forest, c->mean, s->base_margin, row, nf, c->phi + i * (nf + 1), &c->scratch);
    }
}

void predict_contribs_free(predict_contribs *c)
{
    free(c->mean);
    free(c->scratch.path);
    free(c->scratch.stack);
    free(c->row);
    free(c->phi);
    memset(c, 0, sizeof *c);
}
