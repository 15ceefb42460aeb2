/* numparse.c - see numparse.h. The fast path avoids strtod, whose cost
 * per call dominates CSV ingest; exactness is kept by using it
 * only where one IEEE operation on exact operands gives the right answer. */
#include "io/numparse.h"

#include <stdlib.h> /* for strtod, malloc */
#include <string.h> /* for memcpy */
#include <strings.h> /* for strncasecmp */

/* 10^0 .. 10^22 are exactly representable doubles. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static void trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t k = *n;
    while (k > 0 && (*p == ' ' || *p == '\t')) ++p, --k;
    while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t')) --k;
    *s = p;
    *n = k;
}

static int is_word(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n == k && strncasecmp(s, w, k) == 0;
}

/* inf/infinity/nan with an optional sign; returns 1 and sets *out if matched. */
static int parse_special(const char *s, size_t n, double *out)
{
    double sign = 1.0;
    if (n > 0 && (*s == '+' || *s == '-')) {
        sign = (*s == '-') ? -1.0 : 1.0;
        ++s, --n;
    }
    if (is_word(s, n, "inf") || is_word(s, n, "infinity")) {
        *out = sign * __builtin_inf();
        return 1;
    }
    if (is_word(s, n, "nan")) {
        *out = __builtin_nan("");
        return 1;
    }
    return 0;
}

/* Syntax check of a trimmed decimal; returns 1 if valid. */
static int decimal_syntax_ok(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
    if (i < n && s[i] == '.') {
        ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
    }
    if (digits == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++ed;
        if (ed == 0) return 0;
    }
    return i == n;
}

/* strtod on a NUL-terminated copy of an already validated decimal. */
static int strtod_copy(const char *s, size_t n, double *out)
{
    char small[128];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (buf == NULL) return NUMPARSE_BAD;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = strtod(buf, NULL);
    if (buf != small) free(buf);
    return NUMPARSE_OK;
}

int numparse_f64_ref(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    if (parse_special(s, n, out)) return NUMPARSE_OK;
    if (!decimal_syntax_ok(s, n)) return NUMPARSE_BAD;
    return strtod_copy(s, n, out);
}

int numparse_f64(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    const char *p = s, *end = s + n;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = (*p++ == '-');
    uint64_t m = 0;
    int sig = 0;       /* significant digits taken into m */
    int dropped = 0;   /* significant digits that did not fit: fall back */
    int64_t e10 = 0;   /* decimal exponent applied to m */
    int digits = 0;
    for (; p < end && (unsigned)(*p - '0') < 10; ++p, ++digits) {
        if (sig < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            sig += (m != 0);
        } else {
            ++dropped;
            ++e10;
        }
    }
    if (p < end && *p == '.') {
        for (++p; p < end && (unsigned)(*p - '0') < 10; ++p, ++digits) {
            if (sig < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                sig += (m != 0);
                --e10;
            } else {
                ++dropped;
            }
        }
    }
    if (digits == 0) return parse_special(s, n, out) ? NUMPARSE_OK : NUMPARSE_BAD;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) eneg = (*p++ == '-');
        int64_t ev = 0;
        int ed = 0;
        for (; p < end && (unsigned)(*p - '0') < 10; ++p, ++ed)
            if (ev < 100000) ev = ev * 10 + (*p - '0');
        if (ed == 0) return NUMPARSE_BAD;
        e10 += eneg ? -ev : ev;
    }
    if (p != end) return NUMPARSE_BAD;
    if (m == 0 && dropped == 0) {
        *out = neg ? -0.0 : 0.0;
        return NUMPARSE_OK;
    }
    if (dropped == 0 && m <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)m; /* exact: m <= 2^53 */
        v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
        *out = neg ? -v : v;
        return NUMPARSE_OK;
    }
    return strtod_copy(s, n, out);
}

int numparse_i64(const char *s, size_t n, int64_t *out)
{
    trim(&s, &n);
    const char *p = s, *end = s + n;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = (*p++ == '-');
    if (p == end) return NUMPARSE_BAD;
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; ++p) {
        unsigned d = (unsigned)(*p - '0');
        if (d >= 10) return NUMPARSE_BAD;
        if (v > (limit - d) / 10) {
            for (; p < end; ++p)
                if ((unsigned)(*p - '0') >= 10) return NUMPARSE_BAD;
            return NUMPARSE_RANGE;
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return NUMPARSE_OK;
}

int numparse_is_missing(const char *s, size_t n)
{
    trim(&s, &n);
    return n == 0 || is_word(s, n, "na") || is_word(s, n, "nan") || is_word(s, n, "n/a") ||
           is_word(s, n, "null");
}
