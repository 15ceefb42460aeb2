/* model_name.c - version and stage name syntax (see model_name.h). */
#include "io/model_name.h"

#include <string.h> /* for strlen, strcmp */

/* "vN": N >= 1, decimal, no leading zero, fits int32. Returns N or 0. */
int32_t model_ref_version_of(const char *s)
{
    if (s[0] != 'v' || s[1] < '1' || s[1] > '9') return 0;
    long long v = 0;
    for (const char *p = s + 1; *p; ++p) {
        if (*p < '0' || *p > '9') return 0;
        v = v * 10 + (*p - '0');
        if (v > INT32_MAX) return 0;
    }
    return (int32_t)v;
}

int model_ref_stage_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= MODEL_REF_STAGE_MAX || s[0] < 'a' || s[0] > 'z') return 0;
    if (strcmp(s, "latest") == 0 || (s[0] == 'v' && s[1] >= '0' && s[1] <= '9')) return 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return 0;
    }
    return 1;
}
