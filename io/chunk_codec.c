/* chunk_codec.c - unshuffle and exact-size inflate of stored HDF5 chunks (see
 * chunk_codec.h). The unshuffle is a byte transpose: `size` planes of n bytes
 * become n elements of `size` bytes. For size 4 and 8 it interleaves 16
 * elements at a time with SSE2 byte/word/dword unpacks (plane a, b, ... ->
 * a0 b0 c0 d0 a1 ...); other sizes and the tail take the plain loop. */
#include "io/chunk_codec.h"

#include <libdeflate.h> /* for libdeflate_zlib_decompress */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void chunk_unshuffle_ref(void *dst, const void *src, size_t n, size_t size)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < size; ++j) d[i * size + j] = s[j * n + i];
}

/* Elements [i0, n) with the plain loop. */
static void unshuffle_tail(unsigned char *d, const unsigned char *s, size_t n, size_t size, size_t i0)
{
    for (size_t j = 0; j < size; ++j)
        for (size_t i = i0; i < n; ++i) d[i * size + j] = s[j * n + i];
}

#if defined(__SSE2__)
static size_t unshuffle4_sse2(unsigned char *d, const unsigned char *s, size_t n)
{
    const unsigned char *p0 = s, *p1 = s + n, *p2 = s + 2 * n, *p3 = s + 3 * n;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p0 + i)), b = _mm_loadu_si128((const __m128i *)(p1 + i));
        __m128i c = _mm_loadu_si128((const __m128i *)(p2 + i)), e = _mm_loadu_si128((const __m128i *)(p3 + i));
        __m128i ab_lo = _mm_unpacklo_epi8(a, b), ab_hi = _mm_unpackhi_epi8(a, b);
        __m128i ce_lo = _mm_unpacklo_epi8(c, e), ce_hi = _mm_unpackhi_epi8(c, e);
        __m128i *o = (__m128i *)(d + 4 * i);
        _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(ab_lo, ce_lo)); /* elements i..i+3 */
        _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(ab_lo, ce_lo));
        _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(ab_hi, ce_hi));
        _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(ab_hi, ce_hi));
    }
    return i;
}

static size_t unshuffle8_sse2(unsigned char *d, const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v[8];
        for (int j = 0; j < 8; ++j) v[j] = _mm_loadu_si128((const __m128i *)(s + (size_t)j * n + i));
        /* byte pairs (planes 0-1, 2-3, 4-5, 6-7), low = elements 0..7, high = 8..15 */
        __m128i p[4][2];
        for (int k = 0; k < 4; ++k) {
            p[k][0] = _mm_unpacklo_epi8(v[2 * k], v[2 * k + 1]);
            p[k][1] = _mm_unpackhi_epi8(v[2 * k], v[2 * k + 1]);
        }
        __m128i *o = (__m128i *)(d + 8 * i);
        for (int h = 0; h < 2; ++h) {
            /* 4-byte halves: bytes 0-3 and 4-7 of elements 8h..8h+3 and 8h+4..8h+7 */
            __m128i lo03 = _mm_unpacklo_epi16(p[0][h], p[1][h]), lo47 = _mm_unpackhi_epi16(p[0][h], p[1][h]);
            __m128i hi03 = _mm_unpacklo_epi16(p[2][h], p[3][h]), hi47 = _mm_unpackhi_epi16(p[2][h], p[3][h]);
            _mm_storeu_si128(o + 4 * h + 0, _mm_unpacklo_epi32(lo03, hi03));
            _mm_storeu_si128(o + 4 * h + 1, _mm_unpackhi_epi32(lo03, hi03));
            _mm_storeu_si128(o + 4 * h + 2, _mm_unpacklo_epi32(lo47, hi47));
            _mm_storeu_si128(o + 4 * h + 3, _mm_unpackhi_epi32(lo47, hi47));
        }
    }
    return i;
}
#endif

void chunk_unshuffle(void *dst, const void *src, size_t n, size_t size)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    size_t done = 0;
    if (n == 0 || size == 0) return;
    if (size == 1) {
        memcpy(d, s, n);
        return;
    }
#if defined(__SSE2__)
    if (size == 4) done = unshuffle4_sse2(d, s, n);
    else if (size == 8) done = unshuffle8_sse2(d, s, n);
#endif
    unshuffle_tail(d, s, n, size, done);
}

struct chunk_inflater {
    struct libdeflate_decompressor *d;
};

chunk_inflater *chunk_inflater_new(void)
{
    chunk_inflater *z = calloc(1, sizeof *z);
    if (z == NULL) return NULL;
    z->d = libdeflate_alloc_decompressor();
    if (z->d == NULL) {
        free(z);
        return NULL;
    }
    return z;
}

void chunk_inflater_free(chunk_inflater *z)
{
    if (z == NULL) return;
    libdeflate_free_decompressor(z->d);
    free(z);
}

chunk_status chunk_inflate(chunk_inflater *z, const void *src, size_t src_len, void *dst, size_t n)
{
    size_t got = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress(z->d, src, src_len, dst, n, &got);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE) return CHUNK_LONG;
    if (r != LIBDEFLATE_SUCCESS) return CHUNK_CORRUPT;
    return got == n ? CHUNK_OK : CHUNK_SHORT;
}

const char *chunk_status_str(chunk_status s)
{
    switch (s) {
    case CHUNK_OK: return "ok";
    case CHUNK_CORRUPT: return "corrupt deflate stream";
    case CHUNK_SHORT: return "deflate stream shorter than the chunk";
    case CHUNK_LONG: return "deflate stream longer than the chunk";
    }
    return "unknown chunk error";
}
