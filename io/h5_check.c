/* h5_check.c - see h5_check.h. */
#include "io/h5_check.h"
#include "base/error.h"
#include "base/alloc.h"
#include "io/h5_internal.h"

#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strncmp */

/* Every filter dataset d needs is in this HDF5 (h5py's lzf is not, in Debian's):
 * else the first read failed with only "HDF5 features failed". */
static int check_filters(run_ctx *run, const char *path, hid_t d, const char *shown)
{
    hid_t dcpl = H5Dget_create_plist(d);
    const int n = dcpl < 0 ? 0 : H5Pget_nfilters(dcpl);
    int rc = SB_OK;
    for (int i = 0; i < n && rc == SB_OK; ++i) {
        unsigned flags = 0, cd[8];
        size_t ncd = 8;
        char fname[64] = "";
        const H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, sizeof fname, fname, NULL);
        if (id >= 0 && H5Zfilter_avail(id) <= 0)
            rc = SB_FAIL(run, SB_EDATA, "%s: dataset '%s' is compressed with HDF5 filter %d (%s), which this HDF5 lacks",
                         path, shown, (int)id, fname[0] ? fname : "unknown");
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    return rc;
}

/* Dataset d holds numbers (or, when text_ok, fixed-length text: an id), and its filters are here. */
static int check_type(run_ctx *run, const char *path, hid_t d, const char *shown, int text_ok)
{
    hid_t t = H5Dget_type(d);
    const H5T_class_t c = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
    const int vlen = c == H5T_STRING && H5Tis_variable_str(t) > 0;
    if (t >= 0) H5Tclose(t);
    if (vlen && text_ok)
        return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' holds variable-length strings; ids must be integers or "
                       "fixed-length strings (numpy 'S')", path, shown);
    if (c != H5T_INTEGER && c != H5T_FLOAT && !(text_ok && c == H5T_STRING))
        return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' holds %s, expected numbers", path, shown,
                       c == H5T_STRING ? "text" : "values that are not numbers");
    return check_filters(run, path, d, shown);
}

/* Dataset `name` under loc, if present, is 1-D with `rows` elements of numbers (or id text). */
static int check_column(run_ctx *run, const char *path, hid_t loc, const char *shown, const char *name, int64_t rows)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return SB_OK;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return SB_FAIL(run, SB_EDATA, "%s: dataset '%s' cannot be opened", path, shown);
    const int trc = check_type(run, path, d, shown, strncmp(shown, "/ids/", 5) == 0);
    if (trc != SB_OK) {
        H5Dclose(d);
        return trc;
    }
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
    hid_t d = H5Dopen2(f, "features", H5P_DEFAULT);
    const int trc = d < 0 ? SB_FAIL(run, SB_EDATA, "%s: dataset '/features' cannot be opened", path)
                          : check_type(run, path, d, "/features", 0);
    if (d >= 0) H5Dclose(d);
    SB_TRY(run, trc);
    SB_TRY(run, check_column(run, path, f, "/label", "label", rows));
    SB_TRY(run, check_column(run, path, f, "/weight", "weight", rows));
    return check_ids(run, path, f, rows);
}
