/* test_constraints.c - the constraint texts (io/constraints_text.h), their
 * parameters (io/params.h: syntax, model round trip, the metric parameter),
 * their resolution against a table and the node masks (engine/grow_constraints.h),
 * and the parameterized metrics' fast path against the twin. */
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "cunit_main.h"
#include "engine/grow_constraints.h"
#include "helpers.h"
#include "io/constraints_text.h"
#include "io/params.h"
#include "jobs/grid.h"
#include "kernels/metric.h"

static run_ctx *run;

/* Parse text as monotone constraints; 0 and the values, or -1. */
static int mono(const char *text, cons_list *l)
{
    char err[256];
    return cons_parse_monotone(text, l, err, sizeof err);
}

static void test_monotone_forms(void)
{
    cons_list l;
    const char *positional[] = {"(1,0,-1)", "[1, 0, -1]", "1,0,-1", " ( 1 , 0 , -1 ) "};
    for (int i = 0; i < 4; ++i) {
        CU_ASSERT_EQUAL_FATAL(mono(positional[i], &l), 0);
        CU_ASSERT_EQUAL(l.n, 3);
        CU_ASSERT_EQUAL(l.named, 0);
        CU_ASSERT_TRUE(l.value[0] == 1 && l.value[1] == 0 && l.value[2] == -1);
        CU_ASSERT_PTR_NULL(l.name[0]);
        cons_list_free(&l);
    }
    const char *named[] = {"{\"price\":1,\"x\":-1}", "price:1,x:-1", "{'price': 1, 'x': -1}", "{price: 1, x: -1}"};
    for (int i = 0; i < 4; ++i) {
        CU_ASSERT_EQUAL_FATAL(mono(named[i], &l), 0);
        CU_ASSERT_EQUAL(l.n, 2);
        CU_ASSERT_EQUAL(l.named, 1);
        CU_ASSERT_STRING_EQUAL(l.name[0], "price");
        CU_ASSERT_STRING_EQUAL(l.name[1], "x");
        CU_ASSERT_TRUE(l.value[0] == 1 && l.value[1] == -1);
        cons_list_free(&l);
    }
    const char *none[] = {"", "()", "[]", "  "};
    for (int i = 0; i < 4; ++i) {
        CU_ASSERT_EQUAL(mono(none[i], &l), 0);
        CU_ASSERT_EQUAL(l.n, 0);
        cons_list_free(&l);
    }
    const char *bad[] = {"(1,2)", "(1,0", "price:up", "[[1]]", "1.5,0", "\"a\""};
    for (int i = 0; i < 6; ++i) CU_ASSERT_EQUAL(mono(bad[i], &l), -1);
}

static void test_interaction_forms(void)
{
    char err[256];
    cons_list l;
    const char *forms[] = {"[[0,1],[2,3,4]]", "[0,1],[2,3,4]", "((0,1),(2,3,4))"};
    for (int i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL_FATAL(cons_parse_interaction(forms[i], &l, err, sizeof err), 0);
        CU_ASSERT_EQUAL(l.n_sets, 2);
        CU_ASSERT_EQUAL(l.n, 5);
        CU_ASSERT_TRUE(l.index[0] == 0 && l.index[4] == 4 && l.value[1] == 0 && l.value[2] == 1);
        cons_list_free(&l);
    }
    CU_ASSERT_EQUAL_FATAL(cons_parse_interaction("[[\"a\",\"b c\"],[c]]", &l, err, sizeof err), 0);
    CU_ASSERT_EQUAL(l.n_sets, 2);
    CU_ASSERT_STRING_EQUAL(l.name[1], "b c");
    CU_ASSERT_STRING_EQUAL(l.name[2], "c");
    cons_list_free(&l);
    CU_ASSERT_EQUAL_FATAL(cons_parse_interaction("[0,1]", &l, err, sizeof err), 0); /* one set */
    CU_ASSERT_EQUAL(l.n_sets, 1);
    cons_list_free(&l);
    CU_ASSERT_EQUAL(cons_parse_interaction("[[0,1],2]", &l, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "list of lists"));
    CU_ASSERT_EQUAL(cons_parse_interaction("[[0,-1]]", &l, err, sizeof err), -1);
    CU_ASSERT_EQUAL(cons_parse_interaction("[[0,1]", &l, err, sizeof err), -1);
}

/* params_set: key and aliases, syntax errors name the key, the text round-trips
 * through params_each, "none" leaves the params as if unset. */
static void param_cb(void *ctx, const char *key, const char *value)
{
    sb_params *q = ctx;
    CU_ASSERT_EQUAL(params_set(run, q, key, value, NULL), SB_OK);
}

static void test_params(void)
{
    sb_params p, q, d;
    params_default(&p);
    params_default(&d);
    CU_ASSERT_EQUAL(params_set(run, &p, "mc", "", NULL), SB_OK);
    CU_ASSERT_TRUE(params_equal(&p, &d)); /* empty: as if never set */
    CU_ASSERT_EQUAL(params_set(run, &p, "monotone_constraint", "(1,0,-1)", NULL), SB_OK);
    CU_ASSERT_STRING_EQUAL(p.monotone_constraints, "(1,0,-1)");
    CU_ASSERT_EQUAL(params_set(run, &p, "interaction_constraints", "[[0,1]]", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "colsample_bynode", "0.5", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "feature_fraction_bynode", "0.25", NULL), SB_OK);
    CU_ASSERT_EQUAL(p.colsample_bynode, 0.25);
    CU_ASSERT_EQUAL(params_set(run, &p, "eval_metric", "tweedie-nloglik@1.25", NULL), SB_OK);
    CU_ASSERT_EQUAL(p.eval_metric, SB_METRIC_TWEEDIE_NLOGLIK);
    CU_ASSERT_EQUAL(params_metric_param(&p), 1.25);
    params_default(&q);
    params_each(&p, param_cb, &q);
    CU_ASSERT_TRUE(params_equal(&p, &q));
    CU_ASSERT_STRING_EQUAL(q.monotone_constraints, "(1,0,-1)");
    CU_ASSERT_FALSE(params_equal(&p, &d));
    err_clear(run);
    CU_ASSERT_EQUAL(params_set(run, &p, "monotone_constraints", "(1,0,5)", "grid.yaml:3"), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "grid.yaml:3: parameter 'monotone_constraints': values must be"));
    CU_ASSERT_STRING_EQUAL(p.monotone_constraints, "(1,0,-1)"); /* unchanged on error */
    err_clear(run);
    CU_ASSERT_EQUAL(params_set(run, &p, "eval_metric", "tweedie-nloglik@2.5", NULL), SB_EINVAL);
    CU_ASSERT_EQUAL(params_set(run, &p, "eval_metric", "rmse@2", NULL), SB_EINVAL);
    CU_ASSERT_EQUAL(params_set(run, &p, "colsample_bylevel", "0", NULL), SB_EINVAL);
    err_clear(run);
    CU_ASSERT_EQUAL(params_set(run, &p, "eval_metric", "pinball", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "quantile_alpha", "0.8", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_metric_param(&p), 0.8);
    CU_ASSERT_EQUAL(params_set(run, &p, "objective", "reg:tweedie", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "tweedie_variance_power", "1.4", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "eval_metric", "tweedie-nloglik", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_metric_param(&p), 1.4); /* no @rho: the objective's power */
}

/* A table of 4 features a, b, c (categorical), d. */
static void make_table(sb_table *t)
{
    static const char *const names[4] = {"a", "b", "c", "d"};
    const float x[8] = {0, 1, 0, 1, 1, 0, 1, 0};
    const double y[2] = {0, 1};
    sb_make_table(t, 2, 4, names, NULL, x, y, NULL);
    t->feat[2].n_levels = 2; /* c: categorical */
}

static int resolve(const char *key, const char *value, const sb_table *t, grow_constraints *c, int *active)
{
    sb_params p;
    params_default(&p);
    if (params_set(run, &p, key, value, NULL) != SB_OK) return -1;
    err_clear(run);
    return grow_constraints_resolve(run, &p, t, 7, c, active) == SB_OK ? 0 : -1;
}

static void test_resolve_and_masks(void)
{
    sb_table t;
    make_table(&t);
    grow_constraints c;
    int active = 0;
    CU_ASSERT_EQUAL_FATAL(resolve("mc", "d:-1,a:1", &t, &c, &active), 0);
    CU_ASSERT_TRUE(active && c.mono[0] == 1 && c.mono[1] == 0 && c.mono[3] == -1);
    grow_constraints_free(&c);
    CU_ASSERT_EQUAL(resolve("mc", "(0,0,0,0)", &t, &c, &active), 0); /* all zero: nothing to do */
    CU_ASSERT_EQUAL(active, 0);
    grow_constraints_free(&c);
    CU_ASSERT_EQUAL(resolve("mc", "(1,0,0)", &t, &c, &active), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "3 values for 4 features"));
    CU_ASSERT_EQUAL(resolve("mc", "c:1", &t, &c, &active), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "'c' is categorical"));
    CU_ASSERT_EQUAL(resolve("mc", "e:1", &t, &c, &active), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "no feature named 'e'"));
    /* interaction [[a, b], [b, c]]: XGBoost's rule on a few paths */
    CU_ASSERT_EQUAL_FATAL(resolve("interaction_constraints", "[[a,b],[1,2]]", &t, &c, &active), 0);
    CU_ASSERT_TRUE(active);
    uint8_t m[4];
    grow_node_mask(&c, NULL, 0, 0, 0, NULL, 0, m); /* the root: anything */
    CU_ASSERT_TRUE(m[0] && m[1] && m[2] && m[3]);
    const int32_t path_b[1] = {1}, path_ab[2] = {1, 0}, path_d[1] = {3}, path_bc[2] = {2, 1};
    grow_node_mask(&c, NULL, 0, 1, 1, path_b, 1, m); /* b is in both sets: a, b, c */
    CU_ASSERT_TRUE(m[0] && m[1] && m[2] && !m[3]);
    grow_node_mask(&c, NULL, 0, 2, 3, path_ab, 2, m); /* a and b: the first set only */
    CU_ASSERT_TRUE(m[0] && m[1] && !m[2] && !m[3]);
    grow_node_mask(&c, NULL, 0, 2, 3, path_bc, 2, m);
    CU_ASSERT_TRUE(!m[0] && m[1] && m[2] && !m[3]);
    grow_node_mask(&c, NULL, 0, 1, 1, path_d, 1, m); /* d is in no set: d alone */
    CU_ASSERT_TRUE(!m[0] && !m[1] && !m[2] && m[3]);
    const uint8_t tree_mask[4] = {1, 0, 1, 1}; /* the tree's sample still applies */
    grow_node_mask(&c, tree_mask, 0, 1, 1, path_b, 1, m);
    CU_ASSERT_TRUE(m[0] && !m[1] && m[2] && !m[3]);
    grow_constraints_free(&c);
    /* node samples: deterministic, the fraction rounded, depending on the node */
    CU_ASSERT_EQUAL_FATAL(resolve("colsample_bynode", "0.5", &t, &c, &active), 0);
    uint8_t m2[4];
    int differ = 0;
    for (int32_t node = 0; node < 16; ++node) {
        grow_node_mask(&c, NULL, 3, 2, node, NULL, 0, m);
        grow_node_mask(&c, NULL, 3, 2, node, NULL, 0, m2);
        CU_ASSERT_EQUAL(memcmp(m, m2, 4), 0);
        CU_ASSERT_EQUAL(m[0] + m[1] + m[2] + m[3], 2);
        if (node) differ |= memcmp(m, m2 + 0, 4) != 0;
        grow_node_mask(&c, NULL, 3, 2, 0, NULL, 0, m2);
        differ |= memcmp(m, m2, 4) != 0;
    }
    CU_ASSERT_TRUE(differ);
    grow_constraints_free(&c);
    t.feat[2].n_levels = 0; /* make_table gave it no level names to free */
    table_free(&t);
}

/* tweedie-nloglik and quantile: values by hand, the fast path = the twin for several parameters. */
static void test_param_metrics(void)
{
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss_param(SB_METRIC_QUANTILE, 0.9, 3.0, 1.0), 1.8, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss_param(SB_METRIC_QUANTILE, 0.9, 1.0, 3.0), 0.2, 1e-15);
    const double rho = 1.5, y = 2.0, p = 4.0; /* -y p^-0.5 / -0.5 + p^0.5 / 0.5 = 2 + 4 */
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss_param(SB_METRIC_TWEEDIE_NLOGLIK, rho, y, p), 6.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss(SB_METRIC_TWEEDIE_NLOGLIK, y, p), 6.0, 1e-12); /* default rho 1.5 */
    enum { N = 3000 };
    static double label[N], weight[N], pred[N];
    for (int i = 0; i < N; ++i) {
        label[i] = (double)(sb_test_rnd() % 1000) / 100.0;
        weight[i] = 0.5 + (double)(sb_test_rnd() % 100) / 50.0;
        pred[i] = 0.05 + (double)(sb_test_rnd() % 1000) / 90.0;
    }
    const double params[3] = {1.1, 1.5, 1.9};
    for (int k = 0; k < 2; ++k)
        for (int j = 0; j < 3; ++j)
            for (int w = 0; w < 2; ++w) {
                const sb_metric_kind kind = k ? SB_METRIC_QUANTILE : SB_METRIC_TWEEDIE_NLOGLIK;
                const double a = k ? params[j] - 1.0 : params[j];
                sb_metric_part f, r;
                metric_part_zero(&f);
                metric_part_zero(&r);
                metric_accumulate_param(kind, a, label, weight, w, pred, NULL, N, &f);
                metric_accumulate_param_ref(kind, a, label, weight, w, pred, NULL, N, &r);
                CU_ASSERT_EQUAL(metric_value(kind, &f), metric_value(kind, &r));
            }
    sb_metric_kind k;
    double a = 0;
    CU_ASSERT_EQUAL(metric_parse_param("tweedie-nloglik@1.7", &k, &a), 0);
    CU_ASSERT_TRUE(k == SB_METRIC_TWEEDIE_NLOGLIK && a == 1.7);
    CU_ASSERT_STRING_EQUAL(metric_name(SB_METRIC_QUANTILE), "quantile");
    CU_ASSERT_EQUAL(metric_parse_param("mae@1", &k, &a), -1);
    CU_ASSERT_EQUAL(metric_parse_param("tweedie-nloglik@x", &k, &a), -1);
}

/* A grid: a list item that is itself a list is one value (JSON text); a text item too. */
static void test_grid_lists(void)
{
    const char *text = "max_depth: 3\n"
                       "monotone_constraints: [[1, -1, 0], \"x:1\"]\n"
                       "interaction_constraints: [[[0, 1], [a, 'b c']]]\n"
                       "points:\n  - {mc: {x: -1}}\n";
    sb_params base;
    params_default(&base);
    sb_grid g;
    err_clear(run);
    CU_ASSERT_EQUAL_FATAL(grid_parse(run, "g.yaml", text, strlen(text), &base, &g), SB_OK);
    CU_ASSERT_EQUAL(g.n_points, 3);
    CU_ASSERT_STRING_EQUAL(g.points[0].params.monotone_constraints, "[1,-1,0]");
    CU_ASSERT_STRING_EQUAL(g.points[1].params.monotone_constraints, "x:1");
    CU_ASSERT_STRING_EQUAL(g.points[0].params.interaction_constraints, "[[0,1],[\"a\",\"b c\"]]");
    CU_ASSERT_STRING_EQUAL(g.points[2].params.monotone_constraints, "{\"x\":-1}");
    grid_free(&g);
    const char *bad = "monotone_constraints: [[1, 2]]\n";
    CU_ASSERT_EQUAL(grid_parse(run, "g.yaml", bad, strlen(bad), &base, &g), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "g.yaml:1: parameter 'monotone_constraints': values must be"));
    const char *nested = "max_depth: [[3]]\n"; /* other parameters: lists still may not nest */
    CU_ASSERT_EQUAL(grid_parse(run, "g.yaml", nested, strlen(nested), &base, &g), SB_EINVAL);
}

static const sb_test tests[] = {
    {"monotone texts: positional, by name, none, bad", test_monotone_forms},
    {"interaction texts: indices, names, LightGBM's form, bad", test_interaction_forms},
    {"params: aliases, errors name the key, round trip", test_params},
    {"resolve against features; interaction and node masks", test_resolve_and_masks},
    {"tweedie-nloglik@rho and quantile: by hand, fast = twin", test_param_metrics},
    {"grids: list items of list parameters are one value", test_grid_lists},
};

SB_TEST_MAIN(&run, SB_SUITE("constraints", tests))
