/* json_str.h - the one JSON string writer: quotes, and escapes '"', '\\' and the
 * control characters (as \u00XX), so any C string becomes one valid JSON string.
 * Used by every file format that writes JSON (model, cv summary). */
#ifndef SB_JSON_STR_H
#define SB_JSON_STR_H

#include <stddef.h> /* for size_t */
#include <stdio.h>  /* for FILE */

/* json_quote - write s as a quoted JSON string into out (cap bytes, always
 * NUL-terminated when cap > 0, snprintf-like); returns the full length needed
 * without the NUL. s NULL is written as "". */
size_t json_quote(char *out, size_t cap, const char *s);
/* json_fquote - the same to a stream. */
void json_fquote(FILE *f, const char *s);

#endif
