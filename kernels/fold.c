/* fold.c - hash-based fold assignment (see fold.h). */
#include "kernels/fold.h"

#include "base/hash.h" /* for sb_mix64: consecutive row indices land in unrelated folds */

/* Seed key mixed once; the fold stream for seed s is then sb_mix64(key ^ row-term). */
static inline uint64_t seed_key(uint64_t seed) { return sb_mix64(seed + SB_GOLDEN_GAMMA); }

static inline int32_t fold_of_key(uint64_t key, int64_t row, int32_t k)
{
    uint64_t h = sb_mix64(key ^ ((uint64_t)row * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL));
    return (int32_t)((h >> 11) % (uint64_t)k); /* top 53 bits: bias below 2^-45 for k <= 255 */
}

int32_t fold_of(uint64_t seed, int64_t row, int32_t k) { return fold_of_key(seed_key(seed), row, k); }

void fold_assign(uint64_t seed, int64_t row_start, int64_t n, int32_t k, uint8_t *restrict fold)
{
    const uint64_t key = seed_key(seed);
    for (int64_t i = 0; i < n; ++i) fold[i] = (uint8_t)fold_of_key(key, row_start + i, k);
}

void fold_assign_ref(uint64_t seed, int64_t row_start, int64_t n, int32_t k, uint8_t *fold)
{
    for (int64_t i = 0; i < n; ++i) fold[i] = (uint8_t)fold_of(seed, row_start + i, k);
}

void fold_train_mask(const uint8_t *restrict fold, int64_t n, int32_t held_out, uint8_t *restrict mask)
{
    for (int64_t i = 0; i < n; ++i) mask[i] = (uint8_t)(fold[i] != held_out);
}

void fold_count(const uint8_t *fold, int64_t n, int32_t k, int64_t *count)
{
    for (int64_t i = 0; i < n; ++i)
        if (fold[i] < k) count[fold[i]] += 1;
}
