/* test_escape.c - base/escape.c (bytes from input made printable: \xNN for
 * everything but printable ASCII, tab and well-formed UTF-8) and
 * base/write_errno.c (the reason a write failed). */
#include <errno.h>
#include <string.h>

#include "base/escape.h"
#include "base/write_errno.h"
#include "cunit_main.h"

static char out[128];

static const char *esc(const char *p, size_t n)
{
    sb_escape(out, sizeof out, p, n);
    return out;
}

static void test_ascii_and_utf8_kept(void)
{
    CU_ASSERT_STRING_EQUAL(esc("abc 1.5\t'x'", 11), "abc 1.5\t'x'");
    CU_ASSERT_STRING_EQUAL(esc("caf\xc3\xa9", 5), "caf\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(esc("\xe2\x82\xac", 3), "\xe2\x82\xac");
    CU_ASSERT_STRING_EQUAL(esc("\xf0\x9f\x98\x80", 4), "\xf0\x9f\x98\x80");
}

static void test_bad_bytes_escaped(void)
{
    CU_ASSERT_STRING_EQUAL(esc("1\0002", 3), "1\\x002");
    CU_ASSERT_STRING_EQUAL(esc("\xff\xfe" "1", 3), "\\xff\\xfe1");
    CU_ASSERT_STRING_EQUAL(esc("a\nb\x1b[31m", 8), "a\\x0ab\\x1b[31m");
    CU_ASSERT_STRING_EQUAL(esc("\xc3", 1), "\\xc3");                   /* truncated sequence */
    CU_ASSERT_STRING_EQUAL(esc("\xc0\xaf", 2), "\\xc0\\xaf");          /* overlong '/' */
    CU_ASSERT_STRING_EQUAL(esc("\xed\xa0\x80", 3), "\\xed\\xa0\\x80"); /* surrogate */
    CU_ASSERT_STRING_EQUAL(esc("\x7f", 1), "\\x7f");
}

static void test_bounded(void)
{
    char small[6];
    CU_ASSERT_EQUAL(sb_escape(small, sizeof small, "\xff\xff\xff", 3), 4); /* one \xNN fits, not two */
    CU_ASSERT_STRING_EQUAL(small, "\\xff");
    CU_ASSERT_EQUAL(sb_escape(small, 0, "x", 1), 0);
}

static void test_write_reason(void)
{
    char why[160];
    CU_ASSERT_STRING_EQUAL(write_errno_suffix(ENOSPC), ": No space left on device");
    CU_ASSERT_STRING_EQUAL(write_errno_suffix(EIO), ": Input/output error");
    CU_ASSERT_STRING_EQUAL(write_errno_suffix(ENOENT), ""); /* not a write's: stale */
    CU_ASSERT_STRING_EQUAL(write_failure_reason(EDQUOT, "/tmp/x", why, sizeof why), ": Disk quota exceeded");
    CU_ASSERT_STRING_EQUAL(write_failure_reason(0, "/nonexistent-dir/x", why, sizeof why), "");
}

static const sb_test tests[] = {
    {"printable ASCII, tab and UTF-8 kept", test_ascii_and_utf8_kept},
    {"NUL, controls, invalid UTF-8 as \\xNN", test_bad_bytes_escaped},
    {"output bounded, never a cut escape", test_bounded},
    {"write failure reasons", test_write_reason},
};

SB_TEST_MAIN(NULL, SB_SUITE("escape", tests))
