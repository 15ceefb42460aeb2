/* http_post.c - POST with libcurl: timeout, bounded retries (io/http_post.h). */
#include "io/http_post.h"

#include <curl/curl.h>
#include <stdio.h>  /* for snprintf */
#include <string.h> /* for memcpy */
#include <time.h>   /* for nanosleep */

/* The start of the server's answer, for the error message. */
typedef struct {
    char text[256];
    size_t len;
} answer;

static size_t keep_answer(char *p, size_t size, size_t n, void *ctx)
{
    answer *a = ctx;
    size_t k = size * n, room = sizeof a->text - 1 - a->len;
    memcpy(a->text + a->len, p, k < room ? k : room);
    a->len += k < room ? k : room;
    a->text[a->len] = '\0';
    return size * n;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One try: 0 on 2xx; 1 when worth retrying (no answer, 5xx); -1 otherwise. */
static int try_once(CURL *c, long *status, char *err, size_t errlen)
{
    answer a = {{0}, 0};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    CURLcode cc = curl_easy_perform(c);
    *status = 0;
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_easy_strerror(cc));
        return 1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (*status >= 200 && *status < 300) return 0;
    char *nl = strchr(a.text, '\n');
    if (nl) *nl = '\0';
    snprintf(err, errlen, "HTTP %ld: %s", *status, a.text);
    return *status >= 500 ? 1 : -1;
}

int http_post(const char *url, const char *content_type, const char *body, size_t len, const http_policy *pol,
              long *status, char *err, size_t errlen)
{
    static int inited;
    if (!inited && curl_global_init(CURL_GLOBAL_DEFAULT) == 0) inited = 1;
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, errlen, "libcurl initialisation failed");
        return -1;
    }
    char ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s", content_type);
    struct curl_slist *h = curl_slist_append(NULL, ct);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, pol->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, pol->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM (MPI processes) */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    int r = 1;
    long wait = pol->pause_ms;
    for (int k = 0; r == 1 && k <= pol->retries; ++k) {
        if (k > 0) {
            pause_ms(wait);
            wait *= 2;
        }
        r = try_once(c, status, err, errlen);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r == 0 ? 0 : -1;
}
