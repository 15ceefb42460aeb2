/* table_ids.c - id column values released early (see table_ids.h). */
#include "io/table_ids.h"

#include <stdlib.h> /* for free */

void table_drop_id_values(sb_table *t)
{
    for (int32_t i = 0; i < t->n_ids; ++i) {
        free(t->ids[i].i64);
        free(t->ids[i].str);
        t->ids[i].i64 = NULL;
        t->ids[i].str = NULL;
    }
}
