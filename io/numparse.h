/* numparse.h - strict, fast text -> number conversion for CSV fields.
 *
 * Accepted syntax (surrounding spaces allowed):
 *   [+-] digits [. digits] [(e|E) [+-] digits]   (".5" and "5." too)
 *   [+-] inf | infinity | nan                     (any case)
 * Hex floats, thousands separators and embedded spaces are rejected, unlike strtod.
 * All functions are Local and pure (no I/O, no global state). */
#ifndef SB_NUMPARSE_H
#define SB_NUMPARSE_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

enum { NUMPARSE_OK = 0, NUMPARSE_BAD = -1, NUMPARSE_RANGE = -2 };

/* numparse_f64 - parse s[0..n) as a double, correctly rounded (same bits as strtod).
 * Short decimals (mantissa <= 2^53, |exp10| <= 22) take Clinger's exact fast path: one
 * multiplication or division; everything else falls back to strtod.
 * Returns NUMPARSE_OK or NUMPARSE_BAD (syntax). Overflow gives +-inf, like strtod. */
int numparse_f64(const char *s, size_t n, double *out);

/* numparse_f64_ref - the plain twin: syntax check, then always strtod. */
int numparse_f64_ref(const char *s, size_t n, double *out);

/* numparse_i64 - parse s[0..n) as a decimal integer [+-]digits.
 * Returns NUMPARSE_OK, NUMPARSE_BAD (syntax) or NUMPARSE_RANGE (outside int64). */
int numparse_i64(const char *s, size_t n, int64_t *out);

/* numparse_is_missing - true for "", "NA", "NaN", "nan", "N/A", "null" (after trimming
 * spaces): the spellings the CSV layouts treat as a missing feature value. */
int numparse_is_missing(const char *s, size_t n);

/* Doubles below this magnitude round to a finite float32: FLT_MAX plus half its
 * ulp. 3.4028235e38, how FLT_MAX prints, is above FLT_MAX and rounds to it. */
#define NUMPARSE_F32_FINITE_BELOW 0x1.ffffffp127

#endif
