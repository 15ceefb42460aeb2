/* constraints_text.c - monotone and interaction constraint texts (constraints_text.h). */
#include "io/constraints_text.h"

#include <jansson.h> /* for json_loads and the json_* accessors */
#include <stdio.h>   /* for snprintf */
#include <stdlib.h>  /* for malloc, free, strtod */
#include <string.h>  /* for strchr, strlen, memset */

/* Room for the normalized text: every character may gain two quotes, plus the brackets. */
#define NORM_EXTRA 8

static int is_delim(char c) { return c == '\0' || strchr("[]{},:\" \t\r\n", c) != NULL; }

/* A bare word that reads as a JSON number stays a number. */
static int is_number(const char *s, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end = NULL;
    strtod(buf, &end);
    return end == buf + len && (buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9'));
}

/* Normalize text into out (3 * strlen + NORM_EXTRA bytes): ( ) -> [ ], single
 * quotes -> double quotes when there is no double quote, bare words quoted. */
static void normalize(const char *text, char *out)
{
    const int swap_quotes = strchr(text, '"') == NULL;
    size_t o = 0;
    int in_str = 0;
    for (const char *s = text; *s;) {
        char c = *s;
        if (swap_quotes && c == '\'') c = '"';
        if (in_str) {
            out[o++] = c;
            if (c == '\\' && s[1]) out[o++] = *++s;
            else if (c == '"') in_str = 0;
            ++s;
        } else if (c == '"') {
            in_str = 1;
            out[o++] = c;
            ++s;
        } else if (c == '(' || c == ')') {
            out[o++] = c == '(' ? '[' : ']';
            ++s;
        } else if (is_delim(c)) {
            out[o++] = c;
            ++s;
        } else { /* a bare word up to the next delimiter */
            size_t len = 0;
            while (!is_delim(s[len]) && s[len] != '(' && s[len] != ')' && !(swap_quotes && s[len] == '\'')) ++len;
            const int num = is_number(s, len);
            if (!num) out[o++] = '"';
            memcpy(out + o, s, len);
            o += len;
            if (!num) out[o++] = '"';
            s += len;
        }
    }
    out[o] = '\0';
}

/* Skip blanks. */
static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') ++s;
    return s;
}

/* JSON of the normalized text; wrap (e.g. "[]" or "{}") is tried around it
 * when the text alone does not parse. NULL with err filled when neither does. */
static json_t *load(const char *norm, const char *wrap, char *err, size_t err_len)
{
    json_error_t e;
    json_t *j = json_loads(norm, 0, &e);
    if (j || !wrap) goto done;
    const size_t n = strlen(norm);
    char *w = malloc(n + 3);
    if (!w) return NULL;
    snprintf(w, n + 3, "%c%s%c", wrap[0], norm, wrap[1]);
    json_error_t e2;
    j = json_loads(w, 0, &e2);
    free(w);
done:
    if (!j) snprintf(err, err_len, "cannot read '%s' (%s, column %d)", norm, e.text, e.column);
    return j;
}

static int grow(cons_list *l, int32_t n)
{
    l->name = calloc((size_t)n + 1, sizeof *l->name);
    l->index = calloc((size_t)n + 1, sizeof *l->index);
    l->value = calloc((size_t)n + 1, sizeof *l->value);
    return l->name && l->index && l->value ? 0 : -2;
}

/* One feature reference (an integer index or a name) into entry i. */
static int put_feature(cons_list *l, int32_t i, json_t *v, char *err, size_t err_len)
{
    if (json_is_integer(v)) {
        const json_int_t x = json_integer_value(v);
        if (x < 0 || x > INT32_MAX) {
            snprintf(err, err_len, "feature index %lld out of range", (long long)x);
            return -1;
        }
        l->index[i] = (int32_t)x;
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        snprintf(err, err_len, "a feature must be an index or a name");
        return -1;
    }
    l->name[i] = strdup(json_string_value(v));
    return l->name[i] ? 0 : -2;
}

static int mono_value(json_t *v, int32_t *out, char *err, size_t err_len)
{
    const json_int_t x = json_is_integer(v) ? json_integer_value(v) : 2;
    if (x < -1 || x > 1) {
        snprintf(err, err_len, "values must be -1, 0 or 1");
        return -1;
    }
    *out = (int32_t)x;
    return 0;
}

static int mono_from_json(json_t *j, cons_list *out, char *err, size_t err_len)
{
    int rc = 0;
    if (json_is_array(j)) {
        out->n = (int32_t)json_array_size(j);
        if ((rc = grow(out, out->n)) != 0) return rc;
        for (int32_t i = 0; i < out->n && rc == 0; ++i) {
            rc = mono_value(json_array_get(j, (size_t)i), &out->value[i], err, err_len);
            out->index[i] = i;
        }
        return rc;
    }
    if (!json_is_object(j)) {
        snprintf(err, err_len, "expected a list of -1/0/1 or name:value pairs");
        return -1;
    }
    out->named = 1;
    out->n = (int32_t)json_object_size(j);
    if ((rc = grow(out, out->n)) != 0) return rc;
    const char *key;
    json_t *v;
    int32_t i = 0;
    json_object_foreach(j, key, v)
    {
        if (rc == 0) rc = mono_value(v, &out->value[i], err, err_len);
        if (rc == 0 && !(out->name[i] = strdup(key))) rc = -2;
        ++i;
    }
    return rc;
}

/* The normalized text in a fresh buffer, or NULL (out of memory). */
static char *normalized(const char *text)
{
    char *norm = malloc(3 * strlen(text) + NORM_EXTRA);
    if (norm) normalize(skip_ws(text), norm);
    return norm;
}

int cons_parse_monotone(const char *text, cons_list *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    char *norm = normalized(text);
    if (!norm) return -2;
    int rc = 0;
    if (norm[0] == '\0') goto out;
    const char *wrap = norm[0] == '[' || norm[0] == '{' ? NULL : strchr(norm, ':') ? "{}" : "[]";
    json_t *j = load(norm, wrap, err, err_len);
    if (!j) {
        rc = -1;
        goto out;
    }
    rc = mono_from_json(j, out, err, err_len);
    json_decref(j);
out:
    free(norm);
    if (rc != 0) cons_list_free(out);
    return rc;
}

/* Count the entries of a list of lists (checking the shape). */
static int count_sets(json_t *j, int32_t *n, char *err, size_t err_len)
{
    *n = 0;
    size_t i;
    json_t *set;
    if (!json_is_array(j)) goto bad;
    json_array_foreach(j, i, set)
    {
        if (!json_is_array(set)) goto bad;
        *n += (int32_t)json_array_size(set);
    }
    return 0;
bad:
    snprintf(err, err_len, "expected a list of lists of features, e.g. [[0,1],[2,3]]");
    return -1;
}

/* Entries of the list of sets j into out. */
static int sets_from_json(json_t *j, cons_list *out, char *err, size_t err_len)
{
    int32_t n = 0;
    int rc = count_sets(j, &n, err, err_len);
    if (rc != 0) return rc;
    out->n = n;
    out->n_sets = (int32_t)json_array_size(j);
    if ((rc = grow(out, n)) != 0) return rc;
    int32_t k = 0;
    for (int32_t s = 0; s < out->n_sets && rc == 0; ++s) {
        json_t *set = json_array_get(j, (size_t)s);
        for (size_t i = 0; i < json_array_size(set) && rc == 0; ++i, ++k) {
            out->value[k] = s;
            rc = put_feature(out, k, json_array_get(set, i), err, err_len);
        }
    }
    return rc;
}

/* A list of features not inside a list (LightGBM's "[0,1],[2,3]" or a lone
 * "[0,1]"): the text wrapped once more. */
static json_t *load_sets(const char *norm, char *err, size_t err_len)
{
    json_t *j = load(norm, "[]", err, err_len);
    if (!j || !json_is_array(j) || json_array_size(j) == 0 || json_is_array(json_array_get(j, 0))) return j;
    json_t *outer = json_array(); /* "[0,1]": one set */
    if (outer && json_array_append_new(outer, j) == 0) return outer;
    json_decref(outer);
    snprintf(err, err_len, "out of memory");
    return NULL;
}

int cons_parse_interaction(const char *text, cons_list *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    char *norm = normalized(text);
    if (!norm) return -2;
    int rc = 0;
    if (norm[0] == '\0') goto out;
    json_t *j = load_sets(norm, err, err_len);
    if (!j) {
        rc = -1;
        goto out;
    }
    rc = sets_from_json(j, out, err, err_len);
    json_decref(j);
out:
    free(norm);
    if (rc != 0) cons_list_free(out);
    return rc;
}

void cons_list_free(cons_list *l)
{
    for (int32_t i = 0; l->name && i < l->n; ++i) free(l->name[i]);
    free(l->name);
    free(l->index);
    free(l->value);
    memset(l, 0, sizeof *l);
}
