/* alloc.c - allocation with a recorded error (see alloc.h). */
#include "base/alloc.h"

#include <stdint.h> /* for SIZE_MAX */
#include <stdlib.h>
#include <string.h>

void *sb_alloc(run_ctx *run, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        SB_FAIL(run, SB_ENOMEM, "out of memory allocating %zu x %zu bytes on rank %d", n, size, run_world_rank(run));
    return p;
}

void *sb_realloc(run_ctx *run, void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        SB_FAIL(run, SB_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    size_t bytes = n * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (q == NULL)
        SB_FAIL(run, SB_ENOMEM, "out of memory growing to %zu x %zu bytes on rank %d", n, size,
                run_world_rank(run));
    return q;
}

char *sb_strdup(run_ctx *run, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = sb_alloc(run, n, 1);
    if (p) memcpy(p, s, n);
    return p;
}
