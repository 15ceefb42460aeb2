/* partition.c - stable in-place row partition with one scratch buffer. */
#include "kernels/partition.h"

#include <string.h> /* for memcpy */

int64_t partition_rows(int32_t *restrict rows, int64_t n, const uint8_t *restrict col, int32_t split_bin,
                       int32_t missing_bin, int32_t default_left, int32_t *restrict scratch)
{
    /* Branch-free: each row is written to both outputs, the cursors advance by the test. */
    int64_t nl = 0, nr = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int32_t r = rows[i];
        const int32_t b = col[r];
        const int left = partition_goes_left(b, split_bin, missing_bin, default_left);
        rows[nl] = r;
        scratch[nr] = r;
        nl += left;
        nr += !left;
    }
    memcpy(rows + nl, scratch, (size_t)nr * sizeof *rows);
    return nl;
}

int64_t partition_rows_ref(int32_t *rows, int64_t n, const uint8_t *col, int32_t split_bin, int32_t missing_bin,
                           int32_t default_left, int32_t *scratch)
{
    memcpy(scratch, rows, (size_t)n * sizeof *rows);
    int64_t k = 0;
    for (int64_t i = 0; i < n; ++i)
        if (partition_goes_left(col[scratch[i]], split_bin, missing_bin, default_left))
            rows[k++] = scratch[i];
    int64_t nl = k;
    for (int64_t i = 0; i < n; ++i)
        if (!partition_goes_left(col[scratch[i]], split_bin, missing_bin, default_left))
            rows[k++] = scratch[i];
    return nl;
}
