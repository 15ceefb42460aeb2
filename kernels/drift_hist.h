/* drift_hist.h - the counting kernels of drift monitoring: values over a
 * model's bins, predictions over quantile edges, exact fixed-point sums, and
 * the distances between two count vectors (PSI, Jensen-Shannon).
 *
 * Bins follow kernels/binning.h: a value's bin is the number of cuts <= x
 * (the threshold rule the trees use), and feature f has n_cuts + 2 bins, the
 * last one for NaN. Counts are int64 so sums over ranks are exact and do not
 * depend on how rows are sharded. Pure: no allocation, no I/O. */
#ifndef SB_DRIFT_HIST_H
#define SB_DRIFT_HIST_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

/* Drift is measured over groups of a feature's value bins with about equal
 * training rows (deciles by default), the missing bin apart: PSI over a
 * model's 256 bins would see sampling noise as drift on small batches (about
 * bins / rows), and scoring needs to place a value among a few group
 * boundaries, not among every cut. A feature has at most DRIFT_MAX_GROUPS
 * value groups; its counts take DRIFT_GROUP_SLOTS slots: value groups from
 * 0, missing in the last slot. */
#define DRIFT_MAX_GROUPS 16
#define DRIFT_GROUP_SLOTS (DRIFT_MAX_GROUPS + 1)

/* drift_groups - split the value bins 0 .. nb-2 of one feature (nb - 1 is
 * the missing bin) into at most `groups` (<= DRIFT_MAX_GROUPS) runs of
 * adjacent bins: a run closes after the bin where the reference's running
 * count reaches the next of total * g / groups, g = 1 .. groups - 1 (a heavy
 * bin may pass several); the last run takes the rest. first[g] is the first
 * bin of group g; returns the number of groups (>= 1). */
int32_t drift_groups(const int64_t *ref, int64_t nb, int32_t groups, int32_t *first);
/* drift_group_sums - out[g] = the counts c of group g's bins (ng groups with
 * first bins `first`), out[DRIFT_GROUP_SLOTS - 1] = c[nb - 1] (missing),
 * other slots 0. */
void drift_group_sums(const int64_t *c, int64_t nb, const int32_t *first, int32_t ng, int64_t *out);

/* drift_group_counts - for the rows rows[0 .. m) (NULL: rows 0 .. m-1) of x
 * (x_cols floats each) and each model feature f < n_feat, read column col[f]
 * (col NULL: column f), find its group g = number of the feature's group
 * bounds <= x (bounds[f * DRIFT_MAX_GROUPS + k], k < n_bounds[f], sorted,
 * padded with +inf), add 1 to count[f * DRIFT_GROUP_SLOTS + g] (NaN: the
 * missing slot), and count values below lo[f] or above hi[f] (the training
 * range; NaN bounds count nothing) into outside[f]. Branch-free: all 16
 * bounds compared at once. */
void drift_group_counts(const float *x, int32_t x_cols, const int32_t *rows, int64_t m, int32_t n_feat,
                        const int32_t *col, const float *bounds, const int32_t *n_bounds, const float *lo,
                        const float *hi, int64_t *count, int64_t *outside);
/* Plain twin: a linear scan of the n_bounds bounds. */
void drift_group_counts_ref(const float *x, int32_t x_cols, const int32_t *rows, int64_t m, int32_t n_feat,
                            const int32_t *col, const float *bounds, const int32_t *n_bounds, const float *lo,
                            const float *hi, int64_t *count, int64_t *outside);

/* drift_bins_col_counts - the training side from column-major bins
 * (cols[f * n + r], missing = n_value[f] when has_missing[f]), each row
 * weighted w[r] (NULL: 1): count[bin_start[f] + bin] += w[r]. */
void drift_bins_col_counts(const uint8_t *cols, int64_t n, int32_t n_feat, const int32_t *n_value,
                           const int64_t *bin_start, const int64_t *w, int64_t *count);

/* drift_score_counts - count[number of edges <= p[i]] += w[i] (w NULL: 1)
 * for n predictions; edges sorted (repeats allowed), NaN predictions are
 * left out. */
void drift_score_counts(const double *p, const int64_t *w, int64_t n, const double *edges, int32_t n_edges,
                        int64_t *count);
/* Plain twin: linear scan. */
void drift_score_counts_ref(const double *p, const int64_t *w, int64_t n, const double *edges, int32_t n_edges,
                            int64_t *count);

/* An exact sum of w[i] * trunc(p[i] * 2^DRIFT_SUM_BITS) (|p| clamped to
 * 2^31), as three int64 limbs of 42 bits that ranks may add up as int64:
 * any order of rows and ranks gives the same total. */
#define DRIFT_SUM_BITS 24
void drift_fixed_sum(const double *p, const int64_t *w, int64_t n, int64_t limbs[3]);
/* The value a limb triple stands for (limbs summed over ranks), divided by
 * 2^DRIFT_SUM_BITS. */
double drift_fixed_value(const int64_t limbs[3]);

/* An order-preserving map of doubles (not NaN) to uint64 keys and back. */
uint64_t drift_double_key(double x);
double drift_key_double(uint64_t k);

/* drift_psi - population stability index of `now` against `ref` (n bins
 * each): sum (a - e) ln(a / e) over the bins' shares, a share below
 * DRIFT_EPS counted as DRIFT_EPS (an empty bin is not infinite drift).
 * NaN when either side has no rows. */
#define DRIFT_EPS 1e-4
double drift_psi(const int64_t *ref, const int64_t *now, int64_t n);
/* drift_js - Jensen-Shannon distance (square root of the divergence, natural
 * logarithm, as scipy's jensenshannon): 0 for equal shares, at most sqrt(ln 2). */
double drift_js(const int64_t *ref, const int64_t *now, int64_t n);

#endif
