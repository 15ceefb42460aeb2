/* auc.h - exact, weighted binary AUC (XGBoost's definition) of rows gathered
 * from every rank. Pure kernels: the caller owns the rows.
 *
 * A row's label is its positive share (0/1, or a rate): it adds label * weight
 * to the positives and (1 - label) * weight to the negatives, as XGBoost's
 * binary AUC does. Rows of equal score form one step of the ROC curve (a
 * trapezoid: a tied positive/negative pair counts one half). auc_sort puts the
 * rows in one canonical order (score descending, then label, then weight), so
 * the sums run in the same order whatever order the ranks delivered them in,
 * and the value has the same bits for any number of ranks. */
#ifndef SB_AUC_H
#define SB_AUC_H

#include <stdint.h> /* for int64_t */

typedef struct {
    double score, label, weight;
} sb_auc_row;

/* auc_sort - the canonical order (in place, no allocation). Local. */
void auc_sort(sb_auc_row *r, int64_t n);
/* auc_sorted - AUC of rows in auc_sort order; NaN when there are no
 * positives or no negatives. Local. */
double auc_sorted(const sb_auc_row *r, int64_t n);
/* Plain twin for tests: every positive/negative pair, O(n^2), any order. */
double auc_ref(const sb_auc_row *r, int64_t n);

#endif
