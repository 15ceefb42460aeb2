/* source.c - load a data set from .h5 (ingested) or CSV / csv.gz (see source.h). */
#include "io/source.h"

#include <math.h>   /* for NAN */
#include <stdlib.h> /* for free */
#include <string.h> /* for strlen, strcmp */

#include "io/h5io.h"
#include "io/ingest.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* An .h5 file's categorical codes index its own levels (ingested separately, e.g. a
 * scoring batch that lacks some level); recode them onto the given levels by name,
 * unseen -> NaN, and take the given level list. Local; same result on every rank. */
static int recode_levels(run_ctx *run, sb_table *t, const sb_feature_info *given, int32_t n_given)
{
    for (int32_t g = 0; g < n_given; ++g) {
        int32_t f = given[g].n_levels > 0 ? table_find_feature(t, given[g].name) : -1;
        if (f < 0 || t->feat[f].n_levels == 0) continue;
        sb_feature_info *fi = &t->feat[f];
        float *map = sb_alloc(run, (size_t)fi->n_levels, sizeof *map);
        char **levels = sb_alloc(run, (size_t)given[g].n_levels, sizeof *levels);
        if (map == NULL || levels == NULL) {
            free(map);
            free(levels);
            return SB_ENOMEM;
        }
        for (int32_t l = 0; l < fi->n_levels; ++l) {
            map[l] = NAN;
            for (int32_t k = 0; k < given[g].n_levels; ++k)
                if (strcmp(fi->levels[l], given[g].levels[k]) == 0) map[l] = (float)k;
        }
        int rc = SB_OK;
        for (int32_t k = 0; k < given[g].n_levels; ++k)
            if ((levels[k] = sb_strdup(run, given[g].levels[k])) == NULL) rc = SB_ENOMEM;
        for (int64_t r = 0; rc == SB_OK && r < t->n_rows; ++r) {
            float *v = &t->x[r * t->n_feat + f];
            if (*v == *v) *v = (*v >= 0 && *v < (float)fi->n_levels) ? map[(int32_t)*v] : NAN;
        }
        free(map);
        if (rc != SB_OK) {
            for (int32_t k = 0; k < given[g].n_levels; ++k) free(levels[k]);
            free(levels);
            return rc;
        }
        for (int32_t l = 0; l < fi->n_levels; ++l) free(fi->levels[l]);
        free(fi->levels);
        fi->levels = levels;
        fi->n_levels = given[g].n_levels;
    }
    return SB_OK;
}

int source_load(run_ctx *run, const sb_source *src, sb_table *out)
{
    int h5 = 0;
    for (int i = 0; i < src->n_paths; ++i) h5 += ends_with(src->paths[i], ".h5");
    if (h5 == 0) return ingest_load(run, src, out, NULL);
    if (src->n_paths != 1)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "give one .h5 file, or CSV files only (got %d paths, %d .h5)",
                                         src->n_paths, h5));
    SB_TRY(run, h5_read_table(run, src->paths[0], out));
    int rc = src->levels_from ? recode_levels(run, out, src->levels_from, src->n_levels_from) : SB_OK;
    rc = run_agree_rc(run, rc);
    if (rc != SB_OK) table_free(out);
    return rc;
}
