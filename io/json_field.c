/* json_field.c - typed reads of jansson values (io/json_field.h). */
#include "io/json_field.h"

#include <math.h>   /* for NAN */
#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for vsnprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strdup */

#include "base/error.h"
#include "base/alloc.h"

/* Room for the `where` text of a message. */
#define WHERE_MAX 512

/* SB_EDATA with "<where> <what>", where formatted from fmt/ap. */
static int fail_at(run_ctx *run, const char *what, const char *fmt, va_list ap)
{
    char where[WHERE_MAX];
    vsnprintf(where, sizeof where, fmt, ap);
    return SB_FAIL(run, SB_EDATA, "%s: %s", where, what);
}

static int fail_fmt(run_ctx *run, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_fmt(run_ctx *run, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fail_at(run, what, fmt, ap);
    va_end(ap);
    return rc;
}

/* The number v as a double: 1 if v is a number or null. */
static int as_double(const json_t *v, double *out)
{
    if (json_is_real(v)) *out = json_real_value(v);
    else if (json_is_integer(v)) *out = (double)json_integer_value(v);
    else if (json_is_null(v)) *out = NAN;
    else return 0;
    return 1;
}

int jf_num(run_ctx *run, const json_t *v, double *out, const char *where, ...)
{
    if (as_double(v, out)) return SB_OK;
    va_list ap;
    va_start(ap, where);
    int rc = fail_at(run, "must be a number", where, ap);
    va_end(ap);
    return rc;
}

int jf_float(run_ctx *run, const json_t *v, float *out, const char *where, ...)
{
    double d = 0;
    if (as_double(v, &d)) {
        *out = (float)d; /* out of float range: inf, as strtof */
        return SB_OK;
    }
    va_list ap;
    va_start(ap, where);
    int rc = fail_at(run, "must be a number", where, ap);
    va_end(ap);
    return rc;
}

/* v as an integer in [lo, hi], or the reason it is not. */
static const char *int_in(const json_t *v, json_int_t lo, json_int_t hi, json_int_t *out, char *why, size_t n)
{
    if (!json_is_integer(v)) return "must be an integer";
    *out = json_integer_value(v);
    if (*out >= lo && *out <= hi) return NULL;
    snprintf(why, n, "integer %lld is out of range", (long long)*out);
    return why;
}

int jf_i32(run_ctx *run, const json_t *v, int32_t *out, const char *where, ...)
{
    json_int_t x = 0;
    char why[64];
    const char *bad = int_in(v, INT32_MIN, INT32_MAX, &x, why, sizeof why);
    if (bad == NULL) {
        *out = (int32_t)x;
        return SB_OK;
    }
    va_list ap;
    va_start(ap, where);
    int rc = fail_at(run, bad, where, ap);
    va_end(ap);
    return rc;
}

int jf_i64(run_ctx *run, const json_t *v, int64_t *out, const char *where, ...)
{
    json_int_t x = 0;
    char why[64];
    const char *bad = int_in(v, INT64_MIN, INT64_MAX, &x, why, sizeof why);
    if (bad == NULL) {
        *out = (int64_t)x;
        return SB_OK;
    }
    va_list ap;
    va_start(ap, where);
    int rc = fail_at(run, bad, where, ap);
    va_end(ap);
    return rc;
}

int jf_strdup(run_ctx *run, const json_t *v, char **out, const char *where, ...)
{
    int rc = SB_OK;
    va_list ap;
    va_start(ap, where);
    if (!json_is_string(v)) rc = fail_at(run, "must be a string", where, ap);
    else if ((*out = strdup(json_string_value(v))) == NULL) rc = SB_FAIL(run, SB_ENOMEM, "out of memory");
    va_end(ap);
    return rc;
}

int jf_strings(run_ctx *run, const json_t *v, char ***out, int32_t *n, const char *where, ...)
{
    char w[WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    vsnprintf(w, sizeof w, where, ap);
    va_end(ap);
    if (!json_is_array(v) || json_array_size(v) > INT32_MAX) return fail_fmt(run, "must be an array of strings", "%s", w);
    if ((*out = sb_alloc(run, json_array_size(v) + 1, sizeof **out)) == NULL) return SB_ENOMEM;
    for (size_t i = 0; i < json_array_size(v); ++i) {
        SB_TRY(run, jf_strdup(run, json_array_get(v, i), &(*out)[i], "%s[%zu]", w, i));
        *n = (int32_t)i + 1; /* the caller frees what was copied, also on an error */
    }
    return SB_OK;
}

/* "<where> \"key\"" into buf. */
static void key_where(char *buf, size_t n, const char *key, const char *where, va_list ap)
{
    int k = vsnprintf(buf, n, where, ap);
    if (k >= 0 && (size_t)k < n) snprintf(buf + k, n - (size_t)k, " \"%s\"", key);
}

int jf_opt_i32(run_ctx *run, const json_t *obj, const char *key, int32_t *out, const char *where, ...)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) return SB_OK;
    char w[WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    key_where(w, sizeof w, key, where, ap);
    va_end(ap);
    return jf_i32(run, v, out, "%s", w);
}

int jf_opt_i64(run_ctx *run, const json_t *obj, const char *key, int64_t *out, const char *where, ...)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) return SB_OK;
    char w[WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    key_where(w, sizeof w, key, where, ap);
    va_end(ap);
    return jf_i64(run, v, out, "%s", w);
}

int jf_opt_strdup(run_ctx *run, const json_t *obj, const char *key, char **out, const char *where, ...)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) return SB_OK;
    char w[WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    key_where(w, sizeof w, key, where, ap);
    va_end(ap);
    return jf_strdup(run, v, out, "%s", w);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 (overlong, surrogate, past U+10FFFF). */
static int utf8_len(const unsigned char *s)
{
    const unsigned c = s[0];
    int n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    for (int i = 1; i < n; ++i)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

int jf_utf8_check(run_ctx *run, const char *s, const char *where, ...)
{
    const unsigned char *p = (const unsigned char *)s;
    int bad = 0;
    for (int n; *p && !bad; p += n) bad = (n = utf8_len(p)) == 0;
    if (!bad) return SB_OK;
    char shown[160], w[WHERE_MAX];
    size_t k = 0;
    for (p = (const unsigned char *)s; *p && k + 5 < sizeof shown; ++p)
        k += (size_t)snprintf(shown + k, sizeof shown - k, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02x", *p);
    va_list ap;
    va_start(ap, where);
    vsnprintf(w, sizeof w, where, ap);
    va_end(ap);
    return SB_FAIL(run, SB_EDATA, "%s '%s' is not valid UTF-8: a model file is JSON, which must be UTF-8 (rename it)",
                   w, shown);
}
