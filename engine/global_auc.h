/* global_auc.h - the exact weighted AUC of rows spread over the ranks. */
#ifndef SB_GLOBAL_AUC_H
#define SB_GLOBAL_AUC_H

#include <stdint.h> /* for int64_t, uint8_t */

#include "base/run_ctx.h"

/* global_auc - AUC (kernels/auc.h) of the selected rows of every rank: rows
 * with mask NULL or mask[i] != 0 and a label that is not NaN; weight used when
 * weighted and not NULL. Every rank gathers all selected (score, label,
 * weight) triples and sorts them canonically, so every rank gets the same
 * bits for any number of ranks (memory: 24 bytes per selected row of all
 * ranks, on every rank). NaN without positives or negatives. Collective. */
int global_auc(run_ctx *run, const double *label, const double *weight, int weighted, const double *pred,
               const uint8_t *mask, int64_t n, double *out);

#endif
