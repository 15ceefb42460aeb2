/* ingest_rows.h - turn split CSV rows into one rank's table columns, following
 * an ingest_plan: numbers through numparse, categorical values through a
 * levels_dict, string ids into an arena, zero-trial rows dropped and counted.
 *
 * Value rules (all layouts):
 *   features: "", NA, NaN, N/A, null -> NaN (missing); otherwise a decimal number;
 *             inf or a value outside float32 is an error.
 *   int64 ids: a decimal integer; string ids: at most INGEST_MAX_STR bytes;
 *   auto ids are kept as text and become int64 later if all are canonical integers.
 *   numerator/denominator/weight: finite and >= 0 (integers in keywords/forms);
 *   label: finite. Missing values in these are errors.
 *   categorical: missing -> NaN; keywords' device must be one of its three levels. */
#ifndef SB_INGEST_ROWS_H
#define SB_INGEST_ROWS_H

#include <stdint.h> /* for int64_t */

#include "io/csvrow.h"
#include "io/ingest_levels.h"
#include "io/ingest_plan.h"
#include "io/lines.h"

/* A string id in the arena: offset << ID_LEN_BITS | length (ids are at most
 * 1024 bytes, so 16 bits of length are plenty). */
#define ID_LEN_BITS 16
#define ID_REF(off, len) ((int64_t)(off) << ID_LEN_BITS | (int64_t)(len))
#define ID_REF_OFF(v) ((v) >> ID_LEN_BITS)
#define ID_REF_LEN(v) ((size_t)((v) & (((int64_t)1 << ID_LEN_BITS) - 1)))

typedef struct {
    const ingest_plan *plan;
    int64_t n, cap;          /* kept rows */
    float *x;
    double *label, *weight;
    int64_t **id_i64;        /* per id column (int64 ids) */
    int64_t **id_off;        /* per id column (string ids): offset into arena */
    int32_t *id_max;         /* per id column: longest string */
    int64_t *id_not_int;     /* per id column (auto): 1 once a value is not a canonical integer */
    char *arena;
    size_t arena_used, arena_cap;
    levels_dict *dicts;      /* per categorical */
    uint8_t *kind;           /* per column: how to parse it */
    int64_t rows_read, dropped_zero, num_gt_den;
    /* where the current row comes from, for messages */
    const char *file;
    lines *src;
} ingest_rows;

/* ingest_rows_init - empty columns for `plan`. Categorical dictionaries start
 * from levels_from (same-named features with levels, e.g. a model's), else from
 * the keyword devices, else empty. Local. */
int ingest_rows_init(run_ctx *run, const ingest_plan *plan, const sb_feature_info *levels_from,
                     int32_t n_levels_from, ingest_rows *R);
void ingest_rows_free(ingest_rows *R);

/* ingest_rows_add - parse one data row (fields of one line) from R->file / R->src.
 * Local. Returns SB_OK or SB_EDATA "<file>:<line>: <what>" (SB_ENOMEM on memory). */
int ingest_rows_add(run_ctx *run, ingest_rows *R, const csv_field *f, int32_t nf);

#endif
