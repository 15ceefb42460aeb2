/* binning.c - quantile cuts and bin mapping. */
#include "kernels/binning.h"

#include <math.h>   /* for isnan */
#include <stdlib.h> /* for qsort */
#include <string.h> /* for memcpy */

#include "kernels/cpu.h"

/* Order-preserving map of float bits to unsigned keys (negatives flipped). */
static inline uint32_t float_key(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if (x == 0.0f) u = 0; /* -0 and +0 compare equal: give them one key */
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

void bin_sort(float *v, double *w, int64_t n, float *tv, double *tw)
{
    float *src = v, *dst = tv;
    double *sw = w, *dw = tw;
    for (int pass = 0; pass < 4; ++pass) {
        const int shift = 8 * pass;
        int64_t cnt[257] = {0};
        for (int64_t i = 0; i < n; ++i) cnt[((float_key(src[i]) >> shift) & 0xFF) + 1]++;
        if (cnt[((float_key(src[0]) >> shift) & 0xFF) + 1] == n) continue; /* all equal in this byte */
        for (int b = 0; b < 256; ++b) cnt[b + 1] += cnt[b];
        for (int64_t i = 0; i < n; ++i) {
            int64_t at = cnt[(float_key(src[i]) >> shift) & 0xFF]++;
            dst[at] = src[i];
            if (w) dw[at] = sw[i];
        }
        float *t = src; src = dst; dst = t;
        double *u = sw; sw = dw; dw = u;
    }
    if (src != v) {
        memcpy(v, src, (size_t)n * sizeof *v);
        if (w) memcpy(w, sw, (size_t)n * sizeof *w);
    }
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

void bin_sort_ref(float *v, double *w, int64_t n, float *tv, double *tw)
{
    /* tv/tw as scratch for the original weights; items sorted in chunks would need
     * memory, so this twin sorts (value, index) pairs in place of tw (8 bytes each). */
    sort_item *items = (sort_item *)(void *)tw; /* needs n * 16 bytes: the caller passes 2n doubles */
    for (int64_t i = 0; i < n; ++i) {
        items[i].v = v[i];
        items[i].pad = 0;
        items[i].idx = i;
    }
    qsort(items, (size_t)n, sizeof *items, cmp_item);
    double *wcopy = (double *)(void *)tv; /* needs n doubles: caller passes 2n floats */
    if (w) memcpy(wcopy, w, (size_t)n * sizeof *w);
    for (int64_t i = 0; i < n; ++i) {
        int64_t k = items[i].idx;
        if (w) w[i] = wcopy[k];
    }
    for (int64_t i = 0; i < n; ++i) v[i] = items[i].v;
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
            for (int64_t b = 0; b < 16 * (int64_t)n_feat * (int64_t)sizeof(float); b += 64) __builtin_prefetch(next + b);
        }
        __m128i bins[n_feat > 0 ? n_feat : 1];
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
    if (n_feat <= 4096 && cpu_has_avx512()) i = bin_rows_avx512(x, n, n_feat, cut_start, cuts, has_missing, bins);
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
