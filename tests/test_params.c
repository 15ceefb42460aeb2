/* test_params.c - parameter table: aliases, types, ranges, suggestions, round trip. */
#include <string.h>

#include "cunit_main.h"
#include "io/params.h"

static void test_aliases_and_values(void)
{
    sb_params p;
    char err[256];
    params_default(&p);
    CU_ASSERT_EQUAL(params_set(&p, "learning_rate", "0.05", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.eta, 0.05);
    CU_ASSERT_EQUAL(params_set(&p, "num_iterations", "250", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.n_rounds, 250);
    CU_ASSERT_EQUAL(params_set(&p, "n-estimators", "300", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.n_rounds, 300);
    CU_ASSERT_EQUAL(params_set(&p, "reg_lambda", "5", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.lambda, 5.0);
    CU_ASSERT_EQUAL(params_set(&p, "min_split_gain", "0.5", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.gamma, 0.5);
    CU_ASSERT_EQUAL(params_set(&p, "num_leaves", "31", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.max_leaves, 31);
    CU_ASSERT_EQUAL(params_set(&p, "feature_fraction", "0.8", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.colsample_bytree, 0.8);
    CU_ASSERT_EQUAL(params_set(&p, "bagging_fraction", "0.7", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.subsample, 0.7);
    CU_ASSERT_EQUAL(params_set(&p, "min_sum_hessian_in_leaf", "3", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.min_child_weight, 3.0);
    CU_ASSERT_EQUAL(params_set(&p, "objective", "binary_logloss", err, sizeof err), -1);
    CU_ASSERT_EQUAL(params_set(&p, "objective", "reg:logistic", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.eval_metric, SB_METRIC_LOGLOSS); /* the objective's natural metric */
    CU_ASSERT_EQUAL(params_set(&p, "random_state", "42", err, sizeof err), 0);
    CU_ASSERT_EQUAL(p.seed, 42u);
    CU_ASSERT_STRING_EQUAL(params_canonical("reg_alpha"), "alpha");
    CU_ASSERT_PTR_NULL(params_canonical("nope"));
}

static void test_errors_are_precise(void)
{
    sb_params p;
    char err[256];
    params_default(&p);
    CU_ASSERT_EQUAL(params_set(&p, "reg_lamda", "1", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown parameter 'reg_lamda'; did you mean 'reg_lambda'?"));
    CU_ASSERT_EQUAL(params_set(&p, "max_dept", "3", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "did you mean 'max_depth'"));
    CU_ASSERT_EQUAL(params_set(&p, "zzzzzzzzzzzz", "3", err, sizeof err), -1);
    CU_ASSERT_PTR_NULL(strstr(err, "did you mean"));
    CU_ASSERT_EQUAL(params_set(&p, "colsample_bytree", "1.1", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range (0, 1]"));
    CU_ASSERT_EQUAL(params_set(&p, "eta", "0", err, sizeof err), -1);
    CU_ASSERT_EQUAL(params_set(&p, "max_depth", "6.5", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an integer"));
    CU_ASSERT_EQUAL(params_set(&p, "max_depth", "6.0", err, sizeof err), 0); /* YAML floats */
    CU_ASSERT_EQUAL(params_set(&p, "lambda", "abc", err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a number"));
    CU_ASSERT_EQUAL(params_set(&p, "max_bin", "300", err, sizeof err), -1);
    CU_ASSERT_EQUAL(p.max_bin, 256); /* unchanged on error */
    params_default(&p);
    p.max_depth = 0;
    CU_ASSERT_EQUAL(params_validate(&p, err, sizeof err), -1);
    CU_ASSERT_EQUAL(params_set(&p, "grow_policy", "lossguide", err, sizeof err), 0);
    CU_ASSERT_EQUAL(params_set(&p, "num_leaves", "16", err, sizeof err), 0);
    CU_ASSERT_EQUAL(params_validate(&p, err, sizeof err), 0);
}

static void copy_cb(void *ctx, const char *k, const char *v)
{
    char err[256];
    CU_ASSERT_EQUAL(params_set((sb_params *)ctx, k, v, err, sizeof err), 0);
}

static void test_round_trip(void)
{
    sb_params a, b;
    char err[256];
    params_default(&a);
    params_set(&a, "eta", "0.1", err, sizeof err);
    params_set(&a, "base_score", "0.123456789012345678", err, sizeof err);
    params_set(&a, "objective", "count:poisson", err, sizeof err);
    params_set(&a, "seed", "18446744073709551615", err, sizeof err);
    params_default(&b);
    params_each(&a, copy_cb, &b);
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
    CU_ASSERT_DOUBLE_EQUAL(params_effective_max_delta_step(&b), 0.7, 0);
}

static const sb_test tests[] = {
    {"aliases and values", test_aliases_and_values},
    {"errors: did you mean, ranges, types", test_errors_are_precise},
    {"params_each round trip", test_round_trip},
};

SB_TEST_MAIN(NULL, SB_SUITE("params", tests))
