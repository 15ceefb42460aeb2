/* test_fmt.c - shortest round-trip double formatting: Ryu vs the snprintf _ref
 * twin on random doubles, golden strings in Python repr layout, integers. */
#include <float.h>  /* for DBL_MAX, DBL_MIN, DBL_TRUE_MIN */
#include <math.h>   /* for NAN, INFINITY, nextafter */
#include <stdint.h> /* for uint64_t */
#include <stdlib.h> /* for strtod */
#include <string.h>

#include "cunit_main.h"
#include "kernels/fmt_ryu.h"

static char fast[64], ref[64];

static const char *fmt(double v)
{
    fast[fmt_double(v, fast)] = '\0';
    return fast;
}

/* Fast and ref must agree; Ryu may only ever be shorter, and only when it
 * still reads back (the asymmetric interval at powers of two). */
static int agree(double v)
{
    int a = fmt_double(v, fast), b = fmt_double_ref(v, ref);
    fast[a] = ref[b] = '\0';
    if (a == b && memcmp(fast, ref, (size_t)a) == 0) return 1;
    return a < b && strtod(fast, NULL) == v;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_golden(void)
{
    CU_ASSERT_STRING_EQUAL(fmt(0.03653155867612641), "0.03653155867612641");
    CU_ASSERT_STRING_EQUAL(fmt(0.026293864889505317), "0.026293864889505317");
    CU_ASSERT_STRING_EQUAL(fmt(0.1), "0.1");
    CU_ASSERT_STRING_EQUAL(fmt(1.0 / 3.0), "0.3333333333333333");
    CU_ASSERT_STRING_EQUAL(fmt(3.0), "3.0");
    CU_ASSERT_STRING_EQUAL(fmt(-2.5), "-2.5");
    CU_ASSERT_STRING_EQUAL(fmt(0.0001), "0.0001");
    CU_ASSERT_STRING_EQUAL(fmt(0.00001), "1e-05");
    CU_ASSERT_STRING_EQUAL(fmt(1.5e-7), "1.5e-07");
    CU_ASSERT_STRING_EQUAL(fmt(1e16), "1e+16");
    CU_ASSERT_STRING_EQUAL(fmt(1234567890123456.0), "1234567890123456.0");
    CU_ASSERT_STRING_EQUAL(fmt(123456789012345680.0), "1.2345678901234568e+17");
    CU_ASSERT_STRING_EQUAL(fmt(DBL_MAX), "1.7976931348623157e+308");
    CU_ASSERT_STRING_EQUAL(fmt(DBL_MIN), "2.2250738585072014e-308");
    CU_ASSERT_STRING_EQUAL(fmt(DBL_TRUE_MIN), "5e-324");
    CU_ASSERT_STRING_EQUAL(fmt(0.0), "0.0");
    CU_ASSERT_STRING_EQUAL(fmt(-0.0), "-0.0");
    CU_ASSERT_STRING_EQUAL(fmt(NAN), "nan");
    CU_ASSERT_STRING_EQUAL(fmt(INFINITY), "inf");
    CU_ASSERT_STRING_EQUAL(fmt(-INFINITY), "-inf");
    CU_ASSERT_STRING_EQUAL(fmt(9007199254740993.0), "9007199254740992.0");
    CU_ASSERT_STRING_EQUAL(fmt(5e-324 * 3), "1.5e-323");
}

static void test_fast_vs_ref_random(void)
{
    uint64_t s = 0x9E3779B97F4A7C15ull;
    int bad = 0;
    for (int i = 0; i < 250000; ++i) {
        uint64_t bits = xorshift(&s);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (v != v) continue; /* NaN payloads: covered by golden */
        bad += !agree(v);
        bad += !agree((double)(bits >> 11) / 9007199254740992.0); /* (0,1): rates and probabilities */
        bad += !agree((double)(float)((double)(bits >> 40) / 16777216.0)); /* float-valued predictions */
        if (bad > 0 && bad < 5) CU_FAIL(fast);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_fast_vs_ref_edges(void)
{
    int bad = 0;
    /* Powers of two (asymmetric rounding interval), powers of ten, and their neighbours. */
    for (int e = -1074; e <= 1023; ++e) {
        double p = ldexp(1.0, e);
        bad += !agree(p) + !agree(nextafter(p, 0)) + !agree(nextafter(p, INFINITY));
    }
    double t = 1e-320;
    for (int e = -320; e <= 308; ++e, t *= 10)
        bad += !agree(t) + !agree(nextafter(t, 0)) + !agree(nextafter(t, INFINITY));
    for (int i = 1; i <= 100000; ++i) bad += !agree((double)i) + !agree(i / 1000.0);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_roundtrip(void)
{
    uint64_t s = 42;
    int bad = 0;
    for (int i = 0; i < 200000; ++i) {
        uint64_t bits = xorshift(&s);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (v != v) continue;
        bad += strtod(fmt(v), NULL) != v;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_i64(void)
{
    char b[32];
    b[fmt_i64(0, b)] = '\0';
    CU_ASSERT_STRING_EQUAL(b, "0");
    b[fmt_i64(1113027, b)] = '\0';
    CU_ASSERT_STRING_EQUAL(b, "1113027");
    b[fmt_i64(-42, b)] = '\0';
    CU_ASSERT_STRING_EQUAL(b, "-42");
    b[fmt_i64(INT64_MAX, b)] = '\0';
    CU_ASSERT_STRING_EQUAL(b, "9223372036854775807");
    b[fmt_i64(INT64_MIN, b)] = '\0';
    CU_ASSERT_STRING_EQUAL(b, "-9223372036854775808");
}

/* Digit-pair printer vs the digit-by-digit twin: every power of ten and its
 * neighbours (the digit-count boundaries), both signs, random bit patterns. */
static void test_i64_vs_ref(void)
{
    char a[32], b[32];
    int bad = 0;
    int64_t p = 1;
    for (int k = 0; k <= 18; ++k) { /* p = 10^k */
        for (int64_t d = -2; d <= 2; ++d) {
            int64_t v = p + d;
            for (int sign = 0; sign < 2; ++sign, v = -v) {
                int na = fmt_i64(v, a), nb = fmt_i64_ref(v, b);
                bad += na != nb || memcmp(a, b, (size_t)na) != 0;
            }
        }
        if (k < 18) p *= 10;
    }
    uint64_t s = 0xDEADBEEFCAFEF00Dull;
    for (int i = 0; i < 1000000; ++i) {
        uint64_t r = xorshift(&s);
        int64_t v = (int64_t)r >> (r & 63);
        int na = fmt_i64(v, a), nb = fmt_i64_ref(v, b);
        bad += na != nb || memcmp(a, b, (size_t)na) != 0;
    }
    const int64_t edge[] = {0, 1, -1, 9, 10, 99, 100, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (int i = 0; i < 10; ++i) {
        int na = fmt_i64(edge[i], a), nb = fmt_i64_ref(edge[i], b);
        bad += na != nb || memcmp(a, b, (size_t)na) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static const sb_test tests[] = {
    {"golden strings (Python repr layout)", test_golden},
    {"Ryu vs snprintf ref, random doubles", test_fast_vs_ref_random},
    {"Ryu vs snprintf ref, powers of 2 and 10", test_fast_vs_ref_edges},
    {"strtod round-trip", test_roundtrip},
    {"int64 text", test_i64},
    {"int64 digit pairs vs ref", test_i64_vs_ref},
};

SB_TEST_MAIN(NULL, SB_SUITE("fmt", tests))
