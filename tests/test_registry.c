/* test_registry.c - model references (parse rules) and the registry's
 * versions, stages, rollback history and gc on a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_main.h"
#include "helpers.h"
#include "io/model_ref.h"
#include "io/registry.h"
#include "base/error.h"
#include "base/run_local.h"

static run_ctx *run;
static char dir[256];

static void test_parse_refs(void)
{
    model_ref r;
    char err[512];
    CU_ASSERT_EQUAL(model_ref_parse("models/m.json", &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(r.kind, REF_PATH);
    CU_ASSERT_STRING_EQUAL(r.path, "models/m.json");
    CU_ASSERT_EQUAL(model_ref_parse("/reg/kw@v12", &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(r.kind, REF_VERSION);
    CU_ASSERT_EQUAL(r.version, 12);
    CU_ASSERT_STRING_EQUAL(r.dir, "/reg/kw");
    CU_ASSERT_STRING_EQUAL(r.name, "kw");
    CU_ASSERT_EQUAL(model_ref_parse("reg/kw@latest", &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(r.kind, REF_LATEST);
    CU_ASSERT_EQUAL(model_ref_parse("reg/kw@production", &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(r.kind, REF_STAGE);
    CU_ASSERT_STRING_EQUAL(r.stage, "production");
    CU_ASSERT_EQUAL(model_ref_parse("kw@staging", &r, err, sizeof err), 0); /* registry "." is the folder kw */
    CU_ASSERT_STRING_EQUAL(r.dir, "kw");
    /* an '@' in a folder above the name is part of the path */
    CU_ASSERT_EQUAL(model_ref_parse("/data/a@b/m.json", &r, err, sizeof err), 0);
    CU_ASSERT_EQUAL(r.kind, REF_PATH);
}

static void test_parse_refs_refused(void)
{
    static const char *bad[] = {"reg/kw@v0",   "reg/kw@v01",  "reg/kw@",        "reg/@v1",       "reg/k w@v1",
                                "reg/kw@Prod", "reg/kw@v1x",  "reg/kw@v99999999999", "reg/.kw@v1", "",
                                "reg/kw@stage.x"};
    model_ref r;
    char err[512];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
        err[0] = '\0';
        CU_ASSERT_EQUAL(model_ref_parse(bad[i], &r, err, sizeof err), -1);
        CU_ASSERT(err[0] != '\0');
    }
    CU_ASSERT_EQUAL(model_ref_version_of("v7"), 7);
    CU_ASSERT_EQUAL(model_ref_version_of("v07"), 0);
    CU_ASSERT_EQUAL(model_ref_version_of("7"), 0);
    CU_ASSERT(model_ref_stage_ok("production"));
    CU_ASSERT(!model_ref_stage_ok("latest"));
    CU_ASSERT(!model_ref_stage_ok("v2"));
}

/* A stand-in model file: registry_add only reads it as JSON. */
static void fake_model(const char *path, int trees)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"objective\":\"reg:logistic\",\"layout\":\"forms\",\"label_name\":\"y\",\"params\":{\"max_depth\":\"%d\"},"
               "\"features\":[{}],\"data\":{\"rows\":10},\"training\":{\"rounds\":2,\"best_iteration\":1,\"metric\":\"rmse\","
               "\"train_metric\":[0.5,0.25],\"valid_metric\":null},\"trees\":[%s]}\n",
            trees, trees > 1 ? "{},{}" : "{}");
    fclose(f);
}

static void test_versions_and_stages(void)
{
    char model[300], reg[300];
    snprintf(model, sizeof model, "%s/m.json", dir);
    snprintf(reg, sizeof reg, "%s/reg/forms", dir);
    int32_t v = 0, old = -1, from = 0, to = 0;
    for (int i = 1; i <= 4; ++i) {
        fake_model(model, i);
        CU_ASSERT_EQUAL(registry_add(run, reg, model, NULL, &v), SB_OK);
        CU_ASSERT_EQUAL(v, i);
    }
    int32_t *vs = NULL, n = 0;
    CU_ASSERT_EQUAL(registry_versions(run, reg, &vs, &n), SB_OK);
    CU_ASSERT_EQUAL(n, 4);
    free(vs);
    model_ref r;
    CU_ASSERT_EQUAL(model_ref_resolve(run, "x", &r), SB_EIO); /* no such file */
    err_clear(run);
    char text[400];
    snprintf(text, sizeof text, "%s@latest", reg);
    CU_ASSERT_EQUAL(model_ref_resolve(run, text, &r), SB_OK);
    CU_ASSERT_EQUAL(r.version, 4);
    snprintf(text, sizeof text, "%s@production", reg);
    CU_ASSERT_EQUAL(model_ref_resolve(run, text, &r), SB_EIO); /* unset stage */
    err_clear(run);
    CU_ASSERT_EQUAL(registry_promote(run, reg, "production", 1, 0, &old), SB_OK);
    CU_ASSERT_EQUAL(old, 0);
    CU_ASSERT_EQUAL(registry_promote(run, reg, "production", 2, 1, &old), SB_OK);
    CU_ASSERT_EQUAL(registry_promote(run, reg, "production", 3, 1, &old), SB_EINVAL); /* moved: CAS fails */
    err_clear(run);
    CU_ASSERT_EQUAL(registry_promote(run, reg, "production", 9, -1, &old), SB_EINVAL); /* no v9 */
    err_clear(run);
    CU_ASSERT_EQUAL(registry_promote(run, reg, "production", 3, -1, &old), SB_OK);
    CU_ASSERT_EQUAL(model_ref_resolve(run, text, &r), SB_OK);
    CU_ASSERT_EQUAL(r.version, 3);
    /* rollbacks undo promotes one by one: 3 -> 2 -> 1, then nothing left */
    CU_ASSERT_EQUAL(registry_rollback(run, reg, "production", &from, &to), SB_OK);
    CU_ASSERT_EQUAL(from, 3);
    CU_ASSERT_EQUAL(to, 2);
    CU_ASSERT_EQUAL(registry_rollback(run, reg, "production", &from, &to), SB_OK);
    CU_ASSERT_EQUAL(to, 1);
    CU_ASSERT_EQUAL(registry_rollback(run, reg, "production", &from, &to), SB_EINVAL);
    err_clear(run);
    /* gc keeps the newest 1 and the staged v1 */
    int32_t removed = 0;
    CU_ASSERT_EQUAL(registry_gc(run, reg, 1, 0, &removed), SB_OK);
    CU_ASSERT_EQUAL(removed, 2);
    CU_ASSERT_EQUAL(registry_versions(run, reg, &vs, &n), SB_OK);
    CU_ASSERT_EQUAL(n, 2);
    if (n == 2) CU_ASSERT(vs[0] == 1 && vs[1] == 4);
    free(vs);
    /* numbering continues after gc: a version number is never reused */
    CU_ASSERT_EQUAL(registry_add(run, reg, model, NULL, &v), SB_OK);
    CU_ASSERT_EQUAL(v, 5);
}

/* No MPI: the registry is local, and serve/models run on run_init_local's context. */
static int set_up(void)
{
    if (run_init_local(&run) != SB_OK) return 1;
    return sb_make_tmpdir(dir, sizeof dir, "registry");
}

static int tear_down(void)
{
    int rc = sb_remove_tree(dir);
    run_finalize_local(run);
    return rc;
}

static const sb_test tests[] = {{"reference syntax", test_parse_refs},
                                {"references refused with a message", test_parse_refs_refused},
                                {"versions, stages (CAS), rollback, gc", test_versions_and_stages}};

SB_TEST_MAIN(NULL, SB_SUITE_FIXTURE("registry", tests, set_up, tear_down))
