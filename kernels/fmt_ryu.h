/* fmt_ryu.h - number formatting for the CSV output contract.
 *
 * Doubles are written in their shortest round-trip form, laid out exactly as
 * Python's repr(float) does ("0.03653155867612641", "1e-05", "3.0", "nan"),
 * so strtod / float() give back the same double and the text is stable across
 * platforms. The fast path is Ryu (Ulf Adams, PLDI 2018); the _ref twin finds
 * the digits with snprintf("%.*e") + strtod and is what tests compare against.
 * All functions are Local, pure, and never allocate. */
#ifndef SB_FMT_RYU_H
#define SB_FMT_RYU_H

#include <stdint.h> /* for int64_t */

/* Longest text fmt_double can write ("-2.2250738585072014e-308"), no NUL. */
#define FMT_DOUBLE_MAX 25
/* Longest text fmt_i64 can write ("-9223372036854775808"), no NUL. */
#define FMT_I64_MAX 20

/* fmt_double - write v to out (>= FMT_DOUBLE_MAX bytes, no NUL
 * added); returns the length. Ryu digits written in place in the repr
 * layout (the same text as fmt_layout gives for them). */
int fmt_double(double v, char *out);
/* fmt_double_ref - same contract, digits from snprintf + strtod (slow). */
int fmt_double_ref(double v, char *out);

/* fmt_i64 - decimal text of v (no NUL); returns the length. Digit pairs
 * from a table; fmt_i64_ref is the plain digit-by-digit twin. */
int fmt_i64(int64_t v, char *out);
int fmt_i64_ref(int64_t v, char *out);

/* fmt_layout - lay out a decimal digit string (n digits, no leading
 * zero, value = 0.d1d2..dn * 10^decpt) the way Python's repr does, after an
 * optional '-' sign. Exposed so tests can drive it with known digits. */
int fmt_layout(int negative, const char *digits, int n, int decpt, char *out);

#endif
