/* partition_table.h - the stable, branch-free row reorder under a split
 * rule given as a table over the 256 bin values. Its own file because both
 * numeric (kernels/partition.h) and categorical (kernels/split_cat.h) splits
 * use it, and the forest walk already depends on split_cat. */
#ifndef SB_PARTITION_TABLE_H
#define SB_PARTITION_TABLE_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

/* partition_by_table - the stable, branch-free reorder with the
 * rule given as a table: row r goes left iff goes_left[col[r]] (256 entries,
 * 0/1). Shared by numeric and categorical splits (kernels/split_cat.h).
 * scratch holds n values. Returns the number of left rows. Local. */
int64_t partition_by_table(int32_t *rows, int64_t n, const uint8_t *col, const uint8_t *goes_left,
                           int32_t *scratch);

#endif
