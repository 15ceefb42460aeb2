/* foreign_model.h - shardboost models in other libraries' formats and back.
 *
 * Export: XGBoost 1.7 JSON (what Booster.save_model("m.json") writes, the
 * field list in shared/docs/XGBOOST-JSON.md) and LightGBM's text model.
 * Import: XGBoost JSON or UBJSON (gbtree, numerical splits) into an sb_model that the
 * ordinary kernels score, so imported models run the same vector walk.
 *
 * Split rules. shardboost and XGBoost both go left iff float32(x) < thr with a
 * float32 thr, so thresholds travel unchanged. LightGBM goes left iff
 * double(x) <= thr; for float32 x, x < t is x <= the largest float below t,
 * so the LightGBM writer stores nextafterf(t, -inf).
 *
 * An imported model knows its features only by XGBoost's names (or by
 * position, when the file has none): its layout is "" ("not bound to a
 * layout") until model_bind_table() gives it the data's names, layout, id
 * columns and level lists. All functions are Local. */
#ifndef SB_FOREIGN_MODEL_H
#define SB_FOREIGN_MODEL_H

#include "base/run_ctx.h" /* for run_ctx */
#include "io/model.h"
#include "io/table.h"

typedef enum { MODEL_KIND_SHARDBOOST = 0, MODEL_KIND_XGB_JSON = 1, MODEL_KIND_XGB_UBJSON = 2 } model_kind;

/* Largest foreign model file read (bytes): a bound on memory for a bad path. */
#define FOREIGN_MODEL_MAX_BYTES ((long long)1 << 31)

/* model_file_kind - look at the first bytes of path. returns SB_OK and *kind,
 * or SB_EIO naming the file. */
int model_file_kind(run_ctx *run, const char *path, model_kind *kind);

/* model_read_any - model_read for a shardboost model, xgb_import_file for an
 * XGBoost JSON or UBJSON one. */
int model_read_any(run_ctx *run, const char *path, sb_model *out);

/* xgb_import_file - parse and validate an XGBoost JSON or UBJSON model
 * (io/ubjson.h; size and depth bounded), refuse what shardboost cannot score exactly (dart,
 * gblinear, multi-class, categorical splits, unknown objectives); errors name
 * the file and the JSON field. Features unnamed in the file get name "".
 * On error *out is zeroed. */
int xgb_import_file(run_ctx *run, const char *path, sb_model *out);

/* model_bind_table - for an imported (unbound) model: name unnamed features
 * after t's columns by position (with a warning), refuse a split on a column
 * t lacks, take t's layout, label, id names and level lists (XGBoost saw the
 * level codes as numbers). No-op for a model that has a layout. */
int model_bind_table(run_ctx *run, sb_model *m, const char *model_name, const sb_table *t, const char *data_name);

typedef struct {
    int feature_names; /* 1: write learner/feature_names (default) */
} xgb_export_opts;

/* xgb_export_write - write m as XGBoost JSON to path (via path.tmp.PID and a
 * rename: a failure leaves nothing under path). Refuses a feature name XGBoost
 * rejects, naming it. */
int xgb_export_write(run_ctx *run, const sb_model *m, const xgb_export_opts *o, const char *path);

/* lgbm_export_write - write m as a LightGBM text model (version v3) to path,
 * atomically as above. The base margin is folded into tree 0's leaves
 * (LightGBM has no base score). Refuses a feature name with whitespace. */
int lgbm_export_write(run_ctx *run, const sb_model *m, const char *path);

#endif
