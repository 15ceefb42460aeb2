/* json_str.c - JSON string quoting (see json_str.h). */
#include "base/json_str.h"

#include <string.h>

/* The escaped form of one byte into e (at most 6 bytes); returns its length. */
static size_t escape_byte(unsigned char c, char e[8])
{
    static const char hex[] = "0123456789abcdef";
    if (c == '"' || c == '\\') {
        e[0] = '\\';
        e[1] = (char)c;
        return 2;
    }
    if (c < 0x20) {
        memcpy(e, "\\u00", 4);
        e[4] = hex[c >> 4];
        e[5] = hex[c & 15];
        return 6;
    }
    e[0] = (char)c;
    return 1;
}

/* Append n bytes at offset w of out, as far as cap allows; returns the new length. */
static size_t put(char *out, size_t cap, size_t w, const char *e, size_t n)
{
    for (size_t k = 0; k < n; ++k)
        if (w + k + 1 < cap) out[w + k] = e[k];
    return w + n;
}

size_t json_quote(char *out, size_t cap, const char *s)
{
    char e[8];
    size_t w = put(out, cap, 0, "\"", 1);
    for (; s && *s; ++s) w = put(out, cap, w, e, escape_byte((unsigned char)*s, e));
    w = put(out, cap, w, "\"", 1);
    if (cap > 0) out[w < cap ? w : cap - 1] = '\0';
    return w;
}

void json_fquote(FILE *f, const char *s)
{
    char e[8];
    fputc('"', f);
    for (; s && *s; ++s) fwrite(e, 1, escape_byte((unsigned char)*s, e), f);
    fputc('"', f);
}
