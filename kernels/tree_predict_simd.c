/* tree_predict_simd.c - the complete-tree walk of tree_predict.c with one row
 * per vector lane: AVX-512 (16 rows) and AVX2 (8 rows), compiled with target
 * attributes so the file builds without -march flags; tree_predict.c picks one
 * per call with __builtin_cpu_supports. See tree_predict_simd.h.
 *
 * Both read split keys (tree_predict.h): per level, the lanes' slots index the
 * level's tables, each lane's key (row, kcol) is fetched, and one integer
 * compare decides,
 *     right = key > bound,
 * the NaN default already chosen by the key column read; the same decisions
 * as the scalar rule on floats. The float rule took two compares, three mask
 * operations and a bit lookup per level (figures: tests/bench/perf-log.md,
 * 2026-11-24). The top levels'
 * tables fit in registers and are looked up with permutes (levels 0-5, the
 * whole of a depth-6 tree); deeper levels gather them. The leaf values
 * (double) are gathered and added to the rows' margins; vector adds round
 * like scalar ones, so the margins keep the scalar path's bits.
 *
 * The caller transposes each block of rows to key columns (16 x 16 or 8 x 8
 * tiles), so levels 0-3 load their slots' columns (1, 2, 4, 8 vector loads)
 * and pick each lane's value with blends by the decisions so far, with no
 * gather; deeper levels gather x. Gathers are slow and long-latency, so 4
 * groups of rows are walked with their steps interleaved, which lets the
 * gathers overlap; loading columns for level 4 instead of gathering, and
 * permuting the leaves instead of gathering them, measured no better
 * (tests/bench/perf-log.md). */
#include "kernels/tree_predict_simd.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include "kernels/tree_keys.h" /* for tree_transpose_keys_ref: a block's last rows */

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define AVX2 __attribute__((target("avx2")))

/* ---- AVX-512: 16 rows per vector, decisions in mask registers ---- */

/* Child step: j = 2j + right. */
static inline AVX512 __m512i step16(__m512i j, __mmask16 right)
{
    const __m512i j2 = _mm512_add_epi32(j, j);
    return _mm512_mask_add_epi32(j2, right, j2, _mm512_set1_epi32(1));
}

/* One tree's tables for the AVX-512 walk. */
typedef struct {
    int32_t D;
    const int32_t *col[15]; /* levels 0-3: key column of each slot 0..14 */
    __m512i b03;            /* bounds of slots 0..14 */
    __m512i f4, f5a, f5b;   /* levels 4, 5: key column * ld by local slot */
    __m512i b4, b5a, b5b;   /* levels 4, 5: bounds by local slot */
    const int32_t *kcol;    /* levels 6+: gathered */
    const int32_t *kthr;
    const double *leaf;
    int32_t ld;
} tree16;

/* The tree over G groups of 16 rows starting at row g, the groups' steps
 * interleaved so their gathers overlap. */
static inline __attribute__((always_inline)) AVX512 void walk16(const tree16 *T, const int32_t *xk, int64_t g,
                                                               double *margin, const int G)
{
    const int32_t D = T->D;
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const int32_t *const *c = T->col;
    __m512i i[4], j[4], xv[4];
    __mmask16 r0[4], r1[4], r2[4];
    const __m512i b0 = _mm512_permutexvar_epi32(_mm512_setzero_si512(), T->b03);
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) {
        xv[k] = _mm512_loadu_si512(c[0] + g + 16 * k);
        r0[k] = _mm512_cmpgt_epi32_mask(xv[k], b0);
        i[k] = _mm512_mask_add_epi32(one, r0[k], one, one); /* slot 1 or 2 */
        r1[k] = r2[k] = r0[k];
    }
    if (D >= 2) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const int64_t o = g + 16 * k;
            xv[k] = _mm512_mask_blend_epi32(r0[k], _mm512_loadu_si512(c[1] + o), _mm512_loadu_si512(c[2] + o));
            r1[k] = _mm512_cmpgt_epi32_mask(xv[k], _mm512_permutexvar_epi32(i[k], T->b03));
            i[k] = _mm512_add_epi32(step16(i[k], r1[k]), one);
        }
    }
    if (D >= 3) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const int64_t o = g + 16 * k;
            const __m512i a =
                _mm512_mask_blend_epi32(r1[k], _mm512_loadu_si512(c[3] + o), _mm512_loadu_si512(c[4] + o));
            const __m512i b =
                _mm512_mask_blend_epi32(r1[k], _mm512_loadu_si512(c[5] + o), _mm512_loadu_si512(c[6] + o));
            xv[k] = _mm512_mask_blend_epi32(r0[k], a, b);
            r2[k] = _mm512_cmpgt_epi32_mask(xv[k], _mm512_permutexvar_epi32(i[k], T->b03));
            i[k] = _mm512_add_epi32(step16(i[k], r2[k]), one);
        }
    }
    if (D >= 4) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const int64_t o = g + 16 * k;
            const __mmask16 q = r2[k];
            const __m512i a = _mm512_mask_blend_epi32(q, _mm512_loadu_si512(c[7] + o), _mm512_loadu_si512(c[8] + o));
            const __m512i b = _mm512_mask_blend_epi32(q, _mm512_loadu_si512(c[9] + o), _mm512_loadu_si512(c[10] + o));
            const __m512i e = _mm512_mask_blend_epi32(q, _mm512_loadu_si512(c[11] + o), _mm512_loadu_si512(c[12] + o));
            const __m512i h = _mm512_mask_blend_epi32(q, _mm512_loadu_si512(c[13] + o), _mm512_loadu_si512(c[14] + o));
            xv[k] = _mm512_mask_blend_epi32(r0[k], _mm512_mask_blend_epi32(r1[k], a, b),
                                            _mm512_mask_blend_epi32(r1[k], e, h));
            const __mmask16 r3 = _mm512_cmpgt_epi32_mask(xv[k], _mm512_permutexvar_epi32(i[k], T->b03));
            i[k] = _mm512_add_epi32(step16(i[k], r3), one);
        }
    }
    const int32_t d03 = D < 4 ? D : 4;
    const __m512i rows = _mm512_add_epi32(iota, _mm512_set1_epi32((int32_t)g));
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) j[k] = _mm512_sub_epi32(i[k], _mm512_set1_epi32((1 << d03) - 1));
    if (D >= 5) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m512i rk = _mm512_add_epi32(rows, _mm512_set1_epi32(16 * k));
            const __m512i fv = _mm512_permutexvar_epi32(j[k], T->f4);
            xv[k] = _mm512_i32gather_epi32(_mm512_add_epi32(rk, fv), xk, 4);
        }
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k)
            j[k] = step16(j[k], _mm512_cmpgt_epi32_mask(xv[k], _mm512_permutexvar_epi32(j[k], T->b4)));
    }
    if (D >= 6) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m512i rk = _mm512_add_epi32(rows, _mm512_set1_epi32(16 * k));
            const __m512i fv = _mm512_permutex2var_epi32(T->f5a, j[k], T->f5b);
            xv[k] = _mm512_i32gather_epi32(_mm512_add_epi32(rk, fv), xk, 4);
        }
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m512i bv = _mm512_permutex2var_epi32(T->b5a, j[k], T->b5b);
            j[k] = step16(j[k], _mm512_cmpgt_epi32_mask(xv[k], bv));
        }
    }
    for (int32_t d = 6; d < D; ++d) {
        const __m512i ldv = _mm512_set1_epi32(T->ld);
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m512i rk = _mm512_add_epi32(rows, _mm512_set1_epi32(16 * k));
            const __m512i s = _mm512_add_epi32(j[k], _mm512_set1_epi32((1 << d) - 1));
            const __m512i fv = _mm512_mullo_epi32(_mm512_i32gather_epi32(s, T->kcol, 4), ldv);
            const __m512i bv = _mm512_i32gather_epi32(s, T->kthr, 4);
            xv[k] = _mm512_i32gather_epi32(_mm512_add_epi32(rk, fv), xk, 4);
            j[k] = step16(j[k], _mm512_cmpgt_epi32_mask(xv[k], bv));
        }
    }
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) {
        const __m512d l0 = _mm512_i32gather_pd(_mm512_castsi512_si256(j[k]), T->leaf, 8);
        const __m512d l1 = _mm512_i32gather_pd(_mm512_extracti64x4_epi64(j[k], 1), T->leaf, 8);
        double *mg = margin + g + 16 * k;
        _mm512_storeu_pd(mg, _mm512_add_pd(_mm512_loadu_pd(mg), l0));
        _mm512_storeu_pd(mg + 8, _mm512_add_pd(_mm512_loadu_pd(mg + 8), l1));
    }
}

AVX512 int64_t tree_block_avx512(const int32_t *kcol, const int32_t *kthr, const double *leaf, int32_t D,
                                 const int32_t *xk, int32_t ld, int64_t m, double *margin)
{
    const int64_t full = m & ~(int64_t)15;
    if (full == 0) return 0;
    if (D == 0) {
        const __m512d v = _mm512_set1_pd(leaf[0]);
        for (int64_t g = 0; g < full; g += 8)
            _mm512_storeu_pd(margin + g, _mm512_add_pd(_mm512_loadu_pd(margin + g), v));
        return full;
    }
    const int32_t n_in = (1 << D) - 1;
    tree16 T;
    T.D = D;
    T.kcol = kcol;
    T.kthr = kthr;
    T.leaf = leaf;
    T.ld = ld;
    const int32_t n03 = n_in < 15 ? n_in : 15;
    for (int32_t s = 0; s < 15; ++s) T.col[s] = xk + (int64_t)kcol[s < n03 ? s : 0] * ld;
    T.b03 = _mm512_maskz_loadu_epi32((__mmask16)((1u << n03) - 1), kthr);
    const __m512i ldv = _mm512_set1_epi32(ld);
    T.f4 = T.f5a = T.f5b = T.b4 = T.b5a = T.b5b = _mm512_setzero_si512();
    if (D >= 5) {
        T.f4 = _mm512_mullo_epi32(_mm512_loadu_si512(kcol + 15), ldv);
        T.b4 = _mm512_loadu_si512(kthr + 15);
    }
    if (D >= 6) {
        T.f5a = _mm512_mullo_epi32(_mm512_loadu_si512(kcol + 31), ldv);
        T.f5b = _mm512_mullo_epi32(_mm512_loadu_si512(kcol + 47), ldv);
        T.b5a = _mm512_loadu_si512(kthr + 31);
        T.b5b = _mm512_loadu_si512(kthr + 47);
    }
    int64_t g = 0;
    for (; g + 64 <= full; g += 64) walk16(&T, xk, g, margin, 4);
    for (; g < full; g += 16) walk16(&T, xk, g, margin, 1);
    return full;
}

/* r[0..15] = rows of a 16 x 16 tile -> r[c] = column c: pairs of rows
 * interleaved (unpack ps), then quads (unpack pd), leaving r[4k + j] = rows
 * 4k..4k+3 of columns j, j + 4, j + 8, j + 12 in its four 128-bit lanes; two
 * rounds of lane shuffles gather each column's four lanes. */
static inline AVX512 void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int k = 0; k < 8; ++k) {
        t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
    for (int k = 0; k < 4; ++k) {
        const __m512d a = _mm512_castps_pd(t[4 * k]), b = _mm512_castps_pd(t[4 * k + 1]);
        const __m512d c = _mm512_castps_pd(t[4 * k + 2]), d = _mm512_castps_pd(t[4 * k + 3]);
        r[4 * k] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * k + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * k + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[4 * k + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; ++j) {
        const __m512 u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88), u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
        const __m512 u2 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
        const __m512 u3 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
        t[j] = _mm512_shuffle_f32x4(u0, u2, 0x88);
        t[j + 8] = _mm512_shuffle_f32x4(u0, u2, 0xDD);
        t[j + 4] = _mm512_shuffle_f32x4(u1, u3, 0x88);
        t[j + 12] = _mm512_shuffle_f32x4(u1, u3, 0xDD);
    }
    for (int k = 0; k < 16; ++k) r[k] = t[k];
}

/* Keys of 16 values (tree_split_key's rule): -0 is made +0 by adding +0,
 * negative floats' magnitude bits are flipped so integer order is float order,
 * and NaN lanes take INT32_MIN (lo, the go-left column) or INT32_MAX (hi). */
static inline AVX512 void keys16(__m512 v, __m512i *lo, __m512i *hi)
{
    const __m512i b = _mm512_castps_si512(_mm512_add_ps(v, _mm512_setzero_ps()));
    const __m512i k = _mm512_xor_si512(b, _mm512_srli_epi32(_mm512_srai_epi32(b, 31), 1));
    const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    *lo = _mm512_mask_mov_epi32(k, nan, _mm512_set1_epi32(INT32_MIN));
    *hi = _mm512_mask_mov_epi32(k, nan, _mm512_set1_epi32(INT32_MAX));
}

AVX512 void tree_transpose_keys_avx512(const float *x, int64_t m, int32_t n_feat, int32_t *xk, int32_t ld)
{
    const int64_t full = m & ~(int64_t)15;
    for (int32_t c0 = 0; c0 < n_feat; c0 += 16) {
        const int32_t nc = n_feat - c0 < 16 ? n_feat - c0 : 16;
        const __mmask16 cm = (__mmask16)((1u << nc) - 1);
        for (int64_t r0 = 0; r0 < full; r0 += 16) {
            __m512 v[16];
            for (int k = 0; k < 16; ++k) v[k] = _mm512_maskz_loadu_ps(cm, x + (r0 + k) * n_feat + c0);
            transpose16(v);
            for (int k = 0; k < nc; ++k) {
                __m512i lo, hi;
                keys16(v[k], &lo, &hi);
                int32_t *col = xk + (int64_t)2 * (c0 + k) * ld + r0;
                _mm512_storeu_si512(col, lo);
                _mm512_storeu_si512(col + ld, hi);
            }
        }
    }
    tree_transpose_keys_ref(x + full * n_feat, m - full, n_feat, xk + full, ld); /* the last rows, fewer than 16 */
}

/* ---- AVX2: 8 rows per vector on split keys, decisions as all-ones lanes ---- */

/* Lanes going right: all ones where key > bound. */
static inline AVX2 __m256i right8(__m256i xv, __m256i bv) { return _mm256_cmpgt_epi32(xv, bv); }

/* Child step: j = 2j + right (right is 0 or -1). */
static inline AVX2 __m256i step8(__m256i j, __m256i right)
{
    return _mm256_sub_epi32(_mm256_add_epi32(j, j), right);
}

/* Pick b where the decision lane is set, else a. */
static inline AVX2 __m256i pick8(__m256i a, __m256i b, __m256i r)
{
    return _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), _mm256_castsi256_ps(r)));
}

/* Table lookups by a local slot j: 16 entries in two registers, 32 in four. */
static inline AVX2 __m256i look16(__m256i j, __m256i a, __m256i b)
{
    const __m256i hi = _mm256_slli_epi32(j, 28); /* bit 3 to the sign */
    return pick8(_mm256_permutevar8x32_epi32(a, j), _mm256_permutevar8x32_epi32(b, j), hi);
}

static inline AVX2 __m256i look32(__m256i j, const __m256i *t)
{
    const __m256i hi = _mm256_slli_epi32(j, 27); /* bit 4 to the sign */
    return pick8(look16(j, t[0], t[1]), look16(j, t[2], t[3]), hi);
}

/* One tree's tables for the AVX2 walk. */
typedef struct {
    int32_t D;
    const int32_t *col[15]; /* levels 0-3: key column of each slot 0..14 */
    __m256i b02, b3;        /* bounds: slots 0..6 (global), level 3 (local) */
    __m256i f4[2], b4[2];   /* level 4 by local slot: key column * ld, bound */
    __m256i f5[4], b5[4];   /* level 5 likewise */
    const int32_t *kcol;    /* levels 6+: gathered */
    const int32_t *kthr;
    const double *leaf;
    int32_t ld;
} tree8;

/* The tree over G groups of 8 rows starting at row g, steps interleaved. */
static inline __attribute__((always_inline)) AVX2 void walk8(const tree8 *T, const int32_t *xk, int64_t g,
                                                            double *margin, const int G)
{
    const int32_t D = T->D;
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int32_t *const *c = T->col;
    __m256i i[4], j[4], xv[4], r0[4], r1[4], r2[4];
    const __m256i b0 = _mm256_permutevar8x32_epi32(T->b02, _mm256_setzero_si256());
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) {
        xv[k] = _mm256_loadu_si256((const __m256i *)(const void *)(c[0] + g + 8 * k));
        r0[k] = right8(xv[k], b0);
        i[k] = _mm256_sub_epi32(one, r0[k]); /* slot 1 or 2 */
        r1[k] = r2[k] = r0[k];
    }
#define LD8(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
    if (D >= 2) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const int64_t o = g + 8 * k;
            xv[k] = pick8(LD8(c[1] + o), LD8(c[2] + o), r0[k]);
            r1[k] = right8(xv[k], _mm256_permutevar8x32_epi32(T->b02, i[k]));
            i[k] = _mm256_add_epi32(step8(i[k], r1[k]), one);
        }
    }
    if (D >= 3) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const int64_t o = g + 8 * k;
            const __m256i a = pick8(LD8(c[3] + o), LD8(c[4] + o), r1[k]);
            const __m256i b = pick8(LD8(c[5] + o), LD8(c[6] + o), r1[k]);
            xv[k] = pick8(a, b, r0[k]);
            r2[k] = right8(xv[k], _mm256_permutevar8x32_epi32(T->b02, i[k]));
            i[k] = _mm256_add_epi32(step8(i[k], r2[k]), one);
        }
    }
    const int32_t d02 = D < 3 ? D : 3;
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) j[k] = _mm256_sub_epi32(i[k], _mm256_set1_epi32((1 << d02) - 1));
    if (D >= 4) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const int64_t o = g + 8 * k;
            const __m256i q = r2[k];
            const __m256i a = pick8(LD8(c[7] + o), LD8(c[8] + o), q);
            const __m256i b = pick8(LD8(c[9] + o), LD8(c[10] + o), q);
            const __m256i e = pick8(LD8(c[11] + o), LD8(c[12] + o), q);
            const __m256i h = pick8(LD8(c[13] + o), LD8(c[14] + o), q);
            xv[k] = pick8(pick8(a, b, r1[k]), pick8(e, h, r1[k]), r0[k]);
            j[k] = step8(j[k], right8(xv[k], _mm256_permutevar8x32_epi32(T->b3, j[k])));
        }
    }
#undef LD8
    const __m256i rows = _mm256_add_epi32(iota, _mm256_set1_epi32((int32_t)g));
    if (D >= 5) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m256i rk = _mm256_add_epi32(rows, _mm256_set1_epi32(8 * k));
            const __m256i fv = look16(j[k], T->f4[0], T->f4[1]);
            xv[k] = _mm256_i32gather_epi32((const int *)xk, _mm256_add_epi32(rk, fv), 4);
        }
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) j[k] = step8(j[k], right8(xv[k], look16(j[k], T->b4[0], T->b4[1])));
    }
    if (D >= 6) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m256i rk = _mm256_add_epi32(rows, _mm256_set1_epi32(8 * k));
            const __m256i fv = look32(j[k], T->f5);
            xv[k] = _mm256_i32gather_epi32((const int *)xk, _mm256_add_epi32(rk, fv), 4);
        }
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) j[k] = step8(j[k], right8(xv[k], look32(j[k], T->b5)));
    }
    for (int32_t d = 6; d < D; ++d) {
        const __m256i ldv = _mm256_set1_epi32(T->ld);
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __m256i rk = _mm256_add_epi32(rows, _mm256_set1_epi32(8 * k));
            const __m256i s = _mm256_add_epi32(j[k], _mm256_set1_epi32((1 << d) - 1));
            const __m256i fv = _mm256_mullo_epi32(_mm256_i32gather_epi32((const int *)T->kcol, s, 4), ldv);
            const __m256i bv = _mm256_i32gather_epi32((const int *)T->kthr, s, 4);
            xv[k] = _mm256_i32gather_epi32((const int *)xk, _mm256_add_epi32(rk, fv), 4);
            j[k] = step8(j[k], right8(xv[k], bv));
        }
    }
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) {
        const __m256d l0 = _mm256_i32gather_pd(T->leaf, _mm256_castsi256_si128(j[k]), 8);
        const __m256d l1 = _mm256_i32gather_pd(T->leaf, _mm256_extracti128_si256(j[k], 1), 8);
        double *mg = margin + g + 8 * k;
        _mm256_storeu_pd(mg, _mm256_add_pd(_mm256_loadu_pd(mg), l0));
        _mm256_storeu_pd(mg + 4, _mm256_add_pd(_mm256_loadu_pd(mg + 4), l1));
    }
}

AVX2 int64_t tree_block_avx2(const int32_t *kcol, const int32_t *kthr, const double *leaf, int32_t D, const int32_t *xk,
                             int32_t ld, int64_t m, double *margin)
{
    const int64_t full = m & ~(int64_t)7;
    if (full == 0) return 0;
    if (D == 0) {
        const __m256d v = _mm256_set1_pd(leaf[0]);
        for (int64_t g = 0; g < full; g += 4)
            _mm256_storeu_pd(margin + g, _mm256_add_pd(_mm256_loadu_pd(margin + g), v));
        return full;
    }
    const int32_t n_in = (1 << D) - 1;
    tree8 T;
    T.D = D;
    T.kcol = kcol;
    T.kthr = kthr;
    T.leaf = leaf;
    T.ld = ld;
    /* levels 0-3: x from the slots' key columns, selected by the decisions so
     * far; levels 0-2 look bounds up by global slot (0..6), level 3 by local */
    const int32_t n03 = n_in < 15 ? n_in : 15;
    for (int32_t s = 0; s < 15; ++s) T.col[s] = xk + (int64_t)kcol[s < n03 ? s : 0] * ld;
    const __m256i m02 =
        _mm256_cmpgt_epi32(_mm256_set1_epi32(n_in < 7 ? n_in : 7), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    T.b02 = _mm256_maskload_epi32((const int *)kthr, m02);
    T.b3 = _mm256_setzero_si256();
    for (int k = 0; k < 2; ++k) T.f4[k] = T.b4[k] = T.b3;
    for (int k = 0; k < 4; ++k) T.f5[k] = T.b5[k] = T.b3;
    const __m256i ldv = _mm256_set1_epi32(ld);
    if (D >= 4) T.b3 = _mm256_loadu_si256((const __m256i *)(const void *)(kthr + 7));
    /* levels 4 and 5: key columns (premultiplied by the stride) and bounds by local slot */
    for (int32_t d = 4; d <= 5 && d < D; ++d) {
        __m256i *tf = d == 4 ? T.f4 : T.f5, *tb = d == 4 ? T.b4 : T.b5;
        for (int32_t k = 0; k < (1 << (d - 3)); ++k) {
            const int32_t s = (1 << d) - 1 + 8 * k;
            tf[k] = _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(kcol + s)), ldv);
            tb[k] = _mm256_loadu_si256((const __m256i *)(const void *)(kthr + s));
        }
    }
    int64_t g = 0;
    for (; g + 32 <= full; g += 32) walk8(&T, xk, g, margin, 4);
    for (; g + 16 <= full; g += 16) walk8(&T, xk, g, margin, 2);
    for (; g < full; g += 8) walk8(&T, xk, g, margin, 1);
    return full;
}

/* r[0..7] = rows of an 8 x 8 tile -> r[c] = column c: pairs interleaved
 * (unpack ps), then quads (shuffle ps), then the 128-bit halves swapped. */
static inline AVX2 void transpose8(__m256 r[8])
{
    __m256 t[8], u[8];
    for (int k = 0; k < 4; ++k) {
        t[2 * k] = _mm256_unpacklo_ps(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm256_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
    for (int k = 0; k < 2; ++k) {
        u[4 * k] = _mm256_shuffle_ps(t[4 * k], t[4 * k + 2], 0x44);
        u[4 * k + 1] = _mm256_shuffle_ps(t[4 * k], t[4 * k + 2], 0xEE);
        u[4 * k + 2] = _mm256_shuffle_ps(t[4 * k + 1], t[4 * k + 3], 0x44);
        u[4 * k + 3] = _mm256_shuffle_ps(t[4 * k + 1], t[4 * k + 3], 0xEE);
    }
    for (int k = 0; k < 4; ++k) {
        r[k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x20);
        r[k + 4] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x31);
    }
}

/* Keys of 8 values, as keys16. */
static inline AVX2 void keys8(__m256 v, __m256i *lo, __m256i *hi)
{
    const __m256i b = _mm256_castps_si256(_mm256_add_ps(v, _mm256_setzero_ps()));
    const __m256i k = _mm256_xor_si256(b, _mm256_srli_epi32(_mm256_srai_epi32(b, 31), 1));
    const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    *lo = _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(k), _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MIN)), nan));
    *hi = _mm256_castps_si256(
        _mm256_blendv_ps(_mm256_castsi256_ps(k), _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MAX)), nan));
}

AVX2 void tree_transpose_keys_avx2(const float *x, int64_t m, int32_t n_feat, int32_t *xk, int32_t ld)
{
    const int64_t full = m & ~(int64_t)7;
    for (int32_t c0 = 0; c0 < n_feat; c0 += 8) {
        const int32_t nc = n_feat - c0 < 8 ? n_feat - c0 : 8;
        const __m256i cm = _mm256_cmpgt_epi32(_mm256_set1_epi32(nc), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        for (int64_t r0 = 0; r0 < full; r0 += 8) {
            __m256 v[8];
            for (int k = 0; k < 8; ++k) v[k] = _mm256_maskload_ps(x + (r0 + k) * n_feat + c0, cm);
            transpose8(v);
            for (int k = 0; k < nc; ++k) {
                __m256i lo, hi;
                keys8(v[k], &lo, &hi);
                int32_t *col = xk + (int64_t)2 * (c0 + k) * ld + r0;
                _mm256_storeu_si256((__m256i *)(void *)col, lo);
                _mm256_storeu_si256((__m256i *)(void *)(col + ld), hi);
            }
        }
    }
    tree_transpose_keys_ref(x + full * n_feat, m - full, n_feat, xk + full, ld); /* the last rows, fewer than 8 */
}

#else
/* Not x86-64: tree_predict.c uses its scalar walk only. */
typedef int tree_predict_simd_unused;
#endif
