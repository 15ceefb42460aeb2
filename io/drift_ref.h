/* drift_ref.h - the training reference a model carries for drift monitoring.
 *
 * Stored in the model file under the optional key "reference" (io/model.c):
 *   {"weight_scale": S, "rows": N,
 *    "features": [{"lo": min, "hi": max, "counts": [..], "weighted": [..]}, ...],   (model order)
 *    "scores": {"edges": [..], "counts": [..], "mean": m}}
 * Feature f has n_cuts(f) + 2 bins: the model's value bins 0..n_cuts (bin k
 * holds cuts[k-1] <= x < cuts[k], io/model.h) and, last, the missing (NaN)
 * bin; categorical levels are value bins already. Counts are exact integers
 * reduced as int64 across ranks, so the reference is the same bytes for any
 * number of ranks: "counts" are rows (what drift compares: scoring counts
 * rows), "weighted" (only when the training data had weights) the sum of the
 * rows' weights in fixed point, weight_scale units per weight 1. lo/hi: the
 * training range (null when every value was missing). Scores: the training
 * predictions (after the link) over the bins of n_edges exact quantile
 * edges of the rows (bin j: edges[j-1] <= p < edges[j]; edges may repeat when
 * many rows share a prediction), and their mean.
 * A model without the key (older files, imported models) has no reference. */
#ifndef SB_DRIFT_REF_H
#define SB_DRIFT_REF_H

#include <stdint.h> /* for int32_t, int64_t */

#include "base/run_ctx.h"

/* Score quantile bins: edges at j / DRIFT_SCORE_BINS, j = 1 .. BINS-1. */
#define DRIFT_SCORE_BINS 20

typedef struct drift_ref {
    int64_t weight_scale; /* fixed-point units per weight 1 */
    int64_t rows;         /* training rows counted */
    int32_t n_feat;
    int64_t *bin_start; /* n_feat + 1: feature f's bins are count[bin_start[f] .. bin_start[f+1]) */
    int64_t *count;     /* rows per bin, last bin of each feature = missing */
    int64_t *wcount;    /* weighted counts (same layout), or NULL without weights */
    double *lo, *hi;    /* training range per feature (NaN: no value seen) */
    int32_t n_edges;    /* score bins = n_edges + 1 */
    double *edges;
    int64_t *score_count; /* n_edges + 1 */
    double score_mean;
} drift_ref;

/* drift_ref_alloc - arrays for n_feat features with n_bins[f] bins each and
 * n_edges score edges, zeroed (lo/hi NaN); wcount too when weighted. Local. */
int drift_ref_alloc(run_ctx *run, int32_t n_feat, const int64_t *n_bins, int32_t n_edges, int weighted,
                    drift_ref **out);
void drift_ref_free(drift_ref *r);

/* drift_ref_to_json - the "reference" value as text (malloc'd, no trailing
 * newline), doubles in %.17g (exact round trip). Local. */
int drift_ref_to_json(run_ctx *run, const drift_ref *r, char **out);

#endif
