/* monitor.c - monitoring options, the job's metric samples, and the end of
 * job outputs: metrics file, Pushgateway, webhook (jobs/monitor.h). */
#include "jobs/monitor.h"

#include <stdio.h>  /* for snprintf, fprintf */
#include <stdlib.h> /* for getenv, strtod, free */
#include <string.h> /* for strcmp, strrchr */
#include <time.h>   /* for clock_gettime */

#include "io/prom_text.h"
#include "jobs/monitor_send.h"
#include "base/error.h"
#include "base/log.h"
#include "base/timer.h"

#define MAX_SAMPLES 4096

static monitor_opts opts = {NULL, NULL, NULL, NULL, 0, 0, 0, 0.1, 0.25, 0.1, 0.5, 5000, 2};
static monitor_state st;

const monitor_opts *monitor_options(void) { return &opts; }

static const char *const jobs_monitored[] = {"train", "cv", "predict", "evaluate"};

static int monitored(const char *job)
{
    for (size_t i = 0; i < sizeof jobs_monitored / sizeof jobs_monitored[0]; ++i)
        if (!strcmp(job, jobs_monitored[i])) return 1;
    return 0;
}

static int parse_fraction(run_ctx *run, const char *opt, const char *v, double max, double *out)
{
    char *end = NULL;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !(d > 0) || d > max)
        return SB_FAIL(run, SB_EINVAL, "%s '%s': must be a number in (0, %g]", opt, v, max);
    *out = d;
    return SB_OK;
}

/* One option at argv[i] (value at argv[i + 1]): *used = how many words it
 * takes (0: not a monitoring option). */
static int take_one(run_ctx *run, const char *job, char **argv, int i, int argc, int *used)
{
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    const int drift_job = !strcmp(job, "predict") || !strcmp(job, "evaluate");
    *used = 1;
    if (!strcmp(a, "--alert-on-success")) opts.alert_on_success = 1;
    else if (drift_job && !strcmp(a, "--no-drift")) opts.no_drift = 1;
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) opts.help = 1, *used = 0; /* the job prints its part */
    else if (!strcmp(a, "--metrics-file") || !strcmp(a, "--pushgateway") || !strcmp(a, "--alert-webhook") ||
             (drift_job && (!strncmp(a, "--drift-", 8)))) {
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "%s: option %s needs a value", job, a);
        *used = 2;
        if (!strcmp(a, "--metrics-file")) opts.metrics_file = v;
        else if (!strcmp(a, "--pushgateway")) opts.pushgateway = v;
        else if (!strcmp(a, "--alert-webhook")) opts.webhook = v;
        else if (!strcmp(a, "--drift-out") && !strcmp(job, "evaluate")) opts.drift_out = v;
        else if (!strcmp(a, "--drift-psi-moderate")) return parse_fraction(run, a, v, 100, &opts.psi_moderate);
        else if (!strcmp(a, "--drift-psi-major")) return parse_fraction(run, a, v, 100, &opts.psi_major);
        else if (!strcmp(a, "--drift-js")) return parse_fraction(run, a, v, 1, &opts.js);
        else if (!strcmp(a, "--drift-share")) return parse_fraction(run, a, v, 1, &opts.share);
        else *used = 0; /* not ours: the job reports it */
    } else *used = 0;
    return SB_OK;
}

int monitor_begin(run_ctx *run, int *argc, char **argv)
{
    st.t_start = run_wtime();
    if (*argc < 2 || !monitored(argv[1])) return SB_OK;
    snprintf(st.job, sizeof st.job, "%s", argv[1]);
    st.active = 1;
    const char *env = getenv("SHARDBOOST_WEBHOOK_URL");
    if (env && *env) opts.webhook = env;
    int k = 2;
    for (int i = 2; i < *argc;) {
        int used = 0;
        SB_TRY(run, take_one(run, argv[1], argv, i, *argc, &used));
        if (used == 0) argv[k++] = argv[i++];
        else i += used;
    }
    argv[k] = NULL;
    *argc = k;
    if (opts.psi_major < opts.psi_moderate)
        return SB_FAIL(run, SB_EINVAL, "%s: --drift-psi-major %g is below --drift-psi-moderate %g", argv[1],
                       opts.psi_major, opts.psi_moderate);
    return SB_OK;
}

void monitor_note_model(run_ctx *run, const char *path, const sb_model *m)
{
    if (run_rank(run) != 0) return; /* only rank 0 reports */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(st.model, sizeof st.model, "%s", base);
    size_t n = strlen(st.model);
    if (n > 5 && !strcmp(st.model + n - 5, ".json")) st.model[n - 5] = '\0';
    char *text = NULL;
    int64_t len = 0;
    run_ctx *d = run_detached(run); /* the version label is optional: its errors stay out of the job's */
    const char *tag = "\"crc32\": \"", *at = NULL;
    if (d != NULL && m != NULL && model_to_json(d, m, &text, &len) == SB_OK && (at = strstr(text, tag)) != NULL)
        snprintf(st.version, sizeof st.version, "%.8s", at + strlen(tag)); /* the file's own crc32 field */
    free(text);
    free(d);
}

void monitor_note_rows(int64_t rows) { st.rows = rows; }

void monitor_gauge(const char *name, const char *help, const char *labels, double value)
{
    if (st.n_samples >= MAX_SAMPLES) return;
    if (st.samples == NULL && (st.samples = calloc(MAX_SAMPLES, sizeof *st.samples)) == NULL) return;
    monitor_sample *s = &st.samples[st.n_samples++];
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->help, sizeof s->help, "%s", help);
    snprintf(s->labels, sizeof s->labels, "%s", labels ? labels : "");
    s->value = value;
}

void monitor_alert(const char *text)
{
    size_t n = strlen(st.alert);
    snprintf(st.alert + n, sizeof st.alert - n, "%s%s", n ? "\n" : "", text);
}

static const char *usage_text =
    "monitoring (train, cv, predict, evaluate):\n"
    "  --metrics-file F.prom  Prometheus text metrics for node_exporter's textfile collector (atomic)\n"
    "  --pushgateway URL      push the same metrics to a Pushgateway (grouped by job and model)\n"
    "  --alert-webhook URL    Slack-style {\"text\"} alert on failure and major drift (env SHARDBOOST_WEBHOOK_URL)\n"
    "  --alert-on-success     also alert when the job succeeds\n"
    "drift (predict, evaluate; needs a model trained with a reference):\n"
    "  --no-drift             skip the drift report (predict writes DIR/_drift.json otherwise)\n"
    "  --drift-psi-moderate X PSI from which a feature drifts (default 0.1); --drift-psi-major X (0.25)\n"
    "  --drift-js X           Jensen-Shannon distance from which a feature drifts (default 0.1)\n"
    "  --drift-share X        share of drifting features from which the data set drifts (default 0.5)\n"
    "  --drift-out F.json     (evaluate) also write the drift report to F.json\n";

void monitor_end(run_ctx *run, int rc)
{
    if (!st.active || run_rank(run) != 0) goto done;
    if (opts.help) {
        if (rc == SB_OK) fputs(usage_text, stdout);
        goto done;
    }
    st.t_end = run_wtime();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    st.unix_now = (double)now.tv_sec + now.tv_nsec / 1e9;
    /* A context of its own: the job's error stays as it is for main to report. */
    run_ctx *d = run_detached(run);
    if (d != NULL) monitor_send_all(d, &opts, &st, rc, rc == SB_OK ? NULL : err_message(run));
    free(d);
done:
    free(st.samples);
    st.samples = NULL;
    st.n_samples = 0;
}
