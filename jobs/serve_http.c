/* serve_http.c - libmicrohttpd handlers for `serve` (see serve_http.h). */
#include "jobs/serve_http.h"

#include <arpa/inet.h>  /* for inet_pton, htons */
#include <jansson.h>    /* for log lines */
#include <microhttpd.h> /* for MHD_* */
#include <netinet/in.h> /* for sockaddr_in */
#include <stdarg.h>     /* for va_list */
#include <stdio.h>      /* for fprintf */
#include <stdlib.h>     /* for calloc, free, strtoll */
#include <string.h>     /* for strcmp */
#include <time.h>       /* for clock_gettime (log stamps), nanosleep */
#include <unistd.h>     /* for close */
#include <limits.h>     /* for PATH_MAX */

#include "base/timer.h"

/* One request's state between libmicrohttpd's calls. */
typedef struct {
    double t0; /* run_wtime() when the headers arrived */
    int route;
    char *body;
    size_t len, cap;
    int too_big;
} req_state;


static void stamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Emit a JSON log object (it takes ownership of o). */
static void log_json_line(json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (s) fprintf(stderr, "%s\n", s);
    free(s);
    json_decref(o);
}

void serve_log(const serve_ctx *c, const char *level, const char *fmt, ...)
{
    char msg[2048], ts[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    stamp(ts, sizeof ts);
    if (c->log_json) log_json_line(json_pack("{s:s,s:s,s:s}", "ts", ts, "level", level, "msg", msg));
    else fprintf(stderr, "%s serve: %s%s\n", ts, strcmp(level, "error") == 0 ? "error: " : "", msg);
}

static void log_request(const serve_ctx *c, struct MHD_Connection *conn, const req_state *r, int status,
                        int64_t rows, double secs, const char *err)
{
    if (!c->verbose && status < 400) return; /* errors always, every request at --verbose */
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[64] = "?", ts[40];
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, peer, sizeof peer);
    stamp(ts, sizeof ts);
    const char *route = serve_route_name(r->route);
    if (c->log_json)
        log_json_line(json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:f,s:s?}", "ts", ts, "level", status >= 500 ? "error" : "info",
                                "peer", peer, "route", route, "status", status, "rows", (json_int_t)rows, "ms", secs * 1e3,
                                "error", err));
    else
        fprintf(stderr, "%s serve: %s %s %d rows=%lld %.3f ms%s%s\n", ts, peer, route, status, (long long)rows,
                secs * 1e3, err ? " error: " : "", err ? err : "");
}

/* Queue body (malloc'd, taken) with status; count and log it. */
static enum MHD_Result answer(serve_ctx *c, struct MHD_Connection *conn, req_state *r, int status, const char *type,
                              char *body, size_t len, int64_t rows, const char *err)
{
    if (body == NULL) { /* out of memory building the answer */
        static const char oom[] = "{\"error\":\"out of memory\"}";
        status = 500;
        body = strdup(oom);
        len = sizeof oom - 1;
        type = "application/json";
        if (body == NULL) return MHD_NO;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == 405) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->route == ROUTE_PREDICT ? "POST" : "GET");
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    double secs = run_wtime() - r->t0;
    serve_metrics_observe(&c->metrics, r->route, status, secs, status == 200 ? rows : 0);
    log_request(c, conn, r, status, rows, secs, err);
    return ok;
}

static enum MHD_Result answer_error(serve_ctx *c, struct MHD_Connection *conn, req_state *r, int status,
                                    const char *msg)
{
    size_t len = 0;
    char *body = serve_error_json(msg, &len);
    return answer(c, conn, r, status, "application/json", body, len, 0, msg);
}

static enum MHD_Result answer_text(serve_ctx *c, struct MHD_Connection *conn, req_state *r, int status,
                                   const char *json)
{
    return answer(c, conn, r, status, "application/json", strdup(json), strlen(json), 0, NULL);
}

static enum MHD_Result answer_metrics(serve_ctx *c, struct MHD_Connection *conn, req_state *r)
{
    serve_model *m = serve_slot_acquire(&c->slot);
    char crc[16] = "", ref[PATH_MAX + 64] = "";
    serve_model_labels l = {0};
    if (m != NULL) {
        snprintf(crc, sizeof crc, "%08x", (unsigned)m->crc);
        model_ref_label(&m->ref, ref, sizeof ref);
        l = (serve_model_labels){m->name, m->version, crc, ref};
    }
    size_t len = 0;
    char *text = serve_metrics_render(&c->metrics, m ? &l : NULL, &len);
    serve_model_release(m);
    return answer(c, conn, r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, 0, NULL);
}

static enum MHD_Result answer_models(serve_ctx *c, struct MHD_Connection *conn, req_state *r)
{
    serve_model *m = serve_slot_acquire(&c->slot);
    size_t n = m ? strlen(m->info_json) : 0;
    char *body = malloc(n + 32);
    size_t len = body ? (size_t)sprintf(body, "{\"models\":[%s]}\n", m ? m->info_json : "") : 0;
    serve_model_release(m);
    return answer(c, conn, r, 200, "application/json", body, len, 0, NULL);
}

static enum MHD_Result answer_get(serve_ctx *c, struct MHD_Connection *conn, req_state *r, const char *method)
{
    if (r->route == ROUTE_OTHER) return answer_error(c, conn, r, 404, "no such route (POST /v1/predict; GET /v1/models, /healthz, /readyz, /metrics)");
    if (strcmp(method, "GET") != 0 || r->route == ROUTE_PREDICT)
        return answer_error(c, conn, r, 405, r->route == ROUTE_PREDICT ? "use POST" : "use GET");
    if (r->route == ROUTE_HEALTHZ) return answer_text(c, conn, r, 200, "{\"status\":\"ok\"}\n");
    if (r->route == ROUTE_READYZ) {
        serve_model *m = serve_slot_acquire(&c->slot);
        int ready = m != NULL && atomic_load(&c->ready);
        serve_model_release(m);
        return ready ? answer_text(c, conn, r, 200, "{\"status\":\"ready\"}\n")
                     : answer_error(c, conn, r, 503, "not ready (no model, or shutting down)");
    }
    if (r->route == ROUTE_MODELS) return answer_models(c, conn, r);
    return answer_metrics(c, conn, r);
}

static enum MHD_Result answer_predict(serve_ctx *c, struct MHD_Connection *conn, req_state *r)
{
    if (r->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "body larger than --max-body %lld bytes", (long long)c->max_body);
        return answer_error(c, conn, r, 413, msg);
    }
    int kind = serve_body_kind(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
    serve_model *m = serve_slot_acquire(&c->slot);
    if (m == NULL) return answer_error(c, conn, r, 503, "no model loaded");
    serve_batch b;
    enum MHD_Result ok;
    if (serve_parse(&m->schema, kind, r->body, r->len, c->max_rows, &b) != 0) {
        ok = answer_error(c, conn, r, b.status, b.err);
    } else {
        double *pred = malloc((size_t)(b.n_rows > 0 ? b.n_rows : 1) * sizeof *pred);
        size_t len = 0;
        char *body = NULL;
        if (pred != NULL) {
            serve_model_score(m, b.x, b.n_rows, pred);
            body = serve_answer(m->name, m->version, pred, b.n_rows, b.ids, &len);
        }
        ok = answer(c, conn, r, 200, "application/json", body, len, b.n_rows, NULL);
        free(pred);
    }
    serve_batch_free(&b);
    serve_model_release(m); /* a reload meanwhile frees the old model here */
    return ok;
}

/* Append an upload chunk; past max_body the rest is read and dropped (413 at the end). */
static void take_upload(serve_ctx *c, req_state *r, const char *data, size_t n)
{
    if (r->too_big) return;
    if ((int64_t)(r->len + n) > c->max_body) {
        r->too_big = 1;
        free(r->body);
        r->body = NULL;
        r->len = r->cap = 0;
        return;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n + 1) cap *= 2;
        char *g = realloc(r->body, cap);
        if (g == NULL) {
            r->too_big = 1; /* refuse rather than crash */
            return;
        }
        r->body = g;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    serve_ctx *c = cls;
    req_state *r = *con_cls;
    if (r == NULL) { /* headers are in; the body (if any) comes in later calls */
        if ((r = calloc(1, sizeof *r)) == NULL) return MHD_NO;
        r->t0 = run_wtime();
        r->route = serve_route_of(url);
        atomic_fetch_add(&c->metrics.in_flight, 1);
        *con_cls = r;
        if (r->route != ROUTE_PREDICT || strcmp(method, "POST") != 0) return answer_get(c, conn, r, method);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL && strtoll(cl, NULL, 10) > c->max_body) {
            r->too_big = 1;
            return answer_predict(c, conn, r); /* before reading a byte of it */
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        take_upload(c, r, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return answer_predict(c, conn, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    serve_ctx *c = cls;
    req_state *r = *con_cls;
    if (r == NULL) return;
    free(r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&c->metrics.in_flight, 1);
}

struct MHD_Daemon *serve_http_start(serve_ctx *c, const serve_listen *l, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)l->port);
    if (inet_pton(AF_INET, l->bind, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "--bind '%s': not an IPv4 address", l->bind);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_TURBO |
                     (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_POLL);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)l->port, NULL, NULL, on_request, c, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, l->threads, MHD_OPTION_CONNECTION_LIMIT, l->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, l->timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, c,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (d == NULL) snprintf(err, errlen, "cannot listen on %s:%d (port in use? bad address?)", l->bind, l->port);
    return d;
}

int serve_http_port(struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? (int)i->port : -1;
}

void serve_http_stop(serve_ctx *c, struct MHD_Daemon *d, double drain_s)
{
    atomic_store(&c->ready, 0);
    MHD_socket s = MHD_quiesce_daemon(d); /* no new connections; open ones go on */
    if (s != MHD_INVALID_SOCKET) close(s);
    struct timespec nap = {0, 10 * 1000 * 1000};
    double t0 = run_wtime();
    while (atomic_load(&c->metrics.in_flight) > 0 && run_wtime() - t0 < drain_s) nanosleep(&nap, NULL);
    MHD_stop_daemon(d);
}
