/* ingest_levels.h - categorical levels: a string -> code dictionary per
 * categorical column while parsing, then one agreement across ranks so codes
 * never depend on the number of ranks: every rank's levels are gathered, the
 * union is sorted bytewise, and local codes are remapped to positions in it. */
#ifndef SB_INGEST_LEVELS_H
#define SB_INGEST_LEVELS_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t */

#include "base/run_ctx.h"

#define LEVELS_MAX ((int32_t)1 << 24) /* codes are stored exactly in float32 */

typedef struct {
    int frozen;       /* fixed level list: unseen values are not added */
    int32_t n;        /* levels so far */
    int32_t *slots;   /* open addressing: code + 1, 0 = empty */
    size_t n_slots;   /* power of two */
    int64_t *off;     /* per code: offset of its NUL-terminated name in names */
    char *names;
    size_t used, cap;
} levels_dict;

/* levels_init - an empty dictionary, or one frozen to `fixed` (n_fixed names, in
 * code order) when fixed != NULL. Local. */
int levels_init(run_ctx *run, levels_dict *d, char *const *fixed, int32_t n_fixed);
void levels_free(levels_dict *d);

/* levels_code - the code of s[0..n); adds it unless frozen. Local.
 * Returns the code, -1 if frozen and unseen, or -2 when out of memory (error set in run)
 * or over LEVELS_MAX (error set). */
int32_t levels_code(run_ctx *run, levels_dict *d, const char *s, size_t n);

/* levels_name - the name of code c. Local. */
static inline const char *levels_name(const levels_dict *d, int32_t c) { return d->names + d->off[c]; }

/* levels_agree - Collective; every rank passes its open (non-frozen) dictionary.
 * out: *levels (malloc'd sorted union, n_levels names, each malloc'd) and *remap
 * (malloc'd, local code -> agreed code), equal sets on every rank. */
int levels_agree(run_ctx *run, const levels_dict *d, char ***levels, int32_t *n_levels, int32_t **remap);

#endif
