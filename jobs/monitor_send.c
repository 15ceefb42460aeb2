/* monitor_send.c - metrics file, Pushgateway push-add and webhook alert at
 * the end of a job (jobs/monitor_send.h). */
#include "jobs/monitor_send.h"

#include <jansson.h>
#include <stdio.h>  /* for snprintf, fprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strlen, strspn */
#include <unistd.h> /* for gethostname */

#include "io/http_post.h"
#include "io/prom_text.h"
#include "base/error.h"

static void warn(const char *what, const char *why)
{
    fprintf(stderr, "shardboost: warning: %s: %s (the job's result is not affected)\n", what, why);
}

/* The samples every batch job has, then the job's own. */
static int all_samples(const monitor_state *st, int rc, prom_sample *s)
{
    const double dt = st->t_end - st->t_start;
    int n = 0;
    s[n++] = (prom_sample){"shardboost_job_duration_seconds", "Wall time of the last run of the job.", "", dt};
    if (rc == SB_OK)
        s[n++] = (prom_sample){"shardboost_job_last_success_timestamp_seconds",
                               "Unix time the job last finished successfully.", "", st->unix_now};
    else
        s[n++] = (prom_sample){"shardboost_job_last_failure_timestamp_seconds", "Unix time the job last failed.", "",
                               st->unix_now};
    s[n++] = (prom_sample){"shardboost_job_success", "1 if the last run of the job succeeded, else 0.", "",
                           rc == SB_OK ? 1.0 : 0.0};
    if (rc == SB_OK && st->rows > 0) {
        s[n++] = (prom_sample){"shardboost_job_rows", "Rows the last run processed.", "", (double)st->rows};
        s[n++] = (prom_sample){"shardboost_job_rows_per_second", "Rows per second of the last run, end to end.", "",
                               dt > 0 ? (double)st->rows / dt : 0.0};
    }
    for (int i = 0; i < st->n_samples; ++i)
        s[n++] = (prom_sample){st->samples[i].name, st->samples[i].help, st->samples[i].labels, st->samples[i].value};
    return n;
}

/* job="..",model="..",model_version=".." (what is known), escaped. */
static void common_labels(const monitor_state *st, char *out, size_t len)
{
    char m[512], v[64];
    prom_escape(m, sizeof m, st->model);
    prom_escape(v, sizeof v, st->version);
    int k = snprintf(out, len, "job=\"%s\"", st->job);
    if (st->model[0] && k < (int)len) k += snprintf(out + k, len - (size_t)k, ",model=\"%s\"", m);
    if (st->version[0] && k < (int)len) snprintf(out + k, len - (size_t)k, ",model_version=\"%s\"", v);
}

static void base64url(const char *in, char *out, size_t len)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(in), k = 0;
    for (size_t i = 0; i < n && k + 5 < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)in[i + 2] : 0);
        out[k++] = a[v >> 18 & 63];
        out[k++] = a[v >> 12 & 63];
        out[k++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        out[k++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[k] = '\0';
}

void monitor_group_url(const char *base, const char *job, const char *model, char *out, size_t len)
{
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') --bl; /* URL/ and URL are one gateway */
    int k = snprintf(out, len, "%.*s/metrics/job/%s", (int)bl, base, job);
    if (!model[0] || k >= (int)len) return;
    const char *safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    if (strspn(model, safe) == strlen(model)) snprintf(out + k, len - (size_t)k, "/model/%s", model);
    else {
        char b[1024];
        base64url(model, b, sizeof b);
        snprintf(out + k, len - (size_t)k, "/model@base64/%s", b);
    }
}

static void push(run_ctx *run, const monitor_opts *o, const monitor_state *st, const prom_sample *s, int n)
{
    char *text = NULL, url[2048], err[512];
    size_t len = 0;
    long status = 0;
    if (prom_text_format(run, s, n, "", &text, &len) != SB_OK) {
        warn("pushgateway", err_message(run));
        err_clear(run);
        return;
    }
    monitor_group_url(o->pushgateway, st->job, st->model, url, sizeof url);
    http_policy pol = {o->http_timeout_ms, o->http_retries, 200};
    if (http_post(url, "text/plain; version=0.0.4", text, len, &pol, &status, err, sizeof err) != 0) {
        char what[2100];
        snprintf(what, sizeof what, "push to %s failed", url);
        warn(what, err);
    }
    free(text);
}

static void write_file(run_ctx *run, const monitor_opts *o, const monitor_state *st, const prom_sample *s, int n)
{
    char *text = NULL, common[1024];
    size_t len = 0;
    common_labels(st, common, sizeof common);
    if (prom_text_format(run, s, n, common, &text, &len) != SB_OK ||
        prom_text_write(run, o->metrics_file, text, len) != SB_OK) {
        warn("--metrics-file", err_message(run));
        err_clear(run);
    }
    free(text);
}

/* The alert's text, or "" when nothing is to be said. */
static void alert_text(const monitor_opts *o, const monitor_state *st, int rc, const char *err, char *out, size_t len)
{
    char host[128] = "?", model[400] = "";
    gethostname(host, sizeof host - 1);
    if (st->model[0])
        snprintf(model, sizeof model, " (model %s%s%s)", st->model, st->version[0] ? " " : "", st->version);
    out[0] = '\0';
    if (rc != SB_OK)
        snprintf(out, len, ":x: shardboost %s%s FAILED on %s after %.1fs: %s", st->job, model, host,
                 st->t_end - st->t_start, err && *err ? err : "(no message)");
    else if (o->alert_on_success)
        snprintf(out, len, ":white_check_mark: shardboost %s%s succeeded on %s: %lld rows in %.1fs", st->job, model,
                 host, (long long)st->rows, st->t_end - st->t_start);
    else if (st->alert[0]) snprintf(out, len, ":warning: shardboost %s%s on %s: major drift", st->job, model, host);
    size_t k = strlen(out);
    if (k && st->alert[0]) snprintf(out + k, len - k, "\n%s", st->alert);
}

static void webhook(const monitor_opts *o, const monitor_state *st, int rc, const char *err)
{
    char text[8192], why[512];
    long status = 0;
    alert_text(o, st, rc, err, text, sizeof text);
    if (!text[0]) return;
    json_t *j = json_pack("{s:s}", "text", text);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    http_policy pol = {o->http_timeout_ms, o->http_retries, 200};
    if (body == NULL) warn("--alert-webhook", "the alert could not be encoded as JSON (not UTF-8?)");
    else if (http_post(o->webhook, "application/json", body, strlen(body), &pol, &status, why, sizeof why) != 0)
        warn("--alert-webhook", why);
    free(body);
    json_decref(j);
}

void monitor_send_all(run_ctx *run, const monitor_opts *o, const monitor_state *st, int rc, const char *err)
{
    prom_sample *s = calloc((size_t)st->n_samples + 8, sizeof *s);
    if (s == NULL) {
        warn("monitoring", "out of memory");
        return;
    }
    int n = all_samples(st, rc, s);
    if (o->metrics_file) write_file(run, o, st, s, n);
    if (o->pushgateway) push(run, o, st, s, n);
    if (o->webhook) webhook(o, st, rc, err);
    free(s);
}
