/* test_cat_feature.c - categorical_feature: its text forms, the parameter
 * (aliases, recorded text), integer codes made categorical, scoring columns. */
#include <math.h>   /* for NAN, isnan */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for free */
#include <string.h>

#include "base/error.h"
#include "cunit_main.h"
#include "io/cat_feature.h"
#include "io/params.h"
#include "jobs/serve_request.h"
#include "mpi/run.h"

static run_ctx *run;

static void test_parse_forms(void)
{
    static const char *const forms[] = {"code,x", "[code, x]", "(code,x)", "[\"code\", 'x']", "name:code,x"};
    char err[128];
    cons_list l;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; ++i) {
        CU_ASSERT_EQUAL_FATAL(cat_feature_parse(forms[i], &l, err, sizeof err), 0);
        CU_ASSERT_EQUAL(l.n, 2);
        CU_ASSERT_STRING_EQUAL(l.name[0], "code");
        CU_ASSERT_STRING_EQUAL(l.name[1], "x");
        cons_list_free(&l);
    }
    CU_ASSERT_EQUAL_FATAL(cat_feature_parse(" [0, 3] ", &l, err, sizeof err), 0);
    CU_ASSERT(l.n == 2 && l.name[0] == NULL && l.index[0] == 0 && l.index[1] == 3);
    cons_list_free(&l);
    CU_ASSERT_EQUAL(cat_feature_parse("[]", &l, err, sizeof err), 0);
    CU_ASSERT_EQUAL(l.n, 0);
    cons_list_free(&l);
    CU_ASSERT_EQUAL(cat_feature_parse("a,,b", &l, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "entry 2"));
    CU_ASSERT_EQUAL(cat_feature_parse("[[0,1]]", &l, err, sizeof err), -1);
}

static void test_param(void)
{
    sb_params p;
    params_default(&p);
    CU_ASSERT_EQUAL(params_set(run, &p, "cat_feature", "[code, 2]", NULL), SB_OK);
    CU_ASSERT_STRING_EQUAL(p.categorical_feature, "[code, 2]");
    CU_ASSERT(p.categorical_feature_set);
    CU_ASSERT_EQUAL(params_set(run, &p, "categorical_column", "", NULL), SB_OK); /* none: as if never set */
    CU_ASSERT_PTR_NULL(p.categorical_feature);
    CU_ASSERT(!p.categorical_feature_set);
    err_clear(run);
    CU_ASSERT_EQUAL(params_set(run, &p, "categorical_feature", "a,", NULL), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "parameter 'categorical_feature'"));
    err_clear(run);
    CU_ASSERT(params_takes_list("categorical_feature"));
}

/* Two features, code and x; rows as given. */
static void table_of(sb_table *t, float *x, int64_t n, sb_feature_info *feat)
{
    memset(t, 0, sizeof *t);
    feat[0] = (sb_feature_info){.name = "code"};
    feat[1] = (sb_feature_info){.name = "x"};
    t->n_feat = 2;
    t->feat = feat;
    t->x = x;
    t->n_rows = t->n_rows_global = n;
}

static void free_levels(sb_feature_info *f)
{
    for (int32_t k = 0; k < f->n_levels; ++k) free(f->levels[k]);
    free(f->levels);
    f->levels = NULL;
    f->n_levels = 0;
}

static void test_apply(void)
{
    sb_feature_info feat[2], vfeat[2];
    float x[] = {3, 0.5f, NAN, 1, 0, 2, 7, 3};
    sb_table t, v;
    int32_t n = 0;
    table_of(&t, x, 4, feat);
    CU_ASSERT_EQUAL_FATAL(cat_feature_apply(run, "code", &t, &n), SB_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(feat[0].n_levels, 8); /* 0..7 */
    CU_ASSERT_STRING_EQUAL(feat[0].levels[7], "7");
    CU_ASSERT(cat_feature_int_coded(&feat[0]));
    CU_ASSERT_EQUAL(feat[1].n_levels, 0);
    err_clear(run);
    CU_ASSERT_EQUAL(cat_feature_apply(run, "0", &t, &n), SB_EINVAL); /* categorical already */
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "categorical already"));
    err_clear(run);
    float vx[] = {9, 0, 7, 0, 2.5f, 0, -1, 0};
    table_of(&v, vx, 4, vfeat);
    CU_ASSERT_EQUAL(cat_feature_adopt(run, &v, feat, 2), SB_OK);
    CU_ASSERT_EQUAL(vfeat[0].n_levels, 8);
    CU_ASSERT(isnan(vx[0]) && vx[2] == 7.0f && isnan(vx[4]) && isnan(vx[6]));
    free_levels(&vfeat[0]);
    free_levels(&feat[0]);
    CU_ASSERT_EQUAL(cat_feature_apply(run, "x", &t, &n), SB_EINVAL); /* 0.5 is no code */
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "feature 'x' has a value that is no category code at data row 1"));
    err_clear(run);
    CU_ASSERT_EQUAL(cat_feature_apply(run, "nope", &t, &n), SB_EINVAL);
    err_clear(run);
    CU_ASSERT_EQUAL(cat_feature_apply(run, "2", &t, &n), SB_EINVAL);
    err_clear(run);
}

static void test_int_coded(void)
{
    char *lv[] = {"0", "1", "2"}, *other[] = {"0", "2", "1"};
    sb_feature_info a = {.name = "a", .n_levels = 3, .levels = lv}, b = {.name = "b", .n_levels = 3, .levels = other};
    sb_feature_info c = {.name = "c"};
    CU_ASSERT(cat_feature_int_coded(&a));
    CU_ASSERT(!cat_feature_int_coded(&b));
    CU_ASSERT(!cat_feature_int_coded(&c));
}

/* serve: codes of levels "0".."11" (not bytewise sorted) by JSON integer or string; a code beyond is missing */
static void test_serve_codes(void)
{
    char *lv[12], names[12][16];
    for (int k = 0; k < 12; ++k) snprintf(names[k], sizeof names[k], "%d", k), lv[k] = names[k];
    sb_feature_info feat[] = {{"code", 12, lv}};
    serve_schema s;
    serve_batch b;
    CU_ASSERT_EQUAL_FATAL(serve_schema_init(&s, 1, feat, 0, NULL, 0), 0);
    const char *body = "[{\"code\": 10}, {\"code\": \"11\"}, {\"code\": 40}, {\"code\": \"2\"}, {\"code\": 1}]";
    CU_ASSERT_EQUAL_FATAL(serve_parse(&s, SERVE_BODY_JSON, body, strlen(body), 10, &b), 0);
    CU_ASSERT(b.x[0] == 10.0f && b.x[1] == 11.0f && isnan(b.x[2]) && b.x[3] == 2.0f && b.x[4] == 1.0f);
    serve_batch_free(&b);
    serve_schema_free(&s);
}

static const sb_test tests[] = {
    {"serve: codes by integer or string", test_serve_codes},
    {"text forms", test_parse_forms},
    {"the parameter: aliases, none, errors", test_param},
    {"codes made categorical, validation columns adopt levels", test_apply},
    {"integer-coded levels", test_int_coded},
};

SB_TEST_MAIN(&run, SB_SUITE("cat_feature", tests))
