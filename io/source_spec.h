/* source_spec.h - where a data set comes from and how to read it: the request
 * that source_load (source.h) and the CSV parser (ingest.h) both take. */
#ifndef SB_SOURCE_SPEC_H
#define SB_SOURCE_SPEC_H

#include <stdint.h> /* for int32_t */

#include "io/table.h" /* for sb_feature_info */

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

#endif
