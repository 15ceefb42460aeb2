/* tree_keys.c - split keys (see tree_keys.h). */
#include "kernels/tree_keys.h"

#include <math.h> /* for isnan */

#include "kernels/float_key.h"

/* float_key with its top bit flipped: the same order on signed integers. */
int32_t tree_split_key(float v) { return (int32_t)(float_key(v) ^ 0x80000000u); }

void tree_transpose_keys_ref(const float *x, int64_t m, int32_t n_feat, int32_t *xk, int32_t ld)
{
    for (int64_t r = 0; r < m; ++r)
        for (int32_t c = 0; c < n_feat; ++c) {
            const float v = x[r * n_feat + c];
            int32_t *col = xk + (int64_t)2 * c * ld + r;
            col[0] = isnan(v) ? INT32_MIN : tree_split_key(v);
            col[ld] = isnan(v) ? INT32_MAX : tree_split_key(v);
        }
}

