/* test_booster.c - training in-process (singleton MPI): a hand-computable first
 * tree checked split by split, missing-value default direction, predictions
 * from the saved model equal to training's (bit for bit), row-mask validation
 * with early stopping, lossguide, and the model file (round trip, corruption,
 * truncation, version). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cunit_main.h"
#include "helpers.h"
#include "io/model.h"
#include "engine/booster.h"
#include "kernels/metric.h"
#include "base/error.h"
#include "base/log.h"
#include "mpi/run.h"

static run_ctx *run;

static void set(sb_params *p, const char *k, const char *v)
{
    CU_ASSERT_EQUAL_FATAL(params_set(run, p, k, v, NULL), 0);
}

/* x0 = 1..6, x1 with two NaN; y = 1,1,1,5,5,5; base 3, lambda 0, eta 1:
 * g = 2,2,2,-2,-2,-2, h = 1. Best split x0 < 4 (G_L=6, H_L=3, G_R=-6, H_R=3):
 * gain 36/3 + 36/3 - 0 = 24 > x1's 12; leaves -6/3 = -2 and +2. */
static void test_first_tree_by_hand(void)
{
    const float x[12] = {1, 0, 2, 0, 3, NAN, 4, 1, 5, NAN, 6, 1};
    const double y[6] = {1, 1, 1, 5, 5, 5};
    sb_table t;
    sb_make_table(&t, 6, 2, NULL, NULL, x, y, NULL);
    sb_params p;
    sb_make_params(&p, "base_score=3 eta=1 lambda=0 min_child_weight=0 max_depth=2 n_estimators=1");
    sb_model m;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
    CU_ASSERT_EQUAL(m.n_trees, 1);
    CU_ASSERT_EQUAL(m.tree_start[1], 3); /* root + 2 leaves: the children cannot gain */
    const sb_node *n = m.nodes;
    CU_ASSERT_EQUAL(n[0].feat, 0);
    CU_ASSERT_EQUAL(n[0].threshold, 4.0f);
    CU_ASSERT_EQUAL(n[0].bin, 2);
    CU_ASSERT_DOUBLE_EQUAL(n[0].gain, 24.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(n[0].cover, 6.0, 1e-12);
    CU_ASSERT_EQUAL(n[n[0].left].feat, -1);
    CU_ASSERT_DOUBLE_EQUAL(n[n[0].left].value, -2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(n[n[0].right].value, 2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(n[n[0].left].cover, 3.0, 1e-12);
    CU_ASSERT_EQUAL(m.base_score, 3.0);
    CU_ASSERT_EQUAL(m.train_metric[0], 0.0); /* a perfect fit */
    model_free(&m);
    table_free(&t);
}

/* Missing values should go left: x0 = 1, NaN, 2, 3, NaN, 4 with y = 5,5,5,1,5,1
 * (g = -2,-2,-2,2,-2,2). Split x0 < 3 with NaN left: L(G=-8,H=4), R(4,2):
 * 64/4 + 16/2 - 16/6; NaN right gives only 8 - 16/6. */
static void test_missing_goes_left(void)
{
    const float x[6] = {1, NAN, 2, 3, NAN, 4};
    const double y[6] = {5, 5, 5, 1, 5, 1};
    sb_table t;
    sb_make_table(&t, 6, 1, NULL, NULL, x, y, NULL);
    sb_params p;
    sb_make_params(&p, "base_score=3 eta=1 lambda=0 min_child_weight=0 max_depth=1 n_estimators=1");
    sb_model m;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
    const sb_node *n = m.nodes;
    CU_ASSERT_EQUAL(n[0].feat, 0);
    CU_ASSERT_EQUAL(n[0].threshold, 3.0f);
    CU_ASSERT_EQUAL(n[0].default_left, 1);
    CU_ASSERT_DOUBLE_EQUAL(n[0].gain, 24.0 - 16.0 / 6, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(n[n[0].left].value, 2.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(n[n[0].right].value, -2.0, 1e-12);
    sb_forest f = model_forest(&m);
    float nan_row = NAN;
    double mg = 0;
    tree_predict_margin(&f, m.base_margin, &nan_row, 1, 1, &mg);
    CU_ASSERT_EQUAL(mg, 5.0);
    model_free(&m);
    table_free(&t);
}

static uint64_t st = 99;
static double unif(void)
{
    uint64_t z = (st += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* A noisy nonlinear problem with weights and missing values. */
static void make_noisy(sb_table *t, int64_t n, int random_tail)
{
    float *x = malloc((size_t)n * 4 * sizeof(float));
    double *y = malloc((size_t)n * sizeof(double)), *w = malloc((size_t)n * sizeof(double));
    for (int64_t i = 0; i < n; ++i) {
        for (int f = 0; f < 4; ++f) x[i * 4 + f] = (float)unif();
        if (i % 17 == 0) x[i * 4 + 1] = NAN;
        double z = sin(6 * x[i * 4]) + (x[i * 4 + 2] > 0.5f ? 1 : 0) * x[i * 4 + 3];
        y[i] = 1 / (1 + exp(-z)) * 0.8 + 0.1 * unif();
        if (random_tail && i >= n * 3 / 4) y[i] = unif(); /* held-out rows unrelated to x */
        w[i] = 1 + (double)(i % 5);
    }
    sb_make_table(t, n, 4, NULL, NULL, x, y, w);
    free(x);
    free(y);
    free(w);
}

/* The saved model predicts the training rows with exactly training's bits:
 * its recorded train metric equals the metric of tree_predict on the rows. */
static void test_saved_model_predicts_training_bits(void)
{
    sb_table t;
    make_noisy(&t, 3000, 0);
    char path[64];
    snprintf(path, sizeof path, "/tmp/sb_test_booster_%d.json", (int)getpid());
    for (int o = 0; o < 3; ++o) {
        sb_params p;
        params_default(&p);
        set(&p, "objective", o == 0 ? "reg:squarederror" : o == 1 ? "reg:logistic" : "count:poisson");
        set(&p, "n_estimators", "15");
        set(&p, "subsample", "0.8");
        set(&p, "colsample_bytree", "0.75");
        set(&p, "max_depth", "4");
        sb_model m, back;
        CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
        CU_ASSERT_EQUAL_FATAL(model_write(run, &m, path), SB_OK);
        CU_ASSERT_EQUAL_FATAL(model_read(run, path, &back), SB_OK);
        double *mg = malloc((size_t)t.n_rows * sizeof(double));
        sb_forest f = model_forest(&back);
        tree_predict_margin(&f, back.base_margin, t.x, t.n_rows, t.n_feat, mg);
        objective_link(back.params.objective, mg, mg, t.n_rows);
        sb_metric_part part;
        metric_part_zero(&part);
        metric_accumulate(back.metric, t.label, t.weight, back.weighted_metric, mg, NULL, t.n_rows, &part);
        CU_ASSERT_EQUAL(metric_value(back.metric, &part), m.train_metric[m.n_rounds_done - 1]);
        CU_ASSERT_TRUE(m.train_metric[14] < m.train_metric[0]);
        free(mg);
        model_free(&m);
        model_free(&back);
    }
    remove(path);
    table_free(&t);
}

/* Row mask: the last quarter is held out with unrelated labels, so the valid
 * metric soon stops improving; early stopping keeps best_iteration + 1 trees. */
static void test_row_mask_early_stopping(void)
{
    sb_table t;
    make_noisy(&t, 4000, 1);
    uint8_t *mask = malloc((size_t)t.n_rows);
    for (int64_t i = 0; i < t.n_rows; ++i) mask[i] = i < t.n_rows * 3 / 4;
    sb_params p;
    sb_make_params(&p, "n_estimators=200 eta=0.5 max_depth=6 early_stopping_rounds=3");
    sb_model m;
    train_report rep;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, mask, &m, &rep), SB_OK);
    CU_ASSERT_TRUE(rep.stopped_early);
    CU_ASSERT_EQUAL(m.n_rounds_done, rep.best_iteration + 4);
    CU_ASSERT_EQUAL(m.n_trees, rep.best_iteration + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m.valid_metric);
    for (int32_t r = 0; r < m.n_rounds_done; ++r) CU_ASSERT_TRUE(m.valid_metric[r] >= m.valid_metric[m.best_iteration]);
    model_free(&m);
    free(mask);
    table_free(&t);
}

static void test_lossguide_leaves(void)
{
    sb_table t;
    make_noisy(&t, 2000, 0);
    sb_params p;
    sb_make_params(&p, "grow_policy=lossguide max_leaves=5 max_depth=0 n_estimators=3");
    sb_model m;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
    for (int32_t tr = 0; tr < m.n_trees; ++tr) {
        int leaves = 0;
        for (int64_t k = m.tree_start[tr]; k < m.tree_start[tr + 1]; ++k) leaves += m.nodes[k].feat < 0;
        CU_ASSERT_EQUAL(leaves, 5);
    }
    model_free(&m);
    table_free(&t);
}

/* reg:absoluteerror: the base score is the weighted median of the labels and
 * a leaf is eta * the weighted median of its residuals. */
static void test_absoluteerror_medians(void)
{
    const float x[5] = {1, 1, 1, 1, 1}; /* one value: no split, the tree is one leaf */
    const double y[5] = {2, 1, 10, 3, 100}, w1[5] = {1, 1, 1, 1, 1}, w5[5] = {1, 1, 1, 1, 5};
    for (int c = 0; c < 3; ++c) {
        sb_table t;
        sb_make_table(&t, 5, 1, NULL, NULL, x, y, c == 1 ? w5 : w1);
        sb_params p;
        sb_make_params(&p, "objective=reg:absoluteerror n_estimators=1 eta=0.5");
        if (c == 2) set(&p, "base_score", "0");
        sb_model m;
        CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
        CU_ASSERT_EQUAL(m.tree_start[1], 1);
        if (c == 0) CU_ASSERT_EQUAL(m.base_score, 3.0);   /* median of 1,2,3,10,100 */
        if (c == 1) CU_ASSERT_EQUAL(m.base_score, 100.0); /* weight 5 of 9 sits on 100 */
        if (c < 2) CU_ASSERT_EQUAL(m.nodes[0].value, 0.0); /* residual median is 0 */
        if (c == 2) CU_ASSERT_EQUAL(m.nodes[0].value, 0.5 * 3.0);
        model_free(&m);
        table_free(&t);
    }
}

/* booster_bin_consume (bins written over x, which it takes) gives the same
 * model file bytes as booster_bin, with dense and with sparse-row bins. */
static void test_bin_consume_same_model(void)
{
    for (int dense = 0; dense < 2; ++dense) {
        sb_table t, u;
        st = 99;
        make_noisy(&t, 2000, 0);
        st = 99;
        make_noisy(&u, 2000, 0);
        if (!dense) /* mostly one value: the sparse-row histograms */
            for (int64_t i = 0; i < t.n_rows; ++i)
                if (i % 5) t.x[i * 4 + 2] = u.x[i * 4 + 2] = t.x[i * 4 + 3] = u.x[i * 4 + 3] = 0.25f;
        sb_params p;
        sb_make_params(&p, "n_estimators=8 max_depth=4");
        sb_binned *b1 = NULL, *b2 = NULL;
        CU_ASSERT_EQUAL_FATAL(booster_bin(run, &t, p.max_bin, p.seed, &b1), SB_OK);
        CU_ASSERT_EQUAL_FATAL(booster_bin_consume(run, &u, p.max_bin, p.seed, &b2), SB_OK);
        CU_ASSERT_PTR_NULL(u.x);
        sb_model m1, m2;
        CU_ASSERT_EQUAL_FATAL(booster_train_binned(run, b1, &t, NULL, &p, NULL, NULL, &m1, NULL), SB_OK);
        CU_ASSERT_EQUAL_FATAL(booster_train_binned(run, b2, &u, NULL, &p, NULL, NULL, &m2, NULL), SB_OK);
        char *j1 = NULL, *j2 = NULL;
        int64_t l1 = 0, l2 = 0;
        CU_ASSERT_EQUAL_FATAL(model_to_json(run, &m1, &j1, &l1), SB_OK);
        CU_ASSERT_EQUAL_FATAL(model_to_json(run, &m2, &j2, &l2), SB_OK);
        CU_ASSERT_TRUE(l1 == l2 && memcmp(j1, j2, (size_t)l1) == 0);
        free(j1);
        free(j2);
        model_free(&m1);
        model_free(&m2);
        booster_binned_free(b1);
        booster_binned_free(b2);
        table_free(&t);
        table_free(&u);
    }
}

/* reg:logistic refuses a label outside [0,1] naming the row; a rate above 1
 * also explains where it comes from and points to ingest --cap-rate. */
static void test_logistic_bad_label_message(void)
{
    const float x[3] = {1, 2, 3};
    for (int c = 0; c < 2; ++c) {
        const double y[3] = {0.5, c == 0 ? 6.0 : -0.5, 0.25};
        sb_table t;
        sb_make_table(&t, 3, 1, NULL, NULL, x, y, NULL);
        sb_params p;
        sb_make_params(&p, "objective=reg:logistic");
        sb_model m;
        CU_ASSERT_EQUAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_EDATA);
        const char *msg = err_message(run);
        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "training row 2: label"));
        CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not valid for reg:logistic"));
        if (c == 0) CU_ASSERT_PTR_NOT_NULL(strstr(msg, "--cap-rate"));
        if (c == 0) CU_ASSERT_PTR_NOT_NULL(strstr(msg, "numerator"));
        if (c == 1) CU_ASSERT_PTR_NULL(strstr(msg, "--cap-rate")); /* a negative rate is no capping matter */
        err_clear(run);
        table_free(&t);
    }
}

/* ---- model file ---- */

/* Rewrite the crc32 tag of model JSON c to match its edited text. */
static void fix_crc(char *c)
{
    char *tag = strstr(c, "\n  \"crc32\": \"");
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", (unsigned)crc32(0L, (const Bytef *)c, (uInt)(tag - c + 1)));
    memcpy(tag + 13, hex, 8);
}

static void test_model_file_checks(void)
{
    sb_table t;
    make_noisy(&t, 500, 0);
    sb_params p;
    sb_make_params(&p, "n_estimators=3");
    sb_model m, back;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
    char *a = NULL, *b = NULL;
    int64_t la = 0, lb = 0;
    CU_ASSERT_EQUAL_FATAL(model_to_json(run, &m, &a, &la), SB_OK);
    CU_ASSERT_EQUAL_FATAL(model_from_json(run, a, la, "mem", &back), SB_OK);
    CU_ASSERT_EQUAL_FATAL(model_to_json(run, &back, &b, &lb), SB_OK);
    CU_ASSERT_EQUAL(la, lb);
    CU_ASSERT_EQUAL(memcmp(a, b, (size_t)la), 0); /* byte-stable round trip */
    model_free(&back);
    /* one changed digit: crc mismatch naming the file */
    char *c = strdup(a);
    char *digit = strstr(c, "\"trees\"");
    while (*digit < '1' || *digit > '8') ++digit;
    (*digit)++;
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, c, la, "m.json", &back), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "m.json: corrupt model file"));
    /* truncated */
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, a, la / 2, "m.json", &back), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "truncated"));
    /* a future version with a valid crc */
    free(c);
    c = strdup(a);
    char *v = strstr(c, "\"version\": 1");
    v[11] = '9';
    fix_crc(c);
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, c, la, "m.json", &back), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "version 9"));
    /* a split threshold of null (NaN) with a valid crc: the walks would disagree on it */
    free(c);
    c = malloc((size_t)la + 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const char *node = strstr(a, "\"nodes\": [\n      [") + 18, *thr = node;
    for (int k = 0; k < 5; ++k) thr = strchr(thr, ',') + 1;
    const char *after = strchr(thr, ',');
    const int head = (int)(thr - a);
    snprintf(c, (size_t)la + 8, "%.*s null%s", head, a, after);
    fix_crc(c);
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, c, (int64_t)strlen(c), "m.json", &back), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "node 0: split threshold is not a number"));
    err_clear(run);
    CU_ASSERT_EQUAL(model_read(run, "/nonexistent/m.json", &back), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent/m.json"));
    err_clear(run);
    free(a);
    free(b);
    free(c);
    model_free(&m);
    table_free(&t);
}

static const sb_test tests[] = {
    {"first tree by hand, split by split", test_first_tree_by_hand},
    {"missing values learn the left default", test_missing_goes_left},
    {"saved model predicts training's bits (3 objectives)", test_saved_model_predicts_training_bits},
    {"row mask validation + early stopping", test_row_mask_early_stopping},
    {"lossguide max_leaves", test_lossguide_leaves},
    {"absoluteerror: weighted median base and leaves", test_absoluteerror_medians},
    {"binning over x (consume) = booster_bin, dense and sparse", test_bin_consume_same_model},
    {"logistic label > 1: message points to --cap-rate", test_logistic_bad_label_message},
};
static const sb_test mtests[] = {
    {"round trip, corruption, truncation, version", test_model_file_checks},
};

static int quiet(void)
{
    run_set_log_level(run, SB_LOG_QUIET);
    return 0;
}

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("booster", tests, quiet, NULL), SB_SUITE("model", mtests))
