/* ubjson.c - UBJSON into jansson values (see ubjson.h). A recursive descent
 * over a byte cursor; every read is bounds-checked. */
#include "io/ubjson.h"

#include <math.h>   /* for isfinite */
#include <stdint.h> /* for int64_t, uint64_t */
#include <string.h> /* for memcpy */

#include "base/error.h"

typedef struct {
    run_ctx *run;
    const char *name;
    const unsigned char *p;
    size_t n, pos;
    int depth;
} ubj;

static int bad(ubj *u, const char *what)
{
    return SB_FAIL(u->run, SB_EDATA, "%s: UBJSON at byte %zu: %s (a truncated or damaged model?)", u->name, u->pos,
                   what);
}

static int take(ubj *u, size_t k, const unsigned char **at)
{
    if (u->n - u->pos < k) return bad(u, "unexpected end of file");
    *at = u->p + u->pos;
    u->pos += k;
    return SB_OK;
}

static int marker(ubj *u, unsigned char *m)
{
    const unsigned char *at = NULL;
    do SB_TRY(u->run, take(u, 1, &at));
    while (*at == 'N'); /* no-op */
    *m = *at;
    return SB_OK;
}

static uint64_t big_endian(const unsigned char *b, int k)
{
    uint64_t v = 0;
    for (int i = 0; i < k; ++i) v = v << 8 | b[i];
    return v;
}

/* The integer of type m (i U I l L); SB_EDATA for any other marker. */
static int integer(ubj *u, unsigned char m, int64_t *v)
{
    int k = m == 'i' || m == 'U' ? 1 : m == 'I' ? 2 : m == 'l' ? 4 : m == 'L' ? 8 : 0;
    if (k == 0) return bad(u, "an integer was expected");
    const unsigned char *at = NULL;
    SB_TRY(u->run, take(u, (size_t)k, &at));
    uint64_t x = big_endian(at, k);
    if (m == 'U') *v = (int64_t)x;
    else if (k == 8) *v = (int64_t)x;
    else *v = (int64_t)(x ^ ((uint64_t)1 << (8 * k - 1))) - ((int64_t)1 << (8 * k - 1)); /* sign-extend */
    return SB_OK;
}

/* A length or count: a non-negative integer no larger than the bytes left
 * divided by min_bytes (what each element needs at least), so no loop runs
 * on a number the file cannot back. */
static int length(ubj *u, size_t *out, size_t min_bytes)
{
    unsigned char m;
    int64_t v;
    SB_TRY(u->run, marker(u, &m));
    SB_TRY(u->run, integer(u, m, &v));
    if (v < 0 || (uint64_t)v > (u->n - u->pos) / min_bytes)
        return bad(u, "a length or count larger than the rest of the file");
    *out = (size_t)v;
    return SB_OK;
}

static int string(ubj *u, json_t **out)
{
    size_t k;
    const unsigned char *at = NULL;
    SB_TRY(u->run, length(u, &k, 1));
    SB_TRY(u->run, take(u, k, &at));
    *out = json_stringn((const char *)at, k);
    return *out ? SB_OK : bad(u, "a string that is not valid UTF-8");
}

static int value(ubj *u, unsigned char m, json_t **out);

static int scalar(ubj *u, unsigned char m, json_t **out)
{
    const unsigned char *at = NULL;
    int64_t i;
    switch (m) {
    case 'Z': *out = json_null(); return SB_OK;
    case 'T': *out = json_true(); return SB_OK;
    case 'F': *out = json_false(); return SB_OK;
    case 'S': return string(u, out);
    case 'd': {
        SB_TRY(u->run, take(u, 4, &at));
        uint32_t b = (uint32_t)big_endian(at, 4);
        float f;
        memcpy(&f, &b, sizeof f);
        *out = isfinite(f) ? json_real((double)f) : json_null(); /* jansson holds no NaN / inf: the importer */
        return SB_OK;                                             /* names the field if it needs the value */
    }
    case 'D': {
        SB_TRY(u->run, take(u, 8, &at));
        uint64_t b = big_endian(at, 8);
        double d;
        memcpy(&d, &b, sizeof d);
        *out = isfinite(d) ? json_real(d) : json_null();
        return SB_OK;
    }
    default:
        SB_TRY(u->run, integer(u, m, &i));
        *out = json_integer((json_int_t)i);
        return SB_OK;
    }
}

/* Container header: optional "$" type, optional "#" count (-1: none). */
static int header(ubj *u, unsigned char *type, int64_t *count, unsigned char *next)
{
    *type = 0, *count = -1;
    SB_TRY(u->run, marker(u, next));
    if (*next == '$') {
        SB_TRY(u->run, marker(u, type));
        SB_TRY(u->run, marker(u, next));
        if (*next != '#') return bad(u, "a typed container without a count");
    }
    if (*next == '#') {
        size_t c;
        /* bytes per element at least (1 also for Z, T, F, which XGBoost does not write typed) */
        int fixed = *type == 'd' || *type == 'l' ? 4 : *type == 'D' || *type == 'L' ? 8 : *type == 'I' ? 2 : 1;
        SB_TRY(u->run, length(u, &c, (size_t)fixed));
        *count = (int64_t)c;
    }
    return SB_OK;
}

static int element(ubj *u, unsigned char type, unsigned char first, int use_first, json_t **out)
{
    unsigned char m = type;
    if (m == 0 && use_first) m = first;
    else if (m == 0) SB_TRY(u->run, marker(u, &m));
    return value(u, m, out);
}

static int array(ubj *u, json_t **out)
{
    unsigned char type, next;
    int64_t count;
    SB_TRY(u->run, header(u, &type, &count, &next));
    json_t *a = *out = json_array();
    if (a == NULL) return SB_FAIL(u->run, SB_ENOMEM, "%s: out of memory reading UBJSON", u->name);
    for (int64_t i = 0; count < 0 ? next != ']' : i < count; ++i) {
        json_t *e = NULL;
        SB_TRY(u->run, element(u, type, next, count < 0, &e)); /* on failure e holds nothing */
        if (json_array_append_new(a, e) != 0) return SB_FAIL(u->run, SB_ENOMEM, "%s: out of memory", u->name);
        if (count < 0) SB_TRY(u->run, marker(u, &next));
    }
    return SB_OK;
}

static int object(ubj *u, json_t **out)
{
    unsigned char type, next;
    int64_t count;
    SB_TRY(u->run, header(u, &type, &count, &next));
    json_t *o = *out = json_object();
    if (o == NULL) return SB_FAIL(u->run, SB_ENOMEM, "%s: out of memory reading UBJSON", u->name);
    for (int64_t i = 0; count < 0 ? next != '}' : i < count; ++i) {
        if (count < 0) --u->pos; /* `next` began the key's length */
        size_t k;
        const unsigned char *at = NULL;
        json_t *v = NULL;
        SB_TRY(u->run, length(u, &k, 1));
        SB_TRY(u->run, take(u, k, &at));
        char key[256];
        if (k >= sizeof key) return bad(u, "an object key longer than 255 bytes");
        memcpy(key, at, k);
        key[k] = '\0';
        if (json_object_get(o, key) != NULL) return bad(u, "a key repeated in an object");
        SB_TRY(u->run, element(u, type, 0, 0, &v)); /* on failure v holds nothing */
        if (json_object_set_new(o, key, v) != 0) return bad(u, "an object key that is not valid UTF-8");
        if (count < 0) SB_TRY(u->run, marker(u, &next));
    }
    return SB_OK;
}

/* On failure *out is NULL: a partly read container is released here. */
static int value(ubj *u, unsigned char m, json_t **out)
{
    int rc = SB_OK;
    *out = NULL;
    if (m != '[' && m != '{') return scalar(u, m, out);
    if (++u->depth > UBJSON_MAX_DEPTH) return bad(u, "containers nested too deeply");
    SB_CHECK(u->run, m == '[' ? array(u, out) : object(u, out));
out:
    --u->depth;
    if (rc != SB_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int ubjson_parse(run_ctx *run, const char *name, const unsigned char *buf, size_t len, json_t **out)
{
    int rc = SB_OK;
    ubj u = {run, name, buf, len, 0, 0};
    unsigned char m;
    *out = NULL;
    SB_CHECK(run, marker(&u, &m));
    SB_CHECK(run, value(&u, m, out));
    if (u.pos != u.n) SB_CHECK(run, bad(&u, "bytes after the end of the value"));
out:
    if (rc != SB_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
