/* test_h5.c - HDF5 table round trip (singleton MPI): features, label, weight,
 * int64 and string ids, names, levels, counts; temp file renamed; failures
 * leave no file. The np 1/2/3 identity is tested by tests/integration/ingest_basic.sh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for access, unlink */

#include "cunit_main.h"
#include "io/h5io.h"
#include "io/source.h"

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

static void test_round_trip(void)
{
    const char *path = "/tmp/sb_test_h5.h5";
    unlink(path);
    sb_table t, u;
    make_table(&t, 5000);
    CU_ASSERT_EQUAL_FATAL(h5_write_table(run, path, &t), SB_OK);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access("/tmp/sb_test_h5.h5.tmp", F_OK), 0);
    const char *paths[] = {path};
    sb_source src = {paths, 1, NULL, NULL, 1, NULL, 0};
    CU_ASSERT_EQUAL_FATAL(source_load(run, &src, &u), SB_OK);
    CU_ASSERT_EQUAL(u.n_rows, 5000);
    CU_ASSERT_EQUAL(u.n_rows_global, 5000);
    CU_ASSERT_EQUAL(u.row_start, 0);
    CU_ASSERT_EQUAL(u.n_feat, 3);
    CU_ASSERT_STRING_EQUAL(u.layout, "csv");
    CU_ASSERT_STRING_EQUAL(u.label_name, "rate");
    CU_ASSERT_STRING_EQUAL(u.drop_rule, "trials == 0");
    CU_ASSERT_EQUAL(u.rows_read, 5003);
    CU_ASSERT_EQUAL(u.dropped_zero_trials, 3);
    CU_ASSERT_EQUAL(table_find_feature(&u, "color"), 1);
    CU_ASSERT_EQUAL(table_find_feature(&u, "nope"), -1);
    CU_ASSERT_EQUAL(u.feat[1].n_levels, 2);
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[1], "red");
    CU_ASSERT_EQUAL(u.feat[0].n_levels, 0);
    CU_ASSERT_EQUAL(memcmp(u.label, t.label, 5000 * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(u.weight, t.weight, 5000 * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(u.x, t.x, 5000 * 3 * sizeof(float)), 0); /* NaN bits too */
    CU_ASSERT_EQUAL_FATAL(u.n_ids, 2);
    CU_ASSERT_STRING_EQUAL(u.ids[0].name, "id");
    CU_ASSERT_STRING_EQUAL(u.ids[1].name, "shop");
    CU_ASSERT_EQUAL(memcmp(u.ids[0].i64, t.ids[0].i64, 5000 * sizeof(int64_t)), 0);
    CU_ASSERT_EQUAL(u.ids[1].width, 6);
    CU_ASSERT_EQUAL(memcmp(u.ids[1].str, t.ids[1].str, 5000 * 6), 0);
    table_free(&u);
    CU_ASSERT_PTR_NULL(u.x);
    /* no weight, no label: datasets absent, read back as NULL */
    free(t.weight);
    t.weight = NULL;
    free(t.label);
    t.label = NULL;
    CU_ASSERT_EQUAL_FATAL(h5_write_table_level(run, path, &t, 0), SB_OK);
    CU_ASSERT_EQUAL_FATAL(h5_read_table(run, path, &u), SB_OK);
    CU_ASSERT_PTR_NULL(u.label);
    CU_ASSERT_PTR_NULL(u.weight);
    CU_ASSERT_EQUAL(memcmp(u.x, t.x, 5000 * 3 * sizeof(float)), 0);
    table_free(&u);
    table_free(&t);
    unlink(path);
}

static void test_failures_leave_nothing(void)
{
    sb_table t, u;
    make_table(&t, 10);
    err_clear(run);
    CU_ASSERT_EQUAL(h5_write_table(run, "/nonexistent-dir/x.h5", &t), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent-dir/x.h5.tmp: cannot create"));
    err_clear(run);
    CU_ASSERT_EQUAL(h5_write_table_level(run, "/tmp/sb_test_h5_lv.h5", &t, 12), SB_EINVAL);
    CU_ASSERT_NOT_EQUAL(access("/tmp/sb_test_h5_lv.h5", F_OK), 0);
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
        {"failures name the file and leave nothing", test_failures_leave_nothing},
    };
    if (CU_initialize_registry() != CUE_SUCCESS || SB_SUITE("h5", tests)) return 1;
    int rc = sb_run_all();
    run_finalize(run);
    return rc;
}
