/* source.h - load a data set as a table, from HDF5 (ingested) or straight
 * from CSV / csv.gz through the ingest parser, so train, predict, evaluate
 * and cv all read data the same way. */
#ifndef SB_SOURCE_H
#define SB_SOURCE_H

#include "io/table.h"
#include "mpi/run.h"

typedef struct {
    const char *const *paths; /* one or more input files */
    int n_paths;
    const char *layout;       /* "keywords" | "forms" | "csv"; NULL for .h5 input */
    const char *schema;       /* YAML schema path, layout "csv" only */
    int require_label;        /* 0: label columns may be absent (scoring) */
    /* Categorical levels to map values onto (e.g. a model's), or NULL to take
     * them from the data. An unseen level then maps to NaN (missing). */
    const sb_feature_info *levels_from;
    int32_t n_levels_from;
    /* Ratio layouts: a numerator above its denominator (Conversions > Clicks)
     * gives rate 1 instead of a rate above 1, so reg:logistic can train. */
    int cap_rate;
} sb_source;

/* source_load - Collective. A path ending in .h5 is read with h5_read_table
 * (even contiguous shards); anything else is parsed as CSV with the layout,
 * rows in global input order (row_start from an exclusive scan; the shards
 * may be uneven). On error the message names the file and line. */
int source_load(run_ctx *run, const sb_source *src, sb_table *out);

#endif
