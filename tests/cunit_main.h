/* cunit_main.h - the one main() of every CUnit test binary:
 *
 *     SB_TEST_MAIN(&run, SB_SUITE("csv", tests), SB_SUITE_FIXTURE("h5", h5_tests, set_up, tear_down))
 *
 * expands to main(): run_init (only if the binary asks for a run context: pass NULL for pure
 * kernel tests) -> CUnit registry -> the suites -> run -> run_finalize. CU_basic_run_tests()
 * returns 0 even when assertions fail, so the exit code comes from CU_get_number_of_failures().
 * Under mpirun every rank runs every test; a test counts as failed if it failed on any rank,
 * rank 0 prints CUnit's report plus an "all ranks" tests row, the other ranks print only their
 * failures, and every rank exits with the same agreed status. */
#ifndef SB_CUNIT_MAIN_H
#define SB_CUNIT_MAIN_H

#include <CUnit/Basic.h>

#include "base/run_ctx.h" /* for run_ctx */

typedef struct {
    const char *name;
    void (*fn)(void);
} sb_test;

typedef struct {
    const char *name;
    const sb_test *tests;
    int n;
    int (*init)(void);  /* CUnit suite set-up, or NULL; non-zero fails the whole suite */
    int (*clean)(void); /* CUnit suite tear-down, or NULL */
} sb_suite;

#define SB_COUNT(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))
#define SB_SUITE(name, arr) {(name), (arr), SB_COUNT(arr), NULL, NULL}
#define SB_SUITE_FIXTURE(name, arr, init, clean) {(name), (arr), SB_COUNT(arr), (init), (clean)}

/* The body of SB_TEST_MAIN (tests/helpers.c); returns the process exit status. */
int sb_test_main(int *argc, char ***argv, run_ctx **run, const sb_suite *suites, int n);

#define SB_TEST_MAIN(run_ptr, ...)                                                                                    \
    int main(int argc, char **argv)                                                                                    \
    {                                                                                                                  \
        static const sb_suite sb_suites_[] = {__VA_ARGS__};                                                            \
        return sb_test_main(&argc, &argv, (run_ptr), sb_suites_, SB_COUNT(sb_suites_));                                \
    }

#endif
