/* serve_model.h - the model `serve` answers with, swapped atomically on reload.
 *
 * A loaded model holds the model, its scorer (jobs/predict_score.h: the same
 * forest walk and link as `predict`, so the same bits), the request schema
 * and its identity (name, version, file CRC-32). Request threads take a
 * reference (serve_slot_acquire), score, and drop it; a reload builds the
 * new model completely, then swaps the slot's pointer under a mutex. The old
 * model is freed when its last in-flight request drops it, so a request
 * always finishes on the model it started with. */
#ifndef SB_SERVE_MODEL_H
#define SB_SERVE_MODEL_H

#include <pthread.h>   /* for pthread_mutex_t */
#include <stdatomic.h> /* for atomic_int */
#include <stdint.h>    /* for uint32_t */

#include "io/model.h"
#include "io/model_ref.h"
#include "jobs/predict_score.h"
#include "jobs/serve_request.h"

typedef struct {
    atomic_int refs;
    sb_model m;
    predict_scorer scorer;
    serve_schema schema;
    model_ref ref;
    char name[MODEL_REF_NAME_MAX]; /* registry NAME, or the file name */
    char version[16];              /* "v3", or "-" for a plain file */
    uint32_t crc;                  /* of the model file */
    char *info_json;               /* this model's entry for GET /v1/models */
} serve_model;

/* serve_model_load - resolve text (a path or REG/NAME@REF), read and check
 * the model, build scorer and schema. Local (main thread; run holds errors).
 * The model must score: a forest that fails validation is refused here. */
int serve_model_load(run_ctx *run, const char *text, serve_model **out);
/* serve_model_release - drop a reference; the last one frees. Thread-safe. */
void serve_model_release(serve_model *m);

/* serve_model_score - pred[0..n) for the rows x (n x n_feat, model order),
 * in blocks of PREDICT_BLOCK_ROWS. Thread-safe (the scorer is read only). */
void serve_model_score(serve_model *m, const float *x, int64_t n, double *pred);

typedef struct {
    pthread_mutex_t mu;
    serve_model *cur;
} serve_slot;

void serve_slot_init(serve_slot *s, serve_model *first);
/* A reference to the current model (NULL when none); release it after use. */
serve_model *serve_slot_acquire(serve_slot *s);
/* Put m in the slot; the slot's reference to the previous one is dropped. */
void serve_slot_swap(serve_slot *s, serve_model *m);
void serve_slot_destroy(serve_slot *s);

#endif
