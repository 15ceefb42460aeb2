/* model.h - the trained model and its file format.
 *
 * File: JSON text, format "shardboost-model", version SB_MODEL_VERSION,
 * written by rank 0 to "<path>.tmp.<pid>" and renamed (atomic). Top-level keys,
 * in this order:
 *   format, version, created_by,
 *   objective, base_score (prediction space), base_margin (margin space),
 *   params {canonical key: value},
 *   layout, label_name, id_names [..],
 *   features [{name, levels [..] or null, cuts [..]}]   (bin upper edges: bin k
 *            holds cuts[k-1] <= x < cuts[k]; the last bin is x >= cuts[n-1];
 *            NaN has its own bin),
 *   data {rows, rows_read, dropped_zero_trials, fingerprint (hex, rank-count
 *         invariant hash of rows), sum_weight},
 *   training {rounds, best_iteration, metric, weighted,
 *             train_metric [per round], valid_metric [per round] or null},
 *   trees [{nodes: [[feat, left, right, default_left, bin, threshold, value,
 *           gain, cover], ...]}]   (feat -1 = leaf),
 *           a tree with native categorical splits (enable_categorical) adds
 *           "categories": [[node, [level codes going left]], ...] (bin 0 and
 *           threshold 0.5 of such a node mean nothing),
 *   reference {..} (optional: the training reference for drift, io/drift_ref.h),
 *   crc32 (hex CRC-32 of every byte before the line holding "crc32").
 * Doubles use %.17g, floats %.9g: they read back bit-exactly. */
#ifndef SB_MODEL_H
#define SB_MODEL_H

#include <stdint.h> /* for int32_t, int64_t, uint64_t */

#include "io/table.h"
#include "io/params.h"
#include "kernels/tree_predict.h"
#include "base/run_ctx.h"

#define SB_MODEL_FORMAT "shardboost-model"
#define SB_MODEL_VERSION 1
/* Largest model file read (the reader parses its text whole; jansson's tree costs
 * about five times the text). Also keeps the crc32's length inside zlib's uInt. */
#define SB_MODEL_MAX_BYTES ((int64_t)1 << 30)

typedef struct {
    sb_params params;
    double base_score;  /* prediction space */
    double base_margin; /* objective_margin_of(base_score) */

    /* The data contract: what predict needs to read and write rows. */
    char *layout;     /* "keywords" | "forms" | "csv" */
    char *label_name; /* e.g. "cr" */
    int32_t n_ids;
    char **id_names;
    int32_t n_feat;
    sb_feature_info *feat; /* names and categorical levels */

    /* Bin cuts per feature: feature f has cut_start[f+1]-cut_start[f] cuts. */
    int64_t *cut_start; /* n_feat + 1 */
    float *cuts;

    /* Trees, flat (see kernels/tree_predict.h). */
    int32_t n_trees;
    int64_t *tree_start; /* n_trees + 1 */
    sb_node *nodes;
    /* Level sets of the categorical nodes (node.cat k > 0: set k - 1 of its
     * tree), SPLIT_CAT_WORDS uint64 each, tree t's from set cat_start[t]
     * (n_trees + 1); both NULL when no tree has a categorical split. */
    uint64_t *cat_bits;
    int64_t *cat_start;

    /* Training record. */
    int32_t n_rounds_done;  /* rounds trained (before early-stopping truncation) */
    int32_t best_iteration; /* 0-based; trees kept = best_iteration + 1 */
    sb_metric_kind metric;
    int weighted_metric;
    double *train_metric; /* n_rounds_done values */
    double *valid_metric; /* n_rounds_done values, or NULL without validation */

    /* Data fingerprint (rank-count invariant). */
    int64_t n_rows;
    int64_t rows_read;
    int64_t dropped_zero_trials;
    uint64_t fingerprint;
    double sum_weight;

    struct drift_ref *reference; /* training reference for drift (io/drift_ref.h), or NULL */
} sb_model;

/* The forest view of the model's trees for kernels/tree_predict.h. Local. */
sb_forest model_forest(const sb_model *m);
/* Tree t's level sets (kernels/split_cat.h), or NULL when the model has none. Local. */
const uint64_t *model_tree_cats(const sb_model *m, int32_t t);

/* model_write - write the model file atomically.
 * Collective: rank 0 writes "<path>.tmp.<pid>", checks every write and the
 * close, renames it to path; the status is agreed so every rank returns the
 * same code. On failure no file named path is created or replaced. */
int model_write(run_ctx *run, const sb_model *m, const char *path);

/* model_read - read and validate a model file. Local (every rank may call
 * it). Checks format, version, the crc32 (corruption or truncation) and the
 * internal consistency (child indices, feature indices, cut counts); errors
 * name the file ("model.json: truncated or corrupt (crc32 mismatch)").
 * On error *out is zeroed. */
int model_read(run_ctx *run, const char *path, sb_model *out);

/* model_to_json - the file's bytes in memory (malloc'd, NUL-terminated).
 * Local. Used by model_write and by tests comparing models. */
int model_to_json(run_ctx *run, const sb_model *m, char **out, int64_t *len);
/* model_from_json - parse bytes (name used in messages). Local. */
int model_from_json(run_ctx *run, const char *text, int64_t len, const char *name, sb_model *out);
/* model_check (io/model_check.c) - what the readers rely on beyond the parser: finite
 * base score, features named and unique, metric history present, nodes forming trees
 * of bounded depth. SB_OK or SB_EDATA naming `name` and the key/feature/node. Local. */
int model_check(run_ctx *run, const sb_model *m, const char *name);

/* model_free - free everything and zero. Local. */
void model_free(sb_model *m);

#endif
