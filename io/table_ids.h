/* table_ids.h - releasing the values of a table's id columns early. */
#ifndef SB_TABLE_IDS_H
#define SB_TABLE_IDS_H

#include "io/table.h"

/* table_drop_id_values - free every id column's values (i64, str) and set
 * them to NULL, keeping the columns' names, types and widths: a job that
 * needs the ids' names only (train writes them into the model) gives the
 * memory back. table_free stays safe afterwards. Local. */
void table_drop_id_values(sb_table *t);

#endif
