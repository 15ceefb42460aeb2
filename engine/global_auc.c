/* global_auc.c - AUC over the rows of all ranks (a global sort, not an
 * average of per-rank AUCs, which would depend on how rows are spread). */
#include "engine/global_auc.h"

#include <math.h>   /* for isnan */
#include <stdlib.h> /* for free */

#include "base/alloc.h"
#include "base/error.h"
#include "kernels/auc.h"
#include "mpi/comm.h"
#include "mpi/run.h"

int global_auc(run_ctx *run, const double *label, const double *weight, int weighted, const double *pred,
               const uint8_t *mask, int64_t n, double *out)
{
    int rc = SB_OK;
    void *all = NULL;
    int64_t total = 0, m = 0;
    sb_auc_row *mine = sb_alloc(run, (size_t)n + 1, sizeof *mine);
    SB_CHECK(run, run_agree_rc(run, mine ? SB_OK : SB_ENOMEM));
    for (int64_t i = 0; i < n; ++i) {
        if ((mask && !mask[i]) || isnan(label[i])) continue;
        mine[m++] = (sb_auc_row){pred[i], label[i], weighted && weight ? weight[i] : 1.0};
    }
    SB_CHECK(run, comm_allgatherv_bytes(run, mine, m * (int64_t)sizeof *mine, &all, &total, NULL));
    const int64_t rows = total / (int64_t)sizeof(sb_auc_row);
    auc_sort(all, rows);
    *out = auc_sorted(all, rows);
out:
    free(mine);
    free(all);
    return rc;
}
