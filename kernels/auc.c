/* auc.c - exact weighted AUC over rows sorted by score. */
#include "kernels/auc.h"

#include <math.h>   /* for NAN */
#include <stdlib.h> /* for qsort */

/* Score descending, then label and weight ascending: a total order on the
 * values, so equal rows are interchangeable and the sums' order is fixed. */
static int row_cmp(const void *a, const void *b)
{
    const sb_auc_row *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->label != y->label) return x->label < y->label ? -1 : 1;
    return (x->weight > y->weight) - (x->weight < y->weight);
}

void auc_sort(sb_auc_row *r, int64_t n) { qsort(r, (size_t)n, sizeof *r, row_cmp); }

double auc_sorted(const sb_auc_row *r, int64_t n)
{
    double tp = 0, fp = 0, area = 0;
    for (int64_t i = 0; i < n;) {
        double tg = 0, fg = 0; /* the positives and negatives of one score */
        int64_t j = i;
        for (; j < n && r[j].score == r[i].score; ++j) {
            tg += r[j].label * r[j].weight;
            fg += (1.0 - r[j].label) * r[j].weight;
        }
        area += fg * (tp + 0.5 * tg); /* negatives here rank below the positives above, tie with these */
        tp += tg;
        fp += fg;
        i = j;
    }
    if (!(tp > 0) || !(fp > 0)) return NAN;
    return area / (tp * fp);
}

double auc_ref(const sb_auc_row *r, int64_t n)
{
    double num = 0, P = 0, N = 0;
    for (int64_t i = 0; i < n; ++i) {
        P += r[i].label * r[i].weight;
        N += (1.0 - r[i].label) * r[i].weight;
        for (int64_t j = 0; j < n; ++j) {
            const double pair = r[i].label * r[i].weight * (1.0 - r[j].label) * r[j].weight;
            num += r[i].score > r[j].score ? pair : r[i].score == r[j].score ? 0.5 * pair : 0.0;
        }
    }
    if (!(P > 0) || !(N > 0)) return NAN;
    return num / (P * N);
}
