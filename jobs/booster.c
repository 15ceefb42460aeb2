/* booster.c - training entry points (being implemented; see jobs/booster.h). */
#include "jobs/booster.h"

#include <stdlib.h> /* for free */

struct sb_binned {
    int32_t max_bin;
};

int booster_bin(run_ctx *run, const sb_table *train, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    (void)train;
    (void)max_bin;
    (void)seed;
    *out = NULL;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "training is not implemented yet"));
}

void booster_binned_free(sb_binned *b) { free(b); }
int32_t booster_binned_max_bin(const sb_binned *b) { return b ? b->max_bin : 0; }

int booster_train_binned(run_ctx *run, const sb_binned *b, const sb_table *train, const sb_table *valid,
                         const sb_params *params, const uint8_t *row_mask, const booster_opts *opts,
                         sb_model *out, train_report *rep)
{
    (void)b, (void)train, (void)valid, (void)params, (void)row_mask, (void)opts, (void)out, (void)rep;
    return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "training is not implemented yet"));
}

int booster_train(run_ctx *run, const sb_table *train, const sb_table *valid, const sb_params *params,
                  const uint8_t *row_mask, sb_model *out, train_report *rep)
{
    sb_binned *b = NULL;
    SB_TRY(run, booster_bin(run, train, params->max_bin, params->seed, &b));
    int rc = booster_train_binned(run, b, train, valid, params, row_mask, NULL, out, rep);
    booster_binned_free(b);
    return rc;
}
