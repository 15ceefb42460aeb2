/* helpers.h - fixtures shared by the CUnit tests (linked into every test binary). */
#ifndef SB_TEST_HELPERS_H
#define SB_TEST_HELPERS_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

#include "io/params.h" /* for sb_params */
#include "io/table.h"  /* for sb_table */

/* A SplitMix64 stream (seed 12345 at start) for generated test inputs: the same data on
 * every run; sb_test_unif is uniform in [0, 1) with 53 bits. */
uint64_t sb_test_rnd(void);
double sb_test_unif(void);

/* The whole content of a file, NUL-terminated (malloc'd), its length in *len if non-NULL;
 * NULL if it cannot be read completely (a short read is a failure, not a shorter file). */
char *sb_slurp(const char *path, size_t *len);

/* An in-memory table of n rows: x row-major with nf features named names[f] (NULL: x0, x1, ...),
 * label y named label_name (NULL: "y"), weights w (NULL: none); layout "csv", no ids.
 * Everything is copied; free with table_free. */
void sb_make_table(sb_table *t, int64_t n, int32_t nf, const char *const *names, const char *label_name,
                   const float *x, const double *y, const double *w);

/* Default parameters, then the space-separated key=value pairs of spec (CU_ASSERT on each),
 * e.g. sb_make_params(&p, "eta=1 lambda=0 max_depth=2"). */
void sb_make_params(sb_params *p, const char *spec); /* needs SB_TEST_MAIN(&run, ...) */

/* A fresh directory under $TMPDIR (or /tmp) named after the test binary, written into dir;
 * 0 on success. sb_remove_tree removes it and everything in it; 0 on success. */
int sb_make_tmpdir(char *dir, size_t size, const char *what);
int sb_remove_tree(const char *dir);

#endif
