/* tree_predict_simd.h - private to kernels/tree_predict*.c: one complete tree
 * walked over a block of rows with x86-64 vector instructions, several rows
 * per instruction (16 with AVX-512, 8 with AVX2), on split keys
 * (tree_predict.h).
 *
 * tree_block_<isa>(kcol, kthr, leaf, D, xk, ld, m, margin): kcol / kthr are
 * the tree's 2^D - 1 inner slots and leaf its 2^D bottom slots (tree_layout,
 * 0 <= D <= TREE_LAYOUT_MAX_DEPTH); xk holds the key columns of m rows, column
 * c of row r at xk[c * ld + r] (tree_transpose_keys_*), with 2 * n_feat * ld
 * <= INT32_MAX (offsets are 32-bit lanes).
 * Adds the tree's leaf value to margin[r] for the first rows, a multiple of
 * the vector width, and returns how many it did; the caller walks the rest.
 * Same split rule and bits as the scalar walk. Call only when the CPU has the
 * instruction set (__builtin_cpu_supports). Local, no allocation. */
#ifndef SB_TREE_PREDICT_SIMD_H
#define SB_TREE_PREDICT_SIMD_H

#include <stdint.h> /* for int32_t, int64_t */

#if defined(__x86_64__)
int64_t tree_block_avx512(const int32_t *kcol, const int32_t *kthr, const double *leaf, int32_t D, const int32_t *xk,
                          int32_t ld, int64_t m, double *margin);
int64_t tree_block_avx2(const int32_t *kcol, const int32_t *kthr, const double *leaf, int32_t D, const int32_t *xk,
                        int32_t ld, int64_t m, double *margin);
/* tree_transpose_keys_<isa> - the block the walks read, in 16 x 16 (8 x 8)
 * tiles; same result as tree_transpose_keys_ref (tree_predict.h). */
void tree_transpose_keys_avx512(const float *x, int64_t m, int32_t n_feat, int32_t *xk, int32_t ld);
void tree_transpose_keys_avx2(const float *x, int64_t m, int32_t n_feat, int32_t *xk, int32_t ld);
#endif

#endif
