/* test_schema.c - the generic layout's YAML schema: accepted forms and the
 * errors (file:line, unknown key, wrong type, label vs numerator/denominator). */
#include <stdio.h>
#include <string.h>
#include <unistd.h> /* for getpid */

#include "cunit_main.h"
#include "io/ingest_plan.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;
static char path[64]; /* /tmp/sb_test_<pid>_schema.yaml */

static int load(const char *text, ingest_schema *s)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    err_clear(run);
    return ingest_schema_load(run, path, s);
}

static void test_full_schema(void)
{
    ingest_schema s;
    CU_ASSERT_EQUAL_FATAL(load("# comment\nids: [entity_id, {name: device, type: string}]\nnumerator: Conversions\n"
                               "denominator: Clicks\nlabel_name: cr\ncategorical: [device]\nignore: notes\n",
                               &s),
                          SB_OK);
    CU_ASSERT_EQUAL(s.n_ids, 2);
    CU_ASSERT_STRING_EQUAL(s.ids[1], "device");
    CU_ASSERT_EQUAL(s.id_kind[0], ID_KIND_AUTO); /* the default */
    CU_ASSERT_EQUAL(s.id_kind[1], ID_KIND_STRING);
    CU_ASSERT_STRING_EQUAL(s.numerator, "Conversions");
    CU_ASSERT_PTR_NULL(s.label);
    CU_ASSERT_EQUAL(s.n_ignore, 1); /* a scalar is a one-element list */
    CU_ASSERT_STRING_EQUAL(s.ignore[0], "notes");
    ingest_schema_free(&s);
    CU_ASSERT_EQUAL_FATAL(load("label: y\nweight: none\n", &s), SB_OK);
    CU_ASSERT_TRUE(s.weight_none);
    ingest_schema_free(&s);
}

static void expect_error(const char *text, const char *fragment)
{
    ingest_schema s;
    CU_ASSERT_NOT_EQUAL(load(text, &s), SB_OK);
    if (strstr(err_message(run), fragment) == NULL) printf("\n  got: %s\n  want: %s", err_message(run), fragment);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), fragment));
    err_clear(run);
}

static void test_errors(void)
{
    expect_error("label: y\nlable: z\n", "_schema.yaml:2: unknown key 'lable'");
    expect_error("ids: [a\nlabel: y\n", "_schema.yaml:2: did not find expected ',' or ']'");
    expect_error("ids: [a]\n", "needs 'label', or both 'numerator' and 'denominator'");
    expect_error("label: y\nnumerator: a\ndenominator: b\n", "either 'label' or 'numerator' + 'denominator'");
    expect_error("numerator: a\n", "needs 'label', or both");
    expect_error("label: [a, b]\n", "_schema.yaml:1: 'label' must be a column name");
    expect_error("label: y\nids: [{name: a, type: float}]\n", "id type 'float' must be auto, int64 or string");
    expect_error("- a\n- b\n", "must be a mapping");
    expect_error("", "must be a mapping");
    ingest_schema s;
    err_clear(run);
    CU_ASSERT_EQUAL(ingest_schema_load(run, "/nonexistent/s.yaml", &s), SB_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent/s.yaml: cannot open schema"));
    err_clear(run);
}

static void test_plan_errors(void)
{
    ingest_schema s;
    ingest_plan p;
    CU_ASSERT_EQUAL_FATAL(load("label: y\nids: [id]\nignore: [junk]\n", &s), SB_OK);
    char *ok[] = {"id", "x", "junk", "y"};
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_CSV, &s, 1, "d.csv", ok, 4, &p), SB_OK);
    CU_ASSERT_EQUAL(p.n_feat, 1);
    CU_ASSERT_STRING_EQUAL(p.feat[0].name, "x");
    ingest_plan_free(&p);
    char *no_y[] = {"id", "x", "junk"};
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_CSV, &s, 1, "d.csv", no_y, 3, &p), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "d.csv:1: column 'y'"));
    err_clear(run);
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_CSV, &s, 0, "d.csv", no_y, 3, &p), SB_OK); /* scoring */
    ingest_plan_free(&p);
    char *only[] = {"id", "junk", "y"};
    CU_ASSERT_EQUAL(ingest_plan_build(run, INGEST_CSV, &s, 1, "d.csv", only, 3, &p), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "no feature columns"));
    err_clear(run);
    ingest_schema_free(&s);
    remove(path);
}

static const sb_test tests[] = {
    {"a full schema and weight: none", test_full_schema},
    {"schema errors name file and line", test_errors},
    {"plan from schema + header, missing columns", test_plan_errors},
};

static int name_file(void)
{
    snprintf(path, sizeof path, "/tmp/sb_test_%d_schema.yaml", (int)getpid());
    return 0;
}

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("schema", tests, name_file, NULL))
