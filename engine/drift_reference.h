/* drift_reference.h - the training reference (io/drift_ref.h) computed while
 * training: the range of every feature (read before the features are binned
 * in place), then, with the final model, the weighted counts over the model's
 * bins and the training predictions over exact weighted quantile edges.
 * Everything is reduced as int64 (or as exact maxima), so the reference is
 * the same bytes for any number of ranks. */
#ifndef SB_DRIFT_REFERENCE_H
#define SB_DRIFT_REFERENCE_H

#include <stdint.h> /* for int32_t */

#include "engine/booster.h"
#include "io/model.h"
#include "io/table.h"
#include "base/run_ctx.h"

typedef struct {
    int32_t n_feat;
    double *lo, *hi; /* per feature; NaN when every value is missing */
} drift_range;

/* drift_range_compute - the global min and max of every feature of t (NaN
 * left out). Collective; call while t->x still holds the features. */
int drift_range_compute(run_ctx *run, const sb_table *t, drift_range *out);
void drift_range_free(drift_range *r);

/* drift_reference_build - m->reference from the binned training rows b (the
 * table they came from: t, for its weights), the range, and m's trees (the
 * training predictions are computed from the bins, bit-identical to what
 * predict gives for the same rows). Collective; on success m owns it. */
int drift_reference_build(run_ctx *run, const sb_binned *b, const sb_table *t, const drift_range *range, sb_model *m);

#endif
