/* test_numparse.c - the fast number parser against strtod (bit-exact) and its _ref twin. */
#include <math.h>   /* for isnan, isinf */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for strtod */
#include <string.h>

#include "cunit_main.h"
#include "io/numparse.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t next_u64(void) /* splitmix64: deterministic test inputs */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A random decimal: sign, 1..25 digits, optional point, optional exponent. */
static size_t random_decimal(char *buf)
{
    size_t n = 0;
    uint64_t r = next_u64();
    if (r & 1) buf[n++] = (r & 2) ? '-' : '+';
    int nd = 1 + (int)(next_u64() % 25);
    int point = (int)(next_u64() % (uint64_t)(nd + 2)) - 1; /* -1: none */
    int lead_zeros = (next_u64() % 4 == 0) ? (int)(next_u64() % 6) : 0;
    for (int i = 0; i < lead_zeros; ++i) buf[n++] = '0';
    for (int i = 0; i < nd; ++i) {
        if (i == point) buf[n++] = '.';
        buf[n++] = (char)('0' + next_u64() % 10);
    }
    if (point == nd) buf[n++] = '.';
    if (next_u64() % 3 == 0) {
        buf[n++] = (next_u64() & 1) ? 'e' : 'E';
        int e = (int)(next_u64() % 700) - 350;
        if (next_u64() % 2) e %= 25;
        n += (size_t)snprintf(buf + n, 16, "%d", e);
    }
    buf[n] = '\0';
    return n;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

static void test_random_decimals_match_strtod(void)
{
    char buf[128];
    int mismatches = 0;
    for (int i = 0; i < 400000; ++i) {
        size_t n = random_decimal(buf);
        double fast = 0, ref = 0, want = strtod(buf, NULL);
        int rc = numparse_f64(buf, n, &fast);
        int rr = numparse_f64_ref(buf, n, &ref);
        if (rc != NUMPARSE_OK || rr != NUMPARSE_OK || !same_bits(fast, want) || !same_bits(ref, want)) {
            if (mismatches++ < 5) printf("\n  mismatch '%s': fast %.17g ref %.17g strtod %.17g", buf, fast, ref, want);
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* Short decimals as a CSV writer prints them: the fast path must cover them exactly. */
static void test_printed_doubles_round_trip(void)
{
    char buf[64];
    int bad = 0;
    for (int i = 0; i < 200000; ++i) {
        uint64_t bits = next_u64();
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v)) continue;
        int n = snprintf(buf, sizeof buf, (i & 1) ? "%.17g" : "%.6g", v);
        double got = 0;
        if (numparse_f64(buf, (size_t)n, &got) != NUMPARSE_OK || !same_bits(got, strtod(buf, NULL))) ++bad;
        double small = (double)(next_u64() % 100000) / 1000.0; /* like 3.25, 0.125 */
        n = snprintf(buf, sizeof buf, "%.3f", small);
        if (numparse_f64(buf, (size_t)n, &got) != NUMPARSE_OK || !same_bits(got, strtod(buf, NULL))) ++bad;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_syntax(void)
{
    static const char *good[] = {"0", "-0", "+1", "1.", ".5", "1e5", "1E-5", " 3.25 ", "inf", "-Infinity", "NaN", "007",
                                 "1.7976931348623157e308", "4.9e-324", "1e400", "123456789012345678901234567890"};
    static const char *bad[] = {"", " ", "-", ".", "e5", "1e", "1e+", "0x10", "1,5", "1 5", "abc", "1.2.3", "--1",
                                "infx", "1d5", "nan(1)", "\"1\""};
    double v = 0;
    for (size_t i = 0; i < sizeof good / sizeof *good; ++i) {
        CU_ASSERT_EQUAL(numparse_f64(good[i], strlen(good[i]), &v), NUMPARSE_OK);
        double r = 0;
        CU_ASSERT_EQUAL(numparse_f64_ref(good[i], strlen(good[i]), &r), NUMPARSE_OK);
        CU_ASSERT_TRUE(same_bits(v, r));
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
        CU_ASSERT_EQUAL(numparse_f64(bad[i], strlen(bad[i]), &v), NUMPARSE_BAD);
        CU_ASSERT_EQUAL(numparse_f64_ref(bad[i], strlen(bad[i]), &v), NUMPARSE_BAD);
    }
    CU_ASSERT_EQUAL(numparse_f64("1e400", 5, &v), NUMPARSE_OK);
    CU_ASSERT_TRUE(isinf(v));
    CU_ASSERT_EQUAL(numparse_f64("-0", 2, &v), NUMPARSE_OK);
    CU_ASSERT_TRUE(signbit(v));
    /* length-delimited: bytes after n are not read */
    CU_ASSERT_EQUAL(numparse_f64("12x", 2, &v), NUMPARSE_OK);
    CU_ASSERT_EQUAL(v, 12.0);
}

static void test_int64(void)
{
    int64_t v = 0;
    CU_ASSERT_EQUAL(numparse_i64("9223372036854775807", 19, &v), NUMPARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MAX);
    CU_ASSERT_EQUAL(numparse_i64("-9223372036854775808", 20, &v), NUMPARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MIN);
    CU_ASSERT_EQUAL(numparse_i64("9223372036854775808", 19, &v), NUMPARSE_RANGE);
    CU_ASSERT_EQUAL(numparse_i64("99999999999999999999x", 21, &v), NUMPARSE_BAD);
    CU_ASSERT_EQUAL(numparse_i64(" 42 ", 4, &v), NUMPARSE_OK);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(numparse_i64("4.0", 3, &v), NUMPARSE_BAD);
    CU_ASSERT_EQUAL(numparse_i64("", 0, &v), NUMPARSE_BAD);
    CU_ASSERT_EQUAL(numparse_i64("-", 1, &v), NUMPARSE_BAD);
}

static void test_missing(void)
{
    CU_ASSERT_TRUE(numparse_is_missing("", 0));
    CU_ASSERT_TRUE(numparse_is_missing("NA", 2));
    CU_ASSERT_TRUE(numparse_is_missing(" nan", 4));
    CU_ASSERT_TRUE(numparse_is_missing("NULL", 4));
    CU_ASSERT_FALSE(numparse_is_missing("0", 1));
    CU_ASSERT_FALSE(numparse_is_missing("NAB", 3));
}

static const sb_test tests[] = {
    {"random decimals: fast == ref == strtod (bits)", test_random_decimals_match_strtod},
    {"printed doubles round trip exactly", test_printed_doubles_round_trip},
    {"accepted and rejected syntax", test_syntax},
    {"int64 range and syntax", test_int64},
    {"missing-value spellings", test_missing},
};

SB_TEST_MAIN(NULL, SB_SUITE("numparse", tests))
