/* split_mono.h - split search under monotone constraints (XGBoost's basic
 * method), the twin pair of split.h's kernels for trainings that set
 * monotone_constraints.
 *
 * A node carries bounds [lower, upper] on its leaf weight, inherited from its
 * ancestors. Every weight (the node's, each child's) is the unconstrained
 * weight (split_leaf_weight) clipped to those bounds, and every score is the
 * loss at that weight, -(2 G w + (H + lambda) w^2) (alpha only through the
 * weight), for every feature, constrained or not, as XGBoost's evaluator does
 * once any constraint is set. A
 * candidate on a feature with mono[f] = +1 is rejected when the left child's
 * weight exceeds the right's (-1: when it is below). Splits of a constrained
 * feature pass bounds down: mid = (wl + wr) / 2 becomes the left child's
 * upper and the right child's lower bound (+1; the other way round for -1).
 * Everything is computed from the reduced (global) sums, so every rank agrees.
 * Ties as split.h. */
#ifndef SB_SPLIT_MONO_H
#define SB_SPLIT_MONO_H

#include <stdint.h> /* for int8_t, int64_t, uint8_t */

#include "kernels/split.h"

/* The bounds of one node's weight (-inf, +inf at the root). */
typedef struct {
    double lower, upper;
} split_bounds;

/* split_leaf_weight clipped to b. Local. */
double split_mono_weight(const split_cfg *c, const split_bounds *b, double G, double H);
/* The node's score at weight w (0 when H < min_child_weight). Local. */
double split_mono_gain(const split_cfg *c, double G, double H, double w);

/* split_find_mono - split_find with mono[f] in {-1, 0, 1} per feature (the
 * layout's features; mask as split_find) and the node's bounds b. Local. */
void split_find_mono(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int8_t *mono,
                     const split_bounds *b, const int64_t *hist, int64_t G, int64_t H, split_info *best);
/* Plain twin: every candidate re-summed from the bins. */
void split_find_mono_ref(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int8_t *mono,
                         const split_bounds *b, const int64_t *hist, int64_t G, int64_t H, split_info *best);

/* split_mono_children - the bounds of the two children of a node with bounds b
 * split on a feature with constraint m, the children's sums (GL, HL), (GR, HR)
 * as doubles. Local. */
void split_mono_children(const split_cfg *c, const split_bounds *b, int m, double GL, double HL, double GR,
                         double HR, split_bounds *left, split_bounds *right);

#endif
