/* serve_request.h - a prediction request body -> feature rows, and the answer.
 *
 * Bodies (POST /v1/predict):
 *   application/json  {"rows": [{"att1": 0.5, ..., "device": "Computer", "entity_id": 4}, ...]}
 *                     or a bare array of such row objects
 *   text/csv          a header line of column names, then one line per row
 * A row field is a model feature (number or null for a numeric one; a level
 * name or null for a categorical one), or one of the model's id columns,
 * passed through to the answer. A feature a row leaves out is missing (NaN),
 * as in training. Anything else is refused with the row and field named:
 * an unknown field, a wrong type, a number outside float32, a level the
 * model does not know where the layout fixes its levels (keywords' device;
 * other layouts score an unseen level as missing, as `predict` does).
 * Numbers become floats exactly as ingest makes them (correctly rounded
 * double, then float), so the same rows score to the same bits as `predict`.
 *
 * JSON is parsed by jansson (UTF-8 checked, nesting depth bounded); CSV lines
 * are split by io/csvrow.h (libcsv). Nothing here touches MPI or a run_ctx:
 * the request threads and the fuzz test call it directly. */
#ifndef SB_SERVE_REQUEST_H
#define SB_SERVE_REQUEST_H

#include <jansson.h> /* for json_t */
#include <stddef.h>  /* for size_t */
#include <stdint.h>  /* for int32_t, int64_t */

#include "io/table.h"

/* What a request may name: the model's features and id columns. */
typedef struct {
    int32_t n_feat;
    const sb_feature_info *feat; /* the model's, in model order */
    int32_t n_ids;
    char *const *id_names;
    int strict_levels; /* an unknown level is an error (keywords), else NaN */
    /* sorted lookup: names[k] (unique) is feature feat_of[k] and/or id
     * id_of[k] (-1: not that kind); keywords' device is both */
    int32_t n_names;
    const char **names;
    int32_t *feat_of, *id_of;
} serve_schema;

/* serve_schema_init - build the lookup. Returns 0, -1 out of memory. Local. */
int serve_schema_init(serve_schema *s, int32_t n_feat, const sb_feature_info *feat, int32_t n_ids,
                      char *const *id_names, int strict_levels);
void serve_schema_free(serve_schema *s);
/* serve_schema_find - the index k of name[0..len) in s->names, or -1 when
 * it is neither a feature nor an id. Local, pure. */
int32_t serve_schema_find(const serve_schema *s, const char *name, size_t len);

/* A parsed request: n_rows feature rows in model order and their ids. */
typedef struct {
    int64_t n_rows;
    float *x;    /* n_rows * n_feat */
    json_t *ids; /* array: per row an object of its id fields, or null */
    int status;  /* HTTP status of a refusal: 400, 413, 415 */
    char err[512];
} serve_batch;

enum { SERVE_BODY_JSON = 0, SERVE_BODY_CSV = 1 };

/* serve_body_kind - SERVE_BODY_JSON / _CSV for a Content-Type (NULL or
 * application/json: JSON), or -1 for anything else. Local, pure. */
int serve_body_kind(const char *content_type);

/* serve_parse - parse body[0..len) of the given kind into b (zeroed first).
 * max_rows: more rows -> 413. Returns 0, or -1 with b->status / b->err set
 * ("row 3, field 'device': unknown level 'Fridge' (expected Computer,
 * Smartphone or Tablet)"). Free b with serve_batch_free either way. Local. */
int serve_parse(const serve_schema *s, int kind, const char *body, size_t len, int64_t max_rows, serve_batch *b);
void serve_batch_free(serve_batch *b);

/* serve_answer - the JSON answer {"model","version","predictions","ids"}:
 * predictions in the shortest text that reads back to the same double (the
 * text `predict` writes in its part files; null for a non-finite value).
 * Returns a malloc'd NUL-terminated string (*len its length), NULL out of
 * memory. Local. */
char *serve_answer(const char *model, const char *version, const double *pred, int64_t n, const json_t *ids,
                   size_t *len);

/* serve_error_json - {"error": msg} (malloc'd), NULL out of memory. Local. */
char *serve_error_json(const char *msg, size_t *len);

#endif
