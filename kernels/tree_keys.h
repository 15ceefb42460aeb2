/* tree_keys.h - split keys: the forest walk's split rule as one signed integer
 * compare (the rule and the key columns are described in tree_predict.h). Shared
 * by the scalar layout (tree_predict.c) and the vector walks (tree_predict_simd.c),
 * which use the plain transpose for a block's last rows. Pure. */
#ifndef SB_TREE_KEYS_H
#define SB_TREE_KEYS_H

#include <stdint.h> /* for int32_t, int64_t */

/* tree_split_key - key(v) of a non-NaN v (see split keys above). Local. */
int32_t tree_split_key(float v);

/* tree_transpose_keys_ref - the split-key columns of a block of rows, which
 * the vector walks read: xk[(2f + d) * ld + r] = key(x[r * n_feat + f]), or
 * for NaN INT32_MIN (d = 0) / INT32_MAX (d = 1), for r < m, f < n_feat (the
 * plain twin of tree_transpose_keys_avx512 / _avx2). Local. */
void tree_transpose_keys_ref(const float *x, int64_t m, int32_t n_feat, int32_t *xk, int32_t ld);

#endif
