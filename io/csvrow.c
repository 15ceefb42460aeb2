/* csvrow.c - see csvrow.h. */
#include "io/csvrow.h"

#include <csv.h>    /* for libcsv */
#include <stdlib.h>
#include <string.h> /* for memchr, memcpy */

struct csvrow {
    struct csv_parser csv;
    csv_field *f;
    int32_t nf, fcap;
    size_t *off;        /* libcsv path: field offsets into scratch, fixed up at the end */
    char *scratch;
    size_t used, scap;
    int oom, rows;
};

/* No byte ends a record inside a line: lines.c has cut the text at '\n' already,
 * and libcsv's default (CR and LF end a record) made a line with a stray CR and
 * a quote split into two records whose fields ran together, while the fast path
 * kept the CR as data (the two paths disagreed on the field count). */
static int no_terminator(unsigned char c)
{
    (void)c;
    return 0;
}

static int parser_init(struct csv_parser *p)
{
    if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI) != 0) return -1;
    csv_set_term_func(p, no_terminator);
    return 0;
}

csvrow *csvrow_new(void)
{
    csvrow *r = calloc(1, sizeof *r);
    if (r == NULL) return NULL;
    if (parser_init(&r->csv) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

void csvrow_free(csvrow *r)
{
    if (r == NULL) return;
    csv_free(&r->csv);
    free(r->f);
    free(r->off);
    free(r->scratch);
    free(r);
}

static int grow_fields(csvrow *r)
{
    int32_t cap = r->fcap ? r->fcap * 2 : 256;
    csv_field *f = realloc(r->f, (size_t)cap * sizeof *f);
    if (f == NULL) return -1;
    r->f = f;
    size_t *o = realloc(r->off, (size_t)cap * sizeof *o);
    if (o == NULL) return -1;
    r->off = o;
    r->fcap = cap;
    return 0;
}

static inline int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Split at commas in place. A field may be wholly quoted ("abc", commas inside
 * allowed) if its content has no quote; anything else with a quote (doubled
 * quotes, a quote inside an unquoted field, text after the closing quote) returns
 * 1 so the caller hands the line to libcsv. */
static int split_simple(csvrow *r, const char *line, size_t len, int32_t *nf)
{
    int32_t n = 0;
    const char *p = line, *end = line + len;
    for (;;) {
        if (n == r->fcap && grow_fields(r) != 0) return -1;
        const char *s = p;
        while (s < end && is_blank(*s)) ++s;
        const char *e, *next;
        if (s < end && *s == '"') {
            const char *q = memchr(s + 1, '"', (size_t)(end - s - 1));
            if (q == NULL) return 1;
            next = q + 1;
            while (next < end && is_blank(*next)) ++next;
            if (next < end && *next != ',') return 1;
            r->f[n].p = s + 1;
            r->f[n].n = (size_t)(q - s - 1);
            e = next;
        } else {
            const char *c = memchr(s, ',', (size_t)(end - s));
            e = c ? c : end;
            const char *t = e;
            while (t > s && is_blank(t[-1])) --t;
            if (memchr(s, '"', (size_t)(t - s)) != NULL) return 1;
            r->f[n].p = s;
            r->f[n].n = (size_t)(t - s);
        }
        ++n;
        if (e >= end) break;
        p = e + 1;
    }
    *nf = n;
    return 0;
}

int csvrow_split(csvrow *r, const char *line, size_t len, const csv_field **fields, int32_t *nf)
{
    int rc = split_simple(r, line, len, nf);
    if (rc < 0) return CSVROW_ENOMEM;
    if (rc > 0) return csvrow_split_ref(r, line, len, fields, nf);
    *fields = r->f;
    return CSVROW_OK;
}

static void on_field(void *s, size_t len, void *data)
{
    csvrow *r = data;
    if (r->oom) return;
    if (r->nf == r->fcap && grow_fields(r) != 0) {
        r->oom = 1;
        return;
    }
    if (r->used + len + 1 > r->scap) {
        size_t cap = (r->used + len + 1) * 2;
        char *sc = realloc(r->scratch, cap);
        if (sc == NULL) {
            r->oom = 1;
            return;
        }
        r->scratch = sc;
        r->scap = cap;
    }
    if (len) memcpy(r->scratch + r->used, s, len);
    r->off[r->nf] = r->used;
    r->f[r->nf].n = len;
    r->nf++;
    r->used += len + 1;
}

static void on_row(int c, void *data)
{
    (void)c;
    ((csvrow *)data)->rows++;
}

int csvrow_split_ref(csvrow *r, const char *line, size_t len, const csv_field **fields, int32_t *nf)
{
    r->nf = 0;
    r->used = 0;
    r->oom = 0;
    r->rows = 0;
    int bad = csv_parse(&r->csv, line, len, on_field, on_row, r) != len;
    if (csv_fini(&r->csv, on_field, on_row, r) != 0) bad = 1;
    if (bad) {
        /* csv_fini resets the parser only on success: start clean for the next line. */
        csv_free(&r->csv);
        parser_init(&r->csv);
        return CSVROW_EQUOTE;
    }
    if (r->oom) return CSVROW_ENOMEM;
    if (r->nf == 0) { /* an empty line: one empty field, as on the fast path */
        if (r->fcap == 0 && grow_fields(r) != 0) return CSVROW_ENOMEM;
        r->f[0].p = line;
        r->f[0].n = 0;
        r->nf = 1;
    } else {
        for (int32_t i = 0; i < r->nf; ++i) r->f[i].p = r->scratch + r->off[i];
    }
    *fields = r->f;
    *nf = r->nf;
    return CSVROW_OK;
}
