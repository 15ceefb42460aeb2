/* test_foreign_model.c - models in other libraries' formats, on a small
 * hand-made model whose predictions are computed by hand below:
 *   - LightGBM text: the required fields are there, and a reading of the file
 *     by LightGBM's rules (left iff double(x) <= threshold, decision_type bit
 *     2 = default left, missing type (bits 2-3) 2 = NaN takes the default
 *     side, children >= 0 inner / ~leaf) gives the hand-computed predictions;
 *   - XGBoost JSON: written in breadth-first order (right = left + 1), reads
 *     back to the same predictions bit for bit; damaged files are refused
 *     with the field named. */
#include <float.h>  /* for FLT_MAX */
#include <jansson.h>
#include <math.h>   /* for NAN, nextafterf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for access */

#include "cunit_main.h"
#include "helpers.h"
#include "io/foreign_model.h"
#include "kernels/objective.h"
#include "kernels/tree_predict.h"
#include "base/error.h"

static run_ctx *run;
static char dir[128]; /* $TMPDIR/sb_foreign_<pid>.XXXXXX */

/* Tree 0: a < 0.5 (NaN left) ? 0.25 : (b < -1 (NaN right) ? -0.125 : 0.5)
 * Tree 1, stored depth first (right child of the root is not left + 1):
 *         b < 1.5 (NaN right) ? (a < -2 (NaN left) ? 1.0 : -2.0) : 0.75
 * Tree 2: the leaf 0.0625.   Base score 0.5, squared error. */
static sb_node nodes[] = {
    {0, 1, 2, 1, 0, 0.5f, 0, 3, 10, 0}, {-1, -1, -1, 0, 0, 0, 0.25, 0, 4, 0},   {1, 3, 4, 0, 0, -1.0f, 0, 2, 6, 0},
    {-1, -1, -1, 0, 0, 0, -0.125, 0, 3, 0}, {-1, -1, -1, 0, 0, 0, 0.5, 0, 3, 0},
    {1, 1, 4, 0, 1, 1.5f, 0, 5, 10, 0}, {0, 2, 3, 1, 0, -2.0f, 0, 1, 7, 0},    {-1, -1, -1, 0, 0, 0, 1.0, 0, 2, 0},
    {-1, -1, -1, 0, 0, 0, -2.0, 0, 5, 0}, {-1, -1, -1, 0, 0, 0, 0.75, 0, 3, 0},
    {-1, -1, -1, 0, 0, 0, 0.0625, 0, 10, 0},
};
static int64_t tree_start[] = {0, 5, 10, 11};
static sb_feature_info feats[] = {{"a", 0, NULL}, {"b", 0, NULL}};
static int64_t cut_start[] = {0, 2, 4};
static float cuts[] = {-2.0f, 0.5f, -1.0f, 1.5f};

static sb_model hand_model(void)
{
    sb_model m;
    memset(&m, 0, sizeof m);
    params_default(&m.params);
    m.params.objective = SB_OBJ_SQUAREDERROR;
    m.base_score = m.base_margin = 0.5;
    m.n_feat = 2, m.feat = feats, m.cut_start = cut_start, m.cuts = cuts;
    m.n_trees = 3, m.tree_start = tree_start, m.nodes = nodes;
    return m;
}

#define N_ROWS 7
static float rows[N_ROWS][2];
static const double expect[N_ROWS] = {
    0.5 + 0.25 - 2.0 + 0.0625,   /* (0.4, 0)                  */
    0.5 + 0.5 - 2.0 + 0.0625,    /* (0.5, -1): both on the threshold: right, right */
    0.5 + 0.25 + 0.75 + 0.0625,  /* (NaN, NaN)                */
    0.5 + 0.25 + 1.0 + 0.0625,   /* (-3, 0)                   */
    0.5 - 0.125 - 2.0 + 0.0625,  /* (1, the float below -1)   */
    0.5 + 0.25 - 2.0 + 0.0625,   /* (the float below 0.5, 0)  */
    0.5 + 0.25 + 0.75 + 0.0625,  /* (-0, 2)                   */
};

static void fill_rows(void)
{
    const float v[N_ROWS][2] = {{0.4f, 0.0f}, {0.5f, -1.0f}, {NAN, NAN}, {-3.0f, 0.0f},
                                {1.0f, nextafterf(-1.0f, -FLT_MAX)}, {nextafterf(0.5f, 0.0f), 0.0f}, {-0.0f, 2.0f}};
    memcpy(rows, v, sizeof rows);
}

static void path_of(char *p, size_t n, const char *name) { snprintf(p, n, "%s/%s", dir, name); }

static void test_hand_model_itself(void)
{
    sb_model m = hand_model();
    sb_forest f = model_forest(&m);
    double margin[N_ROWS];
    tree_predict_margin(&f, m.base_margin, &rows[0][0], N_ROWS, 2, margin);
    for (int i = 0; i < N_ROWS; ++i) CU_ASSERT_EQUAL(margin[i], expect[i]);
}

/* ---- LightGBM: a reading of the text by LightGBM's rules ------------------ */
typedef struct {
    int n_leaves, feat[16], dtype[16], left[16], right[16];
    double thr[16], leaf[16];
} lgbm_tree;

static int read_ints(const char *s, int *out, int n)
{
    int k = 0;
    char *end;
    for (; k < n; ++k, s = end) {
        out[k] = (int)strtol(s, &end, 10);
        if (end == s) break;
    }
    return k;
}

static int read_doubles(const char *s, double *out, int n)
{
    int k = 0;
    char *end;
    for (; k < n; ++k, s = end) {
        out[k] = strtod(s, &end);
        if (end == s) break;
    }
    return k;
}

/* Trees of the file (at most 8); header keys checked by the caller. */
static int lgbm_parse(const char *text, lgbm_tree *t, int max)
{
    int n = -1;
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (!strncmp(p, "Tree=", 5) && n + 1 < max) memset(&t[++n], 0, sizeof t[0]);
        if (n < 0) continue;
        if (!strncmp(p, "num_leaves=", 11)) t[n].n_leaves = atoi(p + 11);
        else if (!strncmp(p, "split_feature=", 14)) read_ints(p + 14, t[n].feat, 16);
        else if (!strncmp(p, "decision_type=", 14)) read_ints(p + 14, t[n].dtype, 16);
        else if (!strncmp(p, "left_child=", 11)) read_ints(p + 11, t[n].left, 16);
        else if (!strncmp(p, "right_child=", 12)) read_ints(p + 12, t[n].right, 16);
        else if (!strncmp(p, "threshold=", 10)) read_doubles(p + 10, t[n].thr, 16);
        else if (!strncmp(p, "leaf_value=", 11)) read_doubles(p + 11, t[n].leaf, 16);
    }
    return n + 1;
}

/* LightGBM's NumericalDecision, walked to a leaf (features as double). */
static double lgbm_tree_value(const lgbm_tree *t, const double *x)
{
    if (t->n_leaves <= 1) return t->leaf[0];
    int node = 0;
    while (node >= 0) {
        double v = x[t->feat[node]];
        int missing_type = (t->dtype[node] >> 2) & 3, default_left = (t->dtype[node] & 2) != 0;
        if (isnan(v) && missing_type != 2) v = 0.0;
        if ((missing_type == 1 && v > -1e-35 && v <= 1e-35) || (missing_type == 2 && isnan(v)))
            node = default_left ? t->left[node] : t->right[node];
        else node = v <= t->thr[node] ? t->left[node] : t->right[node];
    }
    return t->leaf[~node];
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = calloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void test_lightgbm_text(void)
{
    sb_model m = hand_model();
    char p[512];
    path_of(p, sizeof p, "m.txt");
    CU_ASSERT_EQUAL_FATAL(lgbm_export_write(run, &m, p), SB_OK);
    char *text = slurp(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    static const char *required[] = {"\nnum_class=1\n", "\nlabel_index=0\n", "\nmax_feature_idx=1\n",
                                     "\nfeature_names=a b\n", "\nfeature_infos=[-2:0.5] [-1:1.5]\n",
                                     "\nobjective=regression\n", "\nnum_cat=0\n", "\nend of trees\n"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; ++i) CU_ASSERT_PTR_NOT_NULL(strstr(text, required[i]));
    lgbm_tree t[8];
    CU_ASSERT_EQUAL_FATAL(lgbm_parse(text, t, 8), 3);
    CU_ASSERT_EQUAL(t[0].n_leaves, 3);
    CU_ASSERT_EQUAL(t[2].n_leaves, 1);
    /* the threshold is the float just below the split value, NaN goes to the default side */
    CU_ASSERT_EQUAL(t[0].thr[0], (double)nextafterf(0.5f, 0.0f));
    CU_ASSERT_EQUAL(t[0].dtype[0], 8 | 2);
    CU_ASSERT_EQUAL(t[0].dtype[1], 8);
    for (int i = 0; i < N_ROWS; ++i) {
        double x[2] = {rows[i][0], rows[i][1]}, sum = 0;
        for (int k = 0; k < 3; ++k) sum += lgbm_tree_value(&t[k], x);
        CU_ASSERT_EQUAL(sum, expect[i]); /* base margin folded into tree 0's leaves, sums in double */
    }
    free(text);
}

static void test_lightgbm_refuses_names(void)
{
    sb_model m = hand_model();
    sb_feature_info bad[] = {{"a", 0, NULL}, {"two words", 0, NULL}};
    m.feat = bad;
    char p[512];
    path_of(p, sizeof p, "bad.txt");
    CU_ASSERT_EQUAL(lgbm_export_write(run, &m, p), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "two words"));
    CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
    err_clear(run);
}

/* ---- XGBoost JSON -------------------------------------------------------- */
static void test_xgboost_round_trip(void)
{
    sb_model m = hand_model(), back;
    char p[512];
    path_of(p, sizeof p, "x.json");
    xgb_export_opts o = {1};
    CU_ASSERT_EQUAL_FATAL(xgb_export_write(run, &m, &o, p), SB_OK);
    json_error_t je;
    json_t *doc = json_load_file(p, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    json_t *tree1 = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(doc, "learner"),
                                                                                   "gradient_booster"), "model"), "trees"), 1);
    json_t *l = json_object_get(tree1, "left_children"), *r = json_object_get(tree1, "right_children");
    for (size_t k = 0; k < json_array_size(l); ++k) /* breadth first: right = left + 1 */
        if (json_integer_value(json_array_get(l, k)) >= 0)
            CU_ASSERT_EQUAL(json_integer_value(json_array_get(r, k)), json_integer_value(json_array_get(l, k)) + 1);
    CU_ASSERT_TRUE(json_is_real(json_array_get(json_object_get(tree1, "split_conditions"), 2))); /* 1.0, not 1 */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(json_object_get(doc, "learner"),
                                                                             "learner_model_param"), "base_score")), "0.5");
    json_decref(doc);
    CU_ASSERT_EQUAL_FATAL(xgb_import_file(run, p, &back), SB_OK);
    CU_ASSERT_EQUAL(back.n_trees, 3);
    CU_ASSERT_STRING_EQUAL(back.feat[1].name, "b");
    sb_forest f = model_forest(&back);
    double margin[N_ROWS];
    tree_predict_margin(&f, back.base_margin, &rows[0][0], N_ROWS, 2, margin);
    for (int i = 0; i < N_ROWS; ++i) CU_ASSERT_EQUAL(margin[i], expect[i]);
    /* the cuts are the distinct thresholds, and each split's bin points at its own */
    CU_ASSERT_EQUAL(back.cut_start[1] - back.cut_start[0], 2);
    for (int64_t k = 0; k < back.tree_start[3]; ++k)
        if (back.nodes[k].feat >= 0)
            CU_ASSERT_EQUAL(back.cuts[back.cut_start[back.nodes[k].feat] + back.nodes[k].bin], back.nodes[k].threshold);
    model_free(&back);
}

/* Export the hand model, set key (and key2, if not NULL) of tree `tree`, expect an error holding `want`. */
static void expect_refused2(const char *name, int tree, const char *key, json_t *value, const char *key2, json_t *value2,
                            const char *want)
{
    sb_model m = hand_model(), back;
    char p[512];
    path_of(p, sizeof p, name);
    xgb_export_opts o = {0};
    CU_ASSERT_EQUAL_FATAL(xgb_export_write(run, &m, &o, p), SB_OK);
    json_error_t je;
    json_t *doc = json_load_file(p, 0, &je);
    json_t *t = json_array_get(json_object_get(json_object_get(json_object_get(json_object_get(doc, "learner"),
                                                                               "gradient_booster"), "model"), "trees"), (size_t)tree);
    json_object_set_new(t, key, value);
    if (key2 != NULL) json_object_set_new(t, key2, value2);
    json_dump_file(doc, p, 0);
    json_decref(doc);
    CU_ASSERT_NOT_EQUAL(xgb_import_file(run, p, &back), SB_OK);
    const char *msg = err_message(run);
    if (strstr(msg, want) == NULL || strstr(msg, name) == NULL) printf("\n  unexpected message: %s\n", msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, name));
    err_clear(run);
}

static void expect_refused(const char *name, int tree, const char *key, json_t *value, const char *want)
{
    expect_refused2(name, tree, key, value, NULL, NULL, want);
}

static void test_xgboost_refusals(void)
{
    /* node 2's children point back at the root: not a tree */
    expect_refused2("cycle.json", 0, "left_children", json_pack("[i,i,i,i,i]", 1, -1, 0, -1, -1), "right_children",
                    json_pack("[i,i,i,i,i]", 2, -1, 1, -1, -1), "reached twice");
    expect_refused("right.json", 0, "right_children", json_pack("[i,i,i,i,i]", 3, -1, 4, -1, -1), "left + 1");
    expect_refused("type.json", 0, "left_children", json_pack("[f,i,i,i,i]", 1.0, -1, 3, -1, -1), "left_children[0]");
    expect_refused("len.json", 0, "split_indices", json_pack("[i,i]", 0, 0), "split_indices has 2 entries");
    expect_refused("cat.json", 0, "split_type", json_pack("[i,i,i,i,i]", 1, 0, 0, 0, 0), "categorical");
    expect_refused("feat.json", 1, "split_indices", json_pack("[i,i,i,i,i]", 1, 7, 0, 0, 0), "split_indices[1] is 7");
    expect_refused("nodes.json", 2, "tree_param", json_pack("{s:s}", "num_nodes", "x"), "num_nodes");
}

/* A base score XGBoost cannot hold for the objective is refused, nothing written. */
static void test_xgboost_refuses_base_score(void)
{
    sb_model m = hand_model();
    m.params.objective = SB_OBJ_LOGISTIC;
    m.base_score = 0.0;
    char p[512];
    path_of(p, sizeof p, "bs0.json");
    xgb_export_opts o = {1};
    CU_ASSERT_EQUAL(xgb_export_write(run, &m, &o, p), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "base_score"));
    CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
    err_clear(run);
}

/* base_score as XGBoost >= 2.1 writes it ("[2.5E-1]"), and a damaged one. */
static void test_xgboost_base_score_forms(void)
{
    sb_model m = hand_model(), back;
    char p[512];
    path_of(p, sizeof p, "bs.json");
    xgb_export_opts o = {0};
    const char *forms[] = {"[2.5E-1]", "[2.5E-1", "2.5E-1]"};
    for (int i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL_FATAL(xgb_export_write(run, &m, &o, p), SB_OK);
        json_error_t je;
        json_t *doc = json_load_file(p, 0, &je);
        json_object_set_new(json_object_get(json_object_get(doc, "learner"), "learner_model_param"), "base_score",
                            json_string(forms[i]));
        json_dump_file(doc, p, 0);
        json_decref(doc);
        int rc = xgb_import_file(run, p, &back);
        CU_ASSERT_EQUAL(rc, i == 0 ? SB_OK : SB_EDATA);
        if (rc == SB_OK) CU_ASSERT_EQUAL(back.base_margin, 0.25);
        if (rc == SB_OK) model_free(&back);
        else CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "base_score"));
        err_clear(run);
    }
}

static const sb_test tests[] = {
    {"hand model: the hand-computed predictions", test_hand_model_itself},
    {"LightGBM text: required fields, decision bits, thresholds, predictions", test_lightgbm_text},
    {"LightGBM text: a name with a space is refused, nothing written", test_lightgbm_refuses_names},
    {"XGBoost JSON: breadth first, reals, round trip bit for bit", test_xgboost_round_trip},
    {"XGBoost JSON import: damaged trees refused, field named", test_xgboost_refusals},
    {"XGBoost JSON import: base_score \"[x]\" of XGBoost 2.1", test_xgboost_base_score_forms},
    {"XGBoost JSON export: a base score outside the link's range is refused", test_xgboost_refuses_base_score},
};

/* The rows the hand model is checked on, and a directory for the written files. */
static int set_up(void)
{
    fill_rows();
    return sb_make_tmpdir(dir, sizeof dir, "foreign");
}
static int tear_down(void) { return sb_remove_tree(dir); }

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("foreign_model", tests, set_up, tear_down))
