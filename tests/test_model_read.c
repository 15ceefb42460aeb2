/* test_model_read.c - the model reader (io/model_read.c) on jansson: a hand-made
 * model reads back to the same bytes; every float written %.9g reads back as
 * strtof reads it; repeated keys, deep nesting, wrong types, out-of-range
 * integers and oversize text are errors naming the file and the line or key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <jansson.h>

#include "cunit_main.h"
#include "io/model.h"
#include "io/json_field.h"
#include "base/error.h"

static run_ctx *run;

/* One numeric feature with 2 cuts, one tree: a split and two leaves. */
static void small_model(sb_model *m)
{
    static char *names[1] = {"f0"};
    static sb_feature_info feat[1];
    static int64_t cut_start[2] = {0, 2};
    static float cuts[2] = {0.1f, 2.5f};
    static int64_t tree_start[2] = {0, 3};
    static sb_node nodes[3] = {{0, 1, 2, 1, 0, 0.1f, 0, 3.25, 10, 0},
                               {-1, -1, -1, 0, -1, 0, -0.1 / 3, 0, 4, 0},
                               {-1, -1, -1, 0, -1, 0, 1e-300, 0, 6, 0}};
    static double tm[1] = {0.5};
    memset(m, 0, sizeof *m);
    params_default(&m->params);
    feat[0].name = names[0];
    m->layout = "csv";
    m->label_name = "y";
    m->n_feat = 1;
    m->feat = feat;
    m->cut_start = cut_start;
    m->cuts = cuts;
    m->n_trees = 1;
    m->tree_start = tree_start;
    m->nodes = nodes;
    m->n_rounds_done = 1;
    m->train_metric = tm;
    m->base_score = 0.1;
}

/* The text with the first `from` replaced by `to` and its crc32 line re-sealed (malloc'd). */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    size_t n = strlen(text) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    char *tag = strstr(out, "\n  \"crc32\": \"");
    char hex[9];
    snprintf(hex, sizeof hex, "%08x", (unsigned)crc32(0L, (const Bytef *)out, (uInt)(tag - out + 1)));
    memcpy(tag + 13, hex, 8);
    return out;
}

static char *model_text(void)
{
    sb_model m;
    small_model(&m);
    char *text = NULL;
    int64_t len = 0;
    CU_ASSERT_EQUAL_FATAL(model_to_json(run, &m, &text, &len), SB_OK);
    return text;
}

static void test_round_trip(void)
{
    char *a = model_text(), *b = NULL;
    int64_t lb = 0;
    sb_model back;
    CU_ASSERT_EQUAL_FATAL(model_from_json(run, a, (int64_t)strlen(a), "m.json", &back), SB_OK);
    CU_ASSERT_EQUAL(back.nodes[1].value, -0.1 / 3);
    CU_ASSERT_EQUAL(back.nodes[2].value, 1e-300);
    CU_ASSERT_EQUAL(back.cuts[0], 0.1f);
    CU_ASSERT_EQUAL_FATAL(model_to_json(run, &back, &b, &lb), SB_OK);
    CU_ASSERT_STRING_EQUAL(a, b);
    model_free(&back);
    free(a);
    free(b);
}

/* Floats over the whole range (normal, subnormal, huge), written %.9g as the
 * writer does, read through jansson as strtof reads them. */
static void test_floats_exact(void)
{
    uint32_t x = 12345;
    int bad = 0;
    for (int i = 0; i < 200000; ++i) {
        x = x * 1664525u + 1013904223u;
        uint32_t bits = i < 1000 ? (uint32_t)i : (x & 0x7f7fffffu); /* finite, both signs via bit 31 below */
        if (i & 1) bits |= 0x80000000u;
        float f;
        memcpy(&f, &bits, sizeof f);
        char s[64];
        snprintf(s, sizeof s, "[%.9g]", (double)f);
        json_t *v = json_loads(s, 0, NULL);
        float got = 0;
        if (v == NULL || jf_float(run, json_array_get(v, 0), &got, "t") != SB_OK) ++bad;
        else if (memcmp(&got, &f, sizeof f) != 0 || got != strtof(s + 1, NULL)) ++bad;
        json_decref(v);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* model_from_json of the edited text fails with SB_EDATA and a message holding frag. */
static void refused(const char *from, const char *to, const char *frag)
{
    char *a = model_text(), *c = edit(a, from, to);
    sb_model back;
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, c, (int64_t)strlen(c), "m.json", &back), SB_EDATA);
    if (!strstr(err_message(run), frag)) printf("\n  message '%s' lacks '%s'\n", err_message(run), frag);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), frag));
    CU_ASSERT_PTR_NULL(back.nodes); /* zeroed on error */
    err_clear(run);
    free(a);
    free(c);
}

static void test_refused(void)
{
    refused("\"layout\": \"csv\"", "\"layout\": \"csv\", \"layout\": \"x\"", "m.json: line 9 column 27: malformed model JSON: duplicate object key near '\"layout\"'");
    refused("\"base_margin\": ", "\"base_margin\": 1e999, \"x\": ", "line 7 column 22: malformed model JSON: real number overflow near '1e999'");
    refused("\"base_margin\": ", "\"base_margin\": 99999999999999999999, \"x\": ", "too big integer");
    refused("\"layout\": \"csv\"", "\"layout\": 3", "m.json \"layout\": must be a string");
    refused("[0, 1, 2, 1, 0,", "[4294967297, 1, 2, 1, 0,", "m.json: tree 0 node 0 \"feat\": integer 4294967297 is out of range");
    refused("[0, 1, 2, 1, 0,", "[0, 1.5, 2, 1, 0,", "m.json: tree 0 node 0 \"left\": must be an integer");
    refused("[0, 1, 2, 1, 0, 0.100000001", "[0, 1, 2, 1, 0, \"0.1\"", "m.json: tree 0 node 0 threshold: must be a number");
    refused("\"cuts\": [0.100000001", "\"cuts\": [true", "m.json: features[0] \"cuts\"[0]: must be a number");
    refused("\"cuts\": [", "\"cuts\": {}, \"x\": [", "m.json: features[0] \"cuts\" must be an array");
    refused("\"name\": \"f0\"", "\"name\": null", "m.json: features[0] \"name\": must be a string");
    refused("\"id_names\": [", "\"id_names\": [7", "m.json: \"id_names\"[0]: must be a string");
    refused("\"rounds\": 1", "\"rounds\": -1e3", "m.json: \"training\" \"rounds\": must be an integer");
    refused("\"trees\": [", "\"trees\": 5, \"x\": [", "m.json: \"trees\" must be an array");
    refused("[-1, -1, -1, 0, -1, 0,", "[-1, -1, -1, 0, -1,", "tree 0 node 1: a node is an array of 9 numbers");
    refused("\"format\": \"shardboost-model\"", "\"format\": 1", "not a shardboost-model file");
    refused("\"version\": 1", "\"version\": \"1\"", "m.json \"version\": must be an integer");
    refused("\"params\": {", "\"params\": {\"x_num\": 0.3, ", "m.json: \"params\" \"x_num\" must be a string");
}

/* A million nested arrays: jansson's depth limit, not a stack overflow. */
static void test_deep_nesting(void)
{
    const size_t depth = 1000000;
    char *deep = malloc(2 * depth + 16);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    char *a = model_text(), *to = malloc(2 * depth + 32);
    snprintf(to, 2 * depth + 32, "\"x\": %s, \"layout\"", deep);
    char *c = edit(a, "\"layout\"", to);
    sb_model back;
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, c, (int64_t)strlen(c), "m.json", &back), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "m.json: line 9 column"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "nested deeper than 2048 levels"));
    err_clear(run);
    free(deep);
    free(to);
    free(a);
    free(c);
}

/* Over the size limit: refused before anything is read (the bytes are never touched). */
static void test_size_limit(void)
{
    char tiny[1] = {0};
    sb_model back;
    err_clear(run);
    CU_ASSERT_EQUAL(model_from_json(run, tiny, ((int64_t)1 << 30) + 1, "big.json", &back), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "big.json: model text of 1073741825 bytes is over the 1024 MiB limit"));
    err_clear(run);
}

/* A name that is not UTF-8 is refused when written: the file would be JSON no reader accepts. */
static void test_write_refuses_bad_utf8(void)
{
    sb_model m;
    small_model(&m);
    static char bad[] = "a\xff";
    static sb_feature_info feat[1];
    feat[0].name = bad;
    m.feat = feat;
    char *text = NULL;
    int64_t len = 0;
    err_clear(run);
    CU_ASSERT_EQUAL(model_to_json(run, &m, &text, &len), SB_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "feature 1 name 'a\\xff' is not valid UTF-8"));
    CU_ASSERT_PTR_NULL(text);
    err_clear(run);
}

static const sb_test tests[] = {
    {"hand-made model: same bytes back, doubles exact", test_round_trip},
    {"floats written %.9g read back as strtof reads them", test_floats_exact},
    {"repeated keys, overflow, wrong types, out-of-range integers: errors naming the key", test_refused},
    {"a million nested arrays: a clear error, no crash", test_deep_nesting},
    {"text over the size limit is refused unread", test_size_limit},
    {"a name that is not UTF-8 is refused when the model is written", test_write_refuses_bad_utf8},
};

SB_TEST_MAIN(&run, SB_SUITE("model_read", tests))
