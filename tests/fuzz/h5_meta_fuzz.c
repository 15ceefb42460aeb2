/* h5_meta_fuzz.c - libFuzzer target for the table file's metadata checks and
 * reader (io/h5_read.c's open, io/h5_check.c, io/h5_read_meta.c, io/h5_attr.c)
 * through h5_read_table. The input does not become the HDF5 bytes (that would
 * fuzz libhdf5's own decoder, which is not ours to fix): it is a recipe, one
 * byte per choice, for a well-formed HDF5 file whose *contents* are hostile -
 * attributes missing, of the wrong type or count, strings fixed-length
 * NULLTERM / NULLPAD (as h5py writes bytes) or variable-length (as h5py writes
 * str), datasets of the wrong rank, length, type or layout (chunked, deflated),
 * zero rows or features. Written with the serial HDF5 API to a file in
 * /dev/shm, then read with MPI (a singleton, initialised once). The read must
 * give a table or an error with a message; a table read has the file's shape. */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "io/h5io.h"
#include "io/table.h"
#include "mpi/run.h"

static run_ctx *run;

/* The recipe: next byte of the input, 0 past its end. */
typedef struct {
    const uint8_t *p;
    size_t n, at;
} recipe;
static unsigned take(recipe *r) { return r->at < r->n ? r->p[r->at++] : 0; }

/* A string type: 0 fixed NULLTERM, 1 fixed NULLPAD (h5py np.bytes_), 2 variable length (h5py str). */
static hid_t str_type(unsigned kind, size_t w)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (kind % 3 == 2) H5Tset_size(t, H5T_VARIABLE);
    else {
        H5Tset_size(t, w ? w : 1);
        H5Tset_strpad(t, kind % 3 == 1 ? H5T_STR_NULLPAD : H5T_STR_NULLTERM);
    }
    return t;
}

/* Attribute name on loc holding n strings (v[(first + i) % 4]), written as `kind` picks. */
static void put_strs(hid_t loc, const char *name, unsigned kind, int n, const char *const *v, int first)
{
    if (kind >= 6) return; /* missing */
    const char *vals[8];
    size_t w = 1;
    for (int i = 0; i < n && i < 8; ++i) {
        vals[i] = v[(first + i) % 4];
        if (strlen(vals[i]) > w) w = strlen(vals[i]);
    }
    if (n > 8) n = 8;
    hsize_t dim = (hsize_t)n;
    hid_t sp = kind == 5 ? H5Screate(H5S_SCALAR) : n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_NULL);
    if (kind == 3 || kind == 4) { /* numbers where text belongs */
        int32_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        hid_t a = H5Acreate2(loc, name, H5T_NATIVE_INT32, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (n) H5Awrite(a, H5T_NATIVE_INT32, x);
        H5Aclose(a);
    } else {
        hid_t t = str_type(kind, kind == 1 ? w : w + 1);
        hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
        char buf[8 * 64] = {0};
        const int vlen = kind % 3 == 2;
        const size_t step = kind == 1 ? w : w + 1;
        for (int i = 0; i < n && !vlen; ++i) memcpy(buf + (size_t)i * step, vals[i], strlen(vals[i]));
        if (n || kind == 5) H5Awrite(a, t, vlen ? (const void *)vals : buf);
        H5Aclose(a);
        H5Tclose(t);
    }
    H5Sclose(sp);
}

/* The numeric type choice k: 0 the right one, then int32, int64, double, uint8. */
static hid_t num_type(unsigned k, hid_t right)
{
    switch (k % 5) {
    case 1: return H5T_NATIVE_INT32;
    case 2: return H5T_NATIVE_INT64;
    case 3: return H5T_NATIVE_DOUBLE;
    case 4: return H5T_NATIVE_UINT8;
    default: return right;
    }
}

/* Numeric attribute: n values (v) of the type `kind` picks, or missing (kind >= 6). */
static void put_nums(hid_t loc, const char *name, unsigned kind, hid_t right, int n, const int64_t *v)
{
    if (kind >= 6) return;
    hsize_t dim = (hsize_t)(n > 0 ? n : 1);
    hid_t sp = n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &dim, NULL);
    hid_t a = H5Acreate2(loc, name, num_type(kind, right), sp, H5P_DEFAULT, H5P_DEFAULT);
    if (n > 0) H5Awrite(a, H5T_NATIVE_INT64, v);
    H5Aclose(a);
    H5Sclose(sp);
}

/* Dataset name under loc: kind 0 the right type `right` and shape (rows x cols, or
 * rows when cols is 0), 1-2 other numeric types, 3 one dimension fewer or more,
 * 4 a fixed NULLPAD string type, 5 chunked and deflated, 6 one row short, 7 one
 * row long, 8 a variable-length string type, 9 scalar, >= 10 missing. */
static void put_data(hid_t loc, const char *name, unsigned kind, hid_t right, hsize_t rows, hsize_t cols)
{
    if (kind >= 10) return;
    hsize_t dims[3] = {rows, cols ? cols : 2, 2};
    int rank = cols ? 2 : 1;
    if (kind == 3) rank = cols ? 1 : 2;
    if (kind == 6 && rows > 0) dims[0] = rows - 1;
    if (kind == 7) dims[0] = rows + 1;
    hid_t t = kind == 1 ? H5T_NATIVE_INT32 : kind == 2 ? H5T_NATIVE_DOUBLE : right;
    hid_t st = kind == 4 ? str_type(1, 6) : kind == 8 ? str_type(2, 0) : -1;
    hid_t sp = kind == 9 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (kind == 5 && dims[0] > 0) {
        hsize_t chunk[3] = {dims[0], dims[1], dims[2]};
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_deflate(dcpl, 1);
    }
    hid_t d = H5Dcreate2(loc, name, st >= 0 ? st : t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    if (st < 0 && np > 0 && np < 4096) {
        double *v = calloc((size_t)np, sizeof *v);
        for (hssize_t i = 0; i < np; ++i) v[i] = i % 7 == 3 ? 0.0 / 0.0 : (double)(i % 5);
        H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        free(v);
    }
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(sp);
    if (st >= 0) H5Tclose(st);
}

static const char *const texts[4] = {"forms", "cr", "f0", "a_much_longer_name_than_the_rest"};
static const char *const id_names_[4] = {"form_id", "entity_id", "device", "week"};

/* The file's root: format, version, layout and the other attributes. */
static void put_root(hid_t f, recipe *r)
{
    static const char *const formats[4] = {"shardboost-h5", "shardboost-h5", "other", ""};
    put_strs(f, "format", take(r) % 8, 1, formats, (int)(take(r) % 4));
    const int64_t versions[5] = {1, 1, 2, -1, 1};
    put_nums(f, "version", take(r) % 8, H5T_NATIVE_INT32, 1 + (take(r) % 8 == 7), versions + take(r) % 4);
    put_strs(f, "layout", take(r) % 8, 1, texts, 0);
    put_strs(f, "label_name", take(r) % 8, 1, texts, 1);
    put_strs(f, "drop_rule", take(r) % 8, 1, texts, 2);
    const int64_t counts[2] = {10, 0};
    put_nums(f, "rows_read", take(r) % 8, H5T_NATIVE_INT64, 1, counts);
    put_nums(f, "dropped_zero_trials", take(r) % 8, H5T_NATIVE_INT64, 1, counts + 1);
}

/* /features and its attributes, /label, /weight; rows x feats as the recipe says. */
static void put_tables(hid_t f, recipe *r, hsize_t rows, hsize_t feats)
{
    put_data(f, "features", take(r) % 16, H5T_NATIVE_FLOAT, rows, feats);
    hid_t d = H5Dopen2(f, "features", H5P_DEFAULT);
    static const int off[3] = {0, -1, 1}; /* the right count first */
    if (d >= 0) {
        const int nn = (int)feats + off[take(r) % 3];
        put_strs(d, "feature_names", take(r) % 8, nn < 0 ? 0 : nn, texts, 2);
        int64_t nlev[8];
        for (int j = 0; j < 8; ++j) nlev[j] = (int64_t)(take(r) % 4) - (take(r) == 0xff);
        const int nl = (int)feats + off[take(r) % 3];
        int total = 0;
        for (int j = 0; j < nl && j < 8; ++j) total += (int)nlev[j];
        total += off[take(r) % 3];
        put_nums(d, "n_levels", take(r) % 8, H5T_NATIVE_INT32, nl < 0 ? 0 : nl, nlev);
        put_strs(d, "levels", take(r) % 8, total < 0 ? 0 : total, texts, 0);
        H5Dclose(d);
    }
    put_data(f, "label", take(r) % 16, H5T_NATIVE_DOUBLE, rows, 0);
    put_data(f, "weight", take(r) % 16, H5T_NATIVE_DOUBLE, rows, 0);
}

/* id_names and /ids/<name>: int64 or strings of either kind, or wrong. */
static void put_ids(hid_t f, recipe *r, hsize_t rows)
{
    const int n = (int)(take(r) % 3);
    put_strs(f, "id_names", take(r) % 8, n, id_names_, 0);
    if (n == 0 || take(r) % 8 == 7) return;
    hid_t g = H5Gcreate2(f, "ids", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    for (int i = 0; i < n; ++i) put_data(g, id_names_[i], take(r) % 16, H5T_NATIVE_INT64, rows, 0);
    H5Gclose(g);
}

static int write_file(const char *path, recipe *r)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return -1;
    const hsize_t rows = take(r) % 4, feats = take(r) % 3;
    put_root(f, r);
    put_tables(f, r, rows ? rows : (take(r) % 2 ? 0 : 3), feats ? feats : (take(r) % 2 ? 0 : 2));
    put_ids(f, r, rows ? rows : 3);
    H5Fclose(f);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (run_init(argc, argv, &run) != SB_OK) abort();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/sb-h5fuzz-%ld.h5", (long)getpid());
    recipe r = {data, size, 0};
    if (write_file(path, &r) != 0) return 0;
    err_clear(run);
    sb_table t;
    int rc = h5_read_table(run, path, &t);
    unlink(path);
    if (getenv("SB_FUZZ_VERBOSE")) fprintf(stderr, "h5_read_table: rc %d: %s\n", rc, err_message(run));
    if (rc != SB_OK && err_message(run)[0] == '\0') abort();
    if (rc == SB_OK) {
        if (t.n_rows < 1 || t.n_feat < 1 || t.feat == NULL || t.x == NULL) abort();
        /* the texts read are the texts written, whatever the string kind ("forms" read as "form": a NULLPAD loss) */
        if (strcmp(t.layout, texts[0]) != 0 || strcmp(t.label_name, texts[1]) != 0) abort();
        for (int32_t j = 0; j < t.n_feat; ++j)
            if (t.feat[j].name == NULL) abort();
        table_free(&t);
    }
    return 0;
}
