/* escape.c - see escape.h. */
#include "base/escape.h"

#include <stdio.h> /* for snprintf */

/* Length of the well-formed UTF-8 sequence at p (2..4), or 0 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    const unsigned c = p[0];
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    for (size_t i = 1; i < len; ++i)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && p[1] < 0xa0) return 0; /* overlong */
    if (c == 0xed && p[1] > 0x9f) return 0; /* surrogate */
    if (c == 0xf0 && p[1] < 0x90) return 0; /* overlong */
    if (c == 0xf4 && p[1] > 0x8f) return 0; /* above U+10FFFF */
    return len;
}

size_t sb_escape(char *out, size_t cap, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t w = 0;
    if (cap == 0) return 0;
    for (size_t i = 0; i < n;) {
        size_t len = s[i] >= 0x80 ? utf8_len(s + i, n - i) : (s[i] >= 0x20 && s[i] != 0x7f) || s[i] == '\t';
        if (len > 0) {
            if (w + len >= cap) break;
            for (size_t k = 0; k < len; ++k) out[w++] = (char)s[i + k];
            i += len;
        } else {
            if (w + 4 >= cap) break;
            snprintf(out + w, cap - w, "\\x%02x", s[i]);
            w += 4;
            ++i;
        }
    }
    out[w] = '\0';
    return w;
}
