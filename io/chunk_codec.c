/* chunk_codec.c - unshuffle and exact-size inflate of stored HDF5 chunks (see
 * chunk_codec.h). The unshuffle is a byte transpose: `size` planes of n bytes
 * become n elements of `size` bytes. For size 4 and 8 it interleaves 16
 * elements at a time with SSE2 byte/word/dword unpacks (plane a, b, ... ->
 * a0 b0 c0 d0 a1 ...); other sizes and the tail take the plain loop. LZ4
 * chunks are bounds-checked field by field before liblz4's safe decoder runs,
 * so no header value can make it read or write outside the buffers. */
#include "io/chunk_codec.h"

#include <libdeflate.h> /* for libdeflate_zlib_decompress */
#include <lz4.h>        /* for LZ4_decompress_safe, LZ4_compress_default */
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

/* ---- the HDF5 LZ4 filter's chunk format (chunk_codec.h) ---- */

#define LZ4_HEAD 12 /* uint64 size, uint32 block size */

static uint64_t get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
    return v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = (unsigned char)v;
}

chunk_status chunk_lz4_decode(const void *src, size_t src_len, void *dst, size_t n)
{
    const unsigned char *in = src, *end = in + src_len;
    unsigned char *out = dst;
    if (src_len < LZ4_HEAD) return CHUNK_CORRUPT;
    const uint64_t total = get_be64(in);
    uint64_t block = get_be32(in + 8);
    if (total < n) return CHUNK_SHORT;
    if (total > n) return CHUNK_LONG;
    if (block == 0 && total > 0) return CHUNK_CORRUPT;
    if (block > total) block = total; /* as the filter's own decoder reads it */
    in += LZ4_HEAD;
    for (uint64_t done = 0; done < total;) {
        const size_t want = (size_t)(total - done < block ? total - done : block);
        if ((size_t)(end - in) < 4) return CHUNK_CORRUPT;
        const uint32_t len = get_be32(in);
        in += 4;
        if (len > (size_t)(end - in) || len > (uint32_t)INT32_MAX || want > (size_t)INT32_MAX) return CHUNK_CORRUPT;
        if (len == want) memcpy(out + done, in, want); /* stored: LZ4 did not shrink it */
        else if (LZ4_decompress_safe((const char *)in, (char *)out + done, (int)len, (int)want) != (int)want)
            return CHUNK_CORRUPT;
        in += len;
        done += want;
    }
    return CHUNK_OK;
}

size_t chunk_lz4_bound(size_t n)
{
    if (n > (size_t)LZ4_MAX_INPUT_SIZE) return 0;
    return LZ4_HEAD + 4 + (size_t)LZ4_compressBound((int)n);
}

size_t chunk_lz4_encode(const void *src, size_t n, void *dst, size_t cap)
{
    unsigned char *out = dst;
    if (n > (size_t)LZ4_MAX_INPUT_SIZE || cap < chunk_lz4_bound(n)) return 0;
    put_be(out, n, 8);
    put_be(out + 8, n, 4); /* one block: the whole chunk */
    int len = n ? LZ4_compress_default(src, (char *)out + LZ4_HEAD + 4, (int)n, LZ4_compressBound((int)n)) : 0;
    if (len <= 0 || (size_t)len >= n) { /* incompressible (or empty): store it */
        if (n) memcpy(out + LZ4_HEAD + 4, src, n);
        len = (int)n;
    }
    put_be(out + LZ4_HEAD, (uint64_t)len, 4);
    return LZ4_HEAD + 4 + (size_t)len;
}

size_t chunk_lz4_h5filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                          size_t *buf_size, void **buf)
{
    (void)cd_nelmts, (void)cd_values;
    size_t cap, got;
    void *out;
    if (flags & 0x100u) { /* H5Z_FLAG_REVERSE: decode */
        if (nbytes < LZ4_HEAD) return 0;
        const uint64_t total = get_be64(*buf);
        if (total == 0 || total > (uint64_t)SIZE_MAX / 2) return 0;
        cap = got = (size_t)total;
        out = malloc(cap);
        if (out == NULL || chunk_lz4_decode(*buf, nbytes, out, cap) != CHUNK_OK) {
            free(out);
            return 0;
        }
    } else {
        cap = chunk_lz4_bound(nbytes);
        out = cap ? malloc(cap) : NULL;
        got = out ? chunk_lz4_encode(*buf, nbytes, out, cap) : 0;
        if (got == 0) {
            free(out);
            return 0;
        }
    }
    free(*buf);
    *buf = out;
    *buf_size = cap;
    return got;
}

const char *chunk_status_str(chunk_status s)
{
    switch (s) {
    case CHUNK_OK: return "ok";
    case CHUNK_CORRUPT: return "corrupt compressed stream";
    case CHUNK_SHORT: return "compressed stream shorter than the chunk";
    case CHUNK_LONG: return "compressed stream longer than the chunk";
    }
    return "unknown chunk error";
}
