/* predict_ahead.c - double-buffered block reads for predict (see
 * predict_ahead.h). One mutex and one condition variable guard the two
 * buffers' states; the worker fills buffers in turn, the main thread takes
 * them in the same turn and gives one back when it asks for the next. */
#include "jobs/predict_ahead.h"

#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"

#include <pthread.h>
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, memset */

struct predict_ahead {
    source_stream *s;
    int64_t n, max_rows, next; /* local rows; block size; the first row main has not taken */
    float *buf[2];
    int threaded;
    /* worker side (guarded by mu) */
    run_ctx *wrun;      /* the worker's errors */
    int64_t pos;        /* the first row the worker has not read */
    int64_t b[2], e[2]; /* each buffer's rows */
    int rc[2], full[2]; /* each buffer's read status; 1 while it holds a block main has not given back */
    int fill, take, held; /* buffer the worker fills next; main takes next; main holds (-1: none) */
    int stop, done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
};

int ahead_mode_parse(const char *s)
{
    if (!strcmp(s, "auto")) return AHEAD_AUTO;
    if (!strcmp(s, "on")) return AHEAD_ON;
    if (!strcmp(s, "off")) return AHEAD_OFF;
    return -1;
}

static void *worker(void *arg)
{
    predict_ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->stop && a->pos < a->n && a->full[a->fill]) pthread_cond_wait(&a->cv, &a->mu);
        if (a->stop || a->pos >= a->n) break;
        const int k = a->fill;
        const int64_t b = a->pos, e = source_stream_block_end(a->s, b, a->n, a->max_rows);
        a->pos = e;
        pthread_mutex_unlock(&a->mu);
        const int rc = source_stream_read(a->wrun, a->s, b, e, a->buf[k]);
        pthread_mutex_lock(&a->mu);
        a->b[k] = b;
        a->e[k] = e;
        a->rc[k] = rc;
        a->full[k] = 1;
        a->fill = k ^ 1;
        pthread_cond_broadcast(&a->cv);
        if (rc != SB_OK) break; /* main meets the failed block in turn; nothing after it is read */
    }
    a->done = 1;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* The worker thread; when it cannot start, blocks are read in turn. */
static void start_worker(predict_ahead *a)
{
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(&a->th, NULL, worker, a) != 0) {
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->cv);
        free(a->wrun);
        a->wrun = NULL;
        a->threaded = 0;
    }
}

int predict_ahead_open(run_ctx *run, source_stream *s, int64_t n_rows, int64_t max_rows, int32_t n_feat, int threaded,
                       predict_ahead **out)
{
    int rc = SB_OK;
    predict_ahead *a = NULL;
    *out = NULL;
    SB_ALLOC_OR_OUT(run, a, 1, sizeof *a);
    a->s = s;
    a->n = n_rows;
    a->max_rows = max_rows;
    a->held = -1;
    const size_t len = (size_t)(max_rows > 0 ? max_rows : 1) * (size_t)(n_feat > 0 ? n_feat : 1);
    for (int k = 0; k < 1 + (threaded != 0); ++k) SB_ALLOC_OR_OUT(run, a->buf[k], len, sizeof *a->buf[k]);
    if (threaded) {
        if ((a->wrun = run_detached(run)) == NULL)
            SB_RAISE(run, SB_ENOMEM, "out of memory starting the read-ahead thread");
        a->threaded = 1; /* only now: close joins a thread only when one was started */
        start_worker(a);
    }
    *out = a;
out:
    if (rc != SB_OK) predict_ahead_close(a);
    return rc;
}

int predict_ahead_start(run_ctx *run, int rc, source_stream *s, int64_t n_rows, int64_t max_rows, int32_t n_feat,
                        ahead_mode mode, predict_ahead **out)
{
    *out = NULL;
    int ranks = 1, cpus = 1;
    const int crc = comm_node_cpus(run, &ranks, &cpus); /* collective: before any return */
    const int threaded = mode == AHEAD_ON || (mode == AHEAD_AUTO && cpus >= 2 * ranks);
    sb_verbose(run, "%d rank(s) on %d CPU(s) on rank 0's node: read-ahead thread %s\n", ranks, cpus,
               threaded ? "on" : "off");
    SB_TRY(run, rc);
    SB_TRY(run, crc);
    SB_TRY(run, predict_ahead_open(run, s, n_rows, max_rows, n_feat, threaded, out));
    return SB_OK;
}

int predict_ahead_next(run_ctx *run, predict_ahead *a, int64_t *b, int64_t *e, const float **x)
{
    if (!a->threaded) {
        *b = *e = a->next;
        if (a->next >= a->n) return SB_OK;
        *e = source_stream_block_end(a->s, *b, a->n, a->max_rows);
        SB_TRY(run, source_stream_read(run, a->s, *b, *e, a->buf[0]));
        a->next = *e;
        *x = a->buf[0];
        return SB_OK;
    }
    pthread_mutex_lock(&a->mu);
    if (a->held >= 0) { /* the caller is done with the previous block */
        a->full[a->held] = 0;
        a->held = -1;
        pthread_cond_broadcast(&a->cv);
    }
    const int k = a->take;
    while (a->next < a->n && !a->full[k] && !a->done) pthread_cond_wait(&a->cv, &a->mu);
    const int have = a->next < a->n && a->full[k];
    pthread_mutex_unlock(&a->mu);
    *b = *e = a->next;
    if (a->next >= a->n) return SB_OK;
    if (!have) return SB_FAIL(run, SB_EIO, "read-ahead thread stopped before row %lld", (long long)a->next);
    if (a->rc[k] != SB_OK) { /* the worker has stopped: its context is ours to read */
        const int rc = a->rc[k];
        err_take(run, a->wrun);
        return rc;
    }
    *b = a->b[k];
    *e = a->e[k];
    *x = a->buf[k];
    a->held = k;
    a->take = k ^ 1;
    a->next = *e;
    return SB_OK;
}

int predict_ahead_threaded(const predict_ahead *a) { return a->threaded; }

void predict_ahead_close(predict_ahead *a)
{
    if (a == NULL) return;
    if (a->threaded) {
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->th, NULL);
        pthread_mutex_destroy(&a->mu);
        pthread_cond_destroy(&a->cv);
    }
    free(a->wrun);
    free(a->buf[0]);
    free(a->buf[1]);
    free(a);
}
