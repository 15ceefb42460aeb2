/* fold.h - k-fold assignment of rows for cross-validation.
 *
 * The fold of a row is a hash of (seed, global row index) mod k, so it does
 * not depend on how rows are sharded over ranks: any rank count, any shard
 * boundaries, the same folds. Pure kernels (style rule R1). */
#ifndef SB_FOLD_H
#define SB_FOLD_H

#include <stdint.h> /* for int64_t, uint64_t, uint8_t */

/* Largest supported k (folds are stored as uint8_t). */
#define SB_FOLD_MAX 255

/* fold_of - the fold (0..k-1) of global row `row`; k in [1, SB_FOLD_MAX]. Local. */
int32_t fold_of(uint64_t seed, int64_t row, int32_t k);

/* fold_assign - fold[i] = fold_of(seed, row_start + i, k) for i < n. Local. */
void fold_assign(uint64_t seed, int64_t row_start, int64_t n, int32_t k, uint8_t *restrict fold);
/* Plain twin: one fold_of call per row. */
void fold_assign_ref(uint64_t seed, int64_t row_start, int64_t n, int32_t k, uint8_t *fold);

/* fold_train_mask - mask[i] = (fold[i] != held_out): 1 = train, 0 = held out
 * (booster_train_binned's row_mask). Local. */
void fold_train_mask(const uint8_t *restrict fold, int64_t n, int32_t held_out, uint8_t *restrict mask);

/* fold_count - count[f] += rows of fold f, f < k. Local. */
void fold_count(const uint8_t *fold, int64_t n, int32_t k, int64_t *count);

#endif
