/* test_params.c - parameter table: aliases, types, ranges, suggestions, round trip. */
#include <string.h>

#include "base/error.h"
#include "cunit_main.h"
#include "io/params.h"
#include "mpi/run.h"

static run_ctx *run;

/* params_set with no prefix: SB_OK, or -1 with the message in err (the run's
 * error, then cleared for the next call). */
static int set(sb_params *p, const char *key, const char *value, const char **err)
{
    err_clear(run);
    int rc = params_set(run, p, key, value, NULL);
    *err = err_message(run);
    return rc == SB_OK ? 0 : -1;
}

static int validate(const sb_params *p)
{
    err_clear(run);
    return params_validate(run, p, NULL) == SB_OK ? 0 : -1;
}

static void test_aliases_and_values(void)
{
    sb_params p;
    const char *err = NULL;
    params_default(&p);
    CU_ASSERT_EQUAL(set(&p, "learning_rate", "0.05", &err), 0);
    CU_ASSERT_EQUAL(p.eta, 0.05);
    CU_ASSERT_EQUAL(set(&p, "num_iterations", "250", &err), 0);
    CU_ASSERT_EQUAL(p.n_rounds, 250);
    CU_ASSERT_EQUAL(set(&p, "n-estimators", "300", &err), 0);
    CU_ASSERT_EQUAL(p.n_rounds, 300);
    CU_ASSERT_EQUAL(set(&p, "reg_lambda", "5", &err), 0);
    CU_ASSERT_EQUAL(p.lambda, 5.0);
    CU_ASSERT_EQUAL(set(&p, "min_split_gain", "0.5", &err), 0);
    CU_ASSERT_EQUAL(p.gamma, 0.5);
    CU_ASSERT_EQUAL(set(&p, "num_leaves", "31", &err), 0);
    CU_ASSERT_EQUAL(p.max_leaves, 31);
    CU_ASSERT_EQUAL(set(&p, "feature_fraction", "0.8", &err), 0);
    CU_ASSERT_EQUAL(p.colsample_bytree, 0.8);
    CU_ASSERT_EQUAL(set(&p, "bagging_fraction", "0.7", &err), 0);
    CU_ASSERT_EQUAL(p.subsample, 0.7);
    CU_ASSERT_EQUAL(set(&p, "min_sum_hessian_in_leaf", "3", &err), 0);
    CU_ASSERT_EQUAL(p.min_child_weight, 3.0);
    CU_ASSERT_EQUAL(set(&p, "objective", "binary_logloss", &err), -1);
    CU_ASSERT_EQUAL(set(&p, "objective", "reg:logistic", &err), 0);
    CU_ASSERT_EQUAL(p.eval_metric, SB_METRIC_LOGLOSS); /* the objective's natural metric */
    CU_ASSERT_EQUAL(set(&p, "random_state", "42", &err), 0);
    CU_ASSERT_EQUAL(p.seed, 42u);
    CU_ASSERT_STRING_EQUAL(params_canonical("reg_alpha"), "alpha");
    CU_ASSERT_PTR_NULL(params_canonical("nope"));
}

static void test_errors_are_precise(void)
{
    sb_params p;
    const char *err = NULL;
    params_default(&p);
    CU_ASSERT_EQUAL(set(&p, "reg_lamda", "1", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown parameter 'reg_lamda'; did you mean 'reg_lambda'?"));
    CU_ASSERT_EQUAL(set(&p, "max_dept", "3", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "did you mean 'max_depth'"));
    CU_ASSERT_EQUAL(set(&p, "zzzzzzzzzzzz", "3", &err), -1);
    CU_ASSERT_PTR_NULL(strstr(err, "did you mean"));
    CU_ASSERT_EQUAL(set(&p, "colsample_bytree", "1.1", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range (0, 1]"));
    CU_ASSERT_EQUAL(set(&p, "eta", "0", &err), -1);
    CU_ASSERT_EQUAL(set(&p, "max_depth", "6.5", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an integer"));
    CU_ASSERT_EQUAL(set(&p, "max_depth", "6.0", &err), 0); /* YAML floats */
    CU_ASSERT_EQUAL(set(&p, "lambda", "abc", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a number"));
    CU_ASSERT_EQUAL(set(&p, "max_bin", "300", &err), -1);
    CU_ASSERT_EQUAL(p.max_bin, 256); /* unchanged on error */
    params_default(&p);
    p.max_depth = 0;
    CU_ASSERT_EQUAL(validate(&p), -1);
    CU_ASSERT_EQUAL(set(&p, "grow_policy", "lossguide", &err), 0);
    CU_ASSERT_EQUAL(set(&p, "num_leaves", "16", &err), 0);
    CU_ASSERT_EQUAL(validate(&p), 0);
}

static void copy_cb(void *ctx, const char *k, const char *v)
{
    const char *err = NULL;
    CU_ASSERT_EQUAL(set((sb_params *)ctx, k, v, &err), 0);
}

static void test_round_trip(void)
{
    sb_params a, b;
    const char *err = NULL;
    params_default(&a);
    set(&a, "eta", "0.1", &err);
    set(&a, "base_score", "0.123456789012345678", &err);
    set(&a, "objective", "count:poisson", &err);
    set(&a, "seed", "18446744073709551615", &err);
    params_default(&b);
    params_each(&a, copy_cb, &b);
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
    CU_ASSERT_DOUBLE_EQUAL(params_effective_max_delta_step(&b), 0.7, 0);
}

/* Issue 16: the new objectives' parameters, any max_depth, the help lists them. */
static void test_objective_params_and_depth(void)
{
    sb_params p, b;
    const char *err = NULL;
    params_default(&p);
    CU_ASSERT_EQUAL(set(&p, "max_depth", "500", &err), 0);
    CU_ASSERT_EQUAL(p.max_depth, 500);
    CU_ASSERT_EQUAL(set(&p, "max_depth", "100000", &err), 0);
    CU_ASSERT_EQUAL(set(&p, "max_depth", "-1", &err), -1);
    CU_ASSERT_EQUAL(validate(&p), 0);
    CU_ASSERT_EQUAL(set(&p, "objective", "binary:logistic", &err), 0);
    CU_ASSERT_EQUAL(p.eval_metric, SB_METRIC_LOGLOSS);
    CU_ASSERT_EQUAL(set(&p, "objective", "reg:gamma", &err), 0);
    CU_ASSERT_EQUAL(p.eval_metric, SB_METRIC_GAMMA_NLOGLIK);
    CU_ASSERT_EQUAL(set(&p, "objective", "tweedie", &err), 0); /* LightGBM's name */
    CU_ASSERT_EQUAL(p.objective, SB_OBJ_TWEEDIE);
    CU_ASSERT_EQUAL(set(&p, "tweedie_variance_power", "1.2", &err), 0);
    CU_ASSERT_EQUAL(p.tweedie_variance_power, 1.2);
    CU_ASSERT_EQUAL(set(&p, "tweedie_variance_power", "0.9", &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "out of range [1, 2]"));
    CU_ASSERT_EQUAL(set(&p, "tweedie_variance_power", "2", &err), 0);
    CU_ASSERT_EQUAL(validate(&p), -1); /* [1, 2): 2 is refused by the cross check */
    CU_ASSERT_EQUAL(set(&p, "tweedie_variance_power", "1.2", &err), 0);
    CU_ASSERT_EQUAL(set(&p, "huber_slope", "0", &err), -1);
    CU_ASSERT_EQUAL(set(&p, "huber_slope", "2.5", &err), 0);
    CU_ASSERT_EQUAL(set(&p, "scale-pos-weight", "4", &err), 0);
    CU_ASSERT_EQUAL(p.scale_pos_weight, 4.0);
    CU_ASSERT_EQUAL(validate(&p), 0);
    params_default(&b);
    params_each(&p, copy_cb, &b);
    CU_ASSERT_EQUAL(memcmp(&p, &b, sizeof p), 0);
    CU_ASSERT_TRUE(params_equal(&p, &b));
    char help[8192];
    params_help(help, sizeof help);
    CU_ASSERT_PTR_NOT_NULL(strstr(help, "huber_slope"));
    CU_ASSERT_PTR_NOT_NULL(strstr(help, "tweedie_variance_power"));
    CU_ASSERT_PTR_NOT_NULL(strstr(help, "scale_pos_weight"));
    CU_ASSERT_PTR_NOT_NULL(strstr(help, "binary:logistic"));
}

/* Unset new parameters are not written: a model of the old options keeps its bytes. */
static void count_cb(void *ctx, const char *k, const char *v)
{
    (void)v;
    if (strstr(k, "huber") || strstr(k, "tweedie") || strstr(k, "scale_pos")) ++*(int *)ctx;
}

static void test_unset_new_params_not_written(void)
{
    sb_params p;
    int n = 0;
    params_default(&p);
    params_each(&p, count_cb, &n);
    CU_ASSERT_EQUAL(n, 0);
}

static const sb_test tests[] = {
    {"objective parameters, any max_depth, help", test_objective_params_and_depth},
    {"unset new parameters are not written", test_unset_new_params_not_written},
    {"aliases and values", test_aliases_and_values},
    {"errors: did you mean, ranges, types", test_errors_are_precise},
    {"params_each round trip", test_round_trip},
};

SB_TEST_MAIN(&run, SB_SUITE("params", tests))
