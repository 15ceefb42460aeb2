/* drift_report.c - drift numbers from the counts, and the report as JSON,
 * log table and metrics (jobs/drift_report.h). */
#include "jobs/drift_report.h"

#include <errno.h> /* for errno */
#include <jansson.h>
#include <math.h>   /* for NAN, isnan */
#include <stdio.h>  /* for snprintf, fopen */
#include <stdlib.h> /* for free, qsort */
#include <string.h> /* for strerror */
#include <unistd.h> /* for getpid */

#include "io/atomic_file.h"
#include "io/prom_text.h"
#include "kernels/drift_hist.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/log.h"

static const double quantiles[DRIFT_N_QUANTILES] = {0.1, 0.5, 0.9};
static const char *const status_name[] = {"stable", "moderate", "major"};

static double ratio(int64_t a, int64_t b) { return b > 0 ? (double)a / (double)b : NAN; }

static int64_t sum_i64(const int64_t *v, int64_t n)
{
    int64_t s = 0;
    for (int64_t i = 0; i < n; ++i) s += v[i];
    return s;
}

static int psi_status(double psi, const monitor_opts *o)
{
    return psi >= o->psi_major ? DRIFT_MAJOR : psi >= o->psi_moderate ? DRIFT_MODERATE : DRIFT_STABLE;
}

/* One feature's numbers over its groups (the reference's bins summed the same way). */
static void feature_numbers(const drift_ref *ref, const drift_counts *c, const monitor_opts *o, int32_t f,
                            drift_result *r)
{
    const int64_t b0 = ref->bin_start[f], nb = ref->bin_start[f + 1] - b0;
    int64_t ge[DRIFT_GROUP_SLOTS];
    const int64_t *ga = c->count + (int64_t)f * DRIFT_GROUP_SLOTS;
    drift_group_sums(ref->count + b0, nb, c->first + (int64_t)f * DRIFT_MAX_GROUPS, c->n_groups[f], ge);
    const int64_t te = sum_i64(ge, DRIFT_GROUP_SLOTS), ta = sum_i64(ga, DRIFT_GROUP_SLOTS);
    r->psi[f] = drift_psi(ge, ga, DRIFT_GROUP_SLOTS);
    r->js[f] = drift_js(ge, ga, DRIFT_GROUP_SLOTS);
    r->miss_ref[f] = ratio(ge[DRIFT_GROUP_SLOTS - 1], te);
    r->miss_now[f] = ratio(ga[DRIFT_GROUP_SLOTS - 1], ta);
    r->outside[f] = ratio(c->outside[f], ta - ga[DRIFT_GROUP_SLOTS - 1]);
    r->status[f] = isnan(r->psi[f]) ? DRIFT_STABLE : psi_status(r->psi[f], o);
    r->drifted[f] = r->status[f] != DRIFT_STABLE || r->js[f] >= o->js;
    if (r->drifted[f] && r->status[f] == DRIFT_STABLE) r->status[f] = DRIFT_MODERATE; /* by JS alone */
    r->n_drifted += r->drifted[f];
}

/* Scores: PSI over the quantile bins, mean shift, and for the training
 * quantiles 0.1/0.5/0.9 the share of rows below them, then and now. */
static void score_numbers(const drift_ref *ref, const drift_counts *c, const monitor_opts *o, drift_result *r)
{
    const int32_t nb = ref->n_edges + 1;
    r->score_psi = drift_psi(ref->score_count, c->score, nb);
    r->score_status = isnan(r->score_psi) ? DRIFT_STABLE : psi_status(r->score_psi, o);
    r->mean_ref = ref->score_mean;
    r->mean_now = c->sampled > 0 ? drift_fixed_value(c->limbs) / (double)c->sampled : NAN;
    const int64_t te = sum_i64(ref->score_count, nb), ta = sum_i64(c->score, nb);
    for (int k = 0; k < DRIFT_N_QUANTILES; ++k) {
        const int j = (int)(quantiles[k] * (ref->n_edges + 1) + 0.5) - 1; /* edge j is quantile (j+1)/bins */
        r->q[k] = quantiles[k];
        r->q_value[k] = j >= 0 && j < ref->n_edges ? ref->edges[j] : NAN;
        r->below_ref[k] = ratio(j >= 0 ? sum_i64(ref->score_count, j + 1) : 0, te);
        r->below_now[k] = ratio(j >= 0 ? sum_i64(c->score, j + 1) : 0, ta);
    }
}

int drift_result_compute(run_ctx *run, const drift_ref *ref, const drift_counts *c, const monitor_opts *o,
                         drift_result *r)
{
    int rc = SB_OK;
    const size_t nf = (size_t)ref->n_feat + 1;
    memset(r, 0, sizeof *r);
    r->n_feat = ref->n_feat;
    r->rows = c->rows;
    r->sampled = c->sampled;
    SB_ALLOC_OR_OUT(run, r->psi, nf, sizeof(double));
    SB_ALLOC_OR_OUT(run, r->js, nf, sizeof(double));
    SB_ALLOC_OR_OUT(run, r->miss_ref, nf, sizeof(double));
    SB_ALLOC_OR_OUT(run, r->miss_now, nf, sizeof(double));
    SB_ALLOC_OR_OUT(run, r->outside, nf, sizeof(double));
    SB_ALLOC_OR_OUT(run, r->status, nf, sizeof(int));
    SB_ALLOC_OR_OUT(run, r->drifted, nf, sizeof(int));
    for (int32_t f = 0; f < ref->n_feat; ++f) feature_numbers(ref, c, o, f, r);
    r->share = ref->n_feat > 0 ? (double)r->n_drifted / ref->n_feat : 0.0;
    r->dataset_drifted = ref->n_feat > 0 && r->share >= o->share;
    score_numbers(ref, c, o, r);
out:
    if (rc != SB_OK) drift_result_free(r);
    return rc;
}

void drift_result_free(drift_result *r)
{
    free(r->psi);
    free(r->js);
    free(r->miss_ref);
    free(r->miss_now);
    free(r->outside);
    free(r->status);
    free(r->drifted);
    memset(r, 0, sizeof *r);
}

/* ---- JSON ---------------------------------------------------------------- */

/* A number, or null where it is undefined (JSON has no NaN). */
static json_t *num(double v) { return isnan(v) || isinf(v) ? json_null() : json_real(v); }

static json_t *features_json(const drift_result *r, const sb_model *m)
{
    json_t *a = json_array();
    for (int32_t f = 0; a && f < r->n_feat; ++f)
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:o}", "name", m->feat[f].name,
                                           "psi", num(r->psi[f]), "js", num(r->js[f]), "status",
                                           status_name[r->status[f]], "drifted", r->drifted[f], "missing_ref",
                                           num(r->miss_ref[f]), "missing_now", num(r->miss_now[f]), "missing_change",
                                           num(r->miss_now[f] - r->miss_ref[f]), "outside_range", num(r->outside[f])));
    return a;
}

static json_t *scores_json(const drift_result *r)
{
    json_t *q = json_array();
    for (int k = 0; q && k < DRIFT_N_QUANTILES; ++k)
        json_array_append_new(q,
                              json_pack("{s:o, s:o, s:o, s:o, s:o}", "q", num(r->q[k]), "train_value",
                                        num(r->q_value[k]), "share_below_ref", num(r->below_ref[k]), "share_below_now",
                                        num(r->below_now[k]), "shift", num(r->below_now[k] - r->below_ref[k])));
    return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "psi", num(r->score_psi), "status", status_name[r->score_status],
                     "mean_ref", num(r->mean_ref), "mean_now", num(r->mean_now), "mean_shift",
                     num(r->mean_now - r->mean_ref), "quantiles", q ? q : json_null());
}

static json_t *report_json(const drift_result *r, const sb_model *m, const monitor_opts *o)
{
    json_t *names = json_array();
    for (int32_t f = 0; names && f < r->n_feat; ++f)
        if (r->drifted[f]) json_array_append_new(names, json_string(m->feat[f].name));
    return json_pack("{s:s, s:i, s:I, s:I, s:I, s:{s:f, s:f, s:f, s:f}, s:{s:b, s:i, s:i, s:o, s:o}, s:o, s:o}",
                     "format", "shardboost-drift", "version", 1, "rows", (json_int_t)r->rows, "rows_sampled",
                     (json_int_t)r->sampled, "reference_rows", (json_int_t)m->reference->rows, "thresholds",
                     "psi_moderate", o->psi_moderate, "psi_major", o->psi_major, "js", o->js, "share", o->share,
                     "dataset", "drifted", r->dataset_drifted, "n_features", r->n_feat, "n_drifted", r->n_drifted,
                     "share_drifted", num(r->share), "drifted_features", names ? names : json_null(), "scores",
                     scores_json(r), "features", features_json(r, m));
}

int drift_report_json(run_ctx *run, const drift_result *r, const sb_model *m, const monitor_opts *o, const char *path)
{
    json_t *j = report_json(r, m, o);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(j);
    if (text == NULL) return SB_FAIL(run, SB_ENOMEM, "%s: drift report: out of memory", path);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        free(text);
        return SB_FAIL(run, SB_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return atomic_file_commit(run, f, tmp, path);
}

/* ---- log and metrics ----------------------------------------------------- */

typedef struct {
    const drift_result *r;
    int32_t f;
} ranked;

/* Most drifting first: PSI descending (NaN last), then feature order. */
static int by_psi(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    const double p = x->r->psi[x->f], q = y->r->psi[y->f];
    const double pp = isnan(p) ? -1 : p, qq = isnan(q) ? -1 : q;
    if (pp != qq) return pp < qq ? 1 : -1;
    return (x->f > y->f) - (x->f < y->f);
}

#define DRIFT_LOG_TOP 5

void drift_report_log(run_ctx *run, const drift_result *r, const sb_model *m, const monitor_opts *o)
{
    sb_info(
        run,
        "drift: %d of %d features drift (%.0f%%): data set %s (from %.0f%%); scores PSI %.4f (%s), mean %.6g -> %.6g; "
        "%lld of %lld rows counted\n",
        r->n_drifted, r->n_feat, 100 * r->share, r->dataset_drifted ? "DRIFTED" : "not drifted", 100 * o->share,
        r->score_psi, status_name[r->score_status], r->mean_ref, r->mean_now, (long long)r->sampled,
        (long long)r->rows);
    ranked *k = malloc(((size_t)r->n_feat + 1) * sizeof *k);
    if (k == NULL || r->n_feat == 0) {
        free(k);
        return;
    }
    for (int32_t f = 0; f < r->n_feat; ++f) k[f] = (ranked){r, f};
    qsort(k, (size_t)r->n_feat, sizeof *k, by_psi);
    sb_info(run, "drift: %-24s %9s %7s %-9s %17s %8s\n", "feature", "PSI", "JS", "status", "missing ref->now",
            "outside");
    for (int32_t i = 0; i < r->n_feat && i < DRIFT_LOG_TOP; ++i) {
        const int32_t f = k[i].f;
        sb_info(run, "drift: %-24.24s %9.4f %7.4f %-9s %7.1f%% ->%5.1f%% %7.1f%%\n", m->feat[f].name, r->psi[f],
                r->js[f], status_name[r->status[f]], 100 * r->miss_ref[f], 100 * r->miss_now[f],
                isnan(r->outside[f]) ? 0.0 : 100 * r->outside[f]);
    }
    free(k);
}

static void feature_gauge(const char *name, const char *help, const char *feat, double v)
{
    char esc[512], labels[560];
    prom_escape(esc, sizeof esc, feat);
    snprintf(labels, sizeof labels, "feature=\"%s\"", esc);
    monitor_gauge(name, help, labels, v);
}

void drift_report_metrics(const drift_result *r, const sb_model *m)
{
    char alert[3000] = "", *p = alert;
    for (int32_t f = 0; f < r->n_feat; ++f) {
        const char *n = m->feat[f].name;
        feature_gauge("shardboost_drift_feature_psi", "Population stability index of the feature against training.", n,
                      r->psi[f]);
        feature_gauge("shardboost_drift_feature_js", "Jensen-Shannon distance of the feature against training.", n,
                      r->js[f]);
        feature_gauge("shardboost_drift_feature_missing_rate_change", "Missing rate now minus in training.", n,
                      r->miss_now[f] - r->miss_ref[f]);
        feature_gauge("shardboost_drift_feature_outside_range_share", "Share of values outside the training range.", n,
                      r->outside[f]);
        feature_gauge("shardboost_drift_feature_drifted", "1 if the feature drifts.", n, r->drifted[f]);
        if (r->status[f] == DRIFT_MAJOR && p < alert + sizeof alert - 200)
            p += snprintf(p, (size_t)(alert + sizeof alert - p), "%s%s (PSI %.3f)", p == alert ? "major drift: " : ", ",
                          n, r->psi[f]);
    }
    monitor_gauge("shardboost_drift_features_drifted_share", "Share of features that drift.", "", r->share);
    monitor_gauge("shardboost_drift_dataset_drifted", "1 if the data set drifts.", "", r->dataset_drifted);
    monitor_gauge("shardboost_drift_score_psi", "Population stability index of the predictions.", "", r->score_psi);
    monitor_gauge("shardboost_drift_score_mean_shift", "Mean prediction now minus in training.", "",
                  r->mean_now - r->mean_ref);
    if (r->score_status == DRIFT_MAJOR)
        snprintf(p, (size_t)(alert + sizeof alert - p), "%spredictions (PSI %.3f)", p == alert ? "major drift: " : ", ",
                 r->score_psi);
    if (alert[0]) monitor_alert(alert);
}
