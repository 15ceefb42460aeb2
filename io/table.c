/* table.c - freeing and looking up an sb_table (see table.h). */
#include "io/table.h"

#include <stdlib.h> /* for free */
#include <string.h> /* for memset, strcmp */

void table_free(sb_table *t)
{
    if (t == NULL) return;
    for (int32_t f = 0; t->feat && f < t->n_feat; ++f) {
        free(t->feat[f].name);
        for (int32_t l = 0; l < t->feat[f].n_levels; ++l) free(t->feat[f].levels[l]);
        free(t->feat[f].levels);
    }
    for (int32_t i = 0; t->ids && i < t->n_ids; ++i) {
        free(t->ids[i].name);
        free(t->ids[i].i64);
        free(t->ids[i].str);
    }
    free(t->ids);
    free(t->feat);
    free(t->layout);
    free(t->x);
    free(t->label);
    free(t->weight);
    free(t->label_name);
    free(t->drop_rule);
    memset(t, 0, sizeof *t);
}

int32_t table_find_feature(const sb_table *t, const char *name)
{
    for (int32_t f = 0; f < t->n_feat; ++f)
        if (t->feat[f].name && strcmp(t->feat[f].name, name) == 0) return f;
    return -1;
}
