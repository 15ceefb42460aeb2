/* predict_score.h - a model applied to a table, block by block, shared by
 * `predict` and `evaluate`.
 *
 * The model's features are matched to the table's columns by name (a CSV may
 * hold them in another order, or extra columns); rows are gathered into the
 * model's order only when the orders differ. Predictions use the same
 * kernels and arithmetic as training (kernels/tree_predict.h: base margin,
 * then trees in order, in double; then objective_link), so they equal the
 * in-memory predictions training computed, bit for bit, on any rank count. */
#ifndef SB_PREDICT_SCORE_H
#define SB_PREDICT_SCORE_H

#include <math.h>   /* for NAN */
#include <stdint.h> /* for int32_t, int64_t */

#include "io/model.h"
#include "io/model_ref.h"
#include "io/source.h"
#include "io/table.h"
#include "kernels/tree_predict.h"
#include "base/run_ctx.h"

/* Rows per block: predictions and gathered features stay in L2. */
#define PREDICT_BLOCK_ROWS 4096

typedef struct {
    sb_forest forest;
    tree_layout layout;   /* complete-tree copy: branch-free traversal */
    double base_margin;
    sb_objective objective;
    int32_t n_feat;   /* model features */
    int32_t *col_of;  /* model feature f is table column col_of[f] */
    int identity;     /* col_of[f] == f for all f and same width: no gather */
    float *xbuf;      /* PREDICT_BLOCK_ROWS * n_feat when gathering */
    /* n_feat, or NULL when no such column: a numeric data column scored by an
     * integer-coded categorical of the model (io/cat_feature.h) has its
     * level count here; a value from it on is no code and becomes missing
     * (the unseen-level policy); rows are then always gathered. */
    float *code_lim;
} predict_scorer;

/* Model feature f's value from the table row `row` (gathered order, codes
 * out of the levels made missing). Local. */
static inline float predict_scorer_value(const predict_scorer *s, const float *row, int32_t f)
{
    const float v = row[s->col_of[f]];
    return s->code_lim != NULL && s->code_lim[f] > 0.0f && !(v < s->code_lim[f]) ? NAN : v;
}

/* predict_load_model - Collective. Every rank reads and validates the model
 * (io/model.h: format, version, crc32, structure; or an XGBoost JSON model,
 * io/foreign_model.h, bound to the data by model_bind_table); the status is agreed. */
int predict_load_model(run_ctx *run, const char *path, sb_model *m);
/* predict_load_model_ref - the same for any --model text (a path or a
 * registry reference, io/model_ref.h): rank 0 resolves it once (a stage
 * read once), every rank reads that version. ref / crc (the model file's
 * CRC-32) may be NULL. Collective, agreed. */
int predict_load_model_ref(run_ctx *run, const char *text, sb_model *m, model_ref *ref, uint32_t *crc);

/* predict_source - the sb_source for scoring data with model m: layout
 * defaults to the model's (CSV input), categorical levels come from the
 * model. Local; paths must outlive the source. */
sb_source predict_source(const sb_model *m, const char *const *paths, int n_paths, const char *layout,
                         const char *schema, int require_label);

/* predict_scorer_init - match the model to the table. Local; the caller
 * agrees the status (the schema is equal on all ranks, so is the verdict).
 * returns SB_OK | SB_EDATA naming `data_name` and the model: different
 * layout, missing feature column, numeric vs categorical (a numeric column
 * is taken for a model feature whose levels are "0".."n-1", io/cat_feature.h:
 * its values are the codes) | SB_ENOMEM. */
int predict_scorer_init(run_ctx *run, const sb_model *m, const char *model_name, const sb_table *t,
                        const char *data_name, predict_scorer *s);

/* predict_scorer_rows - pred[0 .. n) = predictions (after the link) of the
 * n <= PREDICT_BLOCK_ROWS rows at x, x_cols (the table's n_feat) floats each:
 * a block of the table's x, or one streamed from the file (io/source.h).
 * Local, no allocation. */
void predict_scorer_rows(predict_scorer *s, const float *x, int32_t x_cols, int64_t n, double *pred);

void predict_scorer_free(predict_scorer *s);

#endif
