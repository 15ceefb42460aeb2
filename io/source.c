/* source.c - load a data set from .h5 (ingested) or CSV / csv.gz (see source.h). */
#include "io/source.h"

#include <string.h> /* for strlen, strcmp */

#include "io/h5io.h"
#include "io/ingest.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int source_load(run_ctx *run, const sb_source *src, sb_table *out)
{
    int h5 = 0;
    for (int i = 0; i < src->n_paths; ++i) h5 += ends_with(src->paths[i], ".h5");
    if (h5 == 0) return ingest_load(run, src, out, NULL);
    if (src->n_paths != 1)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "give one .h5 file, or CSV files only (got %d paths, %d .h5)",
                                         src->n_paths, h5));
    return h5_read_table(run, src->paths[0], out);
}
