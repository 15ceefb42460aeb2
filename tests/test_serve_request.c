/* test_serve_request.c - request bodies (JSON rows, bare arrays, CSV) into
 * feature rows, every refusal with its status and message, and the answer's
 * number text (the same as predict's part files). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "kernels/fmt_ryu.h"
#include "jobs/serve_request.h"

static char *devices[] = {"Computer", "Smartphone", "Tablet"};
static sb_feature_info feats[] = {{"att1", 0, NULL}, {"att2", 0, NULL}, {"device", 3, devices}, {"week", 0, NULL}};
static char *ids[] = {"entity_id", "device"};
static serve_schema strict, loose;

static int parse(const serve_schema *s, int kind, const char *body, int64_t max_rows, serve_batch *b)
{
    return serve_parse(s, kind, body, strlen(body), max_rows, b);
}

static void test_json_rows(void)
{
    serve_batch b;
    const char *body = "{\"rows\": [{\"att1\": 0.1, \"device\": \"Tablet\", \"entity_id\": 4},"
                       " {\"week\": 3, \"att2\": null, \"device\": null}]}";
    CU_ASSERT_EQUAL_FATAL(parse(&strict, SERVE_BODY_JSON, body, 10, &b), 0);
    CU_ASSERT_EQUAL(b.n_rows, 2);
    CU_ASSERT_EQUAL(b.x[0], (float)0.1); /* double, then float: as ingest */
    CU_ASSERT(isnan(b.x[1]));            /* left out: missing */
    CU_ASSERT_EQUAL(b.x[2], 2.0f);       /* Tablet = code 2 (levels sorted) */
    CU_ASSERT(isnan(b.x[3]));
    CU_ASSERT(isnan(b.x[4]) && isnan(b.x[5]) && isnan(b.x[6]));
    CU_ASSERT_EQUAL(b.x[7], 3.0f);
    json_t *id0 = json_array_get(b.ids, 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(id0, "entity_id")), 4);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(id0, "device")), "Tablet");
    CU_ASSERT(json_is_object(json_array_get(b.ids, 1))); /* device: null is an id field too */
    serve_batch_free(&b);
    CU_ASSERT_EQUAL(parse(&strict, SERVE_BODY_JSON, "[{\"att1\": 2}, {}]", 10, &b), 0); /* bare array */
    CU_ASSERT_EQUAL(b.n_rows, 2);
    CU_ASSERT(json_is_null(json_array_get(b.ids, 1)));
    serve_batch_free(&b);
}

/* status and a message fragment for each bad body */
static void expect_refusal(const serve_schema *s, int kind, const char *body, int64_t max_rows, int status,
                           const char *fragment)
{
    serve_batch b;
    CU_ASSERT_EQUAL(serve_parse(s, kind, body, strlen(body), max_rows, &b), -1);
    CU_ASSERT_EQUAL(b.status, status);
    if (strstr(b.err, fragment) == NULL) {
        printf("\n  body %.60s: message '%s' lacks '%s'\n", body, b.err, fragment);
        CU_FAIL("message");
    }
    serve_batch_free(&b);
}

static void test_json_refusals(void)
{
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"att1\": 1}, {\"att9\": 1}]", 10, 400, "row 1, field 'att9'");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"att1\": \"1\"}]", 10, 400, "row 0, field 'att1': expected a number");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"device\": \"Fridge\"}]", 10, 400, "unknown level 'Fridge'");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"device\": 1}]", 10, 400, "expected a level name");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"att1\": 1e39}]", 10, 400, "outside the float32 range");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"att1\": true}]", 10, 400, "expected a number");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"entity_id\": {}}]", 10, 400, "an id must be");
    expect_refusal(&strict, SERVE_BODY_JSON, "[1]", 10, 400, "row 0: expected an object");
    expect_refusal(&strict, SERVE_BODY_JSON, "{\"rows\": 1}", 10, 400, "must be an array");
    expect_refusal(&strict, SERVE_BODY_JSON, "{\"rowz\": []}", 10, 400, "expected {\"rows\"");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"att1\": 1", 10, 400, "malformed JSON");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"att1\": 1, \"att1\": 2}]", 10, 400, "duplicate");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{\"entity_id\": \"\xc3\x28\"}]", 10, 400, "malformed JSON");
    expect_refusal(&strict, SERVE_BODY_JSON, "[{}, {}, {}]", 2, 413, "more than the limit of 2");
    expect_refusal(&strict, SERVE_BODY_JSON, "", 2, 400, "empty body");
    expect_refusal(&strict, -1, "[]", 2, 415, "Content-Type");
    char deep[6000];
    memset(deep, '[', 3000);
    memset(deep + 3000, ']', 2999);
    deep[5999] = '\0';
    expect_refusal(&strict, SERVE_BODY_JSON, deep, 10, 400, "depth");
}

static void test_unseen_level_is_missing_when_not_strict(void)
{
    serve_batch b;
    CU_ASSERT_EQUAL_FATAL(parse(&loose, SERVE_BODY_JSON, "[{\"device\": \"Fridge\"}]", 10, &b), 0);
    CU_ASSERT(isnan(b.x[2]));
    serve_batch_free(&b);
}

static void test_csv(void)
{
    serve_batch b;
    const char *body = "\xEF\xBB\xBF" "entity_id,att1,device,\"week\"\r\n"
                       "7,1.5,Tablet,2\r\n"
                       "\n"
                       "0012,NA,\"Computer\",\r\n";
    CU_ASSERT_EQUAL_FATAL(parse(&strict, SERVE_BODY_CSV, body, 10, &b), 0);
    CU_ASSERT_EQUAL(b.n_rows, 2);
    CU_ASSERT_EQUAL(b.x[0], 1.5f);
    CU_ASSERT_EQUAL(b.x[2], 2.0f);
    CU_ASSERT_EQUAL(b.x[3], 2.0f);
    CU_ASSERT(isnan(b.x[4]) && isnan(b.x[7]));
    CU_ASSERT_EQUAL(b.x[6], 0.0f);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(b.ids, 0), "entity_id")), 7);
    /* not canonical: kept as the text it was */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(b.ids, 1), "entity_id")), "0012");
    serve_batch_free(&b);
    expect_refusal(&strict, SERVE_BODY_CSV, "att1,Clicks\n1,2\n", 10, 400, "column 2 'Clicks'");
    expect_refusal(&strict, SERVE_BODY_CSV, "att1,att1\n1,2\n", 10, 400, "twice");
    expect_refusal(&strict, SERVE_BODY_CSV, "att1,att2\n1\n", 10, 400, "row 0: 1 fields, the header has 2");
    expect_refusal(&strict, SERVE_BODY_CSV, "att1\nabc\n", 10, 400, "row 0, field 'att1': 'abc' is not a number");
    expect_refusal(&strict, SERVE_BODY_CSV, "att1\n1\n2\n3\n", 2, 413, "3 rows");
    expect_refusal(&strict, SERVE_BODY_CSV, "device\nFridge\n", 2, 400, "unknown level");
    expect_refusal(&strict, SERVE_BODY_CSV, "entity_id\n\"a\"b\"\n", 2, 400, "malformed quotes");
    expect_refusal(&strict, SERVE_BODY_CSV, "entity_id\n\xff\n", 2, 400, "not valid UTF-8");
}

static void test_content_types(void)
{
    CU_ASSERT_EQUAL(serve_body_kind(NULL), SERVE_BODY_JSON);
    CU_ASSERT_EQUAL(serve_body_kind("application/json; charset=utf-8"), SERVE_BODY_JSON);
    CU_ASSERT_EQUAL(serve_body_kind("Text/CSV"), SERVE_BODY_CSV);
    CU_ASSERT_EQUAL(serve_body_kind("application/x-www-form-urlencoded"), -1);
}

/* The answer's numbers are predict's text (fmt_double) and read back exactly. */
static void test_answer_text(void)
{
    double pred[3] = {0.036531558676126414, 1e-05, 0.1 + 0.2};
    json_t *id = json_pack("[{s:i},n,{s:s}]", "entity_id", 4, "device", "Tablet");
    size_t len = 0;
    char *s = serve_answer("kw", "v3", pred, 3, id, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(strlen(s), len);
    char want[256], a[32], b[32], c[32];
    a[fmt_double(pred[0], a)] = '\0';
    b[fmt_double(pred[1], b)] = '\0';
    c[fmt_double(pred[2], c)] = '\0';
    snprintf(want, sizeof want,
             "{\"model\":\"kw\",\"version\":\"v3\",\"predictions\":[%s,%s,%s],\"ids\":[{\"entity_id\":4},null,"
             "{\"device\":\"Tablet\"}]}\n", a, b, c);
    CU_ASSERT_STRING_EQUAL(s, want);
    json_error_t e;
    json_t *back = json_loads(s, 0, &e);
    for (int i = 0; i < 3; ++i) CU_ASSERT_EQUAL(json_real_value(json_array_get(json_object_get(back, "predictions"), (size_t)i)), pred[i]);
    json_decref(back);
    json_decref(id);
    free(s);
    char *err = serve_error_json("bad \xff byte", &len);
    CU_ASSERT_PTR_NOT_NULL(err); /* jansson refuses the invalid text: a generic message instead */
    free(err);
}

static int set_up(void)
{
    return serve_schema_init(&strict, 4, feats, 2, ids, 1) != 0 || serve_schema_init(&loose, 4, feats, 2, ids, 0) != 0;
}

static int tear_down(void)
{
    serve_schema_free(&strict);
    serve_schema_free(&loose);
    return 0;
}

static const sb_test tests[] = {{"JSON rows and bare arrays", test_json_rows},
                                {"JSON refusals name row and field", test_json_refusals},
                                {"unseen level is missing outside keywords", test_unseen_level_is_missing_when_not_strict},
                                {"CSV bodies", test_csv},
                                {"content types", test_content_types},
                                {"answer text equals predict's", test_answer_text}};

SB_TEST_MAIN(NULL, SB_SUITE_FIXTURE("serve_request", tests, set_up, tear_down))
