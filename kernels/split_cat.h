/* split_cat.h - native categorical splits (LightGBM's and XGBoost's): the
 * best level set of one categorical feature from its node histogram.
 *
 * A native categorical feature has one bin per level (bin k = level code k,
 * engine/table_bin.c cuts it at k + 0.5) and at most SPLIT_CAT_MAX_LEVELS
 * levels, so a set of levels is a 256-bit set. The set stored with a split
 * holds the levels that go LEFT; every other level (also one without
 * training rows in the node) goes right; missing follows default_left, and
 * both sides are tried for it as for numeric splits.
 *
 * Few levels (n_levels <= max_cat_to_onehot): one level vs the rest, the
 * usual gain. More: the levels whose hessian reaches cat_smooth are sorted by
 * G / (H + cat_smooth) (ties: lower code first) and the sorted order is
 * scanned from both ends for the best prefix of at most max_cat_threshold
 * levels (and at most half of them), a new candidate only after a group of
 * at least min_data_per_group hessian, the right side keeping as much; the
 * children's gain uses lambda + cat_l2 (LightGBM's rules; its row counts are
 * hessian sums here: rows at unit hessian). Candidates in that fixed order,
 * a strictly higher gain replaces the best, so ties go to the earlier one:
 * the same integers give the same split on every rank. */
#ifndef SB_SPLIT_CAT_H
#define SB_SPLIT_CAT_H

#include <stdint.h> /* for int32_t, int64_t, uint64_t */

#include "kernels/split.h" /* for split_cfg, split_info */

#define SPLIT_CAT_WORDS 4        /* uint64 words of one level set */
#define SPLIT_CAT_MAX_LEVELS 255 /* levels of a native categorical: 8-bit bins, one of them missing */

typedef struct {
    int32_t max_cat_to_onehot, max_cat_threshold;
    double cat_smooth, cat_l2, min_data_per_group;
} split_cat_cfg;

/* Work space of one search, owned by the caller (kernels do not allocate). */
typedef struct {
    int32_t order[SPLIT_CAT_MAX_LEVELS + 1];
    double key[SPLIT_CAT_MAX_LEVELS + 1];
} split_cat_scratch;

/* 1 if level k is in the set. Local. */
static inline int split_cat_has(const uint64_t *set, int32_t k) { return (int)(set[k >> 6] >> (k & 63)) & 1; }

/* The bin rule of a categorical split: the missing bin by default_left, else
 * left iff the level is in the set. Local. */
static inline int split_cat_bin_left(int32_t bin, const uint64_t *set, int32_t missing_bin, int32_t default_left)
{
    return bin == missing_bin ? default_left : split_cat_has(set, bin);
}

/* The float rule (predict): NaN and any value that is no code at all
 * (negative, fractional, >= 64 * SPLIT_CAT_WORDS) follow default_left; a
 * code goes left iff it is in the set. Recoding maps a level unseen in
 * training to NaN before this (io/source.c), so it follows default_left too,
 * and every other recoded value is a code of the dictionary. Local. */
static inline int split_cat_value_left(float v, const uint64_t *set, int32_t default_left)
{
    if (!(v >= 0.0f && v < 64.0f * SPLIT_CAT_WORDS)) return default_left; /* NaN too */
    const int32_t k = (int32_t)v;
    if ((float)k != v) return default_left;
    return split_cat_has(set, k);
}

/* split_cat_find - the best level set of feature feat (h: its cells, 2 per
 * bin, n_levels value bins then the missing bin when has_missing) for a
 * node with totals G, H; replaces *best when split_better says so. Local. */
void split_cat_find(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels,
                    int32_t has_missing, int64_t G, int64_t H, int32_t feat, split_cat_scratch *w, split_info *best);
/* Plain twin: sorts by selection, and sums every candidate set afresh from
 * the bins in the set. */
void split_cat_find_ref(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels,
                        int32_t has_missing, int64_t G, int64_t H, int32_t feat, split_cat_scratch *w,
                        split_info *best);

/* split_cat_partition - partition_rows (kernels/partition.h) with the
 * categorical rule: stable, left rows first; returns their number. Local. */
int64_t split_cat_partition(int32_t *rows, int64_t n, const uint8_t *col, const uint64_t *set, int32_t missing_bin,
                            int32_t default_left, int32_t *scratch);

#endif
