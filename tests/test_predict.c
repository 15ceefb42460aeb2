/* test_predict.c - predict's pieces without MPI ranks: the output contract
 * lines, the output directory protocol, and model/data matching + scoring. */
#include <math.h>     /* for NAN */
#include <stdint.h>   /* for INT64_MIN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h> /* for mkdir */
#include <unistd.h>   /* for access */
#include <zlib.h>     /* for gzopen */

#include "cunit_main.h"
#include "helpers.h"
#include "io/csvz.h"
#include "kernels/fmt_ryu.h"
#include "jobs/predict_outdir.h"
#include "jobs/predict_rows.h"
#include "jobs/predict_score.h"
#include "kernels/objective.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;
static char dir[128]; /* $TMPDIR/sb_predict_<pid>.XXXXXX */

static void touch(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) fclose(f);
}
static int exists(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* Write lines with a plan into a gzip file and read them back. */
static char *render(const predict_rows *p, const sb_table *t, const double *pred)
{
    char path[512], tmp[512];
    snprintf(path, sizeof path, "%s/r.csv.gz", dir);
    snprintf(tmp, sizeof tmp, "%s/r.tmp", dir);
    csvz *w = NULL;
    if (csvz_open(run, path, tmp, 1, &w) != SB_OK) return NULL;
    predict_rows_header(p, w);
    predict_rows_write_x(p, t, t->x, 0, t->n_rows, pred, w);
    csvz_close(run, w);
    csvz_rename(run, w);
    csvz_free(w);
    gzFile g = gzopen(path, "rb");
    char *out = calloc(1, 1 << 16);
    int n = gzread(g, out, (1 << 16) - 1);
    gzclose(g);
    if (n < 0) n = 0;
    out[n] = '\0';
    return out;
}

static void test_keywords_contract(void)
{
    int64_t ent[3] = {4, 5, 1234567890123};
    char dev[3 * 10] = "Computer\0\0Smartphone" "Tab,\"x\"\0\0\0";
    sb_id_col ids[2] = {{"entity_id", SB_ID_INT64, ent, NULL, 0}, {"device", SB_ID_STRING, NULL, dev, 10}};
    sb_table t = {0};
    t.layout = "keywords";
    t.n_rows = 3;
    t.n_ids = 2;
    t.ids = ids;
    predict_rows p;
    CU_ASSERT_EQUAL_FATAL(predict_rows_plan(run, &t, "batch.h5", &p), SB_OK);
    double pred[3] = {0.03653155867612641, 0.026293864889505317, 1e-05};
    char *s = render(&p, &t, pred);
    CU_ASSERT_STRING_EQUAL(s, "entity_id,device,cr\n4,Computer,0.03653155867612641\n5,Smartphone,0.026293864889505317\n"
                              "1234567890123,\"Tab,\"\"x\"\"\",1e-05\n");
    free(s);
    t.n_ids = 1; /* no device column: the contract cannot be met */
    CU_ASSERT_EQUAL(predict_rows_plan(run, &t, "batch.h5", &p), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "batch.h5: no column 'device'"));
    err_clear(run);
}

static void test_forms_and_generic(void)
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
    double pred[2] = {0.5, 1.25};
    char *s = render(&p, &t, pred);
    CU_ASSERT_STRING_EQUAL(s, "form_id,completion_rate\n1113027,0.5\n7,1.25\n");
    free(s);
    t.layout = "csv";
    ids[0].name = "order";
    CU_ASSERT_EQUAL_FATAL(predict_rows_plan(run, &t, "g.csv", &p), SB_OK);
    s = render(&p, &t, pred);
    CU_ASSERT_STRING_EQUAL(s, "order,prediction\n1113027,0.5\n7,1.25\n");
    free(s);
}

/* Many lines (several reservations, blocks cut at odd rows) through the
 * one-int64-id fast path and the general path: the text equals lines built
 * with the plain _ref formatters. */
static void test_many_lines_vs_ref(void)
{
    enum { N = 20011 };
    int64_t *id = malloc(N * sizeof *id), *id2 = malloc(N * sizeof *id2);
    double *pred = malloc(N * sizeof *pred);
    uint64_t st = 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < N; ++i) {
        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        id[i] = (int64_t)st >> (st & 63);
        id2[i] = i;
        double u = (double)(st >> 11) / 9007199254740992.0;
        const double special[8] = {0.0, -0.0, NAN, INFINITY, -INFINITY, 1e-05, 123456789012345680.0, 3.0};
        pred[i] = i % 97 < 8 ? special[i % 97] : (i & 1 ? u : -u * 1e-3);
    }
    id[0] = INT64_MIN, id[1] = INT64_MAX, id[2] = 0, id[3] = -1;
    size_t cap = (size_t)N * 80 + 64;
    char *want = malloc(cap);
    for (int layout = 0; layout < 2; ++layout) {
        sb_id_col ids[2] = {{"form_id", SB_ID_INT64, id, NULL, 0}, {"k", SB_ID_INT64, id2, NULL, 0}};
        sb_table t = {0};
        t.layout = layout == 0 ? "forms" : "csv";
        t.n_rows = N;
        t.n_ids = layout == 0 ? 1 : 2;
        t.ids = ids;
        predict_rows p;
        CU_ASSERT_EQUAL_FATAL(predict_rows_plan(run, &t, "many.h5", &p), SB_OK);
        size_t n = (size_t)sprintf(want, layout == 0 ? "form_id,completion_rate\n" : "form_id,k,prediction\n");
        for (int i = 0; i < N; ++i) {
            n += (size_t)fmt_i64_ref(id[i], want + n);
            want[n++] = ',';
            if (layout == 1) {
                n += (size_t)fmt_i64_ref(id2[i], want + n);
                want[n++] = ',';
            }
            n += (size_t)fmt_double_ref(pred[i], want + n);
            want[n++] = '\n';
        }
        char path[512], tmp[512];
        snprintf(path, sizeof path, "%s/many.csv.gz", dir);
        snprintf(tmp, sizeof tmp, "%s/many.tmp", dir);
        csvz *w = NULL;
        CU_ASSERT_EQUAL_FATAL(csvz_open(run, path, tmp, 1, &w), SB_OK);
        predict_rows_header(&p, w);
        const int64_t cuts[] = {0, 1, 1, 777, 5000, 5001, 17000, N};
        for (int c = 0; c + 1 < 8; ++c)
            predict_rows_write_x(&p, &t, t.x ? t.x + cuts[c] * t.n_feat : NULL, cuts[c], cuts[c + 1], pred + cuts[c], w);
        CU_ASSERT_EQUAL(csvz_close(run, w), SB_OK);
        CU_ASSERT_EQUAL(csvz_rename(run, w), SB_OK);
        csvz_free(w);
        char *got = malloc(cap);
        gzFile g = gzopen(path, "rb");
        size_t have = 0;
        int k;
        while ((k = gzread(g, got + have, (unsigned)(cap - have))) > 0) have += (size_t)k;
        gzclose(g);
        CU_ASSERT_EQUAL(have, n);
        CU_ASSERT_TRUE(have == n && memcmp(got, want, n) == 0);
        free(got);
    }
    free(want);
    free(id);
    free(id2);
    free(pred);
}

static void test_outdir_protocol(void)
{
    char out[600];
    snprintf(out, sizeof out, "%s/out/nested", dir);
    CU_ASSERT_EQUAL(predict_outdir_check(run, out, NULL, 0), SB_OK); /* absent: fine */
    CU_ASSERT_EQUAL(predict_outdir_prepare(run, out, NULL, 0), SB_OK);
    snprintf(out, sizeof out, "%s", dir);
    touch("part-00003.csv.gz");
    touch("notes.txt");
    CU_ASSERT_EQUAL(predict_outdir_check(run, out, NULL, 0), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "--overwrite"));
    err_clear(run);
    CU_ASSERT_TRUE(exists("part-00003.csv.gz")); /* a refusal changes nothing */
    CU_ASSERT_EQUAL(predict_outdir_check(run, out, NULL, 1), SB_OK);
    touch("_SUCCESS");
    touch(".part-00000.csv.gz.tmp");
    CU_ASSERT_EQUAL(predict_outdir_prepare(run, out, NULL, 1), SB_OK);
    CU_ASSERT_FALSE(exists("part-00003.csv.gz"));
    CU_ASSERT_FALSE(exists("_SUCCESS"));
    CU_ASSERT_FALSE(exists(".part-00000.csv.gz.tmp"));
    CU_ASSERT_TRUE(exists("notes.txt")); /* not ours: kept */
    CU_ASSERT_EQUAL(predict_outdir_success(run, out, NULL), SB_OK);
    CU_ASSERT_TRUE(exists("_SUCCESS"));
    CU_ASSERT_EQUAL(predict_outdir_check(run, out, NULL, 0), SB_EINVAL); /* _SUCCESS alone counts */
    err_clear(run);
    char merge[600];
    snprintf(merge, sizeof merge, "%s/notes.txt", dir);
    CU_ASSERT_EQUAL(predict_outdir_check(run, "/nonexistent-sb", merge, 0), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "--merge"));
    err_clear(run);
}

/* A one-tree model on features (a, b): a < 0.5 ? -1 : (b missing or b < 2 ? 0.25 : 3). */
static sb_node nodes[5] = {
    {0, 1, 2, 0, 0, 0.5f, 0, 1, 1, 0}, {-1, 0, 0, 0, 0, 0, -1.0, 0, 0, 0}, {1, 3, 4, 1, 0, 2.0f, 0, 1, 1, 0},
    {-1, 0, 0, 0, 0, 0, 0.25, 0, 0, 0}, {-1, 0, 0, 0, 0, 0, 3.0, 0, 0, 0}};
static int64_t tree_start[2] = {0, 5};
static sb_feature_info mfeat[2] = {{"a", 0, NULL}, {"b", 0, NULL}};

static void tiny_model(sb_model *m)
{
    memset(m, 0, sizeof *m);
    params_default(&m->params);
    m->params.objective = SB_OBJ_SQUAREDERROR;
    m->base_margin = 10;
    m->layout = "csv";
    m->n_feat = 2;
    m->feat = mfeat;
    m->n_trees = 1;
    m->tree_start = tree_start;
    m->nodes = nodes;
}

static void test_scorer_matches_by_name(void)
{
    sb_model m;
    tiny_model(&m);
    /* The data has the columns in another order plus an extra one: (b, z, a). */
    sb_feature_info tfeat[3] = {{"b", 0, NULL}, {"z", 0, NULL}, {"a", 0, NULL}};
    float x[4 * 3] = {5, 9, 0.1f, /**/ 5, 9, 0.7f, /**/ NAN, 9, 0.7f, /**/ 1, 9, 0.5f};
    sb_table t = {0};
    t.layout = "csv";
    t.n_rows = 4;
    t.n_feat = 3;
    t.feat = tfeat;
    t.x = x;
    predict_scorer s;
    CU_ASSERT_EQUAL_FATAL(predict_scorer_init(run, &m, "m.json", &t, "d.csv", &s), SB_OK);
    CU_ASSERT_FALSE(s.identity);
    double pred[4];
    predict_scorer_rows(&s, t.x, t.n_feat, 4, pred);
    CU_ASSERT_EQUAL(pred[0], 9.0);
    CU_ASSERT_EQUAL(pred[1], 13.0);
    CU_ASSERT_EQUAL(pred[2], 10.25); /* NaN b: default left */
    CU_ASSERT_EQUAL(pred[3], 10.25);
    predict_scorer_rows(&s, t.x + t.n_feat, t.n_feat, 2, pred); /* a block that starts mid-table */
    CU_ASSERT_EQUAL(pred[0], 13.0);
    CU_ASSERT_EQUAL(pred[1], 10.25);
    predict_scorer_free(&s);

    tfeat[2].name = "c"; /* feature a missing */
    CU_ASSERT_EQUAL(predict_scorer_init(run, &m, "m.json", &t, "d.csv", &s), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "d.csv: no column 'a'"));
    err_clear(run);
    tfeat[2].name = "a";
    t.layout = "forms";
    CU_ASSERT_EQUAL(predict_scorer_init(run, &m, "m.json", &t, "d.csv", &s), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "layout"));
    err_clear(run);
    t.layout = "csv";
    char *lv[2] = {"x", "y"};
    tfeat[0].n_levels = 2;
    tfeat[0].levels = lv;
    CU_ASSERT_EQUAL(predict_scorer_init(run, &m, "m.json", &t, "d.csv", &s), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "categorical"));
    err_clear(run);
}

static void test_scorer_link(void)
{
    sb_model m;
    tiny_model(&m);
    m.params.objective = SB_OBJ_LOGISTIC;
    m.base_margin = 0;
    sb_feature_info tfeat[2] = {{"a", 0, NULL}, {"b", 0, NULL}};
    float x[2] = {0.7f, 5};
    sb_table t = {0};
    t.layout = "csv";
    t.n_rows = 1;
    t.n_feat = 2;
    t.feat = tfeat;
    t.x = x;
    predict_scorer s;
    CU_ASSERT_EQUAL_FATAL(predict_scorer_init(run, &m, "m.json", &t, "d.csv", &s), SB_OK);
    CU_ASSERT_TRUE(s.identity);
    double pred[1];
    predict_scorer_rows(&s, t.x, t.n_feat, 1, pred);
    CU_ASSERT_EQUAL(pred[0], objective_link_one(SB_OBJ_LOGISTIC, 3.0));
    predict_scorer_free(&s);
}

static const sb_test tests[] = {
    {"keywords contract lines, quoting, missing column", test_keywords_contract},
    {"forms and generic contracts", test_forms_and_generic},
    {"20k lines, fast and general paths, vs the _ref formatters", test_many_lines_vs_ref},
    {"output dir: refuse, overwrite only ours, _SUCCESS", test_outdir_protocol},
    {"scorer: columns by name, NaN default, mismatches", test_scorer_matches_by_name},
    {"scorer: link function", test_scorer_link},
};

static int make_dir(void) { return sb_make_tmpdir(dir, sizeof dir, "predict"); }
static int remove_dir(void) { return sb_remove_tree(dir); }

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("predict", tests, make_dir, remove_dir))
