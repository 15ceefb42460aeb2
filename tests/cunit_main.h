/* cunit_main.h - shared main() tail for CUnit test binaries.
 * CU_basic_run_tests() returns 0 even when assertions fail, so the exit code
 * comes from CU_get_number_of_failures(). */
#ifndef SB_CUNIT_MAIN_H
#define SB_CUNIT_MAIN_H

#include <CUnit/Basic.h>

typedef struct {
    const char *name;
    void (*fn)(void);
} sb_test;

/* Register one suite of tests; returns 0 on success. */
static inline int sb_add_suite(const char *name, const sb_test *tests, int n)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (s == NULL) return -1;
    for (int i = 0; i < n; ++i)
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) return -1;
    return 0;
}

/* Run everything registered; returns the process exit status. */
static inline int sb_run_all(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}

#define SB_SUITE(name, arr) sb_add_suite((name), (arr), (int)(sizeof(arr) / sizeof((arr)[0])))

#endif
