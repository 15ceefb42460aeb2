/* cat_feature.h - the categorical_feature parameter (LightGBM's name): make
 * numeric columns categorical at training, their integer values the level
 * codes (LightGBM's integer-coded categories).
 *
 * Text: names or 0-based indices, comma separated, optionally in [ ] or ( ),
 * names optionally quoted, optionally LightGBM's "name:" prefix:
 *   city,channel   [3, 7]   ["city", "channel"]   name:city,channel   "" = none
 * A listed column must hold integers 0..CAT_FEATURE_MAX_CODE (or missing); it
 * gets the levels "0", "1", ..., "max" (max over all ranks), so the code is
 * the value and binning, the model's levels, dump and the exports need
 * nothing new. Scoring a numeric column with such a model: the value is the
 * code; a value that is no code of the model's levels scores as missing (the
 * unseen-level policy). */
#ifndef SB_CAT_FEATURE_H
#define SB_CAT_FEATURE_H

#include <stddef.h> /* for size_t */

#include "io/constraints_text.h" /* for cons_list */
#include "io/level_codes.h"
#include "io/table.h"
#include "base/run_ctx.h"

/* Largest code: native categoricals take at most 255 levels (kernels/split_cat.h). */
#define CAT_FEATURE_MAX_CODE 254

/* cat_feature_parse - the text into *out (names or indices; value unused).
 * 0, -1 with a message in err, -2 out of memory. Free with cons_list_free. Local. */
int cat_feature_parse(const char *text, cons_list *out, char *err, size_t err_len);

/* cat_feature_apply - Collective. Make the columns text lists categorical
 * in t (checked on every rank, max code agreed); errors name the parameter
 * and the column, a bad value its global row (1-based data row). The status
 * is agreed. *n_made: columns made categorical. */
int cat_feature_apply(run_ctx *run, const char *text, sb_table *t, int32_t *n_made);

/* cat_feature_int_coded: io/level_codes.h (no MPI, so serve's request parser links it alone). */

/* cat_feature_adopt - Local. For each numeric column of t that is an
 * integer-coded categorical of ref (a training table's or a model's
 * features): give it ref's levels and make every value that is no code of
 * them missing (NaN), as scoring does. For validation data. */
int cat_feature_adopt(run_ctx *run, sb_table *t, const sb_feature_info *ref, int32_t n_ref);

#endif
