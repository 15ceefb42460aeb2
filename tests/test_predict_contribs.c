/* test_predict_contribs.c - predict --contribs without MPI ranks: the
 * contributions of rows whose columns the scorer gathers (data in another
 * column order) equal the kernel's on the model-order rows and sum to the
 * margin; the header and lines with the contribution columns (a feature name
 * that needs quoting); the refusals (a model without covers, a feature named
 * "bias"). */
#include <math.h>   /* for NAN, fabs */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for calloc, free */
#include <string.h> /* for memset, strstr */
#include <zlib.h>   /* for gzopen */

#include "cunit_main.h"
#include "helpers.h"
#include "io/csvz.h"
#include "jobs/predict_contribs.h"
#include "jobs/predict_rows.h"
#include "jobs/predict_score.h"
#include "kernels/tree_predict.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;
static char dir[128];

/* Two trees on features (a, b): a < 0.5 ? -1 : (b missing or b < 2 ? 0.25 : 3), covers 4 = 1 + 3,
 * 3 = 2 + 1; then b < 1 ? 0.5 : -0.5 with covers 2 and 2. */
static sb_node nodes[8] = {
    {0, 1, 2, 0, 0, 0.5f, 0, 1, 4, 0},  {-1, 0, 0, 0, 0, 0, -1.0, 0, 1, 0}, {1, 3, 4, 1, 0, 2.0f, 0, 1, 3, 0},
    {-1, 0, 0, 0, 0, 0, 0.25, 0, 2, 0}, {-1, 0, 0, 0, 0, 0, 3.0, 0, 1, 0},  {1, 1, 2, 0, 0, 1.0f, 0, 1, 4, 0},
    {-1, 0, 0, 0, 0, 0, 0.5, 0, 2, 0},  {-1, 0, 0, 0, 0, 0, -0.5, 0, 2, 0}};
static int64_t tree_start[3] = {0, 5, 8};
static sb_feature_info mfeat[2] = {{"a", 0, NULL}, {"b,c", 0, NULL}};

static void tiny_model(sb_model *m)
{
    memset(m, 0, sizeof *m);
    params_default(&m->params);
    m->params.objective = SB_OBJ_SQUAREDERROR;
    m->base_margin = 10;
    m->layout = "csv";
    m->n_feat = 2;
    m->feat = mfeat;
    m->n_trees = 2;
    m->tree_start = tree_start;
    m->nodes = nodes;
}

/* The data's columns are (b,c; z; a): the scorer gathers, so do the contributions. */
static void test_gathered_rows(void)
{
    sb_model m;
    tiny_model(&m);
    sb_feature_info tfeat[3] = {{"b,c", 0, NULL}, {"z", 0, NULL}, {"a", 0, NULL}};
    float x[4 * 3] = {5, 9, 0.1f, /**/ 5, 9, 0.7f, /**/ NAN, 9, 0.7f, /**/ 0.5f, 9, 0.5f};
    sb_table t = {0};
    t.layout = "csv";
    t.n_rows = 4;
    t.n_feat = 3;
    t.feat = tfeat;
    t.x = x;
    predict_scorer s;
    predict_contribs c;
    CU_ASSERT_EQUAL_FATAL(predict_scorer_init(run, &m, "m.json", &t, "d.csv", &s), SB_OK);
    CU_ASSERT_EQUAL_FATAL(predict_contribs_init(run, &m, "m.json", &c), SB_OK);
    double pred[4];
    predict_scorer_rows(&s, x, 3, 4, pred);
    predict_contribs_rows(&c, &s, x, 3, 4);
    for (int i = 0; i < 4; ++i) {
        const float row[2] = {x[3 * i + 2], x[3 * i]};
        double phi[3];
        tree_shap_row(&s.forest, c.mean, m.base_margin, row, 2, phi, &c.scratch);
        CU_ASSERT_EQUAL(memcmp(phi, c.phi + 3 * i, sizeof phi), 0);
        CU_ASSERT_DOUBLE_EQUAL(phi[0] + phi[1] + phi[2], pred[i], 1e-12); /* squared error: margin = prediction */
    }
    /* bias: 10 + (1 * -1 + 3 * (2/3 * 0.25 + 1/3 * 3)) / 4 + 0 = 10.625 */
    CU_ASSERT_DOUBLE_EQUAL(c.phi[2], 10.625, 1e-15);
    predict_contribs_free(&c);
    predict_scorer_free(&s);
}

static char *render(const predict_rows *p, const sb_table *t, const double *pred, const double *contrib)
{
    char path[512], tmp[512];
    snprintf(path, sizeof path, "%s/c.csv.gz", dir);
    snprintf(tmp, sizeof tmp, "%s/c.tmp", dir);
    csvz *w = NULL;
    if (csvz_open(run, path, tmp, 1, &w) != SB_OK) return NULL;
    predict_rows_header(p, w);
    predict_rows_write_xc(p, t, t->x, 0, t->n_rows, pred, contrib, w);
    csvz_close(run, w);
    csvz_rename(run, w);
    csvz_free(w);
    gzFile g = gzopen(path, "rb");
    char *out = calloc(1, 1 << 16);
    int n = gzread(g, out, (1 << 16) - 1);
    gzclose(g);
    out[n > 0 ? n : 0] = '\0';
    return out;
}

/* Forms-like plan (one int64 id: the fast path without contributions) and the general path. */
static void test_columns(void)
{
    int64_t id[2] = {1113027, 7};
    sb_id_col ids[1] = {{"form_id", SB_ID_INT64, id, NULL, 0}};
    sb_table t = {0};
    t.layout = "forms";
    t.n_rows = 2;
    t.n_ids = 1;
    t.ids = ids;
    predict_rows p;
    CU_ASSERT_EQUAL_FATAL(predict_rows_plan(run, &t, "f.h5", &p), SB_OK);
    CU_ASSERT_EQUAL_FATAL(predict_rows_add_contribs(run, &p, mfeat, 2, "m.json"), SB_OK);
    const double pred[2] = {0.5, 1.25}, contrib[6] = {0.25, -0.125, 0.375, 0, 1e-300, 1.25};
    char *s = render(&p, &t, pred, contrib);
    CU_ASSERT_STRING_EQUAL(s, "form_id,completion_rate,a_contrib,\"b,c_contrib\",bias_contrib\n"
                              "1113027,0.5,0.25,-0.125,0.375\n7,1.25,0.0,1e-300,1.25\n");
    free(s);
    sb_feature_info bad[2] = {{"a", 0, NULL}, {"bias", 0, NULL}};
    CU_ASSERT_EQUAL(predict_rows_add_contribs(run, &p, bad, 2, "m.json"), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "m.json: feature 'bias'"));
    err_clear(run);
}

static void test_no_covers(void)
{
    sb_model m;
    tiny_model(&m);
    sb_node bare[8];
    memcpy(bare, nodes, sizeof bare);
    for (int k = 5; k < 8; ++k) bare[k].cover = 0;
    m.nodes = bare;
    predict_contribs c;
    CU_ASSERT_EQUAL(predict_contribs_init(run, &m, "x.json", &c), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "x.json: tree 1 has no node cover"));
    err_clear(run);
}

static const sb_test tests[] = {
    {"contributions of gathered rows = kernel on model-order rows, sum = margin", test_gathered_rows},
    {"header and lines with contribution columns; a feature named bias", test_columns},
    {"a model without covers is refused", test_no_covers},
};

static int make_dir(void) { return sb_make_tmpdir(dir, sizeof dir, "predict_contribs"); }
static int remove_dir(void) { return sb_remove_tree(dir); }

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("predict_contribs", tests, make_dir, remove_dir))
