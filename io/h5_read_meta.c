/* h5_read_meta.c - the table file's metadata and /ids into a table (see
 * h5_internal.h). */
#include <stdlib.h>

#include "base/alloc.h"
#include "io/h5_internal.h"
#include "mpi/run.h" /* for run_agree_rc */

/* Names and categorical levels (n_levels[j] of `levels`, in feature order)
 * into t->feat; both arrays give up what they hand over. Local. */
static int take_features(run_ctx *run, const char *path, sb_table *t, char **names, const int32_t *n_levels,
                         char **levels, int64_t nl)
{
    int64_t k = 0;
    for (int32_t j = 0; j < t->n_feat; ++j) {
        sb_feature_info *ft = &t->feat[j];
        ft->name = names[j];
        names[j] = NULL;
        if (n_levels[j] < 0 || k + n_levels[j] > nl)
            return SB_FAIL(run, SB_EDATA, "%s: categorical levels do not match n_levels", path);
        if (n_levels[j] == 0) continue;
        if ((ft->levels = calloc((size_t)n_levels[j], sizeof(char *))) == NULL)
            return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
        ft->n_levels = n_levels[j];
        for (int32_t l = 0; l < n_levels[j]; ++l) {
            ft->levels[l] = levels[k];
            levels[k++] = NULL;
        }
    }
    return SB_OK;
}

int h5_read_meta(run_ctx *run, const char *path, hid_t f, hid_t feat, sb_table *t)
{
    int rc = SB_OK;
    char **names = NULL, **levels = NULL, *rule = NULL;
    int64_t nn = 0, nl = 0;
    int32_t *nlev = NULL;
    SB_CHECK(run, h5_attr_str(run, path, f, "layout", &t->layout));
    SB_CHECK(run, h5_attr_str(run, path, f, "label_name", &t->label_name));
    SB_CHECK(run, h5_attr_str(run, path, f, "drop_rule", &rule));
    if (rule[0]) {
        t->drop_rule = rule;
        rule = NULL;
    }
    SB_CHECK(run, h5_attr_num(run, path, f, "rows_read", H5T_NATIVE_INT64, &t->rows_read, 1));
    SB_CHECK(run, h5_attr_num(run, path, f, "dropped_zero_trials", H5T_NATIVE_INT64, &t->dropped_zero_trials, 1));
    SB_CHECK(run, h5_attr_strs(run, path, feat, "feature_names", &names, &nn));
    if (nn != t->n_feat)
        SB_RAISE(run, SB_EDATA, "%s: %lld feature names for %d features", path, (long long)nn, (int)t->n_feat);
    SB_ALLOC_OR_OUT(run, nlev, (size_t)t->n_feat + 1, sizeof *nlev);
    SB_CHECK(run, h5_attr_num(run, path, feat, "n_levels", H5T_NATIVE_INT32, nlev, t->n_feat));
    SB_CHECK(run, h5_attr_strs(run, path, feat, "levels", &levels, &nl));
    SB_CHECK(run, take_features(run, path, t, names, nlev, levels, nl));
out:
    free(rule);
    h5_free_strs(names, nn);
    h5_free_strs(levels, nl);
    free(nlev);
    return rc;
}

/* The names of the id columns, and t->ids to hold them. Local. */
static int id_names(run_ctx *run, const char *path, hid_t f, sb_table *t, char ***names, int64_t *n)
{
    SB_TRY(run, h5_attr_strs(run, path, f, "id_names", names, n));
    if ((t->ids = calloc((size_t)*n + 1, sizeof *t->ids)) == NULL)
        return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    return SB_OK;
}

/* One id column (int64 or fixed-length text) of rows [start, start + n).
 * Collective (h5_read_rows). */
static int read_id_col(run_ctx *run, const char *path, hid_t g, sb_id_col *col, int64_t start, int64_t n)
{
    hid_t d = H5Dopen2(g, col->name, H5P_DEFAULT);
    if (d < 0) return SB_FAIL(run, SB_EDATA, "%s: dataset '/ids/%s' missing", path, col->name);
    hid_t ft = H5Dget_type(d);
    const int is_str = H5Tget_class(ft) == H5T_STRING;
    const size_t w = H5Tget_size(ft);
    H5Tclose(ft);
    H5Dclose(d);
    const size_t nr = (size_t)(n > 0 ? n : 1);
    if (!is_str) {
        col->type = SB_ID_INT64;
        col->i64 = calloc(nr, sizeof *col->i64); /* NULL: agreed ENOMEM */
        return h5_read_rows(run, path, SB_OK, g, col->name, H5T_NATIVE_INT64, col->i64, 0, start, n);
    }
    col->type = SB_ID_STRING;
    col->width = (int32_t)w;
    col->str = calloc(nr, w);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, w);
    H5Tset_strpad(mt, H5T_STR_NULLPAD);
    const int rc = h5_read_rows(run, path, SB_OK, g, col->name, mt, col->str, 0, start, n);
    H5Tclose(mt);
    return rc;
}

int h5_read_ids(run_ctx *run, const char *path, int rc, hid_t f, sb_table *t, int64_t start, int64_t n)
{
    char **names = NULL;
    int64_t ni = 0;
    hid_t g = -1;
    const int local = rc != SB_OK ? rc : id_names(run, path, f, t, &names, &ni);
    SB_CHECK(run, run_agree_rc(run, local)); /* every rank below makes the same reads (collective) */
    /* no id columns need no /ids group (h5_check_table agrees; another tool may not write an empty one) */
    if (ni > 0 && (g = H5Gopen2(f, "ids", H5P_DEFAULT)) < 0) SB_RAISE(run, SB_EDATA, "%s: group /ids missing", path);
    for (int64_t i = 0; i < ni; ++i) {
        sb_id_col *col = &t->ids[i];
        col->name = names[i];
        names[i] = NULL;
        t->n_ids = (int32_t)i + 1;
        SB_CHECK(run, read_id_col(run, path, g, col, start, n));
    }
out:
    if (g >= 0) H5Gclose(g);
    h5_free_strs(names, ni);
    return rc;
}
