/* serve_job.c - `shardboost serve`: options, start-up, reload, shutdown.
 *
 * One process, no MPI (main runs it with run_init_local): the main thread
 * loads models and watches signals and the registry; libmicrohttpd's pool
 * threads answer requests (jobs/serve_http.c). Reload (SIGHUP, or the
 * served stage / @latest moving, polled every --poll seconds) loads the new
 * version completely on the main thread and swaps it in; a version that
 * fails to load or validate is refused, logged and counted, and the old one
 * keeps serving. SIGTERM / SIGINT: /readyz turns 503, no new connections,
 * requests in flight finish (up to --drain seconds), exit 0. */
#include <signal.h>   /* for sigaction */
#include <stdio.h>    /* for fopen, snprintf */
#include <stdlib.h>   /* for strtoll */
#include <string.h>   /* for strcmp */
#include <time.h>     /* for nanosleep */
#include <unistd.h>   /* for getpid */
#include <limits.h>   /* for PATH_MAX */

#include "jobs/jobs.h"
#include "jobs/serve_http.h"
#include "base/error.h"
#include "base/timer.h"

static const char *usage_text =
    "usage: shardboost serve --model MODEL|REG/NAME@REF [options]   (no mpirun needed)\n"
    "  POST /v1/predict  {\"rows\": [{feature: value, ..., id: value}, ...]} or a bare array, or text/csv\n"
    "                    -> {\"model\", \"version\", \"predictions\": [...], \"ids\": [...]} in input order\n"
    "  GET /v1/models, /healthz, /readyz, /metrics (Prometheus text format 0.0.4)\n"
    "options:\n"
    "  --bind ADDR          IPv4 address to listen on (default 127.0.0.1)\n"
    "  --port N             TCP port (default 8080; 0: any free port, see --port-file)\n"
    "  --port-file PATH     write the bound port there once listening\n"
    "  --threads N          worker threads (default 2)\n"
    "  --max-body BYTES     larger request bodies get 413 (default 16777216)\n"
    "  --max-rows N         more rows per request get 413 (default 100000)\n"
    "  --max-connections N  concurrent connections (default 256)\n"
    "  --timeout S          close a connection idle for S seconds (default 10)\n"
    "  --poll S             check the served stage / @latest every S seconds, reload when it moved\n"
    "                       (default 2; 0: only on SIGHUP)\n"
    "  --drain S            on SIGTERM wait at most S seconds for requests in flight (default 10)\n"
    "  --verbose            one log line per request (errors are always logged)\n"
    "  --log-json           log lines as JSON objects\n"
    "signals: SIGHUP reloads the model; SIGTERM / SIGINT stop gracefully (exit 0).\n";

typedef struct {
    const char *model, *port_file;
    serve_listen listen;
    int64_t max_body, max_rows;
    double poll_s, drain_s;
    int verbose, log_json, help;
} serve_opts;

static volatile sig_atomic_t stop_flag, hup_flag;
static void on_stop(int sig) { (void)sig, stop_flag = 1; }
static void on_hup(int sig) { (void)sig, hup_flag = 1; }

static int parse_num(run_ctx *run, const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end = NULL;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || !(x >= lo && x <= hi))
        return SB_FAIL(run, SB_EINVAL, "serve: %s '%s': must be a number in [%g, %g]", opt, v, lo, hi);
    *out = x;
    return SB_OK;
}

static int parse_opts(run_ctx *run, int argc, char **argv, serve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = (serve_listen){"127.0.0.1", 8080, 2, 256, 10};
    o->max_body = 16 << 20;
    o->max_rows = 100000;
    o->poll_s = 2;
    o->drain_s = 10;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { o->help = 1; continue; }
        if (!strcmp(a, "--verbose")) { o->verbose = 1; continue; }
        if (!strcmp(a, "--log-json")) { o->log_json = 1; continue; }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) { o->verbose = 0; continue; }
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "serve: option %s needs a value", a);
        ++i;
        if (!strcmp(a, "--model")) o->model = v;
        else if (!strcmp(a, "--bind")) o->listen.bind = v;
        else if (!strcmp(a, "--port-file")) o->port_file = v;
        else if (!strcmp(a, "--port")) { SB_TRY(run, parse_num(run, a, v, 0, 65535, &x)); o->listen.port = (int)x; }
        else if (!strcmp(a, "--threads")) { SB_TRY(run, parse_num(run, a, v, 1, 256, &x)); o->listen.threads = (unsigned)x; }
        else if (!strcmp(a, "--max-body")) { SB_TRY(run, parse_num(run, a, v, 1, 1 << 30, &x)); o->max_body = (int64_t)x; }
        else if (!strcmp(a, "--max-rows")) { SB_TRY(run, parse_num(run, a, v, 1, 1e8, &x)); o->max_rows = (int64_t)x; }
        else if (!strcmp(a, "--max-connections")) { SB_TRY(run, parse_num(run, a, v, 1, 65536, &x)); o->listen.max_connections = (unsigned)x; }
        else if (!strcmp(a, "--timeout")) { SB_TRY(run, parse_num(run, a, v, 1, 3600, &x)); o->listen.timeout_s = (unsigned)x; }
        else if (!strcmp(a, "--poll")) SB_TRY(run, parse_num(run, a, v, 0, 86400, &o->poll_s));
        else if (!strcmp(a, "--drain")) SB_TRY(run, parse_num(run, a, v, 0, 3600, &o->drain_s));
        else return SB_FAIL(run, SB_EINVAL, "serve: unknown option '%s' (see shardboost serve --help)", a);
    }
    if (!o->help && o->model == NULL) return SB_FAIL(run, SB_EINVAL, "serve: --model is required");
    return SB_OK;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL); /* a client that hangs up is not a reason to die */
}

static int write_port_file(run_ctx *run, const char *path, int port)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) return SB_FAIL(run, SB_EIO, "serve: --port-file %s: cannot write", path);
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0) return SB_FAIL(run, SB_EIO, "serve: --port-file %s: write failed", path);
    return SB_OK;
}

/* What the watcher remembers between looks. */
typedef struct {
    int32_t failed_version; /* a version that failed to load: not retried until the stage moves */
    uint32_t failed_crc;
    int resolve_failing;    /* the reference itself does not resolve (logged once) */
} serve_watch;

/* Should a poll load something? Only when the reference now names another version. */
static int stage_moved(run_ctx *run, serve_ctx *c, const serve_opts *o, serve_watch *w)
{
    model_ref r;
    if (model_ref_resolve(run, o->model, &r) != SB_OK) {
        if (!w->resolve_failing) serve_log(c, "error", "cannot resolve %s (keeping the served model): %s", o->model, err_message(run));
        w->resolve_failing = 1;
        err_clear(run);
        return 0;
    }
    w->resolve_failing = 0;
    serve_model *m = serve_slot_acquire(&c->slot);
    int moved = m == NULL || m->ref.version != r.version;
    serve_model_release(m);
    return moved && r.version != w->failed_version;
}

static void reload(run_ctx *run, serve_ctx *c, const serve_opts *o, serve_watch *w, const char *why)
{
    serve_model *m = NULL, *old = serve_slot_acquire(&c->slot);
    char was[PATH_MAX + 64] = "none", now[PATH_MAX + 64];
    if (old != NULL) model_ref_label(&old->ref, was, sizeof was);
    serve_model_release(old);
    if (serve_model_load(run, o->model, &m) != SB_OK) {
        model_ref r;
        if (model_ref_resolve(run, o->model, &r) == SB_OK) w->failed_version = r.version;
        serve_log(c, "error", "reload (%s) refused, still serving %s: %s", why, was, err_message(run));
        err_clear(run);
        atomic_fetch_add(&c->metrics.reload_failed, 1);
        atomic_store(&c->metrics.last_reload_failed, 1);
        return;
    }
    model_ref_label(&m->ref, now, sizeof now);
    serve_slot_swap(&c->slot, m);
    w->failed_version = 0;
    atomic_fetch_add(&c->metrics.reload_ok, 1);
    atomic_store(&c->metrics.last_reload_failed, 0);
    serve_log(c, "info", "reload (%s): now serving %s (was %s), crc32 %08x", why, now, was, (unsigned)m->crc);
}

/* The main thread's loop: signals and the registry, until SIGTERM/SIGINT. */
static void watch(run_ctx *run, serve_ctx *c, const serve_opts *o)
{
    model_ref r;
    char err[PATH_MAX + 128];
    int pollable = model_ref_parse(o->model, &r, err, sizeof err) == 0 && (r.kind == REF_STAGE || r.kind == REF_LATEST);
    serve_watch w = {0, 0, 0};
    double next = run_wtime() + o->poll_s;
    struct timespec nap = {0, 50 * 1000 * 1000};
    while (!stop_flag) {
        nanosleep(&nap, NULL);
        if (hup_flag) {
            hup_flag = 0;
            reload(run, c, o, &w, "SIGHUP");
        }
        if (pollable && o->poll_s > 0 && run_wtime() >= next) {
            next = run_wtime() + o->poll_s;
            if (stage_moved(run, c, o, &w)) reload(run, c, o, &w, "stage moved");
        }
    }
}

static int serve_run(run_ctx *run, serve_ctx *c, const serve_opts *o)
{
    serve_model *m = NULL;
    SB_TRY(run, serve_model_load(run, o->model, &m));
    serve_slot_init(&c->slot, m);
    char err[256], label[PATH_MAX + 64];
    int port = 0, rc = SB_OK;
    struct MHD_Daemon *d = serve_http_start(c, &o->listen, err, sizeof err);
    if (d == NULL) SB_RAISE(run, SB_EIO, "serve: %s", err);
    port = serve_http_port(d);
    if (o->port_file != NULL) SB_CHECK(run, write_port_file(run, o->port_file, port));
    atomic_store(&c->ready, 1);
    model_ref_label(&m->ref, label, sizeof label);
    serve_log(c, "info", "serving %s (crc32 %08x, %d trees) on http://%s:%d with %u threads", label, (unsigned)m->crc,
              (int)m->m.n_trees, o->listen.bind, port, o->listen.threads);
    watch(run, c, o);
    serve_log(c, "info", "stopping: draining requests in flight");
out:
    if (d != NULL) serve_http_stop(c, d, o->drain_s);
    serve_slot_destroy(&c->slot);
    if (rc == SB_OK) serve_log(c, "info", "stopped");
    return rc;
}

int serve_main(run_ctx *run, int argc, char **argv)
{
    serve_opts o;
    SB_TRY(run, parse_opts(run, argc, argv, &o));
    if (o.help) {
        fputs(usage_text, stdout);
        return SB_OK;
    }
    static serve_ctx c; /* the handlers' shared state lives as long as the process */
    serve_metrics_init(&c.metrics);
    c.max_body = o.max_body;
    c.max_rows = o.max_rows;
    c.verbose = o.verbose;
    c.log_json = o.log_json;
    atomic_init(&c.ready, 0);
    catch_signals();
    return serve_run(run, &c, &o);
}
