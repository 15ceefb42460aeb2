/* predict_contribs.h - `predict --contribs`: each row's SHAP contributions
 * (kernels/tree_shap.h) for a scorer's model, block by block. Per row, so
 * ranks need nothing from each other: the contributions of a row are the
 * same bits on any number of ranks. */
#ifndef SB_PREDICT_CONTRIBS_H
#define SB_PREDICT_CONTRIBS_H

#include <stdint.h> /* for int32_t, int64_t */

#include "io/model.h"
#include "jobs/predict_score.h"
#include "kernels/tree_shap.h"
#include "base/run_ctx.h"

typedef struct {
    int32_t n_feat;            /* model features; a row has n_feat + 1 values, the bias last */
    double *mean;              /* per node: cover-weighted mean leaf value below it */
    tree_shap_scratch scratch; /* sized for the model's deepest tree */
    float *row;                /* one row in the model's feature order */
    double *phi;               /* PREDICT_BLOCK_ROWS * (n_feat + 1) */
} predict_contribs;

/* predict_contribs_init - node means and scratch for model m. Local; the
 * caller agrees the status. returns SB_OK | SB_EDATA (a tree without node
 * covers, e.g. an imported model saved without sum_hessian: TreeSHAP needs
 * them; names `model_name`) | SB_ENOMEM. */
int predict_contribs_init(run_ctx *run, const sb_model *m, const char *model_name, predict_contribs *c);

/* predict_contribs_rows - c->phi = contributions of the n <= PREDICT_BLOCK_ROWS
 * rows at x (x_cols floats each, the table's columns; s maps them to the
 * model's features, as predict_scorer_rows does). Local, no allocation. */
void predict_contribs_rows(predict_contribs *c, const predict_scorer *s, const float *x, int32_t x_cols, int64_t n);

void predict_contribs_free(predict_contribs *c);

#endif
