/* predict_rows.h - the scoring output contract (docs/FORMATS.md):
 *   keywords: entity_id,device,cr
 *   forms:    form_id,completion_rate
 *   generic:  the schema's id columns, then prediction
 * With --contribs each line goes on with the model's features' SHAP
 * contributions, `<feature>_contrib` in the model's feature order, then
 * `bias_contrib` (they sum to the margin: kernels/tree_shap.h).
 * One line per input row, in input order; predictions in shortest round-trip
 * form (kernels/fmt_ryu.h). String ids are quoted only when they must be (RFC 4180). */
#ifndef SB_PREDICT_ROWS_H
#define SB_PREDICT_ROWS_H

#include <stdint.h> /* for int64_t, int32_t */

#include "io/csvz.h"
#include "io/table.h"
#include "base/run_ctx.h"

/* One output column: an id column of the table, or a categorical feature's
 * level names (the keyword file's device when ingest keeps it as a feature). */
typedef struct {
    const char *name;
    const sb_id_col *id; /* or NULL */
    int32_t feat;        /* feature index when id is NULL */
} predict_col;

typedef struct {
    predict_col cols[16];
    int32_t n_cols;
    const char *pred_name; /* "cr", "completion_rate", "prediction" */
    int64_t max_row_bytes; /* upper bound of one formatted line */
    const sb_feature_info *contrib_feat; /* --contribs: the model's features (names), or NULL */
    int32_t n_contrib;                   /* their count; n_contrib + 1 contribution columns */
} predict_rows;

/* predict_rows_plan - choose the columns for t's layout. Local; the same on
 * every rank because the table's schema is. returns SB_OK | SB_EDATA (a
 * contract column missing from the data, naming it and `data_name`). */
int predict_rows_plan(run_ctx *run, const sb_table *t, const char *data_name, predict_rows *out);

/* predict_rows_add_contribs - add the contribution columns of a model with
 * features feat[0 .. n_feat) (names kept by pointer) to the plan. Local;
 * returns SB_OK | SB_EDATA (a feature named "bias", whose column would clash
 * with bias_contrib, or lines too wide), naming `model_name`. */
int predict_rows_add_contribs(run_ctx *run, predict_rows *p, const sb_feature_info *feat, int32_t n_feat,
                              const char *model_name);

/* predict_rows_header - write the header line. Local. */
void predict_rows_header(const predict_rows *p, csvz *w);

/* predict_rows_write_x - lines for local rows [i0, i1) of t with predictions
 * pred[0 .. i1-i0); the feature rows of [i0, i1) are at x (t->n_feat floats
 * each: t->x + i0 * n_feat, or a block streamed from the file), read only for
 * a categorical output column. Local. */
void predict_rows_write_x(const predict_rows *p, const sb_table *t, const float *x, int64_t i0, int64_t i1,
                          const double *pred, csvz *w);
/* The same with the contributions of a plan with contribution columns:
 * contrib[(i - i0) * (n_contrib + 1) + j] for local row i. Local. */
void predict_rows_write_xc(const predict_rows *p, const sb_table *t, const float *x, int64_t i0, int64_t i1,
                           const double *pred, const double *contrib, csvz *w);

#endif
