/* evaluate_compare.h - `shardboost evaluate --model A --model B --data D`:
 * two models scored on the same labelled rows in one pass, their metrics
 * side by side (rmse, mse, mae, logloss; unweighted and weighted), and a
 * paired bootstrap confidence interval of each difference B - A.
 *
 * The bootstrap is Poisson's (each row enters resample b Poisson(1) times,
 * drawn from a hash of (seed, b, global row index)), so resamples do not
 * depend on how rows are sharded; sums are exact fixed-point int128 partials
 * reduced as int64 limbs: the same numbers for any number of ranks.
 * AUC is not reported: it needs binary labels, and the project's labels are
 * rates. */
#ifndef SB_EVALUATE_COMPARE_H
#define SB_EVALUATE_COMPARE_H

#include "base/run_ctx.h"

/* 1 when argv names --model twice or more. Local. */
int evaluate_compare_wanted(int argc, char **argv);
/* The subcommand for two models. Collective. */
int evaluate_compare_main(run_ctx *run, int argc, char **argv);

#endif
