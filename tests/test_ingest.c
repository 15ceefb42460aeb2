/* test_ingest.c - work split (pieces tile every file, gzip whole, rank order =
 * input order) and each layout's row parsing: values, drops, missing values,
 * levels, and the error message of a bad row. Singleton MPI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for getpid */

#include "cunit_main.h"
#include "io/csvrow.h"
#include "io/ingest.h"
#include "io/ingest_plan.h"
#include "io/ingest_rows.h"
#include "io/lines.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;

static void test_pieces_tile_files(void)
{
    int64_t size[5] = {1000, 7, 0, 333, 5000};
    int gz[5] = {0, 0, 0, 1, 0};
    for (int nranks = 1; nranks <= 9; ++nranks) {
        for (int i = 0; i < 5; ++i) {
            int64_t next = 0, owners = 0, last_rank = -1;
            for (int r = 0; r < nranks; ++r) {
                int64_t b, e;
                ingest_piece(size, gz, 5, r, nranks, i, &b, &e);
                if (b < 0) continue;
                CU_ASSERT_TRUE(b < e);
                CU_ASSERT_EQUAL(b, next); /* contiguous, in rank order */
                CU_ASSERT_TRUE(r > last_rank);
                next = e;
                last_rank = r;
                ++owners;
            }
            CU_ASSERT_EQUAL(next, size[i]); /* every byte owned once */
            if (gz[i]) CU_ASSERT_EQUAL(owners, 1);
            if (size[i] == 0) CU_ASSERT_EQUAL(owners, 0);
        }
        /* global order: a rank's pieces come after every piece of lower ranks */
        int64_t prev_file = -1;
        for (int r = 0; r < nranks; ++r)
            for (int i = 0; i < 5; ++i) {
                int64_t b, e;
                ingest_piece(size, gz, 5, r, nranks, i, &b, &e);
                if (b < 0) continue;
                CU_ASSERT_TRUE(i >= prev_file);
                prev_file = i;
            }
    }
}

/* Parse `text` (lines) with a plan into R; returns the rc of the first failing row. */
static int parse_text(ingest_plan *P, ingest_rows *R, const char *text, int skip_header)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sb_test_ingest.%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    lines *L = NULL;
    CU_ASSERT_EQUAL_FATAL(lines_open(run, path, 0, 0, (int64_t)strlen(text), &L), SB_OK);
    csvrow *split = csvrow_new();
    R->file = "t.csv";
    R->src = L;
    const char *s;
    size_t n;
    int rc = SB_OK;
    while (rc == SB_OK && lines_next(run, L, &s, &n) == SB_OK && s != NULL) {
        if (skip_header && lines_at_file_start(L)) continue;
        const csv_field *fl = NULL;
        int32_t nf = 0;
        CU_ASSERT_EQUAL(csvrow_split(split, s, n, &fl, &nf), CSVROW_OK);
        rc = ingest_rows_add(run, R, fl, nf);
    }
    csvrow_free(split);
    lines_close(L);
    remove(path);
    (void)P;
    return rc;
}

static char *keyword_header(int with_counts)
{
    static char buf[4096];
    strcpy(buf, "\"entity_id\"");
    for (int a = 1; a <= 160; ++a) sprintf(buf + strlen(buf), ",\"att%d\"", a);
    strcat(buf, with_counts ? ",\"device\",\"week\",\"Clicks\",\"Conversions\"\n" : ",\"device\",\"week\"\n");
    return buf;
}

static void keyword_row(char *buf, long id, const char *device, const char *clicks, const char *conv)
{
    sprintf(buf, "%ld", id);
    for (int a = 1; a <= 160; ++a) strcat(buf, a == 7 ? ",1" : a == 8 ? ",NA" : ",0");
    sprintf(buf + strlen(buf), ",\"%s\",31,%s,%s\n", device, clicks, conv);
}

static int header_fields(const char *hdr, char ***out)
{
    csvrow *s = csvrow_new();
    const csv_field *f;
    int32_t nf;
    csvrow_split(s, hdr, strlen(hdr) - 1, &f, &nf);
    *out = calloc((size_t)nf, sizeof **out);
    for (int i = 0; i < nf; ++i) (*out)[i] = strndup(f[i].p, f[i].n);
    csvrow_free(s);
    return nf;
}

static void test_keywords_rows(void)
{
    char **hdr;
    int nh = header_fields(keyword_header(1), &hdr);
    ingest_plan P;
    CU_ASSERT_EQUAL_FATAL(ingest_plan_build(run, INGEST_KEYWORDS, NULL, 1, "t.csv", hdr, nh, &P), SB_OK);
    CU_ASSERT_EQUAL(P.n_feat, 162);
    CU_ASSERT_STRING_EQUAL(P.feat[160].name, "device");
    CU_ASSERT_EQUAL(P.n_ids, 2);
    ingest_rows R;
    CU_ASSERT_EQUAL_FATAL(ingest_rows_init(run, &P, NULL, 0, &R), SB_OK);
    char text[16384];
    strcpy(text, keyword_header(1));
    keyword_row(text + strlen(text), 4, "Tablet", "8", "2");
    keyword_row(text + strlen(text), 5, "Computer", "0", "0"); /* dropped */
    keyword_row(text + strlen(text), 6, "Smartphone", "2", "3"); /* Conversions > Clicks: kept */
    CU_ASSERT_EQUAL(parse_text(&P, &R, text, 1), SB_OK);
    CU_ASSERT_EQUAL(R.rows_read, 3);
    CU_ASSERT_EQUAL(R.n, 2);
    CU_ASSERT_EQUAL(R.dropped_zero, 1);
    CU_ASSERT_EQUAL(R.num_gt_den, 1);
    CU_ASSERT_EQUAL(R.label[0], 0.25);
    CU_ASSERT_EQUAL(R.weight[0], 8.0);
    CU_ASSERT_EQUAL(R.label[1], 1.5);
    CU_ASSERT_EQUAL(R.id_i64[0][1], 6);
    CU_ASSERT_EQUAL(R.x[6], 1.0f);     /* att7 */
    CU_ASSERT_TRUE(isnan(R.x[7]));     /* att8 = NA */
    CU_ASSERT_EQUAL(R.x[160], 2.0f);   /* Tablet = code 2 of Computer, Smartphone, Tablet */
    CU_ASSERT_EQUAL(R.x[162 + 160], 1.0f);
    CU_ASSERT_EQUAL(R.x[161], 31.0f);
    /* an unknown device names file and line */
    char bad[4096];
    keyword_row(bad, 7, "Phone", "1", "0");
    char text2[16384];
    snprintf(text2, sizeof text2, "%s%s", keyword_header(1), bad);
    CU_ASSERT_EQUAL(parse_text(&P, &R, text2, 1), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "t.csv:2: unknown device 'Phone'"));
    err_clear(run);
    ingest_rows_free(&R);
    ingest_plan_free(&P);
    for (int i = 0; i < nh; ++i) free(hdr[i]);
    free(hdr);
}

static void test_keywords_header_errors(void)
{
    char **hdr;
    int nh = header_fields(keyword_header(0), &hdr);
    ingest_plan P;
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_KEYWORDS, NULL, 1, "k.csv", hdr, nh, &P), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "k.csv:1: keyword header has 163 columns"));
    err_clear(run);
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_KEYWORDS, NULL, 0, "k.csv", hdr, nh, &P), SB_OK); /* scoring */
    CU_ASSERT_FALSE(P.has_label);
    ingest_plan_free(&P);
    free(hdr[5]);
    hdr[5] = strdup("att_5");
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_KEYWORDS, NULL, 0, "k.csv", hdr, nh, &P), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "header column 6 is 'att_5', expected 'att5'"));
    err_clear(run);
    for (int i = 0; i < nh; ++i) free(hdr[i]);
    free(hdr);
}

static void test_forms_rows(void)
{
    ingest_plan P;
    CU_ASSERT_EQUAL_FATAL(ingest_plan_build(run, INGEST_FORMS, NULL, 1, "f.csv", NULL, 0, &P), SB_OK);
    ingest_rows R;
    CU_ASSERT_EQUAL_FATAL(ingest_rows_init(run, &P, NULL, 0, &R), SB_OK);
    char feats[1024] = "";
    for (int k = 0; k < 47; ++k) sprintf(feats + strlen(feats), "%s%d.25", k ? "-" : "", k);
    char text[4096];
    snprintf(text, sizeof text, "(1113027,33,27,%s)\n(5,0,0,%s)\n(6,1,4,%s)\n", feats, feats, feats);
    CU_ASSERT_EQUAL(parse_text(&P, &R, text, 0), SB_OK);
    CU_ASSERT_EQUAL(R.n, 2);
    CU_ASSERT_EQUAL(R.dropped_zero, 1);
    CU_ASSERT_EQUAL(R.id_i64[0][0], 1113027);
    CU_ASSERT_EQUAL(R.label[0], 33.0 / 27.0); /* rate above 1 kept */
    CU_ASSERT_EQUAL(R.weight[1], 4.0);
    CU_ASSERT_EQUAL(R.x[0], 0.25f);
    CU_ASSERT_EQUAL(R.x[46], 46.25f);
    ingest_rows_free(&R);
    ingest_plan_free(&P);
    /* scoring: counts not read, and "(id,features)" accepted */
    CU_ASSERT_EQUAL_FATAL(ingest_plan_build(run, INGEST_FORMS, NULL, 0, "f.csv", NULL, 0, &P), SB_OK);
    CU_ASSERT_EQUAL_FATAL(ingest_rows_init(run, &P, NULL, 0, &R), SB_OK);
    snprintf(text, sizeof text, "(7,%s)\n(8,x,0,%s)\n", feats, feats);
    CU_ASSERT_EQUAL(parse_text(&P, &R, text, 0), SB_OK);
    CU_ASSERT_EQUAL(R.n, 2);
    CU_ASSERT_PTR_NULL(R.label);
    ingest_rows_free(&R);
    ingest_plan_free(&P);
}

static void test_csv_rows_and_given_levels(void)
{
    ingest_schema S;
    memset(&S, 0, sizeof S);
    char *ids[] = {"id"}, *cats[] = {"color"};
    int is_str[] = {ID_KIND_INT64};
    S.path = "s.yaml";
    S.n_ids = 1, S.ids = ids, S.id_kind = is_str;
    S.label = "y";
    S.n_cat = 1, S.categorical = cats;
    char *hdr[] = {"id", "color", "a", "y"};
    ingest_plan P;
    CU_ASSERT_EQUAL_FATAL(ingest_plan_build(run, INGEST_CSV, &S, 1, "g.csv", hdr, 4, &P), SB_OK);
    CU_ASSERT_EQUAL(P.n_feat, 2);
    CU_ASSERT_FALSE(P.has_weight);
    /* levels from a model: unseen "teal" -> NaN, known ones keep the model's codes */
    char *lv[] = {"blue", "red"};
    sb_feature_info given = {"color", 2, lv};
    ingest_rows R;
    CU_ASSERT_EQUAL_FATAL(ingest_rows_init(run, &P, &given, 1, &R), SB_OK);
    CU_ASSERT_EQUAL(parse_text(&P, &R, "id,color,a,y\n1,red,,0.5\n2,teal,1e-3,-2\n3,blue,NaN,1\n", 1), SB_OK);
    CU_ASSERT_EQUAL(R.n, 3);
    CU_ASSERT_EQUAL(R.x[0], 1.0f);
    CU_ASSERT_TRUE(isnan(R.x[1]));
    CU_ASSERT_TRUE(isnan(R.x[2]));
    CU_ASSERT_EQUAL(R.x[3], 0.001f);
    CU_ASSERT_EQUAL(R.x[4], 0.0f);
    CU_ASSERT_EQUAL(R.label[1], -2.0); /* a plain label may be negative */
    CU_ASSERT_EQUAL(parse_text(&P, &R, "id,color,a,y\n4,red,1,\n", 1), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "t.csv:2: y: '' is not a number"));
    err_clear(run);
    ingest_rows_free(&R);
    ingest_plan_free(&P);
}

static void test_auto_ids(void)
{
    ingest_schema S;
    memset(&S, 0, sizeof S);
    char *ids[] = {"a", "b", "c", "d"};
    int kinds[] = {ID_KIND_AUTO, ID_KIND_AUTO, ID_KIND_AUTO, ID_KIND_AUTO};
    S.path = "s.yaml";
    S.n_ids = 4, S.ids = ids, S.id_kind = kinds;
    S.label = "y";
    char *hdr[] = {"a", "b", "c", "d", "x", "y"};
    ingest_plan P;
    CU_ASSERT_EQUAL_FATAL(ingest_plan_build(run, INGEST_CSV, &S, 1, "g.csv", hdr, 6, &P), SB_OK);
    ingest_rows R;
    CU_ASSERT_EQUAL_FATAL(ingest_rows_init(run, &P, NULL, 0, &R), SB_OK);
    /* a: integers; b: a leading zero (zip code); c: "+5"; d: a date */
    CU_ASSERT_EQUAL(parse_text(&P, &R, "a,b,c,d,x,y\n-7,12,3,2024-01-02,1,0\n0,007,+5,2024-01-03,2,1\n"
                                       "9223372036854775807,1,4,5,3,1\n", 1), SB_OK);
    CU_ASSERT_EQUAL(R.n, 3);
    CU_ASSERT_FALSE(R.id_not_int[0]);
    CU_ASSERT_TRUE(R.id_not_int[1]);
    CU_ASSERT_TRUE(R.id_not_int[2]);
    CU_ASSERT_TRUE(R.id_not_int[3]);
    CU_ASSERT_EQUAL(R.id_max[3], 10);
    ingest_rows_free(&R);
    ingest_plan_free(&P);
}

static const sb_test tests[] = {
    {"pieces tile every file, gzip whole, rank order", test_pieces_tile_files},
    {"keyword rows: rate, weight, drop, NA, device codes, error line", test_keywords_rows},
    {"keyword header checks and scoring header", test_keywords_header_errors},
    {"forms rows: rate > 1 kept, views == 0 dropped, scoring rows", test_forms_rows},
    {"generic rows: missing values, model levels, label errors", test_csv_rows_and_given_levels},
    {"auto ids: canonical integers only", test_auto_ids},
};

SB_TEST_MAIN(&run, SB_SUITE("ingest", tests))
