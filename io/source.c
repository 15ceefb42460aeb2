/* source.c - load a data set from .h5 (ingested) or CSV / csv.gz (see source.h). */
#include "io/source.h"

#include <math.h>   /* for NAN */
#include <stdlib.h> /* for free */
#include <string.h> /* for strlen, strcmp */

#include "io/h5io.h"
#include "io/ingest.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* An .h5 file's categorical codes index its own levels (ingested separately, e.g. a
 * scoring batch that lacks some level); recode them onto the given levels by name,
 * unseen -> NaN, and take the given level list. The plan (one code map per
 * categorical column) is made once; its rows are recoded by recode_rows, all at
 * once (source_load) or block by block (source_stream_read). */
typedef struct {
    int32_t feat;   /* column of the table */
    int32_t n_from; /* the file's levels of it */
    float *map;     /* file code -> given code or NaN */
} recode_col;

typedef struct {
    int32_t n;
    recode_col *cols;
} recode_plan;

static void recode_free(recode_plan *rp)
{
    for (int32_t i = 0; rp->cols && i < rp->n; ++i) free(rp->cols[i].map);
    free(rp->cols);
    rp->cols = NULL;
    rp->n = 0;
}

/* Build the plan and give t the given level lists. Local; same result on every rank. */
static int recode_plan_make(run_ctx *run, sb_table *t, const sb_feature_info *given, int32_t n_given, recode_plan *rp)
{
    memset(rp, 0, sizeof *rp);
    if (n_given > 0 && (rp->cols = sb_alloc(run, (size_t)n_given, sizeof *rp->cols)) == NULL) return SB_ENOMEM;
    for (int32_t g = 0; g < n_given; ++g) {
        int32_t f = given[g].n_levels > 0 ? table_find_feature(t, given[g].name) : -1;
        if (f < 0 || t->feat[f].n_levels == 0) continue;
        sb_feature_info *fi = &t->feat[f];
        float *map = sb_alloc(run, (size_t)fi->n_levels, sizeof *map);
        char **levels = sb_alloc(run, (size_t)given[g].n_levels, sizeof *levels);
        if (map == NULL || levels == NULL) {
            free(map);
            free(levels);
            return SB_ENOMEM;
        }
        for (int32_t l = 0; l < fi->n_levels; ++l) {
            map[l] = NAN;
            for (int32_t k = 0; k < given[g].n_levels; ++k)
                if (strcmp(fi->levels[l], given[g].levels[k]) == 0) map[l] = (float)k;
        }
        int rc = SB_OK;
        for (int32_t k = 0; k < given[g].n_levels; ++k)
            if ((levels[k] = sb_strdup(run, given[g].levels[k])) == NULL) rc = SB_ENOMEM;
        if (rc != SB_OK) {
            free(map);
            for (int32_t k = 0; k < given[g].n_levels; ++k) free(levels[k]);
            free(levels);
            return rc;
        }
        rp->cols[rp->n++] = (recode_col){f, fi->n_levels, map};
        for (int32_t l = 0; l < fi->n_levels; ++l) free(fi->levels[l]);
        free(fi->levels);
        fi->levels = levels;
        fi->n_levels = given[g].n_levels;
    }
    return SB_OK;
}

/* Recode rows x[0 .. n) (n_feat floats each) in place. Local. */
static void recode_rows(const recode_plan *rp, float *x, int64_t n, int32_t n_feat)
{
    for (int32_t i = 0; i < rp->n; ++i) {
        const recode_col *c = &rp->cols[i];
        for (int64_t r = 0; r < n; ++r) {
            float *v = &x[r * n_feat + c->feat];
            if (*v == *v) *v = (*v >= 0 && *v < (float)c->n_from) ? c->map[(int32_t)*v] : NAN;
        }
    }
}

static int recode_levels(run_ctx *run, sb_table *t, const sb_feature_info *given, int32_t n_given)
{
    recode_plan rp;
    int rc = SB_OK;
    SB_CHECK(run, recode_plan_make(run, t, given, n_given, &rp));
    recode_rows(&rp, t->x, t->n_rows, t->n_feat);
out:
    recode_free(&rp); /* the plan is safe to free even when making it failed */
    return rc;
}

int source_load(run_ctx *run, const sb_source *src, sb_table *out)
{
    int h5 = 0;
    for (int i = 0; i < src->n_paths; ++i) h5 += ends_with(src->paths[i], ".h5");
    if (h5 == 0) return ingest_load(run, src, out, NULL);
    if (src->n_paths != 1)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "give one .h5 file, or CSV files only (got %d paths, %d .h5)",
                                         src->n_paths, h5));
    SB_TRY(run, h5_read_table(run, src->paths[0], out));
    int rc = src->levels_from ? recode_levels(run, out, src->levels_from, src->n_levels_from) : SB_OK;
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK) table_free(out);
    return rc;
}

struct source_stream {
    h5_stream *h5;
    recode_plan recode;
    int32_t n_feat;
};

/* The stream over h5 (taken over, *h5 set to NULL) when the file streams,
 * and the recoding of categorical levels to the given ones. Local. */
static int stream_setup(run_ctx *run, const sb_source *src, sb_table *out, h5_stream **h5, source_stream **s)
{
    if (*h5 != NULL) {
        if ((*s = sb_alloc(run, 1, sizeof **s)) == NULL) return SB_ENOMEM;
        (*s)->h5 = *h5;
        (*s)->n_feat = out->n_feat;
        *h5 = NULL;
    }
    if (!src->levels_from) return SB_OK;
    if (*s != NULL) return recode_plan_make(run, out, src->levels_from, src->n_levels_from, &(*s)->recode);
    return recode_levels(run, out, src->levels_from, src->n_levels_from);
}

int source_load_stream(run_ctx *run, const sb_source *src, sb_table *out, source_stream **stream)
{
    *stream = NULL;
    if (src->n_paths != 1 || !ends_with(src->paths[0], ".h5")) return source_load(run, src, out);
    h5_stream *h5 = NULL;
    source_stream *s = NULL;
    SB_TRY(run, h5_stream_open(run, src->paths[0], src->require_label, out, &h5));
    const int rc = run_agree_rc(run, stream_setup(run, src, out, &h5, &s));
    if (rc != SB_OK) {
        h5_stream_close(h5);
        source_stream_close(s);
        table_free(out);
        return rc;
    }
    *stream = s;
    return SB_OK;
}

int source_stream_read(run_ctx *run, source_stream *s, int64_t i0, int64_t i1, float *x)
{
    SB_TRY(run, h5_stream_read(run, s->h5, i0, i1, x));
    recode_rows(&s->recode, x, i1 - i0, s->n_feat);
    return SB_OK;
}

int64_t source_stream_block_end(const source_stream *s, int64_t i, int64_t n_rows, int64_t max_rows)
{
    return h5_stream_block_end(s->h5, i, n_rows, max_rows);
}

void source_stream_close(source_stream *s)
{
    if (s == NULL) return;
    h5_stream_close(s->h5);
    recode_free(&s->recode);
    free(s);
}
