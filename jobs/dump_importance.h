/* dump_importance.h - `dump --importance [TYPE]`: per-feature importance of
 * a model's kept trees, XGBoost's five types (Booster.get_score):
 *   weight       number of splits on the feature
 *   total_gain   sum of the splits' gains (loss reductions)
 *   gain         total_gain / weight
 *   total_cover  sum of the splits' covers (sums of training hessians)
 *   cover        total_cover / weight
 * Features without a split are left out, as XGBoost leaves them out. */
#ifndef SB_DUMP_IMPORTANCE_H
#define SB_DUMP_IMPORTANCE_H

#include "io/model.h"
#include "base/run_ctx.h"

/* dump_importance_type - the type named s: 0..4 in the order above, -1 if none. */
int dump_importance_type(const char *s);
/* The names for messages: "weight, gain, cover, total_gain or total_cover". */
extern const char dump_importance_types[];

/* dump_importance_print - type < 0: the table of every type, sorted by total
 * gain; else one "  feature value" line per feature for that type, highest
 * first (ties by feature order), values in %.17g. Local (rank 0 prints).
 * returns SB_OK | SB_ENOMEM. */
int dump_importance_print(run_ctx *run, const sb_model *m, int type);

#endif
