/* binning.c - quantile cuts and bin mapping. */
#include "kernels/binning.h"

#include <math.h>   /* for isnan */
#include <stdlib.h> /* for qsort */
#include <string.h> /* for memcpy */

#include "kernels/cpu.h"
#include "kernels/float_key.h"

/* The value a cut of key k stands for: for zero the first -0 or +0 in v (the
 * first of its group after a stable sort, which is what bin_cuts emits). */
static float cut_value(const float *v, int64_t n, uint32_t k)
{
    if (k != 0x80000000u) return key_float(k);
    for (int64_t i = 0; i < n; ++i)
        if (v[i] == 0.0f) return v[i];
    return 0.0f; /* not reached: the key came from v */
}

enum { DISTINCT_SLOTS = 1024 }; /* open-addressing table: at most half full */

/* The distinct values of v (NaN left out) when there are at most max_bins of
 * them, as sorted keys in out; returns their number, or -1 as soon as there
 * are more. The table holds float bits with -0 made +0 (x + 0.0f changes
 * nothing else; IEEE arithmetic, no -ffast-math); all-ones bits are a NaN's,
 * never a value's: an empty slot. */
static int32_t distinct_keys(const float *v, int64_t n, int32_t max_bins, uint32_t *out)
{
    uint32_t table[DISTINCT_SLOTS];
    memset(table, 0xFF, sizeof table);
    int32_t cnt = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float x = v[i] + 0.0f;
        if (x != x) continue; /* NaN */
        uint32_t u;
        memcpy(&u, &x, sizeof u);
        uint32_t h = (u * 0x9E3779B1u) >> 22;
        while (table[h] != u && table[h] != 0xFFFFFFFFu) h = (h + 1) & (DISTINCT_SLOTS - 1);
        if (table[h] == u) continue;
        if (cnt == max_bins) return -1;
        table[h] = u;
        out[cnt++] = u; /* float bits for now */
    }
    for (int32_t i = 0; i < cnt; ++i) { /* to keys, insertion-sorted (at most max_bins of them) */
        float x;
        memcpy(&x, &out[i], sizeof x);
        const uint32_t k = float_key(x);
        int32_t j = i;
        for (; j > 0 && out[j - 1] > k; --j) out[j] = out[j - 1];
        out[j] = k;
    }
    return cnt;
}

/* LSD radix sort of the (weight bits << 32 | key) pairs a[0..n) on the key:
 * digits of 11, 11 and 10 bits, all counted in one pass; a digit every pair
 * shares is skipped. Stable. Returns the buffer holding the result (a or b). */
static uint64_t *sort_pairs(uint64_t *a, uint64_t *b, int64_t n)
{
    static const int shift[3] = {0, 11, 22};
    int64_t cnt[3][2048];
    memset(cnt, 0, sizeof cnt);
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t k = (uint32_t)a[i];
        cnt[0][k & 2047]++;
        cnt[1][(k >> 11) & 2047]++;
        cnt[2][k >> 22]++;
    }
    for (int d = 0; d < 3; ++d) {
        int64_t *c = cnt[d];
        if (c[((uint32_t)a[0] >> shift[d]) & 2047] == n) continue; /* one bucket: the order stays */
        int64_t sum = 0;
        for (int k = 0; k < 2048; ++k) {
            const int64_t t = c[k];
            c[k] = sum;
            sum += t;
        }
        for (int64_t i = 0; i < n; ++i) b[c[((uint32_t)a[i] >> shift[d]) & 2047]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    return a;
}

static inline double pair_weight(uint64_t p)
{
    const uint32_t u = (uint32_t)(p >> 32);
    float x;
    memcpy(&x, &u, sizeof x);
    return (double)x;
}

int32_t bin_cuts_sample(const float *v, const float *w, int64_t n, int32_t max_bins, float *cuts, void *scratch)
{
    if (max_bins < 2) return 0;
    uint32_t keys[DISTINCT_SLOTS / 2];
    const int32_t nd = max_bins <= DISTINCT_SLOTS / 2 ? distinct_keys(v, n, max_bins, keys) : -1;
    if (nd >= 0) { /* every distinct value but the smallest is a cut (bin_cuts' first case) */
        for (int32_t i = 1; i < nd; ++i) cuts[i - 1] = cut_value(v, n, keys[i]);
        return nd > 0 ? nd - 1 : 0;
    }
    /* (weight, key) pairs of the values that are not NaN, sorted by key */
    uint64_t *a = scratch, *b = a + n;
    const float one = 1.0f;
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i) {
        uint32_t wb;
        memcpy(&wb, w ? w + i : &one, sizeof wb);
        a[m] = (uint64_t)wb << 32 | float_key(v[i]);
        m += v[i] == v[i]; /* written always, kept unless NaN */
    }
    if (m == 0) return 0;
    a = sort_pairs(a, b, m);
    /* bin_cuts on the sorted pairs: the same sums in the same order */
    int64_t distinct = 1;
    double total = 0.0;
    for (int64_t i = 0; i < m; ++i) {
        distinct += i > 0 && (uint32_t)a[i] != (uint32_t)a[i - 1];
        total += pair_weight(a[i]);
    }
    int32_t nc = 0;
    if (distinct <= max_bins) {
        for (int64_t i = 1; i < m; ++i)
            if ((uint32_t)a[i] != (uint32_t)a[i - 1]) cuts[nc++] = cut_value(v, n, (uint32_t)a[i]);
        return nc;
    }
    double left = 0.0;
    int32_t j = 1;
    double target = total * j / max_bins;
    for (int64_t i = 0; i < m && j < max_bins; ++i) {
        const uint32_t k = (uint32_t)a[i];
        if (i > 0 && k != (uint32_t)a[i - 1] && left >= target) {
            cuts[nc++] = cut_value(v, n, k);
            while (j < max_bins && left >= total * j / max_bins) ++j;
            target = total * j / max_bins;
        }
        left += pair_weight(a[i]);
    }
    return nc;
}

typedef struct {
    float v;
    int32_t pad;
    int64_t idx;
} sort_item;

static int cmp_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->v < y->v) return -1;
    if (x->v > y->v) return 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

int32_t bin_cuts_sample_ref(const float *v, const float *w, int64_t n, int32_t max_bins, float *cuts, void *scratch)
{
    sort_item *items = scratch;                          /* 2n uint64 */
    double *sw = (double *)((uint64_t *)scratch + 2 * n); /* n uint64 */
    float *sv = (float *)((uint64_t *)scratch + 3 * n);   /* n / 2 uint64 */
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (isnan(v[i])) continue;
        items[m].v = v[i];
        items[m].pad = 0;
        items[m++].idx = i;
    }
    qsort(items, (size_t)m, sizeof *items, cmp_item); /* equal values (-0 and +0 too) by input index: stable */
    for (int64_t i = 0; i < m; ++i) {
        sv[i] = items[i].v;
        sw[i] = w ? (double)w[items[i].idx] : 1.0;
    }
    return bin_cuts(sv, sw, m, max_bins, cuts);
}

int32_t bin_cuts(const float *v, const double *w, int64_t n, int32_t max_bins, float *cuts)
{
    if (n == 0 || max_bins < 2) return 0;
    int64_t distinct = 1;
    for (int64_t i = 1; i < n; ++i) distinct += v[i] != v[i - 1];
    int32_t nc = 0;
    if (distinct <= max_bins) {
        for (int64_t i = 1; i < n; ++i)
            if (v[i] != v[i - 1]) cuts[nc++] = v[i];
        return nc;
    }
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) total += w ? w[i] : 1.0;
    /* Walk the sorted values; a distinct value v[i] becomes the next cut when
     * the weight strictly left of it reaches the next quantile target. */
    double left = 0.0;
    int32_t j = 1;
    for (int64_t i = 0; i < n && j < max_bins; ++i) {
        if (i > 0 && v[i] != v[i - 1] && left >= total * j / max_bins) {
            cuts[nc++] = v[i];
            while (j < max_bins && left >= total * j / max_bins) ++j;
        }
        left += w ? w[i] : 1.0;
    }
    return nc;
}

/* The bin of value v of feature f: its cut interval, or the missing bin (nc + 1)
 * for NaN when the feature has one (else bin 0). */
static inline int32_t bin_value(const int64_t *cut_start, const float *cuts, const uint8_t *has_missing, int32_t f,
                                float v)
{
    const int32_t nc = (int32_t)(cut_start[f + 1] - cut_start[f]);
    return isnan(v) ? (has_missing[f] ? nc + 1 : 0) : bin_of(cuts + cut_start[f], nc, v);
}

void bin_rows_ref(const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
                  const uint8_t *has_missing, uint8_t *bins)
{
    for (int64_t i = 0; i < n; ++i)
        for (int32_t f = 0; f < n_feat; ++f) {
            const float v = x[i * n_feat + f];
            const int32_t b = bin_value(cut_start, cuts, has_missing, f, v);
            bins[i * n_feat + f] = (uint8_t)b;
        }
}

#if defined(__x86_64__)
#include <immintrin.h>

/* The AVX-512 binning holds one block's bins of every feature (16 bytes each) on the stack
 * before storing them: up to this many features (64 KiB); wider rows take the plain twin. */
enum { BIN_ROWS_SIMD_MAX_FEAT = 4096 };

/* Rows [0, n) sixteen at a time, one feature at a time: the sixteen values
 * are gathered, and the same branch-free search as bin_of runs on all of
 * them (the cut count, hence every step size, is the feature's, shared by the
 * lanes). One row block's values are all read before its bins are stored,
 * so out may overlap x as bin_rows_inplace needs (see there). Returns the
 * first row not done (a tail of < 16 rows is left to the caller). */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static int64_t bin_rows_avx512(
    const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
    const uint8_t *has_missing, uint8_t *out)
{
    const __m512i lane = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                            _mm512_set1_epi32(n_feat));
    const __m512i one = _mm512_set1_epi32(1);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const float *xb = x + i * n_feat;
        if (i + 48 <= n) { /* gathers are not prefetched by the hardware: fetch the block after next */
            const char *next = (const char *)(xb + 32 * (int64_t)n_feat);
            for (int64_t b = 0; b < 16 * (int64_t)n_feat * (int64_t)sizeof(float); b += 64)
                __builtin_prefetch(next + b);
        }
        __m128i bins[BIN_ROWS_SIMD_MAX_FEAT];
        for (int32_t f = 0; f < n_feat; ++f) {
            const __m512 v = _mm512_i32gather_ps(lane, xb + f, 4);
            const float *c = cuts + cut_start[f];
            int32_t len = (int32_t)(cut_start[f + 1] - cut_start[f]);
            const int32_t nc = len;
            __m512i base = _mm512_setzero_si512();
            while (len > 1) {
                const int32_t half = len >> 1;
                const __m512 cv = _mm512_i32gather_ps(base, c + half - 1, 4);
                base = _mm512_mask_add_epi32(base, _mm512_cmp_ps_mask(cv, v, _CMP_LE_OQ), base,
                                             _mm512_set1_epi32(half));
                len -= half;
            }
            if (len == 1) {
                const __m512 cv = _mm512_i32gather_ps(base, c, 4);
                base = _mm512_mask_add_epi32(base, _mm512_cmp_ps_mask(cv, v, _CMP_LE_OQ), base, one);
            }
            const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            base = _mm512_mask_mov_epi32(base, nan, _mm512_set1_epi32(has_missing[f] ? nc + 1 : 0));
            bins[f] = _mm512_cvtepi32_epi8(base);
        }
        /* every value of the block is read: now the stores (in place: over this block's floats) */
        for (int32_t f = 0; f < n_feat; ++f) {
            uint8_t b[16];
            _mm_storeu_si128((__m128i *)b, bins[f]);
            for (int k = 0; k < 16; ++k) out[(i + k) * n_feat + f] = b[k];
        }
    }
    return i;
}

#endif

/* AVX-512 blocks where the CPU has them, the plain twin for the other CPUs
 * and the tail. Row by row the twin reads float k before writing byte k, and
 * a block reads all its floats first, so bins may be x itself (in place). */
void bin_rows(const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
              const uint8_t *has_missing, uint8_t *bins)
{
    int64_t i = 0;
#if defined(__x86_64__)
    if (n_feat <= BIN_ROWS_SIMD_MAX_FEAT && cpu_has_avx512())
        i = bin_rows_avx512(x, n, n_feat, cut_start, cuts, has_missing, bins);
#endif
    bin_rows_ref(x + i * n_feat, n - i, n_feat, cut_start, cuts, has_missing, bins + i * n_feat);
}

uint8_t *bin_rows_inplace(float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
                          const uint8_t *has_missing)
{
    uint8_t *out = (uint8_t *)x; /* a character type: may alias the floats */
    /* Row by row, byte k is written after float k / 4 <= k was read. A 16-row
     * block reads all its floats first and writes bytes below (i + 16) * n_feat,
     * i.e. inside floats below (i + 16) * n_feat / 4: all read already. */
    bin_rows(x, n, n_feat, cut_start, cuts, has_missing, out);
    return out;
}

void bin_rows_col(const float *x, int64_t n, int32_t n_feat, const int64_t *cut_start, const float *cuts,
                  const uint8_t *has_missing, uint8_t *col)
{
    for (int64_t i = 0; i < n; ++i)
        for (int32_t f = 0; f < n_feat; ++f) {
            const float v = x[i * n_feat + f];
            const int32_t b = bin_value(cut_start, cuts, has_missing, f, v);
            col[(int64_t)f * n + i] = (uint8_t)b;
        }
}
