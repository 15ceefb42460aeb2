/* monitor.h - monitoring around a batch job (train, cv, predict, evaluate):
 * the options every such job accepts, the metrics the job records while it
 * runs, and what happens when it ends:
 *   --metrics-file F.prom   Prometheus text for node_exporter's textfile
 *                           collector, written atomically (temp + rename)
 *   --pushgateway URL       the same metrics pushed (push-add: HTTP POST to
 *                           URL/metrics/job/<job>/model/<model>), so a failed
 *                           run, which pushes no success timestamp, keeps the
 *                           last success visible
 *   --alert-webhook URL     (or SHARDBOOST_WEBHOOK_URL) a Slack-shaped
 *                           {"text": ...} on failure, on major drift and, with
 *                           --alert-on-success, on success
 * Pushes and alerts are best effort: a gateway or webhook that is down is
 * logged (bounded retries, timeout) and never fails the job.
 * Drift options (predict, evaluate): --no-drift, --drift-psi-moderate X
 * (0.1), --drift-psi-major X (0.25), --drift-js X (0.1), --drift-share X
 * (0.5), evaluate's --drift-out FILE.json.
 * One job per process: the state is the process's own. */
#ifndef SB_MONITOR_H
#define SB_MONITOR_H

#include <stdint.h> /* for int64_t */

#include "io/model.h"
#include "jobs/monitor_send.h" /* for monitor_opts */
#include "base/run_ctx.h"

/* monitor_begin - for the jobs above, take the monitoring options out of
 * argv (shifting the rest; *argc shrinks) so the job never sees them, and
 * start the clock. argv[1] is the job's name. Local (every rank parses the
 * same argv, so every rank gets the same verdict). */
int monitor_begin(run_ctx *run, int *argc, char **argv);
const monitor_opts *monitor_options(void);

/* What the job tells: the model it used or wrote (name = file name without
 * directory and .json; version = the model file's "crc32" field, which
 * changes with any byte of the model), rows processed. Local. */
void monitor_note_model(run_ctx *run, const char *path, const sb_model *m);
void monitor_note_rows(int64_t rows);

/* monitor_gauge - record one sample (labels preformatted `k="v",...` with
 * escaped values, or ""). Local; copies its arguments. */
void monitor_gauge(const char *name, const char *help, const char *labels, double value);
/* monitor_alert - a line for the webhook (major drift); sent at the end. */
void monitor_alert(const char *text);

/* monitor_end - rank 0 writes the metrics file, pushes, posts alerts (rc:
 * the job's status; its error message goes into the failure alert); with
 * --help it appends the monitoring options to the job's usage. Problems are
 * logged as warnings on stderr and never change the job's outcome. Local,
 * no collectives (it also runs after a failure on one rank only). */
void monitor_end(run_ctx *run, int rc);

#endif
