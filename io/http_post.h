/* http_post.h - one HTTP POST through libcurl with a timeout and bounded
 * retries, for the Pushgateway and chat webhooks. Never blocks longer than
 * (retries + 1) * timeout plus the pauses between tries. */
#ifndef SB_HTTP_POST_H
#define SB_HTTP_POST_H

#include <stddef.h> /* for size_t */

typedef struct {
    long timeout_ms; /* per try, connect included */
    int retries;     /* tries after the first (on connection errors and 5xx) */
    long pause_ms;   /* before a retry, doubled each time */
} http_policy;

/* http_post - POST body (len bytes, content_type) to url. Returns 0 when the
 * server answered 2xx, else -1 with a reason in err ("connection refused",
 * "HTTP 400: <first line of the answer>"). *status gets the last HTTP status
 * (0: no answer). Local, no run context: callers decide whether it matters. */
int http_post(const char *url, const char *content_type, const char *body, size_t len, const http_policy *pol,
              long *status, char *err, size_t errlen);

#endif
