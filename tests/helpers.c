/* helpers.c - SB_TEST_MAIN's body and the fixtures the CUnit tests share (helpers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>  /* for open */
#include <unistd.h> /* for dup, dup2, getpid */

#include "cunit_main.h"
#include "helpers.h"
#include "base/error.h"
#include "mpi/comm.h"
#include "mpi/run.h"

/* The binary's run context (SB_TEST_MAIN(&run, ...)), for helpers that report through it. */
static run_ctx *test_run;


/* ---- SB_TEST_MAIN ------------------------------------------------------------------------ */

static int register_suites(const sb_suite *suites, int n)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return -1;
    for (int s = 0; s < n; ++s) {
        CU_pSuite cs = CU_add_suite(suites[s].name, suites[s].init, suites[s].clean);
        if (cs == NULL) return -1;
        for (int i = 0; i < suites[s].n; ++i)
            if (CU_add_test(cs, suites[s].tests[i].name, suites[s].tests[i].fn) == NULL) return -1;
    }
    return 0;
}

/* Number of registered tests; with mark != NULL, sets mark[i] = 1 for every test i (in registry
 * order) that has a failure record, or whose suite failed to set up. */
static int64_t mark_failed_tests(int64_t *mark)
{
    int64_t n = 0;
    for (CU_pSuite s = CU_get_registry()->pSuite; s != NULL; s = s->pNext)
        for (CU_pTest t = s->pTest; t != NULL; t = t->pNext, ++n) {
            if (mark == NULL) continue;
            for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext)
                if (f->pTest == t || (f->pTest == NULL && f->pSuite == s)) mark[n] = 1;
        }
    return n;
}

/* A rank other than 0 prints only its failures, each naming the rank. */
static void print_rank_failures(int rank)
{
    for (CU_pFailureRecord f = CU_get_failure_list(); f != NULL; f = f->pNext)
        printf("rank %d: FAILED %s / %s: %s:%u: %s\n", rank, f->pSuite ? f->pSuite->pName : "?",
               f->pTest ? f->pTest->pName : "(suite set-up)", f->strFileName ? f->strFileName : "?",
               f->uiLineNumber, f->strCondition ? f->strCondition : "");
    fflush(stdout);
}

/* CU_basic_run_tests prints its run summary even in CU_BRM_SILENT mode: a rank other than 0
 * runs the tests with stdout on /dev/null, so that only rank 0's report reaches the log. */
static void run_tests_quietly(void)
{
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, STDOUT_FILENO);
    CU_basic_set_mode(CU_BRM_SILENT);
    CU_basic_run_tests();
    fflush(stdout);
    if (saved >= 0 && null >= 0) dup2(saved, STDOUT_FILENO);
    if (saved >= 0) close(saved);
    if (null >= 0) close(null);
}

/* Run the registered suites on every rank; returns the agreed exit status. Rank 0 adds a
 * CUnit-shaped "tests" row counting a test as failed if it failed on any rank. */
static int run_registered(run_ctx *run)
{
    int rank = run ? run_rank(run) : 0, size = run ? run_size(run) : 1;
    if (rank == 0) {
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
    } else {
        run_tests_quietly();
    }
    int64_t n = mark_failed_tests(NULL);
    int64_t *mark = calloc((size_t)n + 1, sizeof *mark);
    if (mark == NULL) return 1;
    mark_failed_tests(mark);
    mark[n] = CU_get_number_of_failures() > 0 || CU_get_number_of_suites_failed() > 0;
    if (rank != 0) print_rank_failures(rank);
    if (run != NULL && comm_max_i64(run, mark, n + 1) != SB_OK) mark[n] = 1;
    int64_t failed = 0;
    for (int64_t i = 0; i < n; ++i) failed += mark[i];
    unsigned ran = CU_get_number_of_tests_run();
    if (rank == 0 && size > 1) {
        printf("\nAll %d ranks (a test fails if it failed on any rank):\n", size);
        printf("%20s %6lld %6u %6lld %6lld %8u\n", "tests", (long long)n, ran, (long long)(ran - failed),
               (long long)failed, CU_get_run_summary()->nTestsInactive);
    }
    int status = failed > 0 || mark[n] ? 1 : 0;
    free(mark);
    return status;
}

int sb_test_main(int *argc, char ***argv, run_ctx **runp, const sb_suite *suites, int n)
{
    run_ctx *run = NULL;
    if (runp != NULL) {
        if (run_init(argc, argv, &run) != SB_OK) return 1;
        *runp = run;
        test_run = run;
    }
    int64_t bad = register_suites(suites, n) != 0;
    if (run != NULL && comm_max_i64(run, &bad, 1) != SB_OK) bad = 1;
    int status = bad ? 1 : run_registered(run);
    if (bad) fprintf(stderr, "CUnit registry: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    if (run != NULL) run_finalize(run);
    return status;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static uint64_t rng_state = 12345;

uint64_t sb_test_rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double sb_test_unif(void) { return (double)(sb_test_rnd() >> 11) / 9007199254740992.0; }

char *sb_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    char *b = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        b = malloc((size_t)n + 1);
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b == NULL) return NULL;
    b[n] = '\0';
    if (len) *len = (size_t)n;
    return b;
}

static void *copy_of(const void *src, size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (p != NULL && bytes) memcpy(p, src, bytes);
    return p;
}

void sb_make_table(sb_table *t, int64_t n, int32_t nf, const char *const *names, const char *label_name,
                   const float *x, const double *y, const double *w)
{
    memset(t, 0, sizeof *t);
    t->layout = strdup("csv");
    t->label_name = strdup(label_name ? label_name : "y");
    t->n_rows = t->n_rows_global = t->rows_read = n;
    t->n_feat = nf;
    t->feat = calloc((size_t)nf, sizeof *t->feat);
    for (int32_t f = 0; f < nf; ++f) {
        char name[16];
        snprintf(name, sizeof name, "x%d", f);
        t->feat[f].name = strdup(names ? names[f] : name);
    }
    t->x = copy_of(x, (size_t)(n * nf) * sizeof(float));
    t->label = copy_of(y, (size_t)n * sizeof(double));
    if (w) t->weight = copy_of(w, (size_t)n * sizeof(double));
}

void sb_make_params(sb_params *p, const char *spec)
{
    params_default(p);
    char *s = strdup(spec), *save = NULL;
    for (char *kv = strtok_r(s, " ", &save); kv != NULL; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        CU_ASSERT_PTR_NOT_NULL_FATAL(eq);
        CU_ASSERT_PTR_NOT_NULL_FATAL(test_run);
        *eq = '\0';
        int rc = params_set(test_run, p, kv, eq + 1, "sb_make_params");
        if (rc != SB_OK) {
            printf("%s\n", err_message(test_run));
            err_clear(test_run);
        }
        CU_ASSERT_EQUAL(rc, SB_OK);
    }
    free(s);
}

int sb_make_tmpdir(char *dir, size_t size, const char *what)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/sb_%s_%d.XXXXXX", tmp && *tmp ? tmp : "/tmp", what, (int)getpid());
    if (n < 0 || (size_t)n >= size) return -1;
    return mkdtemp(dir) == NULL ? -1 : 0;
}

int sb_remove_tree(const char *dir)
{
    char cmd[4200];
    int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (n < 0 || (size_t)n >= sizeof cmd) return -1;
    return system(cmd) == 0 ? 0 : -1;
}
