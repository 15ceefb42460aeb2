/* prom_text.c - Prometheus text format and its atomic file (io/prom_text.h). */
#include "io/prom_text.h"

#include <errno.h>  /* for errno */
#include <math.h>   /* for isnan, isinf */
#include <stdio.h>  /* for open_memstream, fprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, strerror */
#include <unistd.h> /* for getpid */

#include "io/atomic_file.h"
#include "base/alloc.h"
#include "base/error.h"

size_t prom_escape(char *dst, size_t cap, const char *v)
{
    size_t k = 0;
    for (const char *c = v; *c; ++c) {
        const char *rep = *c == '\\' ? "\\\\" : *c == '"' ? "\\\"" : *c == '\n' ? "\\n" : NULL;
        char one[2] = {*c, '\0'};
        for (const char *r = rep ? rep : one; *r; ++r, ++k)
            if (k + 1 < cap) dst[k] = *r;
    }
    if (cap) dst[k < cap ? k : cap - 1] = '\0';
    return k;
}

/* Sample values: shortest exact text; NaN and infinities as Prometheus spells them. */
static void put_value(FILE *f, double v)
{
    if (isnan(v)) fputs("NaN", f);
    else if (isinf(v)) fputs(v > 0 ? "+Inf" : "-Inf", f);
    else fprintf(f, "%.17g", v);
}

static void put_sample(FILE *f, const prom_sample *s, const char *common)
{
    const int a = common && *common, b = s->labels && *s->labels;
    fputs(s->name, f);
    if (a || b) fprintf(f, "{%s%s%s}", a ? common : "", a && b ? "," : "", b ? s->labels : "");
    fputc(' ', f);
    put_value(f, s->value);
    fputc('\n', f);
}

int prom_text_format(run_ctx *run, const prom_sample *s, int n, const char *common, char **out, size_t *len)
{
    char *text = NULL;
    size_t tl = 0;
    FILE *f = open_memstream(&text, &tl);
    if (f == NULL) return SB_FAIL(run, SB_ENOMEM, "metrics text: out of memory");
    for (int i = 0; i < n; ++i) {
        int seen = 0;
        for (int k = 0; k < i && !seen; ++k) seen = !strcmp(s[k].name, s[i].name);
        if (seen) continue; /* printed with the first sample of its name */
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", s[i].name, s[i].help, s[i].name);
        for (int k = i; k < n; ++k)
            if (!strcmp(s[k].name, s[i].name)) put_sample(f, &s[k], common);
    }
    if (fclose(f) != 0 || text == NULL) {
        free(text);
        return SB_FAIL(run, SB_ENOMEM, "metrics text: out of memory");
    }
    *out = text;
    *len = tl;
    return SB_OK;
}

int prom_text_write(run_ctx *run, const char *path, const char *text, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return SB_FAIL(run, SB_EINVAL, "--metrics-file: path too long: %s", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    fwrite(text, 1, len, f); /* a short write sets ferror, checked at commit */
    return atomic_file_commit(run, f, tmp, path);
}
