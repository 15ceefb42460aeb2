/* drift_ref.c - the model's training reference: allocation, JSON text, and
 * the validating reader (format in io/drift_ref.h). */
#include "io/drift_ref.h"
#include "io/drift_ref_read.h"

#include <math.h>   /* for NAN, isfinite */
#include <stdio.h>  /* for open_memstream, fprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp */

#include "base/alloc.h"
#include "base/error.h"
#include "io/json_field.h"

int drift_ref_alloc(run_ctx *run, int32_t n_feat, const int64_t *n_bins, int32_t n_edges, int weighted, drift_ref **out)
{
    int rc = SB_OK;
    drift_ref *r = NULL;
    *out = NULL;
    SB_ALLOC_OR_OUT(run, r, 1, sizeof *r);
    r->n_feat = n_feat;
    r->n_edges = n_edges;
    r->weight_scale = 1;
    SB_ALLOC_OR_OUT(run, r->bin_start, (size_t)n_feat + 1, sizeof *r->bin_start);
    for (int32_t f = 0; f < n_feat; ++f) r->bin_start[f + 1] = r->bin_start[f] + n_bins[f];
    SB_ALLOC_OR_OUT(run, r->count, (size_t)r->bin_start[n_feat] + 1, sizeof *r->count);
    if (weighted) SB_ALLOC_OR_OUT(run, r->wcount, (size_t)r->bin_start[n_feat] + 1, sizeof *r->wcount);
    SB_ALLOC_OR_OUT(run, r->lo, (size_t)n_feat + 1, sizeof *r->lo);
    SB_ALLOC_OR_OUT(run, r->hi, (size_t)n_feat + 1, sizeof *r->hi);
    SB_ALLOC_OR_OUT(run, r->edges, (size_t)n_edges + 1, sizeof *r->edges);
    SB_ALLOC_OR_OUT(run, r->score_count, (size_t)n_edges + 1, sizeof *r->score_count);
    for (int32_t f = 0; f < n_feat; ++f) r->lo[f] = r->hi[f] = NAN;
    *out = r;
    r = NULL;
out:
    drift_ref_free(r);
    return rc;
}

void drift_ref_free(drift_ref *r)
{
    if (!r) return;
    free(r->bin_start);
    free(r->count);
    free(r->wcount);
    free(r->lo);
    free(r->hi);
    free(r->edges);
    free(r->score_count);
    free(r);
}

/* Doubles in %.17g; NaN and infinities (no JSON literal) as null. */
static void put_num(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.17g", v);
    else fputs("null", f);
}

static void put_counts(FILE *f, const int64_t *c, int64_t n)
{
    fputc('[', f);
    for (int64_t i = 0; i < n; ++i) fprintf(f, "%s%lld", i ? ", " : "", (long long)c[i]);
    fputc(']', f);
}

int drift_ref_to_json(run_ctx *run, const drift_ref *r, char **out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) return SB_FAIL(run, SB_ENOMEM, "model reference text: out of memory");
    fprintf(f, "{\"weight_scale\": %lld, \"rows\": %lld,\n    \"features\": [", (long long)r->weight_scale,
            (long long)r->rows);
    for (int32_t k = 0; k < r->n_feat; ++k) {
        fprintf(f, "%s\n      {\"lo\": ", k ? "," : "");
        put_num(f, r->lo[k]);
        fputs(", \"hi\": ", f);
        put_num(f, r->hi[k]);
        fputs(", \"counts\": ", f);
        put_counts(f, r->count + r->bin_start[k], r->bin_start[k + 1] - r->bin_start[k]);
        if (r->wcount) {
            fputs(", \"weighted\": ", f);
            put_counts(f, r->wcount + r->bin_start[k], r->bin_start[k + 1] - r->bin_start[k]);
        }
        fputc('}', f);
    }
    fputs("],\n    \"scores\": {\"edges\": [", f);
    for (int32_t e = 0; e < r->n_edges; ++e) {
        if (e) fputs(", ", f);
        put_num(f, r->edges[e]);
    }
    fputs("], \"counts\": ", f);
    put_counts(f, r->score_count, (int64_t)r->n_edges + 1);
    fputs(", \"mean\": ", f);
    put_num(f, r->score_mean);
    fputs("}}", f);
    if (fclose(f) != 0 || text == NULL) {
        free(text);
        return SB_FAIL(run, SB_ENOMEM, "model reference text: out of memory");
    }
    *out = text;
    return SB_OK;
}

/* ---- reading ------------------------------------------------------------- */

/* A JSON array of integers into a new array (*v, *n long); where names it in messages. */
static int read_i64s(run_ctx *run, const json_t *a, const char *name, const char *where, int64_t **v, int64_t *n)
{
    if (!json_is_array(a)) return SB_FAIL(run, SB_EDATA, "%s: reference: %s must be an array of integers", name, where);
    *n = (int64_t)json_array_size(a);
    if ((*v = sb_alloc(run, (size_t)*n + 1, sizeof **v)) == NULL) return SB_ENOMEM;
    for (int64_t i = 0; i < *n; ++i)
        SB_TRY(run, jf_i64(run, json_array_get(a, (size_t)i), &(*v)[i], "%s: reference: %s[%lld]", name, where, (long long)i));
    return SB_OK;
}

static int read_doubles(run_ctx *run, const json_t *a, const char *name, const char *where, double **v, int64_t *n)
{
    if (!json_is_array(a)) return SB_FAIL(run, SB_EDATA, "%s: reference: %s must be an array of numbers", name, where);
    *n = (int64_t)json_array_size(a);
    if ((*v = sb_alloc(run, (size_t)*n + 1, sizeof **v)) == NULL) return SB_ENOMEM;
    for (int64_t i = 0; i < *n; ++i)
        SB_TRY(run, jf_num(run, json_array_get(a, (size_t)i), &(*v)[i], "%s: reference: %s[%lld]", name, where, (long long)i));
    return SB_OK;
}

/* A JSON array of integers appended to *all (*n_all long); *n gets its length. */
static int append_i64s(run_ctx *run, const json_t *a, const char *name, const char *where, int64_t **all,
                       int64_t *n_all, int64_t *n)
{
    int64_t *c = NULL;
    int rc = read_i64s(run, a, name, where, &c, n);
    if (rc == SB_OK && *n > 0) {
        int64_t *q = sb_realloc(run, *all, (size_t)(*n_all + *n), sizeof *q);
        if (!q) rc = SB_ENOMEM;
        else {
            memcpy(q + *n_all, c, (size_t)*n * sizeof *q);
            *all = q;
            *n_all += *n;
        }
    }
    free(c);
    return rc;
}

/* The parsed pieces before they are checked and packed into a drift_ref. */
typedef struct {
    int64_t scale, rows, n_feat, n_cnt, n_wcnt, n_edges, n_score;
    int64_t *cnt, *wcnt, *nb, *score;
    double *lo, *hi, *edges, mean;
} ref_parts;

static int read_feature(run_ctx *run, const json_t *v, const char *name, ref_parts *p)
{
    const int64_t k = p->n_feat++;
    int64_t n = 0;
    p->lo[k] = p->hi[k] = NAN;
    if (!json_is_object(v))
        return SB_FAIL(run, SB_EDATA, "%s: reference: features[%lld] must be an object", name, (long long)k);
    const json_t *lo = json_object_get(v, "lo"), *hi = json_object_get(v, "hi");
    const json_t *cnt = json_object_get(v, "counts"), *w = json_object_get(v, "weighted");
    if (lo) SB_TRY(run, jf_num(run, lo, &p->lo[k], "%s: reference: features[%lld] \"lo\"", name, (long long)k));
    if (hi) SB_TRY(run, jf_num(run, hi, &p->hi[k], "%s: reference: features[%lld] \"hi\"", name, (long long)k));
    if (cnt) SB_TRY(run, append_i64s(run, cnt, name, "feature counts", &p->cnt, &p->n_cnt, &n));
    p->nb[k] = n;
    if (w) SB_TRY(run, append_i64s(run, w, name, "feature weighted counts", &p->wcnt, &p->n_wcnt, &n));
    return SB_OK;
}

static int read_features(run_ctx *run, const json_t *a, const char *name, ref_parts *p)
{
    if (a == NULL) return SB_OK;
    if (!json_is_array(a)) return SB_FAIL(run, SB_EDATA, "%s: reference: \"features\" must be an array", name);
    const size_t n = json_array_size(a);
    if ((p->nb = sb_alloc(run, n + 1, sizeof *p->nb)) == NULL || (p->lo = sb_alloc(run, n + 1, sizeof *p->lo)) == NULL ||
        (p->hi = sb_alloc(run, n + 1, sizeof *p->hi)) == NULL)
        return SB_ENOMEM;
    for (size_t f = 0; f < n; ++f) SB_TRY(run, read_feature(run, json_array_get(a, f), name, p));
    return SB_OK;
}

static int read_scores(run_ctx *run, const json_t *v, const char *name, ref_parts *p)
{
    if (v == NULL) return SB_OK;
    if (!json_is_object(v)) return SB_FAIL(run, SB_EDATA, "%s: reference: \"scores\" must be an object", name);
    const json_t *e = json_object_get(v, "edges"), *c = json_object_get(v, "counts"), *m = json_object_get(v, "mean");
    if (e) SB_TRY(run, read_doubles(run, e, name, "score edges", &p->edges, &p->n_edges));
    if (c) SB_TRY(run, read_i64s(run, c, name, "score counts", &p->score, &p->n_score));
    if (m) SB_TRY(run, jf_num(run, m, &p->mean, "%s: reference: scores \"mean\"", name));
    return SB_OK;
}

static int read_parts(run_ctx *run, const json_t *v, const char *name, ref_parts *p)
{
    if (!json_is_object(v)) return SB_FAIL(run, SB_EDATA, "%s: \"reference\" must be an object", name);
    SB_TRY(run, jf_opt_i64(run, v, "weight_scale", &p->scale, "%s: reference", name));
    SB_TRY(run, jf_opt_i64(run, v, "rows", &p->rows, "%s: reference", name));
    SB_TRY(run, read_features(run, json_object_get(v, "features"), name, p));
    return read_scores(run, json_object_get(v, "scores"), name, p);
}

/* The parts agree with the model: one entry per feature, cuts + 2 bins each,
 * one more score count than edges, non-negative counts. */
static int check_parts(run_ctx *run, const ref_parts *p, const char *name, int32_t n_feat, const int64_t *cut_start)
{
    if (cut_start == NULL) return SB_FAIL(run, SB_EDATA, "%s: key \"reference\" comes before \"features\"", name);
    if (p->n_feat != n_feat)
        return SB_FAIL(run, SB_EDATA, "%s: reference: %lld features, the model has %d", name, (long long)p->n_feat,
                       n_feat);
    for (int32_t f = 0; f < n_feat; ++f)
        if (p->nb[f] != cut_start[f + 1] - cut_start[f] + 2)
            return SB_FAIL(run, SB_EDATA, "%s: reference: feature %d has %lld counts, its %lld cuts need %lld", name,
                           f + 1, (long long)p->nb[f], (long long)(cut_start[f + 1] - cut_start[f]),
                           (long long)(cut_start[f + 1] - cut_start[f] + 2));
    if (p->n_wcnt != 0 && p->n_wcnt != p->n_cnt)
        return SB_FAIL(run, SB_EDATA, "%s: reference: %lld weighted counts for %lld bins", name, (long long)p->n_wcnt,
                       (long long)p->n_cnt);
    if (p->n_score != p->n_edges + 1)
        return SB_FAIL(run, SB_EDATA, "%s: reference: scores has %lld counts for %lld edges", name,
                       (long long)p->n_score, (long long)p->n_edges);
    for (int64_t i = 0; i < p->n_cnt; ++i)
        if (p->cnt[i] < 0 || (p->n_wcnt && p->wcnt[i] < 0))
            return SB_FAIL(run, SB_EDATA, "%s: reference: negative count", name);
    if (p->scale < 1) return SB_FAIL(run, SB_EDATA, "%s: reference: weight_scale must be >= 1", name);
    return SB_OK;
}

int drift_ref_read(run_ctx *run, const json_t *v, const char *name, int32_t n_feat, const int64_t *cut_start,
                   drift_ref **out)
{
    int rc = SB_OK;
    ref_parts p;
    memset(&p, 0, sizeof p);
    *out = NULL;
    SB_CHECK(run, read_parts(run, v, name, &p));
    SB_CHECK(run, check_parts(run, &p, name, n_feat, cut_start));
    SB_CHECK(run, drift_ref_alloc(run, n_feat, p.nb, (int32_t)p.n_edges, p.n_wcnt > 0, out));
    drift_ref *r = *out;
    r->weight_scale = p.scale;
    r->rows = p.rows;
    r->score_mean = p.mean;
    if (p.n_cnt) memcpy(r->count, p.cnt, (size_t)p.n_cnt * sizeof *r->count);
    if (p.n_wcnt) memcpy(r->wcount, p.wcnt, (size_t)p.n_wcnt * sizeof *r->wcount);
    if (n_feat) {
        memcpy(r->lo, p.lo, (size_t)n_feat * sizeof *r->lo);
        memcpy(r->hi, p.hi, (size_t)n_feat * sizeof *r->hi);
    }
    if (p.n_edges) memcpy(r->edges, p.edges, (size_t)p.n_edges * sizeof *r->edges);
    memcpy(r->score_count, p.score, (size_t)p.n_score * sizeof *r->score_count);
out:
    free(p.cnt);
    free(p.wcnt);
    free(p.nb);
    free(p.score);
    free(p.lo);
    free(p.hi);
    free(p.edges);
    return rc;
}
