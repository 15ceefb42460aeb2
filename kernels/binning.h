/* binning.h - quantile cuts and value -> bin mapping.
 *
 * A feature's value bins are defined by sorted, strictly increasing cuts:
 * bin(x) = number of cuts <= x, so bin k holds cuts[k-1] <= x < cuts[k], and
 * "bin <= b" is exactly "x < cuts[b]" - the threshold test tree_predict uses.
 * A feature with missing values has one more bin (index n_cuts + 1) for NaN. */
#ifndef SB_BINNING_H
#define SB_BINNING_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

/* bin_cuts - cuts for sorted values v[0..n) (NaN removed) with weights w
 * (NULL = 1): every distinct value starts a bin when there are at most
 * max_bins of them, else cuts at weighted quantiles j/max_bins (cut values
 * are data values, never duplicated). Writes at most max_bins - 1 cuts;
 * returns their number. Local. */
int32_t bin_cuts(const float *v, const double *w, int64_t n, int32_t max_bins, float *cuts);

/* bin_cuts_sample - bin_cuts of the unsorted values v[0..n) with float
 * weights w (NULL = 1), NaN values and their weights left out: the cuts, bit
 * for bit, that a stable sort by value (weights carried along as double) and
 * bin_cuts give, zero included (-0 and +0 are one value; its cut is
 * whichever of them comes first in v). At most max_bins distinct values are
 * found in one pass with a small hash table, and only they are sorted; more
 * are radix-sorted as (key, weight) pairs in 3 passes of 11 bits.
 * scratch: 2 * n uint64 (8-byte aligned). Local. */
int32_t bin_cuts_sample(const float *v, const float *w, int64_t n, int32_t max_bins, float *cuts, void *scratch);
/* Plain twin: qsort of (value, input index), then bin_cuts. scratch: 4 * n uint64. */
int32_t bin_cuts_sample_ref(const float *v, const float *w, int64_t n, int32_t max_bins, float *cuts, void *scratch);

/* bin_of - bin of x (not NaN): the number of cuts <= x. Local. */
static inline int32_t bin_of(const float *cuts, int32_t n_cuts, float x)
{
    /* branch-free upper bound: the step sizes do not depend on x */
    const float *base = cuts;
    int32_t len = n_cuts;
    while (len > 1) {
        int32_t half = len >> 1;
        base = base[half - 1] <= x ? base + half : base;
        len -= half;
    }
    return (int32_t)(base - cuts) + (len == 1 && base[0] <= x);
}

/* bin_rows - bins for row-major x (n x n_feat): feature f uses
 * cuts[cut_start[f] .. cut_start[f+1]); NaN -> n_cuts + 1 if has_missing[f]
 * (else the caller guaranteed no NaN). Local. */
void bin_rows(const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
              const uint8_t *has_missing, uint8_t *bins);
/* Plain twin: one value at a time with bin_of. bin_rows and
 * bin_rows_inplace run 16 rows per step with AVX-512 gathers (the same
 * search on all lanes) when the CPU has it; the bins are identical. */
void bin_rows_ref(const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
                  const uint8_t *has_missing, uint8_t *bins);
/* bin_rows_inplace - bin_rows writing the bins over x itself: returns
 * (uint8_t *)x, whose first n * n_feat bytes then hold the row-major bins
 * (the caller may shrink the block). Safe because byte k of the output is
 * written only after float k / 4 <= k has been read. Local. */
uint8_t *bin_rows_inplace(float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
                          const uint8_t *has_missing);
/* bin_rows_col - the same bins written column-major: col[f * n + i]. Local. */
void bin_rows_col(const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
                  const uint8_t *has_missing, uint8_t *col);

#endif
