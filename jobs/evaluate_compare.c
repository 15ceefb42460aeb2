/* evaluate_compare.c - two models on the same rows, side by side, with a
 * paired Poisson bootstrap of the differences (jobs/evaluate_compare.h). */
#include "jobs/evaluate_compare.h"

#include <jansson.h>
#include <math.h>   /* for sqrt, llround, isnan */
#include <stdio.h>  /* for printf */
#include <stdlib.h> /* for strtol, free, qsort */
#include <string.h> /* for strcmp */

#include "io/model.h"
#include "io/source.h"
#include "jobs/monitor.h"
#include "jobs/predict_score.h"
#include "kernels/metric.h"
#include "mpi/comm.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h"

#define MAX_DATA 64
#define LOSSES 3 /* mse, mae, logloss; rmse comes from mse */
#define LOSS_BITS 24
#define WEIGHT_BITS 16

__extension__ typedef __int128 i128;

static const sb_metric_kind loss_kind[LOSSES] = {SB_METRIC_MSE, SB_METRIC_MAE, SB_METRIC_LOGLOSS};

typedef struct {
    const char *model[2], *layout, *schema;
    const char *data[MAX_DATA];
    int n_data, json, help;
    int32_t boot;
    uint64_t seed;
} cmp_opts;

/* Sums of one resample (index 0: the data itself): per weighting w, model m
 * and loss l the loss sum, and the row count and weight sum. */
typedef struct {
    i128 loss[2][2][LOSSES];
    i128 den[2];
} cmp_sums;

static const char *usage_text =
    "usage: shardboost evaluate --model A --model B --data DATA [--data ...] [--json] [--bootstrap N] [--seed S]\n"
    "  Scores both models on the same labelled rows in one pass; prints rmse, mse, mae and logloss of\n"
    "  each (unweighted and weighted), B - A, and its 95% paired bootstrap interval (N Poisson\n"
    "  resamples of the rows, default 500, seed 1): identical numbers for any number of ranks.\n"
    "  --json   one JSON object instead of the table;  --layout/--schema as for evaluate\n";

int evaluate_compare_wanted(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; ++i) n += !strcmp(argv[i], "--model");
    return n >= 2;
}

static int parse_num(run_ctx *run, const char *opt, const char *v, long max, long *out)
{
    char *end = NULL;
    long l = strtol(v, &end, 10);
    if (end == v || *end != '\0' || l < 0 || l > max)
        return SB_FAIL(run, SB_EINVAL, "evaluate: %s '%s': must be an integer 0..%ld", opt, v, max);
    *out = l;
    return SB_OK;
}

static int parse_opts(run_ctx *run, int argc, char **argv, cmp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->boot = 500;
    o->seed = 1;
    int nm = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long l = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            continue;
        }
        if (!strcmp(a, "--json")) {
            o->json = 1;
            continue;
        }
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "evaluate: option %s needs a value", a);
        if (!strcmp(a, "--model") && nm < 2) o->model[nm++] = v;
        else if (!strcmp(a, "--model")) return SB_FAIL(run, SB_EINVAL, "evaluate: at most two --model to compare");
        else if (!strcmp(a, "--data") && o->n_data < MAX_DATA) o->data[o->n_data++] = v;
        else if (!strcmp(a, "--layout")) o->layout = v;
        else if (!strcmp(a, "--schema")) o->schema = v;
        else if (!strcmp(a, "--bootstrap")) {
            SB_TRY(run, parse_num(run, a, v, 100000, &l));
            o->boot = (int32_t)l;
        } else if (!strcmp(a, "--seed")) {
            SB_TRY(run, parse_num(run, a, v, 2147483647L, &l));
            o->seed = (uint64_t)l;
        } else return SB_FAIL(run, SB_EINVAL, "evaluate: unknown option '%s' (see shardboost evaluate --help)", a);
        ++i;
    }
    if (!o->help && o->n_data == 0) return SB_FAIL(run, SB_EINVAL, "evaluate: --data is required");
    return SB_OK;
}

/* Poisson(1) from 53 uniform bits: inverse CDF over k = 0..9 (P(k > 9) < 1e-7). */
static int poisson1(uint64_t h)
{
    static const double cdf[] = {0.36787944117144233, 0.73575888234288467, 0.91969860292860584, 0.98101184312384615,
                                 0.99634015317265634, 0.99940581518329238, 0.99991675885172505, 0.99998975080436541,
                                 0.99999887479844546, 0.99999988857556568};
    const double u = (double)(h >> 11) * 0x1p-53;
    int k = 0;
    while (k < 10 && u >= cdf[k]) ++k;
    return k;
}

static int64_t fixed(double v, int bits)
{
    const double lim = 2147483648.0; /* 2^31 */
    v = isnan(v) ? 0 : v > lim ? lim : v;
    return llround(v * (double)(1LL << bits));
}

/* Add one row (label y, weight w, predictions p[2], global index g) to every resample. */
static void add_row(const cmp_opts *o, double y, double w, const double p[2], int64_t g, cmp_sums *s)
{
    int64_t lf[2][LOSSES];
    const int64_t wf = fixed(w, WEIGHT_BITS);
    for (int m = 0; m < 2; ++m)
        for (int l = 0; l < LOSSES; ++l) lf[m][l] = fixed(metric_row_loss(loss_kind[l], y, p[m]), LOSS_BITS);
    for (int32_t b = 0; b <= o->boot; ++b) {
        const int c = b == 0 ? 1 : poisson1(sb_hash3(o->seed, (uint64_t)b, (uint64_t)g));
        if (c == 0) continue;
        cmp_sums *r = &s[b];
        r->den[0] += c;
        r->den[1] += (i128)c * wf;
        for (int m = 0; m < 2; ++m)
            for (int l = 0; l < LOSSES; ++l) {
                r->loss[0][m][l] += (i128)c * lf[m][l];
                r->loss[1][m][l] += (i128)c * lf[m][l] * wf;
            }
    }
}

typedef struct {
    sb_model m[2];
    sb_table t;
    predict_scorer s[2];
    double *pred[2];
    cmp_sums *sums; /* boot + 1 */
    int64_t *limbs; /* the sums as int64 limbs for the reduction */
    int bad_label;  /* a label outside [0, 1]: no logloss */
} cmp_state;

/* Every row of the table into the sums. Local. */
static void score_all(const cmp_opts *o, cmp_state *c)
{
    const sb_table *t = &c->t;
    for (int64_t b = 0; b < t->n_rows; b += PREDICT_BLOCK_ROWS) {
        const int64_t e = b + PREDICT_BLOCK_ROWS < t->n_rows ? b + PREDICT_BLOCK_ROWS : t->n_rows;
        for (int m = 0; m < 2; ++m) predict_scorer_rows(&c->s[m], t->x + b * t->n_feat, t->n_feat, e - b, c->pred[m]);
        for (int64_t i = b; i < e; ++i) {
            const double y = t->label[i], p[2] = {c->pred[0][i - b], c->pred[1][i - b]};
            if (isnan(y)) continue;
            c->bad_label |= y < 0 || y > 1;
            add_row(o, y, t->weight ? t->weight[i] : 1.0, p, t->row_start + i, c->sums);
        }
    }
}

#define SUM_I128 (2 * 2 * LOSSES + 2)

/* The int128 sums as 42-bit limbs (top limb signed), summed over ranks, back
 * as one exact integer each, rounded to double once. Collective. */
static int reduce_sums(run_ctx *run, cmp_state *c, int32_t n_sums, double *out)
{
    const i128 mask = ((i128)1 << 42) - 1;
    const int64_t n = (int64_t)n_sums * SUM_I128;
    for (int64_t k = 0; k < n; ++k) {
        const i128 *v = (const i128 *)&c->sums[k / SUM_I128] + k % SUM_I128;
        c->limbs[3 * k] = (int64_t)(*v & mask);
        c->limbs[3 * k + 1] = (int64_t)((*v >> 42) & mask);
        c->limbs[3 * k + 2] = (int64_t)(*v >> 84);
    }
    SB_TRY(run, comm_sum_i64(run, c->limbs, 3 * n));
    for (int64_t k = 0; k < n; ++k)
        out[k] = (double)((i128)c->limbs[3 * k + 2] * ((i128)1 << 84) + (i128)c->limbs[3 * k + 1] * ((i128)1 << 42) +
                          c->limbs[3 * k]);
    return SB_OK;
}

/* Reported metrics: rmse, mse, mae, logloss. */
#define REPORTED 4
static const char *const reported_name[REPORTED] = {"rmse", "mse", "mae", "logloss"};

/* Metric r of model m, weighting w, from one resample's reduced sums v. */
static double metric_of(const double *v, int w, int m, int r, int bad_label)
{
    const double den = w ? v[2 * 2 * LOSSES + 1] * 0x1p-16 : v[2 * 2 * LOSSES];
    const int l = r == 0 ? 0 : r - 1;
    const double sum = v[(w * 2 + m) * LOSSES + l] * (w ? 0x1p-40 : 0x1p-24);
    if (den <= 0 || (r == 3 && bad_label)) return NAN;
    return r == 0 ? sqrt(sum / den) : sum / den;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One line of results: the two values, the difference, its interval and the
 * share of resamples where B is better (lower). diffs: boot scratch. */
typedef struct {
    double a, b, diff, lo, hi, b_better;
} cmp_line;

static cmp_line line_of(const cmp_opts *o, const double *v, int w, int r, int bad, double *diffs)
{
    cmp_line L;
    L.a = metric_of(v, w, 0, r, bad);
    L.b = metric_of(v, w, 1, r, bad);
    L.diff = L.b - L.a;
    int32_t n = 0, better = 0;
    for (int32_t k = 1; k <= o->boot; ++k) {
        const double *vk = v + (int64_t)k * SUM_I128;
        const double d = metric_of(vk, w, 1, r, bad) - metric_of(vk, w, 0, r, bad);
        if (isnan(d)) continue;
        diffs[n++] = d;
        better += d < 0;
    }
    qsort(diffs, (size_t)n, sizeof *diffs, cmp_double);
    L.lo = n ? diffs[(int32_t)(0.025 * (n - 1) + 0.5)] : NAN;
    L.hi = n ? diffs[(int32_t)(0.975 * (n - 1) + 0.5)] : NAN;
    L.b_better = n ? (double)better / n : NAN;
    return L;
}

static json_t *jnum(double v) { return isnan(v) || isinf(v) ? json_null() : json_real(v); }

static void print_results(const cmp_opts *o, const cmp_state *c, const double *v, double *diffs)
{
    json_t *j = o->json ? json_pack("{s:s, s:s, s:s, s:I, s:i, s:I}", "model_a", o->model[0], "model_b", o->model[1],
                                    "data", o->data[0], "rows", (json_int_t)v[2 * 2 * LOSSES], "bootstrap", o->boot,
                                    "seed", (json_int_t)o->seed)
                        : NULL;
    if (!o->json)
        printf("%-8s %-10s %-22s %-22s %-22s %-44s %s\n", "metric", "weighting", "A", "B", "B - A",
               "95% paired bootstrap interval of B - A", "B better in");
    for (int w = 0; w < 2; ++w) {
        json_t *side = j ? json_object() : NULL;
        for (int r = 0; r < REPORTED; ++r) {
            const cmp_line L = line_of(o, v, w, r, c->bad_label, diffs);
            if (side)
                json_object_set_new(side, reported_name[r],
                                    json_pack("{s:o, s:o, s:o, s:[o, o], s:o}", "a", jnum(L.a), "b", jnum(L.b), "diff",
                                              jnum(L.diff), "ci95", jnum(L.lo), jnum(L.hi), "b_better_share",
                                              jnum(L.b_better)));
            else
                printf("%-8s %-10s %-22.17g %-22.17g %-22.17g [%.17g, %.17g]  %.1f%%\n", reported_name[r],
                       w ? "weighted" : "unweighted", L.a, L.b, L.diff, L.lo, L.hi, 100 * L.b_better);
        }
        if (j) json_object_set_new(j, w ? "weighted" : "unweighted", side);
    }
    if (j) {
        char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (s) puts(s);
        free(s);
        json_decref(j);
    } else
        printf("%lld rows; A = %s, B = %s; lower is better; %d resamples, seed %llu\n", (long long)v[2 * 2 * LOSSES],
               o->model[0], o->model[1], o->boot, (unsigned long long)o->seed);
    fflush(stdout);
}

/* Scorers for both models, their prediction buffers, the resample sums
 * (c owns them all). Local. */
static int prepare_scoring(run_ctx *run, const cmp_opts *o, cmp_state *c)
{
    for (int m = 0; m < 2; ++m)
        SB_TRY(run, predict_scorer_init(run, &c->m[m], o->model[m], &c->t, o->data[0], &c->s[m]));
    if (c->t.label == NULL)
        return SB_FAIL(run, SB_EDATA, "%s: no label column: evaluate needs labelled data", o->data[0]);
    for (int m = 0; m < 2; ++m)
        if ((c->pred[m] = sb_alloc(run, PREDICT_BLOCK_ROWS, sizeof(double))) == NULL) return SB_ENOMEM;
    if ((c->sums = sb_alloc(run, (size_t)o->boot + 1, sizeof *c->sums)) == NULL) return SB_ENOMEM;
    if ((c->limbs = sb_alloc(run, 3 * ((size_t)o->boot + 1) * SUM_I128, sizeof(int64_t))) == NULL) return SB_ENOMEM;
    return SB_OK;
}

/* Load both models and the rows; scorers for both. Collective. */
static int load_all(run_ctx *run, const cmp_opts *o, cmp_state *c)
{
    for (int m = 0; m < 2; ++m) SB_TRY(run, predict_load_model(run, o->model[m], &c->m[m]));
    monitor_note_model(run, o->model[1], &c->m[1]);
    sb_source src = predict_source(&c->m[0], o->data, o->n_data, o->layout, o->schema, 1);
    SB_TRY(run, source_load(run, &src, &c->t));
    return run_agree_rc(run, prepare_scoring(run, o, c));
}

static int compare_all(run_ctx *run, const cmp_opts *o, cmp_state *c)
{
    int rc = SB_OK;
    double *v = NULL, *diffs = NULL;
    SB_CHECK(run, load_all(run, o, c));
    score_all(o, c);
    SB_CHECK(run, comm_agree_max(run, &c->bad_label));
    v = sb_alloc(run, ((size_t)o->boot + 1) * SUM_I128, sizeof *v);
    diffs = sb_alloc(run, (size_t)o->boot + 1, sizeof *diffs);
    SB_CHECK(run, run_agree_rc(run, v && diffs ? SB_OK : SB_ENOMEM));
    SB_CHECK(run, reduce_sums(run, c, o->boot + 1, v));
    if (run_rank(run) == 0) print_results(o, c, v, diffs);
    monitor_note_rows((int64_t)v[2 * 2 * LOSSES]);
out:
    free(v);
    free(diffs);
    return rc;
}

int evaluate_compare_main(run_ctx *run, int argc, char **argv)
{
    cmp_opts o;
    cmp_state c;
    memset(&c, 0, sizeof c);
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, parse_opts(run, argc, argv, &o)));
    if (o.help) {
        if (run_rank(run) == 0) fputs(usage_text, stdout);
        goto out;
    }
    SB_CHECK(run, compare_all(run, &o, &c));
out:
    for (int m = 0; m < 2; ++m) {
        free(c.pred[m]);
        predict_scorer_free(&c.s[m]);
        model_free(&c.m[m]);
    }
    free(c.sums);
    free(c.limbs);
    table_free(&c.t);
    return rc;
}
