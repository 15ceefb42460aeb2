/* table.h - one rank's rows in memory, as ingest produces them and as
 * train/predict/cv consume them (from HDF5 or straight from CSV).
 *
 * Features are row-major float32 (n_rows x n_feat, NaN = missing) because
 * that is the HDF5 layout and the order tree traversal reads. Categorical
 * features hold level codes 0..n_levels-1 as floats; their level names are
 * in feat[f].levels, sorted, identical on every rank. Rows are the global rows
 * [row_start, row_start + n_rows) in input order. */
#ifndef SB_TABLE_H
#define SB_TABLE_H

#include <stdint.h> /* for int64_t, int32_t */


typedef enum { SB_ID_INT64 = 0, SB_ID_STRING = 1 } sb_id_type;

typedef struct {
    char *name;
    sb_id_type type;
    int64_t *i64;  /* n_rows values (SB_ID_INT64) */
    char *str;     /* n_rows * width bytes, NUL-padded (SB_ID_STRING) */
    int32_t width; /* bytes per string value, equal on all ranks */
} sb_id_col;

typedef struct {
    char *name;
    int32_t n_levels; /* 0: numeric; > 0: categorical */
    char **levels;    /* n_levels names, code i = levels[i] */
} sb_feature_info;

typedef struct {
    char *layout;          /* "keywords", "forms" or "csv" */
    int64_t n_rows;        /* rows on this rank */
    int64_t row_start;     /* global index of the first local row */
    int64_t n_rows_global; /* rows on all ranks */
    int32_t n_feat;
    sb_feature_info *feat; /* n_feat, equal on all ranks */
    float *x;              /* n_rows * n_feat, row-major */
    double *label;         /* n_rows, or NULL when the input has no label */
    double *weight;        /* n_rows, or NULL when every weight is 1 */
    char *label_name;      /* e.g. "cr", "completion_rate", or the schema's label */
    int32_t n_ids;
    sb_id_col *ids;        /* id columns, in output order */
    /* Rows dropped at ingest, global counts (equal on all ranks). */
    int64_t dropped_zero_trials;
    int64_t rows_read; /* data rows seen before dropping */
    char *drop_rule;   /* why rows were dropped, e.g. "Clicks == 0"; NULL if none can be */
} sb_table;

/* The contiguous block of rows rank r of size owns: [*start, *end). Local. */
static inline void table_shard_range(int64_t n, int size, int r, int64_t *start, int64_t *end)
{
    *start = (int64_t)(__extension__(__int128)n * r / size);
    *end = (int64_t)(__extension__(__int128)n * (r + 1) / size);
}

/* Free everything a table owns and zero it. Local. */
void table_free(sb_table *t);
/* Index of feature `name`, or -1. Local. */
int32_t table_find_feature(const sb_table *t, const char *name);

#endif
