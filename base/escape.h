/* escape.h - bytes from input made safe to print: every message that echoes a
 * field, a key or a path goes through it (base/error.c escapes each message),
 * so a terminal never receives raw invalid UTF-8 or control bytes. */
#ifndef SB_ESCAPE_H
#define SB_ESCAPE_H

#include <stddef.h> /* for size_t */

/* sb_escape - the n bytes of p into out (cap bytes, always NUL-terminated when
 * cap > 0): printable ASCII, tab and well-formed UTF-8 sequences as they are,
 * every other byte (NUL, controls, DEL, invalid or truncated UTF-8) as \xNN.
 * Returns the length written. */
size_t sb_escape(char *out, size_t cap, const char *p, size_t n);

#endif
