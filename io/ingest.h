/* ingest.h - CSV / csv.gz -> sb_table across ranks (the parser behind
 * `shardboost ingest` and source_load for non-.h5 inputs).
 *
 * Work split: the inputs are laid end to end and the byte total is cut into
 * run_size equal ranges (a gzip file counts 4x its size, as it inflates).
 * Plain files are split at those cuts, each piece aligned to line starts; a gzip
 * file cannot be split and goes whole to the rank whose range holds its middle.
 * So one big file is shared by all ranks, many files are dealt out, and a rank's
 * rows always follow the previous rank's: global row order = file order, then
 * line order, for any number of ranks. */
#ifndef SB_INGEST_H
#define SB_INGEST_H

#include <stdint.h> /* for int64_t */

#include "io/source_spec.h"
#include "io/table.h"
#include "base/run_ctx.h"

/* Gzip files weigh this much more than plain bytes when dealing out work. */
#define INGEST_GZ_WEIGHT 4

typedef struct {
    int64_t rows_read, rows_kept, dropped_zero, num_gt_den; /* global */
    int64_t bytes;          /* global bytes of text parsed (uncompressed) */
    int64_t max_rank_bytes; /* the busiest rank's bytes */
    double parse_s;         /* slowest rank's parse time */
    double total_s;         /* wall time of ingest_load */
    char drop_rule[160];    /* e.g. "Clicks == 0"; "" when no rows can be dropped */
    char num_name[64], den_name[64];
} ingest_stats;

/* ingest_load - parse src->paths with src->layout into *out (this rank's rows,
 * row_start by exclusive scan, categorical levels agreed). Collective; src equal
 * on all ranks. Errors are agreed: every rank returns the same code and message
 * "<file>:<line>: <what>". stats may be NULL. */
int ingest_load(run_ctx *run, const sb_source *src, sb_table *out, ingest_stats *stats);

/* ingest_layout_code - INGEST_KEYWORDS/FORMS/CSV for a name, or -1. Local. */
int ingest_layout_code(const char *name);

/* The piece of file i rank r reads: [*begin, *end) bytes, or begin == end == -1 for none.
 * Local and pure; exposed for tests. size/gz describe all n files. */
void ingest_piece(const int64_t *size, const int *gz, int n, int r, int nranks, int i, int64_t *begin, int64_t *end);

#endif
