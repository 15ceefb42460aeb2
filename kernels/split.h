/* split.h - best split of a node from its (global) histogram, XGBoost's
 * second-order gain with lambda (L2), alpha (L1), min_child_weight and
 * max_delta_step. Missing values (the feature's last bin when it has one)
 * are tried on both sides; the better side becomes the default direction.
 * Ties: higher gain, then lower feature, then lower bin, then missing-right. */
#ifndef SB_SPLIT_H
#define SB_SPLIT_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

typedef struct {
    double lambda, alpha, min_child_weight, max_delta_step;
    double min_gain;   /* a split needs gain > min_gain (XGBoost's kRtEps, 1e-6) */
    double inv_scale;  /* 2^-k: fixed point -> double */
} split_cfg;

typedef struct {
    double gain;          /* loss reduction; -inf when no valid split */
    int32_t feat;         /* -1 when none */
    int32_t bin;          /* rows with value bin <= bin go left */
    int32_t default_left; /* missing rows go left */
    int64_t gl, hl;       /* left child sums (fixed point) */
    /* Native categorical splits (kernels/split_cat.h); numeric: is_cat 0, cats 0. */
    int32_t is_cat;   /* 1: the rows whose level is in cats go left */
    uint64_t cats[4]; /* level (= bin) k is bit k % 64 of cats[k / 64] */
} split_info;

/* Per-feature bin layout. */
typedef struct {
    int32_t n_feat;
    const int32_t *off;       /* first cell of each feature */
    const int32_t *n_value;   /* value bins per feature (missing bin excluded) */
    const uint8_t *has_missing; /* 1: the cell off[f] + n_value[f] is the missing bin */
} split_layout;

/* Leaf weight -ThresholdL1(G)/(H + lambda), clipped to max_delta_step (0 when H < min_child_weight). Local. */
double split_leaf_weight(const split_cfg *c, double G, double H);
/* XGBoost's CalcGain (the node's score). Local. */
double split_node_gain(const split_cfg *c, double G, double H);

/* split_find - best split over the features with mask[f] != 0 (mask NULL =
 * all). G, H: the node's totals. Local. */
void split_find(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int64_t *hist, int64_t G,
                int64_t H, split_info *best);
/* Plain twin: every candidate re-summed from the bins. */
void split_find_ref(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int64_t *hist, int64_t G,
                    int64_t H, split_info *best);

/* 1 if a beats b in the total order above. Local. */
int split_better(const split_info *a, const split_info *b);

#endif
