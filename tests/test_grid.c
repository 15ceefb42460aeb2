/* test_grid.c - YAML grids: product order, fixed keys, explicit points, lists
 * of sub-grids, and the precise file:line errors for the classic mistakes. */
#include <string.h>

#include "cunit_main.h"
#include "jobs/grid.h"
#include "base/error.h"
#include "mpi/run.h"

#define FIX "tests/fixtures/grids/"
static run_ctx *run;

static int load(const char *path, sb_grid *g)
{
    sb_params base;
    params_default(&base);
    err_clear(run);
    return grid_load(run, path, &base, g);
}

/* The error message starts with want (the location and the first words). */
static int msg_has(const char *want) { return strstr(err_message(run), want) != NULL; }

static void test_original_grid(void)
{
    sb_grid g;
    CU_ASSERT_EQUAL_FATAL(load(FIX "original.yaml", &g), SB_OK);
    CU_ASSERT_EQUAL(g.n_points, 864);
    CU_ASSERT_EQUAL(g.n_cols, 8);
    CU_ASSERT_STRING_EQUAL(g.cols[0], "eta"); /* learning_rate -> canonical */
    CU_ASSERT_STRING_EQUAL(g.cols[4], "alpha");
    CU_ASSERT_STRING_EQUAL(g.shape, "3 x 2 x 3 x 2 x 2 x 2 x 2 x 3");
    /* last list fastest: point 1 differs from point 0 in colsample_bytree only */
    CU_ASSERT_STRING_EQUAL(grid_value(&g.points[0], "colsample_bytree"), "0.6");
    CU_ASSERT_STRING_EQUAL(grid_value(&g.points[1], "colsample_bytree"), "0.8");
    CU_ASSERT_STRING_EQUAL(grid_value(&g.points[1], "eta"), "0.01");
    CU_ASSERT_STRING_EQUAL(grid_value(&g.points[863], "eta"), "0.1");
    CU_ASSERT_DOUBLE_EQUAL(g.points[863].params.eta, 0.1, 0);
    CU_ASSERT_EQUAL(g.points[863].params.max_depth, 10);
    CU_ASSERT_EQUAL(g.points[863].params.n_rounds, 300);
    CU_ASSERT_DOUBLE_EQUAL(g.points[0].params.colsample_bytree, 0.6, 0);
    grid_free(&g);
}

static void test_mixed_fixed_and_points(void)
{
    sb_grid g;
    CU_ASSERT_EQUAL_FATAL(load(FIX "mixed.yaml", &g), SB_OK);
    CU_ASSERT_EQUAL_FATAL(g.n_points, 8);
    CU_ASSERT_STRING_EQUAL(g.shape, "2 x 3 + 2 explicit");
    for (int i = 0; i < 6; ++i) {
        CU_ASSERT_EQUAL(g.points[i].params.objective, SB_OBJ_LOGISTIC);
        CU_ASSERT_EQUAL(g.points[i].params.n_rounds, 20);
    }
    CU_ASSERT_EQUAL(g.points[2].params.max_depth, 4);
    CU_ASSERT_DOUBLE_EQUAL(g.points[3].params.eta, 0.3, 0);
    /* explicit points: fixed keys apply, their own keys win */
    CU_ASSERT_EQUAL(g.points[6].params.n_rounds, 5);
    CU_ASSERT_EQUAL(g.points[6].params.max_depth, 1);
    CU_ASSERT_EQUAL(g.points[6].params.objective, SB_OBJ_LOGISTIC);
    CU_ASSERT_EQUAL(g.points[7].params.grow_policy, SB_GROW_LOSSGUIDE);
    CU_ASSERT_EQUAL(g.points[7].params.max_leaves, 8);
    CU_ASSERT_DOUBLE_EQUAL(g.points[7].params.eta, 0.3, 0); /* base value */
    CU_ASSERT_PTR_NULL(grid_value(&g.points[7], "eta"));
    grid_free(&g);
}

static void test_list_of_subgrids(void)
{
    sb_grid g;
    CU_ASSERT_EQUAL_FATAL(load(FIX "list_of_grids.yaml", &g), SB_OK);
    CU_ASSERT_EQUAL_FATAL(g.n_points, 6);
    CU_ASSERT_STRING_EQUAL(g.shape, "2 x 2; 2");
    CU_ASSERT_EQUAL(g.points[3].params.max_depth, 4);
    CU_ASSERT_DOUBLE_EQUAL(g.points[3].params.lambda, 10, 0);
    CU_ASSERT_EQUAL(g.points[5].params.max_leaves, 16);
    CU_ASSERT_EQUAL(g.points[5].params.max_depth, 0);
    grid_free(&g);
}

static void test_misspelt_key(void)
{
    sb_grid g;
    CU_ASSERT_EQUAL(load(FIX "typo_reg_ramma.yaml", &g), SB_EINVAL);
    CU_ASSERT(msg_has(FIX "typo_reg_ramma.yaml:6: unknown parameter 'reg_ramma'; did you mean"));
    CU_ASSERT_EQUAL(g.n_points, 0);
}

static void test_out_of_range(void)
{
    sb_grid g;
    CU_ASSERT_EQUAL(load(FIX "colsample_1_1.yaml", &g), SB_EINVAL);
    CU_ASSERT(msg_has(FIX "colsample_1_1.yaml:7: parameter 'colsample_bytree' = 1.1 out of range (0, 1]"));
    CU_ASSERT_EQUAL(load(FIX "negative_depth.yaml", &g), SB_EINVAL);
    CU_ASSERT(msg_has(FIX "negative_depth.yaml:2: parameter 'max_depth' = -1 out of range"));
}

static void test_yaml_syntax(void)
{
    sb_grid g;
    CU_ASSERT_EQUAL(load(FIX "bad_syntax.yaml", &g), SB_EINVAL);
    CU_ASSERT(msg_has(FIX "bad_syntax.yaml:3: YAML syntax: did not find expected ',' or ']' (column 11); while parsing "
                          "a flow sequence started on line 2"));
}

static void test_other_errors(void)
{
    sb_grid g;
    sb_params base;
    params_default(&base);
    CU_ASSERT_EQUAL(load(FIX "duplicate_alias.yaml", &g), SB_EINVAL);
    CU_ASSERT(msg_has("duplicate_alias.yaml:3: 'eta' sets parameter 'eta', already set on line 1"));
    const char *cases[][2] = {
        {"max_depth: []\n", "g.yaml:1: 'max_depth' has an empty list"},
        {"eta: [0.1, [0.2]]\n", "g.yaml:1: expected a value here"},
        {"eta:\n", "g.yaml:1: 'eta' has no value"},
        {"eta: abc\n", "g.yaml:1: parameter 'eta': 'abc' is not a number"},
        {"max_depth: [0]\n", "g.yaml:1: grid point 0 (max_depth=0): max_depth=0 (unlimited) needs"},
        {"points: 3\n", "g.yaml:1: 'points' must be a list"},
        {"- 1\n", "g.yaml:1: a grid is a mapping"},
        {"", "g.yaml: the grid file is empty"},
        {"max_depth: [2, 3]\npoints:\n  - {eta: 0.1, learning_rate: 0.2}\n",
         "g.yaml:3: 'learning_rate' sets parameter 'eta', already set on line 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        err_clear(run);
        CU_ASSERT_EQUAL(grid_parse(run, "g.yaml", cases[i][0], strlen(cases[i][0]), &base, &g), SB_EINVAL);
        if (!msg_has(cases[i][1])) fprintf(stderr, "\ncase %zu: got '%s'\n", i, err_message(run));
        CU_ASSERT(msg_has(cases[i][1]));
    }
    CU_ASSERT_EQUAL(load("tests/fixtures/grids/no-such.yaml", &g), SB_EIO);
}

static void test_base_params(void)
{
    /* Command-line parameters are the base every point starts from. */
    sb_params base;
    params_default(&base);
    base.n_rounds = 7;
    sb_grid g;
    const char *t = "max_depth: [2, 3]\n";
    CU_ASSERT_EQUAL_FATAL(grid_parse(run, "g.yaml", t, strlen(t), &base, &g), SB_OK);
    CU_ASSERT_EQUAL(g.points[1].params.n_rounds, 7);
    CU_ASSERT_EQUAL(g.points[1].params.max_depth, 3);
    CU_ASSERT_STRING_EQUAL(g.shape, "2");
    grid_free(&g);
    const char *single = "eta: 0.1\n";
    CU_ASSERT_EQUAL_FATAL(grid_parse(run, "g.yaml", single, strlen(single), &base, &g), SB_OK);
    CU_ASSERT_EQUAL(g.n_points, 1);
    grid_free(&g);
}

static const sb_test tests[] = {
    {"original grid: 864 points, aliases, product order", test_original_grid},
    {"fixed keys, lists and explicit points", test_mixed_fixed_and_points},
    {"a list of sub-grids", test_list_of_subgrids},
    {"misspelt key reg_ramma: file:line and did-you-mean", test_misspelt_key},
    {"colsample_bytree 1.1 and negative depth: file:line, range", test_out_of_range},
    {"YAML syntax error: libyaml's message with line", test_yaml_syntax},
    {"duplicates, empty lists, nesting, nulls, cross checks", test_other_errors},
    {"base parameters from the command line", test_base_params},
};

SB_TEST_MAIN(&run, SB_SUITE("grid", tests))
