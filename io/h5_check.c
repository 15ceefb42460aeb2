/* h5_check.c - see h5_check.h. */
#include "io/h5_check.h"
#include "base/error.h"
#include "base/alloc.h"
#include "io/h5_internal.h"

#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for free */

/* Dataset `name` under loc, if present, is 1-D with `rows` elements. */
static int check_column(run_ctx *run, const char *path, hid_t loc, const char *shown, const char *name, int64_t rows)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return SB_OK;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' cannot be opened", path, shown);
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    const int nd = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    if (nd == 1) H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    if (nd != 1) return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' is %d-D, expected 1-D", path, shown, nd);
    if ((int64_t)dims[0] != rows)
        return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' has %llu rows, '/features' has %lld", path, shown,
                       (unsigned long long)dims[0], (long long)rows);
    return SB_OK;
}

/* Every id column named by the id_names attribute. */
static int check_ids(run_ctx *run, const char *path, hid_t f, int64_t rows)
{
    char **names = NULL;
    int64_t n = 0;
    int rc = SB_OK;
    hid_t g = -1;
    SB_CHECK(run, h5_attr_strs(run, path, f, "id_names", &names, &n));
    if (n == 0) goto out;
    if ((g = H5Gopen2(f, "ids", H5P_DEFAULT)) < 0) SB_RAISE(run, SB_EDATA, "%s: group '/ids' missing", path);
    for (int64_t i = 0; i < n; ++i) {
        char shown[300];
        snprintf(shown, sizeof shown, "/ids/%s", names[i]);
        if (H5Lexists(g, names[i], H5P_DEFAULT) <= 0) SB_RAISE(run, SB_EDATA, "%s: dataset '%s' missing", path, shown);
        SB_CHECK(run, check_column(run, path, g, shown, names[i], rows));
    }
out:
    if (g >= 0) H5Gclose(g);
    h5_free_strs(names, n);
    return rc;
}

int h5_check_table(run_ctx *run, const char *path, hid_t f, int64_t rows, int64_t feats)
{
    int32_t version = 0;
    SB_TRY(run, h5_attr_num(run, path, f, "version", H5T_NATIVE_INT32, &version, 1));
    if (version != SB_H5_VERSION)
        return SB_FAIL(run, SB_EDATA, "%s: attribute 'version' is %d, this shardboost reads version %d", path,
                       (int)version, SB_H5_VERSION);
    if (rows == 0) return SB_FAIL(run, SB_EDATA, "%s: '/features' has no rows", path);
    if (feats == 0) return SB_FAIL(run, SB_EDATA, "%s: '/features' has no columns (no features)", path);
    SB_TRY(run, check_column(run, path, f, "/label", "label", rows));
    SB_TRY(run, check_column(run, path, f, "/weight", "weight", rows));
    return check_ids(run, path, f, rows);
}
