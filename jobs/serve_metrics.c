/* serve_metrics.c - request counters, latency histogram, process metrics. */
#include "jobs/serve_metrics.h"

#include <dirent.h>       /* for opendir (open fds) */
#include <stdarg.h>       /* for va_list */
#include <stdio.h>        /* for vsnprintf, fopen */
#include <stdlib.h>       /* for malloc, realloc */
#include <string.h>       /* for strcmp */
#include <sys/resource.h> /* for getrlimit */
#include <time.h>         /* for clock_gettime */
#include <unistd.h>       /* for sysconf */

static const int codes[SERVE_N_CODES - 1] = {200, 400, 404, 405, 408, 413, 415, 500, 503};
static const char *const bounds[SERVE_N_BUCKETS] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
                                                    "0.025",  "0.05",    "0.1",    "0.25",  "0.5",    "1",    "2.5"};
static const double bound_s[SERVE_N_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
static const char *const routes[SERVE_N_ROUTES] = {"/v1/predict", "/v1/models", "/healthz", "/readyz", "/metrics", "other"};

void serve_metrics_init(serve_metrics *m)
{
    memset(m, 0, sizeof *m); /* all-zero bits are zero atomics on every platform we build for */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    m->start_time = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int serve_route_of(const char *url)
{
    for (int r = 0; r < ROUTE_OTHER; ++r)
        if (strcmp(url, routes[r]) == 0) return r;
    return ROUTE_OTHER;
}

const char *serve_route_name(int route) { return routes[route]; }

void serve_metrics_observe(serve_metrics *m, int route, int status, double seconds, int64_t rows)
{
    int c = SERVE_N_CODES - 1;
    for (int i = 0; i < SERVE_N_CODES - 1; ++i)
        if (codes[i] == status) c = i;
    int b = SERVE_N_BUCKETS;
    for (int i = SERVE_N_BUCKETS - 1; i >= 0 && seconds <= bound_s[i]; --i) b = i;
    atomic_fetch_add_explicit(&m->requests[route][c], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bucket[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns[route], (uint_fast64_t)(seconds * 1e9), memory_order_relaxed);
    if (rows > 0) atomic_fetch_add_explicit(&m->rows, (uint_fast64_t)rows, memory_order_relaxed);
}

/* ---- text ---- */

typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} text;

__attribute__((format(printf, 2, 3))) static void put(text *t, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !t->oom; ++tries) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            t->oom = 1;
            return;
        }
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        size_t cap = 2 * t->cap + (size_t)k + 1;
        char *g = realloc(t->p, cap);
        if (g == NULL) t->oom = 1;
        else t->p = g, t->cap = cap;
    }
}

/* A label value with \ " and newline escaped, as the format requires. */
static void put_label(text *t, const char *s)
{
    for (; s && *s; ++s) {
        if (*s == '\\') put(t, "\\\\");
        else if (*s == '"') put(t, "\\\"");
        else if (*s == '\n') put(t, "\\n");
        else put(t, "%c", *s);
    }
}

static void render_requests(text *t, serve_metrics *m)
{
    put(t, "# HELP shardboost_http_requests_total HTTP requests answered, by route and status code.\n"
           "# TYPE shardboost_http_requests_total counter\n");
    for (int r = 0; r < SERVE_N_ROUTES; ++r)
        for (int c = 0; c < SERVE_N_CODES; ++c) {
            uint64_t v = atomic_load(&m->requests[r][c]);
            if (v == 0 && !(r == ROUTE_PREDICT && c == 0)) continue;
            if (c < SERVE_N_CODES - 1) put(t, "shardboost_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n", routes[r], codes[c], (unsigned long long)v);
            else put(t, "shardboost_http_requests_total{route=\"%s\",code=\"other\"} %llu\n", routes[r], (unsigned long long)v);
        }
}

static void render_latency(text *t, serve_metrics *m)
{
    put(t, "# HELP shardboost_http_request_duration_seconds Time from a request's arrival to its answer.\n"
           "# TYPE shardboost_http_request_duration_seconds histogram\n");
    for (int r = 0; r < SERVE_N_ROUTES; ++r) {
        uint64_t cum = 0, tot = 0;
        for (int b = 0; b <= SERVE_N_BUCKETS; ++b) tot += atomic_load(&m->bucket[r][b]);
        if (tot == 0 && r != ROUTE_PREDICT) continue;
        for (int b = 0; b < SERVE_N_BUCKETS; ++b) {
            cum += atomic_load(&m->bucket[r][b]);
            put(t, "shardboost_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"} %llu\n", routes[r],
                bounds[b], (unsigned long long)(cum < tot ? cum : tot));
        }
        put(t, "shardboost_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", routes[r], (unsigned long long)tot);
        put(t, "shardboost_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n", routes[r], (double)atomic_load(&m->sum_ns[r]) * 1e-9);
        put(t, "shardboost_http_request_duration_seconds_count{route=\"%s\"} %llu\n", routes[r], (unsigned long long)tot);
    }
}

static void render_model(text *t, serve_metrics *m, const serve_model_labels *l)
{
    put(t, "# HELP shardboost_rows_scored_total Rows scored by POST /v1/predict.\n"
           "# TYPE shardboost_rows_scored_total counter\nshardboost_rows_scored_total %llu\n",
        (unsigned long long)atomic_load(&m->rows));
    put(t, "# HELP shardboost_http_requests_in_flight Requests being answered now.\n"
           "# TYPE shardboost_http_requests_in_flight gauge\nshardboost_http_requests_in_flight %lld\n",
        (long long)atomic_load(&m->in_flight));
    put(t, "# HELP shardboost_model_reloads_total Model reloads (SIGHUP or a moved stage), by result.\n"
           "# TYPE shardboost_model_reloads_total counter\n"
           "shardboost_model_reloads_total{result=\"ok\"} %llu\nshardboost_model_reloads_total{result=\"failed\"} %llu\n",
        (unsigned long long)atomic_load(&m->reload_ok), (unsigned long long)atomic_load(&m->reload_failed));
    put(t, "# HELP shardboost_model_reload_failing 1 while the newest version could not be loaded (the old one serves).\n"
           "# TYPE shardboost_model_reload_failing gauge\nshardboost_model_reload_failing %d\n",
        atomic_load(&m->last_reload_failed));
    if (l == NULL) return;
    put(t, "# HELP shardboost_model_info The model being served.\n# TYPE shardboost_model_info gauge\n"
           "shardboost_model_info{name=\"");
    put_label(t, l->name);
    put(t, "\",version=\"");
    put_label(t, l->version);
    put(t, "\",checksum=\"");
    put_label(t, l->checksum);
    put(t, "\",ref=\"");
    put_label(t, l->ref);
    put(t, "\"} 1\n");
}

/* process_* as the Prometheus client libraries name them, from /proc. */
static void render_process(text *t, serve_metrics *m)
{
    unsigned long utime = 0, stime = 0, vsize = 0;
    long rss = 0;
    FILE *f = fopen("/proc/self/stat", "r");
    if (f != NULL) {
        /* fields 14, 15 (utime, stime), 23 (vsize), 24 (rss pages); field 2 has no spaces for us */
        if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %lu %ld",
                   &utime, &stime, &vsize, &rss) != 4) {
            utime = stime = vsize = 0;
            rss = 0;
        }
        fclose(f);
    }
    double tick = (double)sysconf(_SC_CLK_TCK);
    int fds = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) fds += e->d_name[0] != '.';
    if (d) closedir(d);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    put(t, "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
           "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.2f\n",
        (double)(utime + stime) / (tick > 0 ? tick : 100));
    put(t, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
           "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
        rss * sysconf(_SC_PAGESIZE));
    put(t, "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
           "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes %lu\n", vsize);
    put(t, "# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds %d\n",
        fds - 1); /* less the one opendir held */
    put(t, "# HELP process_max_fds Maximum number of open file descriptors.\n# TYPE process_max_fds gauge\nprocess_max_fds %llu\n",
        (unsigned long long)rl.rlim_cur);
    put(t, "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
           "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.3f\n", m->start_time);
}

char *serve_metrics_render(serve_metrics *m, const serve_model_labels *labels, size_t *len)
{
    text t = {malloc(8192), 0, 8192, 0};
    if (t.p == NULL) return NULL;
    render_requests(&t, m);
    render_latency(&t, m);
    render_model(&t, m, labels);
    render_process(&t, m);
    if (t.oom) {
        free(t.p);
        return NULL;
    }
    *len = t.n;
    return t.p;
}
