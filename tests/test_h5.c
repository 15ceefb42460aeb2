/* test_h5.c - HDF5 table round trip: features, label, weight, int64 and string
 * ids, names, levels, counts; temp file renamed; failures leave no file. Runs as
 * a singleton (run_tests.sh) and under mpirun -np 3 (tests/integration/ingest_h5.sh):
 * uneven write shards with an empty rank, read back as table_shard_range blocks. */
#include <math.h>
#include <stdio.h>  /* for snprintf */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for access, unlink */

#include "cunit_main.h"
#include "io/h5io.h"
#include "io/source.h"
#include "mpi/comm.h"

static run_ctx *run;

static void make_table(sb_table *t, int64_t n)
{
    memset(t, 0, sizeof *t);
    t->layout = strdup("csv");
    t->label_name = strdup("rate");
    t->drop_rule = strdup("trials == 0");
    t->n_rows = t->n_rows_global = n;
    t->rows_read = n + 3;
    t->dropped_zero_trials = 3;
    t->n_feat = 3;
    t->feat = calloc(3, sizeof *t->feat);
    t->feat[0].name = strdup("a");
    t->feat[1].name = strdup("color");
    t->feat[1].n_levels = 2;
    t->feat[1].levels = calloc(2, sizeof(char *));
    t->feat[1].levels[0] = strdup("blue");
    t->feat[1].levels[1] = strdup("red");
    t->feat[2].name = strdup("b");
    t->x = calloc((size_t)n * 3, sizeof *t->x);
    t->label = calloc((size_t)n, sizeof *t->label);
    t->weight = calloc((size_t)n, sizeof *t->weight);
    t->n_ids = 2;
    t->ids = calloc(2, sizeof *t->ids);
    t->ids[0].name = strdup("id");
    t->ids[0].type = SB_ID_INT64;
    t->ids[0].i64 = calloc((size_t)n, sizeof(int64_t));
    t->ids[1].name = strdup("shop");
    t->ids[1].type = SB_ID_STRING;
    t->ids[1].width = 6;
    t->ids[1].str = calloc((size_t)n, 6);
    for (int64_t r = 0; r < n; ++r) {
        t->x[r * 3] = (float)r * 0.5f;
        t->x[r * 3 + 1] = (r % 3 == 2) ? NAN : (float)(r % 2);
        t->x[r * 3 + 2] = -(float)r;
        t->label[r] = 1.0 / (double)(r + 1);
        t->weight[r] = (double)(r % 7);
        t->ids[0].i64[r] = INT64_MAX - r;
        memcpy(t->ids[1].str + r * 6, r % 2 ? "shopAB" : "s", r % 2 ? 6 : 1);
    }
}

/* A view of rows [b, e) of a full table, as one rank would hold them (not freed). */
static sb_table slice(const sb_table *t, int64_t b, int64_t e)
{
    sb_table v = *t;
    v.n_rows = e - b;
    v.row_start = b;
    v.x = t->x + b * t->n_feat;
    if (t->label) v.label = t->label + b;
    if (t->weight) v.weight = t->weight + b;
    static sb_id_col ids[2];
    ids[0] = t->ids[0];
    ids[1] = t->ids[1];
    ids[0].i64 = t->ids[0].i64 + b;
    ids[1].str = t->ids[1].str + b * t->ids[1].width;
    v.ids = ids;
    return v;
}

/* Uneven write shards: rank 0 holds no rows when there are several ranks. */
static void write_range(int64_t n, int64_t *b, int64_t *e)
{
    int r = run_rank(run), s = run_size(run);
    if (s == 1) {
        *b = 0, *e = n;
        return;
    }
    *b = r == 0 ? 0 : n * (r - 1) / (s - 1);
    *e = r == 0 ? 0 : n * r / (s - 1);
}

static void temp_path(char *buf, size_t n, const char *tag)
{
    int64_t pid = run_rank(run) == 0 ? (int64_t)getpid() : 0;
    comm_bcast(run, &pid, sizeof pid, 0);
    snprintf(buf, n, "/tmp/sb_test_h5.%lld.%s.h5", (long long)pid, tag);
}

static void test_round_trip(void)
{
    char path[256], tmp[300];
    temp_path(path, sizeof path, "rt");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const int64_t N = 5000;
    sb_table t, u;
    make_table(&t, N);
    int64_t b, e;
    write_range(N, &b, &e);
    sb_table mine = slice(&t, b, e);
    CU_ASSERT_EQUAL_FATAL(h5_write_table(run, path, &mine), SB_OK);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access(tmp, F_OK), 0);
    const char *paths[] = {path};
    sb_source src = {paths, 1, NULL, NULL, 1, NULL, 0, 0};
    CU_ASSERT_EQUAL_FATAL(source_load(run, &src, &u), SB_OK);
    int64_t rb, re;
    table_shard_range(N, run_size(run), run_rank(run), &rb, &re);
    CU_ASSERT_EQUAL(u.row_start, rb);
    CU_ASSERT_EQUAL(u.n_rows, re - rb);
    CU_ASSERT_EQUAL(u.n_rows_global, N);
    CU_ASSERT_EQUAL(u.n_feat, 3);
    CU_ASSERT_STRING_EQUAL(u.layout, "csv");
    CU_ASSERT_STRING_EQUAL(u.label_name, "rate");
    CU_ASSERT_STRING_EQUAL(u.drop_rule, "trials == 0");
    CU_ASSERT_EQUAL(u.rows_read, N + 3);
    CU_ASSERT_EQUAL(u.dropped_zero_trials, 3);
    CU_ASSERT_EQUAL(table_find_feature(&u, "color"), 1);
    CU_ASSERT_EQUAL(table_find_feature(&u, "nope"), -1);
    CU_ASSERT_EQUAL(u.feat[1].n_levels, 2);
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[1], "red");
    CU_ASSERT_EQUAL(u.feat[0].n_levels, 0);
    size_t n = (size_t)(re - rb);
    CU_ASSERT_EQUAL(memcmp(u.label, t.label + rb, n * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(u.weight, t.weight + rb, n * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(u.x, t.x + rb * 3, n * 3 * sizeof(float)), 0); /* NaN bits too */
    CU_ASSERT_EQUAL_FATAL(u.n_ids, 2);
    CU_ASSERT_STRING_EQUAL(u.ids[0].name, "id");
    CU_ASSERT_STRING_EQUAL(u.ids[1].name, "shop");
    CU_ASSERT_EQUAL(memcmp(u.ids[0].i64, t.ids[0].i64 + rb, n * sizeof(int64_t)), 0);
    CU_ASSERT_EQUAL(u.ids[1].width, 6);
    CU_ASSERT_EQUAL(memcmp(u.ids[1].str, t.ids[1].str + rb * 6, n * 6), 0);
    table_free(&u);
    CU_ASSERT_PTR_NULL(u.x);
    /* no weight, no label: datasets absent, read back as NULL */
    free(t.weight);
    t.weight = NULL;
    free(t.label);
    t.label = NULL;
    mine = slice(&t, b, e);
    CU_ASSERT_EQUAL_FATAL(h5_write_table_level(run, path, &mine, 0), SB_OK);
    CU_ASSERT_EQUAL_FATAL(h5_read_table(run, path, &u), SB_OK);
    CU_ASSERT_PTR_NULL(u.label);
    CU_ASSERT_PTR_NULL(u.weight);
    CU_ASSERT_EQUAL(memcmp(u.x, t.x + rb * 3, n * 3 * sizeof(float)), 0);
    table_free(&u);
    table_free(&t);
    comm_barrier(run);
    if (run_rank(run) == 0) unlink(path);
}

/* Model levels given: the file's codes are recoded by name, unseen -> NaN. */
static void test_recode_to_model_levels(void)
{
    char path[256];
    temp_path(path, sizeof path, "lv2");
    const int64_t N = 300;
    sb_table t, u;
    make_table(&t, N); /* color: 0 = blue, 1 = red, NaN every third row */
    int64_t b, e;
    write_range(N, &b, &e);
    sb_table mine = slice(&t, b, e);
    CU_ASSERT_EQUAL_FATAL(h5_write_table(run, path, &mine), SB_OK);
    char *model_levels[] = {"red", "teal"};
    sb_feature_info model[2] = {{"a", 0, NULL}, {"color", 2, model_levels}};
    const char *paths[] = {path};
    sb_source src = {paths, 1, NULL, NULL, 1, model, 2, 0};
    CU_ASSERT_EQUAL_FATAL(source_load(run, &src, &u), SB_OK);
    CU_ASSERT_EQUAL(u.feat[1].n_levels, 2);
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[0], "red");
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[1], "teal");
    int bad = 0;
    for (int64_t r = 0; r < u.n_rows; ++r) {
        float was = t.x[(u.row_start + r) * 3 + 1], now = u.x[r * 3 + 1];
        if (was == 1.0f) bad += now != 0.0f;      /* red -> 0 */
        else bad += !isnan(now);                  /* blue (unseen) and missing -> NaN */
        bad += u.x[r * 3] != t.x[(u.row_start + r) * 3]; /* numeric features untouched */
    }
    CU_ASSERT_EQUAL(bad, 0);
    table_free(&u);
    table_free(&t);
    comm_barrier(run);
    if (run_rank(run) == 0) unlink(path);
}

static void test_failures_leave_nothing(void)
{
    sb_table t, u;
    make_table(&t, 10);
    t.n_rows = run_rank(run) == 0 ? 10 : 0; /* rank 0 holds all rows */
    t.n_rows_global = 10;
    err_clear(run);
    CU_ASSERT_EQUAL(h5_write_table(run, "/nonexistent-dir/x.h5", &t), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent-dir/x.h5.tmp: cannot create"));
    err_clear(run);
    char path[256];
    temp_path(path, sizeof path, "lv");
    CU_ASSERT_EQUAL(h5_write_table_level(run, path, &t, 12), SB_EINVAL);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    err_clear(run);
    CU_ASSERT_EQUAL(h5_read_table(run, "/nonexistent-dir/x.h5", &u), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent-dir/x.h5: cannot open as an HDF5 file"));
    err_clear(run);
    table_free(&t);
}

int main(int argc, char **argv)
{
    if (run_init(&argc, &argv, &run) != SB_OK) return 1;
    static const sb_test tests[] = {
        {"write + read back every column and attribute", test_round_trip},
        {"h5 input recoded onto a model's levels", test_recode_to_model_levels},
        {"failures name the file and leave nothing", test_failures_leave_nothing},
    };
    if (CU_initialize_registry() != CUE_SUCCESS || SB_SUITE("h5", tests)) return 1;
    int rc = sb_run_all();
    run_finalize(run);
    return rc;
}
