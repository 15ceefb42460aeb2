/* monitor_send.h - the end of a monitored job (jobs/monitor.h): the standard
 * batch-job metrics plus the job's own samples, written to the metrics file,
 * pushed to the Pushgateway, and the webhook alert. Rank 0 only. */
#ifndef SB_MONITOR_SEND_H
#define SB_MONITOR_SEND_H

#include <stdint.h> /* for int64_t */

#include <stddef.h> /* for size_t */

#include "base/run_ctx.h"

/* The monitoring options (jobs/monitor.h lists them). */
typedef struct {
    const char *metrics_file, *pushgateway, *webhook, *drift_out;
    int alert_on_success, no_drift, help;
    double psi_moderate, psi_major, js, share;
    long http_timeout_ms;
    int http_retries;
} monitor_opts;

typedef struct {
    char name[96], help[192], labels[512];
    double value;
} monitor_sample;

typedef struct {
    int active;
    char job[32], model[256], version[16];
    int64_t rows;
    double t_start, t_end, unix_now;
    monitor_sample *samples;
    int n_samples;
    char alert[4096]; /* lines for the webhook (drift) */
} monitor_state;

/* monitor_send_all - everything the options ask for; errors are warnings on
 * stderr. err: the job's error message, or NULL on success. Local. */
void monitor_send_all(run_ctx *run, const monitor_opts *o, const monitor_state *st, int rc, const char *err);

/* monitor_group_url - URL/metrics/job/<job>[/model/<model>] (a model name
 * other than [A-Za-z0-9._-] goes base64url-encoded, model@base64/...). Local. */
void monitor_group_url(const char *base, const char *job, const char *model, char *out, size_t len);

#endif
