/* alloc.h - allocation that records an SB_ENOMEM error (with the size) on failure. */
#ifndef SB_ALLOC_H
#define SB_ALLOC_H

#include <stddef.h> /* for size_t */

#include "base/error.h"

/* sb_alloc - zeroed n x size bytes (calloc); NULL with the error set on failure. */
void *sb_alloc(run_ctx *run, size_t n, size_t size);
/* sb_realloc - grow or shrink to n x size bytes; NULL (p still valid) with the error set. */
void *sb_realloc(run_ctx *run, void *p, size_t n, size_t size);
char *sb_strdup(run_ctx *run, const char *s);

/* SB_ALLOC_OR_OUT - p = sb_alloc(...); on NULL rc = SB_ENOMEM (message already set), goto out. */
#define SB_ALLOC_OR_OUT(run, p, n, size)                                                           \
    do {                                                                                           \
        if (((p) = sb_alloc((run), (n), (size))) == NULL) {                                        \
            rc = SB_ENOMEM;                                                                        \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

#endif
