/* ingest_levels.c - see ingest_levels.h. */
#include "io/ingest_levels.h"

#include <stdlib.h>
#include <string.h>

#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; ++i) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

void levels_free(levels_dict *d)
{
    free(d->slots);
    free(d->off);
    free(d->names);
    memset(d, 0, sizeof *d);
}

static int rehash(run_ctx *run, levels_dict *d, size_t n_slots)
{
    int32_t *slots = sb_alloc(run, n_slots, sizeof *slots);
    int64_t *off = sb_realloc(run, d->off, n_slots / 2, sizeof *off);
    if (slots == NULL || off == NULL) {
        free(slots);
        if (off) d->off = off;
        return SB_ENOMEM;
    }
    d->off = off;
    for (int32_t c = 0; c < d->n; ++c) {
        const char *s = d->names + d->off[c];
        size_t i = hash_bytes(s, strlen(s)) & (n_slots - 1);
        while (slots[i]) i = (i + 1) & (n_slots - 1);
        slots[i] = c + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->n_slots = n_slots;
    return SB_OK;
}

static int32_t add(run_ctx *run, levels_dict *d, const char *s, size_t n, size_t slot)
{
    if (d->n >= LEVELS_MAX) {
        SB_FAIL(run, SB_EDATA, "more than %d distinct levels in a categorical column", (int)LEVELS_MAX);
        return -2;
    }
    if (d->used + n + 1 > d->cap) {
        size_t cap = (d->used + n + 1) * 2;
        char *nb = sb_realloc(run, d->names, cap, 1);
        if (nb == NULL) return -2;
        d->names = nb;
        d->cap = cap;
    }
    memcpy(d->names + d->used, s, n);
    d->names[d->used + n] = '\0';
    int32_t c = d->n++;
    d->off[c] = (int64_t)d->used;
    d->used += n + 1;
    d->slots[slot] = c + 1;
    /* keep load <= 1/4: off[] holds n_slots / 2 codes */
    if ((size_t)d->n * 4 > d->n_slots && rehash(run, d, d->n_slots * 2) != SB_OK) return -2;
    return c;
}

int32_t levels_code(run_ctx *run, levels_dict *d, const char *s, size_t n)
{
    uint64_t h = hash_bytes(s, n);
    for (size_t i = h & (d->n_slots - 1);; i = (i + 1) & (d->n_slots - 1)) {
        int32_t e = d->slots[i];
        if (e == 0) return d->frozen ? -1 : add(run, d, s, n, i);
        const char *name = d->names + d->off[e - 1];
        if (strncmp(name, s, n) == 0 && name[n] == '\0') return e - 1;
    }
}

int levels_init(run_ctx *run, levels_dict *d, char *const *fixed, int32_t n_fixed)
{
    memset(d, 0, sizeof *d);
    size_t slots = 64;
    while (slots < (size_t)n_fixed * 4) slots *= 2;
    SB_TRY(run, rehash(run, d, slots));
    for (int32_t i = 0; i < n_fixed; ++i)
        if (levels_code(run, d, fixed[i], strlen(fixed[i])) < 0) return SB_ENOMEM;
    d->frozen = fixed != NULL;
    return SB_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int levels_agree(run_ctx *run, const levels_dict *d, char ***levels, int32_t *n_levels, int32_t **remap)
{
    int rc = SB_OK;
    void *all = NULL;
    char **v = NULL, **names = NULL;
    int32_t *map = NULL;
    int64_t total = 0, count = 0, u = 0;
    SB_TRY(run, comm_allgatherv_bytes(run, d->names, (int64_t)d->used, &all, &total, NULL));
    for (int64_t i = 0; i < total; ++i) count += ((char *)all)[i] == '\0';
    SB_ALLOC_OR_OUT(run, v, (size_t)count + 1, sizeof *v);
    SB_ALLOC_OR_OUT(run, map, (size_t)d->n + 1, sizeof *map);
    int64_t k = 0;
    for (char *p = all; p < (char *)all + total; p += strlen(p) + 1) v[k++] = p;
    qsort(v, (size_t)count, sizeof *v, cmp_str);
    for (int64_t i = 0; i < count; ++i)
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0) v[u++] = v[i];
    if (u > LEVELS_MAX)
        SB_RAISE(run, SB_EDATA, "more than %d distinct levels in a categorical column", (int)LEVELS_MAX);
    for (int32_t c = 0; c < d->n; ++c) {
        const char *name = levels_name(d, c);
        char **hit = bsearch(&name, v, (size_t)u, sizeof *v, cmp_str);
        map[c] = (int32_t)(hit - v);
    }
    SB_ALLOC_OR_OUT(run, names, (size_t)u + 1, sizeof *names);
    for (int64_t i = 0; i < u; ++i)
        if ((names[i] = sb_strdup(run, v[i])) == NULL) SB_CHECK(run, SB_ENOMEM);
    *levels = names;
    *n_levels = (int32_t)u;
    *remap = map;
    names = NULL; /* handed over */
    map = NULL;
out:
    for (int64_t i = 0; names && i < u; ++i) free(names[i]);
    free(names);
    free(map);
    free(v);
    free(all);
    return rc;
}
