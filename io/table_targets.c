/* table_targets.c - see table_targets.h. */
#include "io/table_targets.h"

#include <math.h> /* for isfinite, fabs */

#include "base/error.h"
#include "mpi/run.h"

static int check_rows(run_ctx *run, const char *what, const sb_table *t)
{
    for (int64_t i = 0; t->label && i < t->n_rows; ++i)
        if (!isfinite(t->label[i]) || fabs(t->label[i]) > TABLE_TARGET_MAX)
            return SB_FAIL(run, SB_EDATA, "%s: row %lld: label %.17g is %s", what, (long long)(t->row_start + i + 1),
                           t->label[i], isfinite(t->label[i]) ? "outside the float32 range" : "not a finite number");
    for (int64_t i = 0; t->weight && i < t->n_rows; ++i) {
        const double w = t->weight[i];
        if (!(w >= 0) || !isfinite(w) || w > TABLE_TARGET_MAX)
            return SB_FAIL(run, SB_EDATA, "%s: row %lld: weight %.17g is %s", what, (long long)(t->row_start + i + 1),
                           w, isfinite(w) && w > 0 ? "outside the float32 range" : "not a finite non-negative number");
    }
    return SB_OK;
}

int table_check_targets(run_ctx *run, const char *what, const sb_table *t)
{
    return run_agree_rc(run, check_rows(run, what, t));
}
