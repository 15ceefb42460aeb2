/* test_model_cats.c - native categorical splits through a whole training and the
 * model file: a booster on a table with a 40-level categorical (effects in an
 * order unrelated to the codes) grows level-set splits; the model file round
 * trip keeps them (same bytes when written again, same predictions from the
 * floats as training's metric from the bins); ordinal training writes no
 * "categories"; hostile sets are refused (tests/integration/categorical.sh
 * covers the CLI). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "helpers.h"
#include "engine/booster.h"
#include "io/model.h"
#include "io/model_cats.h"
#include "kernels/metric.h"
#include "kernels/split_cat.h"
#include "base/log.h"
#include "base/error.h"

static run_ctx *run;

#define LEVELS 40

static void make_cat_table(sb_table *t, int64_t n)
{
    float *x = malloc((size_t)n * 2 * sizeof(float));
    double *y = malloc((size_t)n * sizeof(double));
    uint64_t s = 7;
    for (int64_t i = 0; i < n; ++i) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        const int32_t level = (int32_t)((s >> 33) % LEVELS);
        const float u = (float)((s >> 11) % 1000) / 1000.0f;
        x[2 * i] = i % 23 == 0 ? NAN : (float)level;
        x[2 * i + 1] = u;
        y[i] = (double)((level * 17) % 7) + u; /* effect not monotone in the code */
    }
    const char *names[2] = {"shop", "u"};
    sb_make_table(t, n, 2, names, NULL, x, y, NULL);
    t->feat[0].n_levels = LEVELS;
    t->feat[0].levels = calloc(LEVELS, sizeof(char *));
    for (int l = 0; l < LEVELS; ++l) {
        char b[16];
        snprintf(b, sizeof b, "s%02d", l);
        t->feat[0].levels[l] = strdup(b);
    }
    free(x);
    free(y);
}

static int64_t count_cat_nodes(const sb_model *m)
{
    int64_t c = 0;
    for (int64_t k = 0; k < (m->n_trees ? m->tree_start[m->n_trees] : 0); ++k) c += m->nodes[k].cat > 0;
    return c;
}

static void test_round_trip(void)
{
    sb_table t;
    make_cat_table(&t, 4000);
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "/tmp/sb_test_cats_%d_a.json", (int)getpid());
    snprintf(p2, sizeof p2, "/tmp/sb_test_cats_%d_b.json", (int)getpid());
    sb_params p;
    sb_make_params(&p, "n_estimators=8 max_depth=4 enable_categorical=1 min_data_per_group=10 cat_smooth=1");
    sb_model m, back;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &p, NULL, &m, NULL), SB_OK);
    CU_ASSERT_TRUE(count_cat_nodes(&m) > 0);
    CU_ASSERT_EQUAL_FATAL(model_write(run, &m, p1), SB_OK);
    CU_ASSERT_EQUAL_FATAL(model_read(run, p1, &back), SB_OK);
    CU_ASSERT_EQUAL(count_cat_nodes(&back), count_cat_nodes(&m));
    CU_ASSERT_EQUAL(back.cat_start[back.n_trees], m.cat_start[m.n_trees]);
    CU_ASSERT_EQUAL(memcmp(back.cat_bits, m.cat_bits, (size_t)m.cat_start[m.n_trees] * SPLIT_CAT_WORDS * 8), 0);
    CU_ASSERT_EQUAL_FATAL(model_write(run, &back, p2), SB_OK);
    size_t l1 = 0, l2 = 0;
    char *a = sb_slurp(p1, &l1), *b = sb_slurp(p2, &l2);
    CU_ASSERT_TRUE(a && b && l1 == l2 && !memcmp(a, b, l1));
    CU_ASSERT_PTR_NOT_NULL(a ? strstr(a, "\"categories\": [[") : NULL);
    /* the floats through the file's trees = training's metric from the bins */
    double *mg = malloc((size_t)t.n_rows * sizeof(double));
    sb_forest f = model_forest(&back);
    tree_predict_margin(&f, back.base_margin, t.x, t.n_rows, t.n_feat, mg);
    sb_metric_part part;
    metric_part_zero(&part);
    metric_accumulate(back.metric, t.label, t.weight, back.weighted_metric, mg, NULL, t.n_rows, &part);
    CU_ASSERT_EQUAL(metric_value(back.metric, &part), m.train_metric[m.n_rounds_done - 1]);
    /* the twin walk agrees */
    double *mr = malloc((size_t)t.n_rows * sizeof(double));
    for (int64_t i = 0; i < t.n_rows; ++i) mr[i] = back.base_margin;
    tree_predict_add_ref(&f, 0, f.n_trees, t.x, t.n_rows, t.n_feat, mr);
    CU_ASSERT_EQUAL(memcmp(mg, mr, (size_t)t.n_rows * sizeof(double)), 0);
    free(mg);
    free(mr);
    free(a);
    free(b);
    model_free(&m);
    model_free(&back);
    remove(p1);
    remove(p2);
    table_free(&t);
}

/* Native beats ordinal on this data, and ordinal writes no sets. */
static void test_native_beats_ordinal(void)
{
    sb_table t;
    make_cat_table(&t, 4000);
    sb_params pn, po;
    sb_make_params(&pn, "n_estimators=5 max_depth=3 enable_categorical=1 min_data_per_group=10 cat_smooth=1");
    sb_make_params(&po, "n_estimators=5 max_depth=3");
    sb_model mn, mo;
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &pn, NULL, &mn, NULL), SB_OK);
    CU_ASSERT_EQUAL_FATAL(booster_train(run, &t, NULL, &po, NULL, &mo, NULL), SB_OK);
    CU_ASSERT_TRUE(mn.train_metric[4] < mo.train_metric[4]);
    CU_ASSERT_PTR_NULL(mo.cat_bits);
    CU_ASSERT_EQUAL(count_cat_nodes(&mo), 0);
    model_free(&mn);
    model_free(&mo);
    table_free(&t);
}

/* Sets read from a file: order, node and code checks name the file. */
static void test_reader_checks(void)
{
    sb_node nodes[3] = {
        {0, 1, 2, 0, 0, 0.5f, 0, 1, 1, 0}, {-1, -1, -1, 0, -1, 0, 1, 0, 1, 0}, {-1, -1, -1, 0, -1, 0, 2, 0, 1, 0}};
    int64_t ts[2] = {0, 3}, codes[2] = {1, 3}, bad[1] = {300};
    model_cats c;
    memset(&c, 0, sizeof c);
    CU_ASSERT_EQUAL(model_cats_add(run, &c, 0, 0, bad, 1, "m.json"), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "m.json: tree 0 node 0: category code 300"));
    err_clear(run);
    CU_ASSERT_EQUAL(model_cats_add(run, &c, 0, 1, codes, 2, "m.json"), SB_OK);
    CU_ASSERT_EQUAL(model_cats_add(run, &c, 0, 1, codes, 2, "m.json"), SB_EDATA); /* repeated */
    err_clear(run);
    uint64_t *bits = NULL;
    int64_t *start = NULL;
    CU_ASSERT_EQUAL(model_cats_finish(run, &c, nodes, ts, 1, &bits, &start, "m.json"), SB_EDATA); /* node 1: leaf */
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "node 1 is not a split node"));
    err_clear(run);
    free(bits);
    free(start);
    bits = NULL, start = NULL;
    memset(&c, 0, sizeof c);
    CU_ASSERT_EQUAL(model_cats_add(run, &c, 0, 0, codes, 2, "m.json"), SB_OK);
    CU_ASSERT_EQUAL(model_cats_finish(run, &c, nodes, ts, 1, &bits, &start, "m.json"), SB_OK);
    CU_ASSERT_EQUAL(nodes[0].cat, 1);
    CU_ASSERT_TRUE(bits && bits[0] == ((1u << 1) | (1u << 3)));
    CU_ASSERT_TRUE(start && start[0] == 0 && start[1] == 1);
    free(bits);
    free(start);
}

static const sb_test tests[] = {
    {"native categorical model: file round trip, predictions", test_round_trip},
    {"native beats ordinal; ordinal writes no sets", test_native_beats_ordinal},
    {"model_cats reader checks", test_reader_checks},
};

static int quiet(void)
{
    run_set_log_level(run, SB_LOG_QUIET);
    return 0;
}

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("model_cats", tests, quiet, NULL))
