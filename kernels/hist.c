/* hist.c - histogram construction (the hot loop of training). */
#include "kernels/hist.h"

#include <math.h>   /* for ldexp, llrint, frexp */
#include <string.h> /* for memcpy */

/* Row-wise: one row's features hit different cells, so consecutive adds do
 * not wait on each other; the row's pair is loaded once (XGBoost pgh_t). */
void hist_build(const uint8_t *restrict bins, int32_t n_feat, const int32_t *restrict off,
                const int32_t *restrict rows, int64_t n, const int64_t *restrict gh, int64_t *restrict hist)
{
    const int64_t pf = 16; /* rows ahead: their bins and pairs are scattered */
    for (int64_t i = 0; i < n; ++i) {
        if (i + pf < n) {
            __builtin_prefetch(bins + (int64_t)rows[i + pf] * n_feat);
            __builtin_prefetch(gh + 2 * (int64_t)rows[i + pf]);
        }
        const int64_t r = rows[i];
        const uint8_t *b = bins + r * n_feat;
        const int64_t g = gh[2 * r], h = gh[2 * r + 1];
        int32_t f = 0;
        for (; f + 4 <= n_feat; f += 4) {
            int64_t *c0 = hist + 2 * (off[f] + b[f]);
            int64_t *c1 = hist + 2 * (off[f + 1] + b[f + 1]);
            int64_t *c2 = hist + 2 * (off[f + 2] + b[f + 2]);
            int64_t *c3 = hist + 2 * (off[f + 3] + b[f + 3]);
            c0[0] += g; c0[1] += h;
            c1[0] += g; c1[1] += h;
            c2[0] += g; c2[1] += h;
            c3[0] += g; c3[1] += h;
        }
        for (; f < n_feat; ++f) {
            int64_t *c = hist + 2 * (off[f] + b[f]);
            c[0] += g;
            c[1] += h;
        }
    }
}

void hist_build_ref(const uint8_t *bins, int32_t n_feat, const int32_t *off, const int32_t *rows, int64_t n,
                    const int64_t *gh, int64_t *hist)
{
    for (int64_t i = 0; i < n; ++i)
        for (int32_t f = 0; f < n_feat; ++f) {
            int64_t r = rows[i];
            int64_t cell = off[f] + bins[r * n_feat + f];
            hist[2 * cell] += gh[2 * r];
            hist[2 * cell + 1] += gh[2 * r + 1];
        }
}

/* hist += (g, h) at cells [c, end): two per step, independent adds. */
static inline void add_cells(const uint16_t *c, const uint16_t *end, int64_t g, int64_t h, int64_t *restrict hist)
{
    for (; c + 2 <= end; c += 2) {
        int64_t *a = hist + 2 * (int64_t)c[0], *b = hist + 2 * (int64_t)c[1];
        a[0] += g; a[1] += h;
        b[0] += g; b[1] += h;
    }
    if (c < end) {
        int64_t *a = hist + 2 * (int64_t)c[0];
        a[0] += g;
        a[1] += h;
    }
}

/* Two-stage prefetch: the row pointer and pair 2*pf rows ahead, then (with
 * that pointer now cached) the row's cells pf rows ahead. */
void hist_build_sparse(const int64_t *restrict ptr, const uint16_t *restrict cells, const int32_t *restrict rows,
                       int64_t n, const int64_t *restrict gh, int64_t *restrict hist)
{
    const int64_t pf = 16;
    for (int64_t i = 0; i < n; ++i) {
        if (i + 2 * pf < n) {
            __builtin_prefetch(ptr + rows[i + 2 * pf]);
            __builtin_prefetch(gh + 2 * (int64_t)rows[i + 2 * pf]);
        }
        if (i + pf < n) { /* a row's cells (~44 bytes here) usually straddle two lines */
            const uint16_t *pc = cells + ptr[rows[i + pf]];
            __builtin_prefetch(pc);
            __builtin_prefetch(pc + 32);
        }
        const int64_t r = rows[i];
        add_cells(cells + ptr[r], cells + ptr[r + 1], gh[2 * r], gh[2 * r + 1], hist);
    }
}

/* One 64-byte record per row: no row pointer to look up, and a row's cells
 * arrive with one line instead of ~2.4 (pointer pair + cells straddling
 * lines). Rows of deep nodes are sparse in memory, so lines per row is what
 * their histograms cost. A cell is one 128-bit (g, h) add; the sums are
 * integers, so the order of the adds does not matter. */
#if defined(__SSE2__)
#include <emmintrin.h>
typedef __m128i gh_pair;
static inline gh_pair pair_load(const int64_t *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline void pair_add(int64_t *cell, gh_pair v)
{
    __m128i *a = (__m128i *)cell;
    _mm_storeu_si128(a, _mm_add_epi64(_mm_loadu_si128(a), v));
}
#else
typedef struct { uint64_t g, h; } gh_pair;
static inline gh_pair pair_load(const int64_t *p) { return (gh_pair){(uint64_t)p[0], (uint64_t)p[1]}; }
static inline void pair_add(int64_t *cell, gh_pair v) /* unsigned: the sinks may wrap */
{
    cell[0] = (int64_t)((uint64_t)cell[0] + v.g);
    cell[1] = (int64_t)((uint64_t)cell[1] + v.h);
}
#endif

/* hist += v at the k slots of s (k a multiple of 4). */
static inline void add_slots(const uint16_t *restrict s, int64_t k, gh_pair v, int64_t *restrict hist)
{
    for (int64_t j = 0; j < k; j += 4) {
        pair_add(hist + s[j], v);
        pair_add(hist + s[j + 1], v);
        pair_add(hist + s[j + 2], v);
        pair_add(hist + s[j + 3], v);
    }
}

void hist_build_fixed(const uint16_t *restrict rec, const uint16_t *restrict spill, const int32_t *restrict rows,
                      int64_t n, const int64_t *restrict gh, int64_t *restrict hist)
{
    /* Two-stage prefetch of the row's record and pair: into L2 far ahead,
     * into L1 just before use. The histogram does not fit L1, and lines
     * fetched into L1 far ahead evicted its cells; deep nodes, whose rows
     * are scattered, gain the most (tests/bench/perf-log.md). */
    const int64_t far = 32, near = 4;
    for (int64_t i = 0; i < n; ++i) {
        if (i + far < n) {
            __builtin_prefetch(rec + HIST_REC_WIDTH * (int64_t)rows[i + far], 0, 2);
            __builtin_prefetch(gh + 2 * (int64_t)rows[i + far], 0, 2);
        }
        if (i + near < n) {
            __builtin_prefetch(rec + HIST_REC_WIDTH * (int64_t)rows[i + near]);
            __builtin_prefetch(gh + 2 * (int64_t)rows[i + near]);
        }
        const int64_t r = rows[i];
        const uint16_t *c = rec + HIST_REC_WIDTH * r;
        const gh_pair v = pair_load(gh + 2 * r);
        const int64_t cnt = c[0];
        if (cnt <= HIST_REC_INLINE) {
            add_slots(c + 1, cnt, v, hist);
        } else { /* spilled: the record's last two slots hold the spill offset */
            add_slots(c + 1, HIST_REC_INLINE, v, hist);
            add_slots(spill + ((uint32_t)c[HIST_REC_WIDTH - 2] | (uint32_t)c[HIST_REC_WIDTH - 1] << 16),
                      cnt - HIST_REC_INLINE, v, hist);
        }
    }
}

int64_t hist_fixed_spill_len(const int64_t *ptr, int64_t n)
{
    int64_t len = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t s = hist_fixed_slots(ptr[i + 1] - ptr[i]);
        if (s > HIST_REC_INLINE) len += s - HIST_REC_INLINE;
    }
    return len;
}

/* Padding slot j of a row goes to sink j mod 4: the pads of one row never
 * hit the same cell, so their adds do not wait on each other. */
void hist_fixed_encode(const int64_t *ptr, const uint16_t *cells, int64_t n, int32_t sink, uint16_t *rec,
                       uint16_t *spill)
{
    int64_t o = 0;
    for (int64_t i = 0; i < n; ++i) {
        uint16_t *r = rec + i * HIST_REC_WIDTH;
        const uint16_t *c = cells + ptr[i];
        const int64_t k = ptr[i + 1] - ptr[i], s = hist_fixed_slots(k);
        for (int j = 0; j < HIST_REC_WIDTH; ++j) r[j] = 0; /* unused tail: never read, but defined */
        r[0] = (uint16_t)s;
        for (int64_t j = 0; j < s; ++j) {
            const uint16_t slot = (uint16_t)(2 * (j < k ? c[j] : sink + (j & 3)));
            if (j < HIST_REC_INLINE) r[1 + j] = slot;
            else spill[o + j - HIST_REC_INLINE] = slot;
        }
        if (s > HIST_REC_INLINE) { /* the spill offset in the record's last two slots */
            r[HIST_REC_WIDTH - 2] = (uint16_t)(o & 0xFFFF);
            r[HIST_REC_WIDTH - 1] = (uint16_t)(o >> 16);
            o += s - HIST_REC_INLINE;
        }
    }
}

void hist_fill_skipped(int64_t *hist, int32_t n_feat, const int32_t *off, const int32_t *n_cells,
                       const int32_t *skip, int64_t G, int64_t H)
{
    for (int32_t f = 0; f < n_feat; ++f) {
        if (skip[f] < 0) continue;
        int64_t g = G, h = H;
        for (int32_t c = off[f]; c < off[f] + n_cells[f]; ++c)
            if (c != skip[f]) {
                g -= hist[2 * (int64_t)c];
                h -= hist[2 * (int64_t)c + 1];
            }
        hist[2 * (int64_t)skip[f]] = g;
        hist[2 * (int64_t)skip[f] + 1] = h;
    }
}

/* Digits advance like an odometer (no division per joint cell); empty joint
 * cells, most of a sparse node's, are passed over. */
void hist_spread_bundle(const int64_t *joint, int32_t m, const int32_t *n_cells, const int32_t *stride,
                        const int32_t *off, const int32_t *skip, int64_t *hist)
{
    int32_t d[HIST_BUNDLE_MAX_MEMBERS] = {0};
    if (m <= 0 || m > HIST_BUNDLE_MAX_MEMBERS) return;
    const int64_t J = (int64_t)stride[m - 1] * n_cells[m - 1];
    for (int64_t j = 0; j < J; ++j) {
        const int64_t g = joint[2 * j], h = joint[2 * j + 1];
        if (g != 0 || h != 0)
            for (int32_t k = 0; k < m; ++k)
                if (d[k] != skip[k]) {
                    hist[2 * (int64_t)(off[k] + d[k])] += g;
                    hist[2 * (int64_t)(off[k] + d[k]) + 1] += h;
                }
        for (int32_t k = 0; k < m && ++d[k] == n_cells[k]; ++k) d[k] = 0;
    }
}

void hist_subtract(const int64_t *parent, const int64_t *child, int64_t *out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) out[i] = parent[i] - child[i];
}

int hist_fixed_scale(double max_abs, int64_t n_rows)
{
    if (!(max_abs > 0)) return 60;
    int e_max = 0, e_n = 0;
    frexp(max_abs, &e_max);              /* max_abs < 2^e_max */
    frexp((double)(n_rows + 1), &e_n);   /* n_rows < 2^e_n */
    int k = 62 - e_max - e_n;
    return k > 60 ? 60 : k;
}

/* Round half to even like llrint (the default rounding mode), without a
 * library call: adding and removing 1.5 * 2^52 rounds any |v| < 2^51. */
static inline int64_t round_even(double v)
{
    if (fabs(v) < 0x1p51) return (int64_t)((v + 0x1.8p52) - 0x1.8p52);
    return (int64_t)llrint(v);
}

void hist_to_fixed(const float *gh, int64_t n, int k, int64_t *out)
{
    const double scale = ldexp(1.0, k); /* a power of two: the product is exact */
    for (int64_t i = 0; i < n; ++i) out[i] = round_even((double)gh[i] * scale);
}

void hist_to_fixed_rows(const float *gh, const int32_t *rows, int64_t n, int k, int64_t *ghf, int64_t *sums)
{
    const double scale = ldexp(1.0, k);
    int64_t G = 0, H = 0;
    for (int64_t j = 0; j < n; ++j) {
        const int64_t r = rows[j];
        const int64_t g = round_even((double)gh[2 * r] * scale), h = round_even((double)gh[2 * r + 1] * scale);
        ghf[2 * r] = g;
        ghf[2 * r + 1] = h;
        G += g;
        H += h;
    }
    sums[0] = G;
    sums[1] = H;
}
