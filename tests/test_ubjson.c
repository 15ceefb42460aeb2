/* test_ubjson.c - the UBJSON reader (io/ubjson.h): every value type and
 * container form XGBoost writes, and damaged input: every truncation of a
 * document, bad markers, counts larger than the file, deep nesting, trailing
 * bytes, repeated keys - each an SB_EDATA naming the file, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "io/ubjson.h"
#include "base/error.h"

static run_ctx *run;

/* {"a": -3 (i), "b": 200 (U), "c": -300 (I), "d": 70000 (l), "e": 2^40 (L),
 *  "f": 0.5 (d), "g": -2.25 (D), "s": "xy", "t": true, "u": false, "z": null,
 *  "arr": [1 (i), "q"] (plain), "cnt": [# 2: T, Z] (counted),
 *  "typ": [$d # 3: 1.0, -0.125, 3.5], "o": {$U # 2: "k": 7, "m": 9}, "empty": []}
 * with an N no-op before "s". */
static const unsigned char doc[] = {
    '{',
    'i', 1, 'a', 'i', 0xFD,
    'i', 1, 'b', 'U', 200,
    'i', 1, 'c', 'I', 0xFE, 0xD4,
    'i', 1, 'd', 'l', 0x00, 0x01, 0x11, 0x70,
    'i', 1, 'e', 'L', 0, 0, 0x01, 0, 0, 0, 0, 0,
    'i', 1, 'f', 'd', 0x3F, 0x00, 0x00, 0x00,
    'i', 1, 'g', 'D', 0xC0, 0x02, 0, 0, 0, 0, 0, 0,
    'N', 'i', 1, 's', 'S', 'i', 2, 'x', 'y',
    'i', 1, 't', 'T',
    'i', 1, 'u', 'F',
    'i', 1, 'z', 'Z',
    'i', 3, 'a', 'r', 'r', '[', 'i', 1, 'S', 'U', 1, 'q', ']',
    'i', 3, 'c', 'n', 't', '[', '#', 'i', 2, 'T', 'Z',
    'i', 3, 't', 'y', 'p', '[', '$', 'd', '#', 'i', 3, 0x3F, 0x80, 0, 0, 0xBE, 0x00, 0, 0, 0x40, 0x60, 0, 0,
    'i', 1, 'o', '{', '$', 'U', '#', 'i', 2, 'i', 1, 'k', 7, 'i', 1, 'm', 9,
    'i', 5, 'e', 'm', 'p', 't', 'y', '[', ']',
    '}',
};

static void test_all_types(void)
{
    json_t *v = NULL;
    int rc = ubjson_parse(run, "doc.ubj", doc, sizeof doc, &v);
    if (rc != SB_OK) printf("\n  %s\n", err_message(run));
    CU_ASSERT_EQUAL_FATAL(rc, SB_OK);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "a")), -3);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "b")), 200);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "c")), -300);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "d")), 70000);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(v, "e")), (json_int_t)1 << 40);
    CU_ASSERT_TRUE(json_is_real(json_object_get(v, "f")));
    CU_ASSERT_EQUAL(json_real_value(json_object_get(v, "f")), 0.5);
    CU_ASSERT_EQUAL(json_real_value(json_object_get(v, "g")), -2.25);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(v, "s")), "xy");
    CU_ASSERT_TRUE(json_is_true(json_object_get(v, "t")));
    CU_ASSERT_TRUE(json_is_false(json_object_get(v, "u")));
    CU_ASSERT_TRUE(json_is_null(json_object_get(v, "z")));
    json_t *arr = json_object_get(v, "arr"), *cnt = json_object_get(v, "cnt"), *typ = json_object_get(v, "typ");
    CU_ASSERT_EQUAL(json_array_size(arr), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(arr, 1)), "q");
    CU_ASSERT_EQUAL(json_array_size(cnt), 2);
    CU_ASSERT_TRUE(json_is_null(json_array_get(cnt, 1)));
    CU_ASSERT_EQUAL(json_array_size(typ), 3);
    CU_ASSERT_EQUAL(json_real_value(json_array_get(typ, 1)), -0.125);
    CU_ASSERT_EQUAL(json_real_value(json_array_get(typ, 2)), 3.5);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(v, "o"), "m")), 9);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(v, "empty")), 0);
    json_decref(v);
}

static void expect_bad(const unsigned char *b, size_t n, const char *want)
{
    json_t *v = (json_t *)1;
    CU_ASSERT_EQUAL(ubjson_parse(run, "bad.ubj", b, n, &v), SB_EDATA);
    CU_ASSERT_PTR_NULL(v);
    const char *msg = err_message(run);
    if (!strstr(msg, "bad.ubj: UBJSON at byte")) printf("\n  unexpected message (%zu bytes): %s\n", n, msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "bad.ubj: UBJSON at byte"));
    if (want && !strstr(msg, want)) printf("\n  unexpected message: %s\n", msg);
    if (want) CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
    err_clear(run);
}

static void test_every_truncation(void)
{
    for (size_t n = 0; n < sizeof doc; ++n) expect_bad(doc, n, NULL);
}

static void test_damaged(void)
{
    static const unsigned char marker[] = {'[', 'X', ']'};
    expect_bad(marker, sizeof marker, "an integer was expected");
    static const unsigned char huge[] = {'[', '$', 'd', '#', 'L', 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    expect_bad(huge, sizeof huge, "larger than the rest of the file");
    static const unsigned char negative[] = {'S', 'i', 0xFF};
    expect_bad(negative, sizeof negative, "larger than the rest");
    static const unsigned char trailing[] = {'T', 'T'};
    expect_bad(trailing, sizeof trailing, "bytes after the end");
    static const unsigned char repeated[] = {'{', 'i', 1, 'a', 'T', 'i', 1, 'a', 'F', '}'};
    expect_bad(repeated, sizeof repeated, "repeated");
    static const unsigned char untyped_count[] = {'[', '$', 'd', 'i', 1};
    expect_bad(untyped_count, sizeof untyped_count, "without a count");
    unsigned char deep[2 * (UBJSON_MAX_DEPTH + 1)];
    for (int i = 0; i <= UBJSON_MAX_DEPTH; ++i) deep[i] = '[', deep[2 * (UBJSON_MAX_DEPTH + 1) - 1 - i] = ']';
    expect_bad(deep, sizeof deep, "nested too deeply");
    json_t *v = NULL; /* one level less is fine */
    CU_ASSERT_EQUAL(ubjson_parse(run, "ok.ubj", deep + 1, sizeof deep - 2, &v), SB_OK);
    json_decref(v);
}

static const sb_test tests[] = {
    {"every value type and container form", test_all_types},
    {"every truncation is an error", test_every_truncation},
    {"damaged: marker, counts, trailing bytes, repeated key, depth", test_damaged},
};

SB_TEST_MAIN(&run, SB_SUITE("ubjson", tests))
