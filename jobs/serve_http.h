/* serve_http.h - the HTTP side of `serve` on libmicrohttpd (its internal
 * thread pool: --threads workers, each with its own epoll loop).
 *
 * Routes: POST /v1/predict (jobs/serve_request.h), GET /v1/models, /healthz,
 * /readyz (503 while starting or draining), /metrics (jobs/serve_metrics.h).
 * Bodies are buffered up to max_body bytes (413 beyond, decided from
 * Content-Length before reading when the client sends one); at most
 * max_rows rows per request (413). Every answer is JSON with a status
 * code; errors are {"error": "..."} naming the row and field. */
#ifndef SB_SERVE_HTTP_H
#define SB_SERVE_HTTP_H

#include <stdatomic.h> /* for atomic_int */
#include <stddef.h>    /* for size_t */
#include <stdint.h>    /* for int64_t */

#include "jobs/serve_metrics.h"
#include "jobs/serve_model.h"

typedef struct {
    serve_slot slot;
    serve_metrics metrics;
    int64_t max_body, max_rows;
    int verbose, log_json;
    atomic_int ready; /* 0 while draining for shutdown */
} serve_ctx;

typedef struct {
    const char *bind; /* IPv4 address, e.g. 127.0.0.1 */
    int port;         /* 0: any free port */
    unsigned threads, max_connections, timeout_s;
} serve_listen;

struct MHD_Daemon;

/* serve_http_start - start listening; NULL with a message in err on failure. */
struct MHD_Daemon *serve_http_start(serve_ctx *c, const serve_listen *l, char *err, size_t errlen);
/* The port actually bound (for --port 0). */
int serve_http_port(struct MHD_Daemon *d);
/* serve_http_stop - stop accepting, let requests in flight finish (at most
 * drain_s seconds), then stop the threads. */
void serve_http_stop(serve_ctx *c, struct MHD_Daemon *d, double drain_s);

/* serve_log - one log line on stderr ("serve: ..." or a JSON object with
 * --log-json). level: "info", "error". Thread-safe. */
void serve_log(const serve_ctx *c, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
