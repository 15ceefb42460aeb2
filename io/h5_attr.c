/* h5_attr.c - attributes of the table file: the writer's metadata and the
 * readers' (see h5_internal.h). */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "io/h5_internal.h"
#include "mpi/run.h" /* for run_agree_rc */

/* Create attribute `name` of type t and space s on loc and write v (n == 0:
 * an empty attribute, nothing written). Collective in parallel HDF5. */
static int put(run_ctx *run, const char *path, hid_t loc, const char *name, hid_t t, hid_t s, const void *v, int n)
{
    if (t < 0 || s < 0) return H5_FAIL(run, path, name);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    const int ok = a >= 0 && (n == 0 || H5Awrite(a, t, v) >= 0);
    if (a >= 0) H5Aclose(a);
    return ok ? SB_OK : H5_FAIL(run, path, name);
}

int h5_attr_put_str(run_ctx *run, const char *path, hid_t loc, const char *name, const char *v)
{
    hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
    if (t >= 0) H5Tset_size(t, strlen(v) + 1);
    const int rc = put(run, path, loc, name, t, s, v, 1);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    return rc;
}

int h5_attr_put_strs(run_ctx *run, const char *path, hid_t loc, const char *name, char *const *v, int64_t n)
{
    size_t w = 1;
    for (int64_t i = 0; i < n; ++i)
        if (strlen(v[i]) + 1 > w) w = strlen(v[i]) + 1;
    char *buf = calloc(n > 0 ? (size_t)n : 1, w);
    /* agreed: a rank without the buffer must not skip the collective create */
    SB_TRY(run, run_agree_rc(run, buf ? SB_OK : SB_FAIL(run, SB_ENOMEM, "out of memory writing %s", name)));
    for (int64_t i = 0; i < n; ++i) memcpy(buf + i * w, v[i], strlen(v[i]));
    hsize_t dim = (hsize_t)n;
    hid_t t = H5Tcopy(H5T_C_S1), s = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_NULL);
    if (t >= 0) {
        H5Tset_size(t, w);
        H5Tset_strpad(t, H5T_STR_NULLTERM);
    }
    const int rc = put(run, path, loc, name, t, s, buf, n > 0);
    if (s >= 0) H5Sclose(s);
    if (t >= 0) H5Tclose(t);
    free(buf);
    return rc;
}

int h5_attr_put_num(run_ctx *run, const char *path, hid_t loc, const char *name, hid_t type, const void *v, hsize_t n)
{
    hid_t s = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_NULL);
    const int rc = put(run, path, loc, name, type, s, v, n > 0);
    if (s >= 0) H5Sclose(s);
    return rc;
}

void h5_free_strs(char **v, int64_t n)
{
    for (int64_t i = 0; v && i < n; ++i) free(v[i]);
    free(v);
}

/* Split np fixed-width (w) strings of buf into *out, each NUL-terminated. */
static int split_strs(run_ctx *run, const char *path, const char *buf, size_t w, hssize_t np, char ***out)
{
    int rc = SB_OK;
    char **v = calloc((size_t)(np > 0 ? np : 1), sizeof *v);
    if (v == NULL) SB_RAISE(run, SB_ENOMEM, "out of memory reading %s", path);
    for (hssize_t i = 0; i < np; ++i) {
        if ((v[i] = calloc(w + 1, 1)) == NULL) SB_RAISE(run, SB_ENOMEM, "out of memory reading %s", path);
        memcpy(v[i], buf + (size_t)i * w, w);
    }
    *out = v;
    return SB_OK;
out:
    h5_free_strs(v, np);
    return rc;
}

/* np variable-length strings of attribute a (file type ft; h5py writes a Python
 * str so) into *out, each copied. */
static int vlen_strs(run_ctx *run, const char *path, const char *name, hid_t a, hid_t ft, hssize_t np, char ***out)
{
    int rc = SB_OK;
    char **raw = calloc((size_t)(np > 0 ? np : 1), sizeof *raw), **v = NULL;
    hid_t mt = H5Tcopy(H5T_C_S1), sp = H5Aget_space(a);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(ft)); /* ASCII or UTF-8, as written: HDF5 converts neither into the other */
    if (raw == NULL || (v = calloc((size_t)(np > 0 ? np : 1), sizeof *v)) == NULL)
        SB_RAISE(run, SB_ENOMEM, "out of memory reading %s", path);
    if (np > 0 && H5Aread(a, mt, raw) < 0) SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed", path, name);
    for (hssize_t i = 0; i < np; ++i)
        if ((v[i] = strdup(raw[i] ? raw[i] : "")) == NULL) SB_RAISE(run, SB_ENOMEM, "out of memory reading %s", path);
    *out = v;
    v = NULL;
out:
    if (raw != NULL && np > 0) H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
    h5_free_strs(v, np);
    free(raw);
    H5Sclose(sp);
    H5Tclose(mt);
    return rc;
}

/* Fixed-length strings are read as NULLPAD whatever the file says: a NULLPAD
 * string that fills its width (h5py writes numpy bytes so) keeps its last
 * byte, which a NULLTERM read replaced by the terminator ("forms" -> "form");
 * our NULLTERM strings read the same either way. */
int h5_attr_strs(run_ctx *run, const char *path, hid_t loc, const char *name, char ***out, int64_t *n)
{
    *out = NULL;
    *n = 0;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return SB_FAIL(run, SB_EDATA, "%s: attribute '%s' missing (not written by shardboost ingest?)", path, name);
    int rc = SB_OK;
    char *buf = NULL;
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a), mt = H5Tcopy(H5T_C_S1);
    const size_t w = H5Tget_size(ft);
    const hssize_t np = H5Sget_simple_extent_type(sp) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(sp);
    if (H5Tget_class(ft) != H5T_STRING || np < 0) SB_RAISE(run, SB_EDATA, "%s: attribute '%s' is not text", path, name);
    if (H5Tis_variable_str(ft) > 0) {
        SB_CHECK(run, vlen_strs(run, path, name, a, ft, np, out));
        *n = np;
        goto out;
    }
    H5Tset_size(mt, w);
    H5Tset_strpad(mt, H5T_STR_NULLPAD);
    if ((buf = calloc((size_t)(np > 0 ? np : 1), w + 1)) == NULL)
        SB_RAISE(run, SB_ENOMEM, "out of memory reading %s", path);
    if (np > 0 && H5Aread(a, mt, buf) < 0) SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed", path, name);
    SB_CHECK(run, split_strs(run, path, buf, w, np, out));
    *n = np;
out:
    H5Tclose(mt);
    H5Tclose(ft);
    H5Sclose(sp);
    H5Aclose(a);
    free(buf);
    return rc;
}

int h5_attr_str(run_ctx *run, const char *path, hid_t loc, const char *name, char **out)
{
    char **v = NULL;
    int64_t n = 0;
    *out = NULL;
    SB_TRY(run, h5_attr_strs(run, path, loc, name, &v, &n));
    char *s = n > 0 ? v[0] : calloc(1, 1);
    for (int64_t i = 1; i < n; ++i) free(v[i]);
    free(v);
    if (s == NULL) return SB_FAIL(run, SB_ENOMEM, "out of memory reading %s", path);
    *out = s;
    return SB_OK;
}

int h5_attr_num(run_ctx *run, const char *path, hid_t loc, const char *name, hid_t type, void *out, int64_t n)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return SB_FAIL(run, SB_EDATA, "%s: attribute '%s' missing", path, name);
    int rc = SB_OK;
    hid_t sp = H5Aget_space(a), ft = H5Aget_type(a);
    const H5T_class_t c = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
    if (ft >= 0) H5Tclose(ft);
    const hssize_t np = H5Sget_simple_extent_type(sp) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(sp);
    if (c != H5T_INTEGER && c != H5T_FLOAT)
        SB_RAISE(run, SB_EDATA, "%s: attribute '%s' holds %s, expected a number", path, name,
                 c == H5T_STRING ? "text" : "values that are not numbers");
    if (np != n)
        SB_RAISE(run, SB_EDATA, "%s: attribute '%s' has %lld values, expected %lld", path, name, (long long)np,
                 (long long)n);
    if (n > 0 && H5Aread(a, type, out) < 0) SB_RAISE(run, SB_EIO, "%s: HDF5 %s failed", path, name);
out:
    H5Sclose(sp);
    H5Aclose(a);
    return rc;
}
