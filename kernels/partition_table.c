/* partition_table.c - see partition_table.h. */
#include "kernels/partition_table.h"

#include <string.h> /* for memcpy */

int64_t partition_by_table(int32_t *restrict rows, int64_t n, const uint8_t *restrict col,
                           const uint8_t *restrict goes_left, int32_t *restrict scratch)
{
    /* Each row is written to both outputs and the cursors advance by the
     * test: no branch on the row's side. */
    int64_t nl = 0, nr = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int32_t r = rows[i];
        const int left = goes_left[col[r]];
        rows[nl] = r;
        scratch[nr] = r;
        nl += left;
        nr += !left;
    }
    memcpy(rows + nl, scratch, (size_t)nr * sizeof *rows);
    return nl;
}
