/* boost_step.h - the per-round loops of the boosting loop over all local
 * rows: keeping a round's sampled rows, the largest gradient, and adding a
 * leaf's value to its rows' margins. Pure and local; each has a plain twin
 * (_ref) that the tests compare it with. */
#ifndef SB_BOOST_STEP_H
#define SB_BOOST_STEP_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

/* Independent max chains of boost_abs_max: one max per cycle instead of one
 * per max latency. */
#define BOOST_MAX_CHAINS 8
/* How many rows ahead boost_add_leaf fetches the margin it will update. */
#define BOOST_PREFETCH_AHEAD 16

/* boost_keep_sampled - rows[0 .. returned) = the rows i < n with in[i] != 0,
 * ascending; the gradient pairs gh[2i], gh[2i + 1] of the other rows become
 * +0.0 (so a max over every row sees only the kept ones). Branch-free: every
 * row is written and the cursor advances by in[i]; the pairs are zeroed
 * through their bits (a select, not a branch). rows holds n values. */
int64_t boost_keep_sampled(const uint8_t *in, int64_t n, int32_t *rows, float *gh);
int64_t boost_keep_sampled_ref(const uint8_t *in, int64_t n, int32_t *rows, float *gh);

/* boost_abs_max - the largest |v[i]| over i < n, 0 when n is 0; a NaN never
 * becomes the max. BOOST_MAX_CHAINS chains, then the tail. */
float boost_abs_max(const float *v, int64_t n);
float boost_abs_max_ref(const float *v, int64_t n);

/* boost_add_leaf - margin[rows[j]] += value for begin <= j < end: one leaf's
 * rows, ascending but scattered, their margins fetched
 * BOOST_PREFETCH_AHEAD rows ahead. The same adds in the same order as the twin. */
void boost_add_leaf(const int32_t *rows, int64_t begin, int64_t end, double value, double *margin);
void boost_add_leaf_ref(const int32_t *rows, int64_t begin, int64_t end, double value, double *margin);

#endif
