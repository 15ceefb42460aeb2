/* model_json.c - pull parser for JSON text. */
#include "io/model_json.h"

#include <errno.h>  /* for errno */
#include <math.h>   /* for NAN */
#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for vsnprintf */
#include <stdlib.h> /* for strtod, malloc */
#include <string.h> /* for memcpy */

static void jfail(json_cursor *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jfail(json_cursor *j, const char *fmt, ...)
{
    if (j->err[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err, sizeof j->err, fmt, ap);
    va_end(ap);
    j->pos = j->n; /* stop everything after the first error */
}

void json_init(json_cursor *j, const char *text, size_t len)
{
    j->s = text;
    j->n = len;
    j->pos = 0;
    j->err[0] = '\0';
}

static void ws(json_cursor *j)
{
    while (j->pos < j->n && (j->s[j->pos] == ' ' || j->s[j->pos] == '\n' || j->s[j->pos] == '\t' || j->s[j->pos] == '\r'))
        j->pos++;
}

static int peek(json_cursor *j)
{
    ws(j);
    return j->pos < j->n ? (unsigned char)j->s[j->pos] : -1;
}

static void expect(json_cursor *j, char c)
{
    if (peek(j) != c) {
        if (!j->err[0]) jfail(j, "expected '%c' at byte %zu", c, j->pos);
        return;
    }
    j->pos++;
}

int model_json_null(json_cursor *j)
{
    if (peek(j) == 'n' && j->n - j->pos >= 4 && !memcmp(j->s + j->pos, "null", 4)) {
        j->pos += 4;
        return 1;
    }
    return 0;
}

void json_begin_obj(json_cursor *j) { expect(j, '{'); }
void json_begin_arr(json_cursor *j) { expect(j, '['); }

int json_more(json_cursor *j, char close, int *first)
{
    if (j->err[0]) return 0;
    int c = peek(j);
    if (c == close) {
        j->pos++;
        return 0;
    }
    if (!*first) {
        if (c != ',') {
            jfail(j, "expected ',' or '%c' at byte %zu", close, j->pos);
            return 0;
        }
        j->pos++;
    }
    *first = 0;
    if (peek(j) < 0) {
        jfail(j, "unexpected end of text");
        return 0;
    }
    return 1;
}

/* Scan a string body; write decoded bytes to out (if not NULL). Returns length or -1. */
static int64_t scan_string(json_cursor *j, char *out)
{
    size_t p = j->pos + 1, k = 0;
    while (p < j->n && j->s[p] != '"') {
        char c = j->s[p++];
        if (c == '\\') {
            if (p >= j->n) break;
            char e = j->s[p++];
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned v = 0;
                if (p + 4 > j->n) return -1;
                for (int i = 0; i < 4; ++i) {
                    char h = j->s[p++];
                    v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' : (h | 32) - 'a' + 10);
                }
                /* UTF-8 encode (BMP; the writer only escapes control characters) */
                if (v < 0x80) c = (char)v;
                else if (v < 0x800) {
                    if (out) out[k] = (char)(0xC0 | (v >> 6));
                    k++;
                    c = (char)(0x80 | (v & 0x3F));
                } else {
                    if (out) { out[k] = (char)(0xE0 | (v >> 12)); out[k + 1] = (char)(0x80 | ((v >> 6) & 0x3F)); }
                    k += 2;
                    c = (char)(0x80 | (v & 0x3F));
                }
                break;
            }
            default: c = e; break; /* \" \\ \/ */
            }
        }
        if (out) out[k] = c;
        k++;
    }
    if (p >= j->n) return -1;
    if (out) j->pos = p + 1;
    return (int64_t)k;
}

char *json_str(json_cursor *j)
{
    if (peek(j) != '"') {
        jfail(j, "expected a string at byte %zu", j->pos);
        return NULL;
    }
    int64_t len = scan_string(j, NULL);
    if (len < 0) {
        jfail(j, "unterminated string at byte %zu", j->pos);
        return NULL;
    }
    char *out = malloc((size_t)len + 1);
    if (!out) {
        jfail(j, "out of memory");
        return NULL;
    }
    scan_string(j, out);
    out[len] = '\0';
    return out;
}

void json_key(json_cursor *j, char *buf, size_t len)
{
    char *k = json_str(j);
    if (!k) return;
    snprintf(buf, len, "%s", k);
    free(k);
    expect(j, ':');
}

/* The extent of a number token at the cursor. */
static size_t num_span(json_cursor *j)
{
    peek(j);
    size_t p = j->pos;
    while (p < j->n && strchr("+-0123456789.eE", j->s[p])) p++;
    if (p == j->pos) jfail(j, "expected a number at byte %zu", j->pos);
    return p - j->pos;
}

double json_num(json_cursor *j)
{
    if (model_json_null(j)) return NAN;
    size_t len = num_span(j);
    if (!len || len > 63) {
        if (len) jfail(j, "number too long at byte %zu", j->pos);
        return 0;
    }
    char tmp[64];
    memcpy(tmp, j->s + j->pos, len);
    tmp[len] = '\0';
    char *end = NULL;
    double v = strtod(tmp, &end);
    if (*end) jfail(j, "bad number '%s' at byte %zu", tmp, j->pos);
    j->pos += len;
    return v;
}

float json_float(json_cursor *j)
{
    if (model_json_null(j)) return NAN;
    size_t len = num_span(j);
    if (!len || len > 63) return 0;
    char tmp[64];
    memcpy(tmp, j->s + j->pos, len);
    tmp[len] = '\0';
    char *end = NULL;
    float v = strtof(tmp, &end);
    if (*end) jfail(j, "bad number '%s' at byte %zu", tmp, j->pos);
    j->pos += len;
    return v;
}

int64_t json_i64(json_cursor *j)
{
    size_t len = num_span(j);
    if (!len || len > 30) return 0;
    char tmp[32];
    memcpy(tmp, j->s + j->pos, len);
    tmp[len] = '\0';
    char *end = NULL;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end || errno) jfail(j, "bad integer '%s' at byte %zu", tmp, j->pos);
    j->pos += len;
    return (int64_t)v;
}

/* Containers nested deeper than this are an error: skipping recurses, and a
 * file of a million '[' must not overflow the stack. */
#define JSON_MAX_DEPTH 256

static void skip_at(json_cursor *j, int depth);

void json_skip(json_cursor *j) { skip_at(j, 0); }

int32_t json_i32(json_cursor *j)
{
    size_t at = j->pos;
    int64_t v = json_i64(j);
    if (v < INT32_MIN || v > INT32_MAX) {
        jfail(j, "integer %lld at byte %zu is out of range", (long long)v, at);
        return -1;
    }
    return (int32_t)v;
}

static void skip_at(json_cursor *j, int depth)
{
    int c = peek(j), first = 1;
    if ((c == '{' || c == '[') && depth >= JSON_MAX_DEPTH) {
        jfail(j, "nested deeper than %d levels at byte %zu", JSON_MAX_DEPTH, j->pos);
        return;
    }
    char key[8];
    switch (c) {
    case '{':
        json_begin_obj(j);
        while (json_more(j, '}', &first)) {
            json_key(j, key, sizeof key);
            skip_at(j, depth + 1);
        }
        break;
    case '[':
        json_begin_arr(j);
        while (json_more(j, ']', &first)) skip_at(j, depth + 1);
        break;
    case '"': free(json_str(j)); break;
    case 't':
    case 'f':
    case 'n': {
        const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t l = strlen(w);
        if (j->n - j->pos >= l && !memcmp(j->s + j->pos, w, l)) j->pos += l;
        else jfail(j, "bad literal at byte %zu", j->pos);
        break;
    }
    default: json_num(j); break;
    }
}
