/* grow_constraints.h - what restricts the splits of a node beyond the tree's
 * feature sample: monotone constraints (the kernels in kernels/split_mono.h),
 * interaction constraints and the per-level / per-node column samples.
 * Resolved once per training from the params and the data's feature names;
 * every decision derives from global sums, the agreed splits and
 * (seed, tree, level or node) hashes, so every rank and every rank count
 * gets the same masks and bounds. */
#ifndef SB_GROW_CONSTRAINTS_H
#define SB_GROW_CONSTRAINTS_H

#include <stdint.h> /* for int8_t, int32_t, uint8_t, uint64_t */

#include "base/run_ctx.h"
#include "io/params.h"
#include "io/table.h"

/* At most this many interaction sets (a node's compatible sets are one uint64 bitmask). */
#define GROW_MAX_INTERACTION_SETS 64

typedef struct grow_constraints_s {
    int32_t n_feat;
    int8_t *mono;         /* n_feat: -1, 0, 1; NULL when no feature is constrained */
    int32_t n_sets;       /* interaction sets; 0: none */
    uint64_t *feat_sets;  /* n_feat: bit s set when feature f is in set s */
    uint8_t *set_member;  /* n_sets x n_feat */
    double bylevel, bynode; /* colsample_bylevel, colsample_bynode (1: off) */
    uint64_t seed;
    uint64_t *keys;       /* n_feat: scratch of the samples */
} grow_constraints;

/* grow_constraints_resolve - from p and the features of t (names, which are
 * categorical): *out, or SB_EINVAL naming the parameter (an unknown feature
 * name or index, a positional monotone list whose length is not the number
 * of features, a monotone constraint on a categorical feature, more than
 * GROW_MAX_INTERACTION_SETS sets). *active is 0 when nothing is set (then
 * training is exactly as without this file). Local (same verdict on every rank). */
int grow_constraints_resolve(run_ctx *run, const sb_params *p, const sb_table *t, uint64_t seed,
                             grow_constraints *out, int *active);
void grow_constraints_free(grow_constraints *c);

/* grow_node_mask - the features node `node` (depth, in tree `round`) may split
 * on: the tree's mask (NULL: all), sampled by level then by node, and allowed
 * by the interaction constraints given the features path[0 .. n_path) its
 * ancestors split on. Local. */
void grow_node_mask(grow_constraints *c, const uint8_t *tree_mask, int32_t round, int32_t depth, int32_t node,
                    const int32_t *path, int32_t n_path, uint8_t *out);

#endif
