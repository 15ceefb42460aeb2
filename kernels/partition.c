/* partition.c - stable in-place row partition with one scratch buffer. */
#include "kernels/partition.h"

#include <string.h> /* for memcpy */

#include "kernels/cpu.h"

int64_t partition_rows(int32_t *restrict rows, int64_t n, const uint8_t *restrict col, int32_t split_bin,
                       int32_t missing_bin, int32_t default_left, int32_t *restrict scratch)
{
    /* The rule as a table over the 256 bin values, so the missing bin costs
     * no branch (one would mispredict on every row with a missing value). */
    uint8_t goes_left[256];
    for (int32_t b = 0; b < 256; ++b)
        goes_left[b] = (uint8_t)partition_goes_left(b, split_bin, missing_bin, default_left);
    return partition_by_table(rows, n, col, goes_left, scratch);
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

/* Depth of the subtree at k, or -1 when deeper than the cap. */
static int32_t walk_depth(const sb_node *t, int32_t k, int32_t level)
{
    if (level > PARTITION_WALK_MAX_DEPTH) return -1;
    if (t[k].feat < 0) return 0;
    if (t[k].cat > 0) return -1; /* categorical: the caller walks node by node */
    const int32_t l = walk_depth(t, t[k].left, level + 1), r = walk_depth(t, t[k].right, level + 1);
    return l < 0 || r < 0 ? -1 : 1 + (l > r ? l : r);
}

typedef struct {
    int32_t feat[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    int32_t bin[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    int32_t mb[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    int32_t dl[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    double leaf[1 << PARTITION_WALK_MAX_DEPTH];
} complete_tree;

/* Slot s (heap order) at `level` holds node k; a leaf above the bottom fills
 * its whole subtree (both sides reach the same value, so the test is moot). */
static void fill_complete(const sb_node *t, int32_t k, int32_t s, int32_t level, int32_t D, const int32_t *n_value,
                          const uint8_t *has_missing, complete_tree *c)
{
    if (level == D) {
        c->leaf[s - ((1 << D) - 1)] = t[k].value;
        return;
    }
    const int leaf = t[k].feat < 0;
    c->feat[s] = leaf ? 0 : t[k].feat;
    c->bin[s] = leaf ? 0 : t[k].bin;
    c->mb[s] = leaf ? -1 : (has_missing[t[k].feat] ? n_value[t[k].feat] : -1);
    c->dl[s] = leaf ? 0 : t[k].default_left;
    fill_complete(t, leaf ? k : t[k].left, 2 * s + 1, level + 1, D, n_value, has_missing, c);
    fill_complete(t, leaf ? k : t[k].right, 2 * s + 2, level + 1, D, n_value, has_missing, c);
}

/* Slot s's rule rewritten as left = (bin <= split) XOR (bin == flip): flip
 * is the missing bin when the default direction differs from what the
 * missing bin's own comparison says, else -1 (no byte equals it); the same
 * outcome as partition_goes_left for every byte value. */
static inline int32_t slot_flip(const complete_tree *c, int32_t s)
{
    const int32_t mb = c->mb[s];
    return mb >= 0 && (mb <= c->bin[s]) != (c->dl[s] != 0) ? mb : -1;
}

/* Rows [i0, n) by the scalar complete walk. */
static void walk_rows(const complete_tree *c, int32_t D, const uint8_t *restrict bins, int64_t i0, int64_t n,
                      int32_t n_feat, double *restrict margin)
{
    for (int64_t i = i0; i < n; ++i) {
        const uint8_t *row = bins + i * n_feat;
        int32_t s = 0;
        for (int32_t d = 0; d < D; ++d) {
            const int32_t b = row[c->feat[s]];
            s = 2 * s + 2 - partition_goes_left(b, c->bin[s], c->mb[s], c->dl[s]);
        }
        margin[i] += c->leaf[s - ((1 << D) - 1)];
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define INLINE __attribute__((always_inline)) inline

/* The AVX-512 tables of one tree, the rule per slot as slot_flip writes it.
 * Levels 0-3 look their
 * slots up in one register each (15 slots), level 4 in one, level 5 in two;
 * levels 6-7 gather from memory. */
typedef struct {
    __m512i f03, s03, x03, f4, s4, x4, f5a, f5b, s5a, s5b, x5a, x5b;
    __m512i off; /* lane * n_feat */
    const int32_t *feat, *split, *flip; /* every inner slot (levels 6+) */
    const double *leaf;
    int32_t D;
} tables16;

/* Groups k < G of 16 rows, group k's rows starting at bins + k * stride,
 * margin + 16 k: the groups' steps interleaved so their gathers overlap. */
static AVX512 INLINE void walk16(const tables16 *T, const uint8_t *bins, int64_t stride, double *margin, const int G)
{
    const __m512i one = _mm512_set1_epi32(1), low8 = _mm512_set1_epi32(0xFF);
    __m512i j[4], f[4], s[4], x[4], b[4];
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) j[k] = _mm512_setzero_si512();
    for (int32_t d = 0; d < T->D; ++d) {
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            if (d < 4) {
                const __m512i q = _mm512_add_epi32(j[k], _mm512_set1_epi32((1 << d) - 1));
                f[k] = _mm512_permutexvar_epi32(q, T->f03);
                s[k] = _mm512_permutexvar_epi32(q, T->s03);
                x[k] = _mm512_permutexvar_epi32(q, T->x03);
            } else if (d == 4) {
                f[k] = _mm512_permutexvar_epi32(j[k], T->f4);
                s[k] = _mm512_permutexvar_epi32(j[k], T->s4);
                x[k] = _mm512_permutexvar_epi32(j[k], T->x4);
            } else if (d == 5) {
                f[k] = _mm512_permutex2var_epi32(T->f5a, j[k], T->f5b);
                s[k] = _mm512_permutex2var_epi32(T->s5a, j[k], T->s5b);
                x[k] = _mm512_permutex2var_epi32(T->x5a, j[k], T->x5b);
            } else {
                const int32_t o = (1 << d) - 1;
                f[k] = _mm512_i32gather_epi32(j[k], T->feat + o, 4);
                s[k] = _mm512_i32gather_epi32(j[k], T->split + o, 4);
                x[k] = _mm512_i32gather_epi32(j[k], T->flip + o, 4);
            }
            /* 4 bytes from the wanted one: the caller keeps the last rows out */
            b[k] = _mm512_and_si512(_mm512_i32gather_epi32(_mm512_add_epi32(T->off, f[k]), bins + k * stride, 1),
                                    low8);
        }
#pragma GCC unroll 4
        for (int k = 0; k < G; ++k) {
            const __mmask16 left = _mm512_cmple_epi32_mask(b[k], s[k]) ^ _mm512_cmpeq_epi32_mask(b[k], x[k]);
            const __m512i j2 = _mm512_add_epi32(j[k], j[k]);
            j[k] = _mm512_mask_add_epi32(j2, (__mmask16)~left, j2, one);
        }
    }
#pragma GCC unroll 4
    for (int k = 0; k < G; ++k) {
        const __m512d l0 = _mm512_i32gather_pd(_mm512_castsi512_si256(j[k]), T->leaf, 8);
        const __m512d l1 = _mm512_i32gather_pd(_mm512_extracti64x4_epi64(j[k], 1), T->leaf, 8);
        double *m = margin + 16 * k;
        _mm512_storeu_pd(m, _mm512_add_pd(_mm512_loadu_pd(m), l0));
        _mm512_storeu_pd(m + 8, _mm512_add_pd(_mm512_loadu_pd(m + 8), l1));
    }
}

/* Slots [o, o + len) of a as a vector (len <= 16), zeros above. */
static AVX512 INLINE __m512i slots16(const int32_t *a, int32_t o, int32_t len)
{
    return _mm512_maskz_loadu_epi32((__mmask16)((1u << len) - 1), a + o);
}

/* Rows [0, m) of whole groups of 16, for m <= the rows whose gathers stay
 * inside bins; returns how many rows it did. */
static AVX512 int64_t walk_avx512(const complete_tree *c, int32_t D, const uint8_t *bins, int64_t m, int32_t n_feat,
                                  double *margin)
{
    enum { SLOTS = (1 << PARTITION_WALK_MAX_DEPTH) - 1 };
    int32_t flip[SLOTS];
    const int32_t n_in = (1 << D) - 1;
    for (int32_t s = 0; s < n_in; ++s) flip[s] = slot_flip(c, s);
    tables16 T;
    const int32_t n03 = n_in < 15 ? n_in : 15;
    T.f03 = slots16(c->feat, 0, n03);
    T.s03 = slots16(c->bin, 0, n03);
    T.x03 = slots16(flip, 0, n03);
    T.f4 = T.s4 = T.x4 = T.f5a = T.f5b = T.s5a = T.s5b = T.x5a = T.x5b = _mm512_setzero_si512();
    if (D >= 5) {
        T.f4 = slots16(c->feat, 15, 16);
        T.s4 = slots16(c->bin, 15, 16);
        T.x4 = slots16(flip, 15, 16);
    }
    if (D >= 6) {
        T.f5a = slots16(c->feat, 31, 16);
        T.f5b = slots16(c->feat, 47, 16);
        T.s5a = slots16(c->bin, 31, 16);
        T.s5b = slots16(c->bin, 47, 16);
        T.x5a = slots16(flip, 31, 16);
        T.x5b = slots16(flip, 47, 16);
    }
    T.off = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                               _mm512_set1_epi32(n_feat));
    T.feat = c->feat;
    T.split = c->bin;
    T.flip = flip;
    T.leaf = c->leaf;
    T.D = D;
    const int64_t stride = 16 * (int64_t)n_feat;
    /* Gathers are not followed by the hardware prefetcher: the lines of the
     * rows PREFETCH ahead are asked for explicitly (distances of 64-256 rows
     * measured alike; tests/bench/perf-log.md). */
    enum { PREFETCH = 128 };
    int64_t i = 0;
    for (; i + 64 <= m; i += 64) {
        if (i + PREFETCH + 64 <= m) {
            const uint8_t *p = bins + (i + PREFETCH) * n_feat;
            for (int64_t o = 0; o < 64 * (int64_t)n_feat; o += 64) _mm_prefetch((const char *)(p + o), _MM_HINT_T0);
        }
        walk16(&T, bins + i * n_feat, stride, margin + i, 4);
    }
    for (; i + 16 <= m; i += 16) walk16(&T, bins + i * n_feat, stride, margin + i, 1);
    return i;
}
#endif

int partition_walk_isa(void)
{
#if defined(__x86_64__)
    if (cpu_has_avx512()) return PARTITION_ISA_AVX512;
#endif
    return PARTITION_ISA_SCALAR;
}

partition_walk_rc partition_tree_add_isa(int isa, const sb_node *tree, const uint8_t *restrict bins, int64_t n,
                                         int32_t n_feat, const int32_t *n_value, const uint8_t *has_missing,
                                         double *restrict margin)
{
    const int32_t D = walk_depth(tree, 0, 0);
    if (D < 0) return PARTITION_TOO_DEEP;
    complete_tree c;
    fill_complete(tree, 0, 0, 0, D, n_value, has_missing, &c);
    int64_t i = 0;
#if defined(__x86_64__)
    /* A lane reads 4 bytes from its bin: rows whose reads could pass the end
     * of bins (the last ceil(3 / n_feat)) are left to the scalar walk. */
    if (isa == PARTITION_ISA_AVX512 && n_feat > 0 && n_feat <= PARTITION_AVX512_MAX_FEAT) {
        const int64_t safe = n - (3 + n_feat - 1) / n_feat;
        if (safe >= 16) i = walk_avx512(&c, D, bins, safe, n_feat, margin);
    }
#else
    (void)isa;
#endif
    walk_rows(&c, D, bins, i, n, n_feat, margin);
    return PARTITION_WALKED;
}

partition_walk_rc partition_tree_add(const sb_node *tree, const uint8_t *restrict bins, int64_t n, int32_t n_feat,
                       const int32_t *n_value, const uint8_t *has_missing, double *restrict margin)
{
    return partition_tree_add_isa(partition_walk_isa(), tree, bins, n, n_feat, n_value, has_missing, margin);
}

void partition_tree_add_ref(const sb_node *tree, const uint8_t *bins, int64_t n, int32_t n_feat,
                            const int32_t *n_value, const uint8_t *has_missing, double *margin)
{
    for (int64_t i = 0; i < n; ++i) {
        int32_t k = 0;
        while (tree[k].feat >= 0) {
            const int32_t f = tree[k].feat;
            const int32_t b = bins[i * n_feat + f];
            k = partition_goes_left(b, tree[k].bin, has_missing[f] ? n_value[f] : -1, tree[k].default_left)
                    ? tree[k].left : tree[k].right;
        }
        margin[i] += tree[k].value;
    }
}

/* One inner slot of the column-major walk: where its feature's column
 * starts, its split bin and flip bin, read together. */
typedef struct {
    int64_t col;
    int32_t split, flip;
} col_slot;

/* The walk of one row: the next slot from the bin, branch-free. */
static inline int32_t col_step(const col_slot *t, const uint8_t *cols, int64_t r, int32_t s)
{
    const int32_t b = cols[t[s].col + r];
    return 2 * s + 2 - ((b <= t[s].split) ^ (b == t[s].flip));
}

partition_walk_rc partition_tree_add_cols(const sb_node *tree, const uint8_t *restrict cols, int64_t n,
                                          const int32_t *restrict rows, int64_t m, const int32_t *n_value,
                                          const uint8_t *has_missing, double *restrict margin)
{
    const int32_t D = walk_depth(tree, 0, 0);
    if (D < 0) return PARTITION_TOO_DEEP;
    complete_tree c;
    fill_complete(tree, 0, 0, 0, D, n_value, has_missing, &c);
    col_slot t[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    for (int32_t s = 0; s < (1 << D) - 1; ++s) {
        t[s].col = (int64_t)c.feat[s] * n;
        t[s].split = c.bin[s];
        t[s].flip = slot_flip(&c, s);
    }
    const double *leaf = c.leaf - ((1 << D) - 1);
    int64_t j = 0;
    for (; j + 4 <= m; j += 4) { /* four rows in step: their chains of loads overlap */
        const int64_t r0 = rows ? rows[j] : j, r1 = rows ? rows[j + 1] : j + 1;
        const int64_t r2 = rows ? rows[j + 2] : j + 2, r3 = rows ? rows[j + 3] : j + 3;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int32_t d = 0; d < D; ++d) {
            s0 = col_step(t, cols, r0, s0);
            s1 = col_step(t, cols, r1, s1);
            s2 = col_step(t, cols, r2, s2);
            s3 = col_step(t, cols, r3, s3);
        }
        margin[r0] += leaf[s0];
        margin[r1] += leaf[s1];
        margin[r2] += leaf[s2];
        margin[r3] += leaf[s3];
    }
    for (; j < m; ++j) {
        const int64_t r = rows ? rows[j] : j;
        int32_t s = 0;
        for (int32_t d = 0; d < D; ++d) s = col_step(t, cols, r, s);
        margin[r] += leaf[s];
    }
    return PARTITION_WALKED;
}

void partition_tree_add_cols_ref(const sb_node *tree, const uint8_t *cols, int64_t n, const int32_t *rows, int64_t m,
                                 const int32_t *n_value, const uint8_t *has_missing, double *margin)
{
    for (int64_t j = 0; j < m; ++j) {
        const int64_t r = rows ? rows[j] : j;
        int32_t k = 0;
        while (tree[k].feat >= 0) {
            const int32_t f = tree[k].feat;
            const int32_t b = cols[(int64_t)f * n + r];
            k = partition_goes_left(b, tree[k].bin, has_missing[f] ? n_value[f] : -1, tree[k].default_left)
                    ? tree[k].left : tree[k].right;
        }
        margin[r] += tree[k].value;
    }
}
