/* serve_metrics.h - what `serve` counts, and GET /metrics in the Prometheus
 * text exposition format 0.0.4 (checked by `promtool check metrics` in the
 * tests). Counters are lock-free atomics bumped by the request threads;
 * rendering reads them without stopping anyone (each value is consistent on
 * its own, which is all Prometheus asks of a scrape). */
#ifndef SB_SERVE_METRICS_H
#define SB_SERVE_METRICS_H

#include <stdatomic.h> /* for atomic_* */
#include <stddef.h>    /* for size_t */
#include <stdint.h>    /* for uint64_t */

enum { ROUTE_PREDICT, ROUTE_MODELS, ROUTE_HEALTHZ, ROUTE_READYZ, ROUTE_METRICS, ROUTE_OTHER, SERVE_N_ROUTES };
#define SERVE_N_CODES 10  /* 200 400 404 405 408 413 415 500 503, other */
#define SERVE_N_BUCKETS 14 /* latency histogram upper bounds, seconds, plus +Inf */

typedef struct {
    atomic_uint_fast64_t requests[SERVE_N_ROUTES][SERVE_N_CODES];
    atomic_uint_fast64_t bucket[SERVE_N_ROUTES][SERVE_N_BUCKETS + 1]; /* not cumulative */
    atomic_uint_fast64_t sum_ns[SERVE_N_ROUTES];
    atomic_uint_fast64_t rows;
    atomic_uint_fast64_t reload_ok, reload_failed;
    atomic_int_fast64_t in_flight;
    atomic_int last_reload_failed; /* 1 while the newest version could not be loaded */
    double start_time;             /* Unix seconds */
} serve_metrics;

/* The model identity shown as shardboost_model_info{...} 1. */
typedef struct {
    const char *name, *version, *checksum, *ref;
} serve_model_labels;

void serve_metrics_init(serve_metrics *m);
/* Route index of a URL path. */
int serve_route_of(const char *url);
const char *serve_route_name(int route);
/* serve_metrics_observe - one answered request. Thread-safe. */
void serve_metrics_observe(serve_metrics *m, int route, int status, double seconds, int64_t rows);
/* serve_metrics_render - the exposition text (malloc'd, *len bytes); NULL
 * out of memory. labels may be NULL (no model loaded). Thread-safe. */
char *serve_metrics_render(serve_metrics *m, const serve_model_labels *labels, size_t *len);

#endif
