/* test_chunk_codec.c - io/chunk_codec: the vectorized unshuffle against its plain
 * _ref twin (element sizes 1, 2, 3, 4, 6, 8 and 47 * 4, counts around the
 * 16-element block: 0, 1, 15, 16, 17, odd, a whole 5577-row chunk) and against
 * an explicit shuffle; chunk_inflate against zlib's uncompress on random data at
 * levels 0, 1, 6, 9, with the exact-size rule (short, long, n = 0) and corrupt
 * or truncated streams reported, never accepted; the HDF5 LZ4 filter format
 * round trip, several blocks and stored blocks built by hand, and the same
 * rules; the filter callback HDF5 calls. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lz4.h>
#include <zlib.h>

#include "cunit_main.h"
#include "io/chunk_codec.h"

static uint64_t rng = 0x5eed;
static uint32_t next_u32(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 32);
}

/* What HDF5's shuffle filter stores for n elements of `size` bytes. */
static void shuffle_plain(unsigned char *out, const unsigned char *in, size_t n, size_t size)
{
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < size; ++j) out[j * n + i] = in[i * size + j];
}

static void test_unshuffle_vs_ref(void)
{
    static const size_t sizes[] = {1, 2, 3, 4, 6, 8, 47 * 4};
    static const size_t counts[] = {0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 47, 1001, 5577};
    int bad = 0;
    for (size_t a = 0; a < sizeof sizes / sizeof *sizes; ++a)
        for (size_t b = 0; b < sizeof counts / sizeof *counts; ++b) {
            size_t s = sizes[a], n = counts[b], bytes = s * n;
            unsigned char *plain = malloc(bytes + 1), *shuf = malloc(bytes + 1);
            unsigned char *out = malloc(bytes + 17), *ref = malloc(bytes + 17);
            CU_ASSERT_FATAL(plain && shuf && out && ref);
            for (size_t k = 0; k < bytes; ++k) plain[k] = (unsigned char)next_u32();
            shuffle_plain(shuf, plain, n, s);
            memset(out, 0xA5, bytes + 17); /* canary: nothing written past n * s */
            memset(ref, 0x5A, bytes + 17);
            chunk_unshuffle(out, shuf, n, s);
            chunk_unshuffle_ref(ref, shuf, n, s);
            bad += memcmp(out, ref, bytes) != 0;
            bad += memcmp(out, plain, bytes) != 0;
            for (size_t k = bytes; k < bytes + 17; ++k) bad += out[k] != 0xA5;
            free(plain), free(shuf), free(out), free(ref);
        }
    CU_ASSERT_EQUAL(bad, 0);
}

/* Floats with NaN payloads, infinities, -0 and denormals keep their bits. */
static void test_unshuffle_float_bits(void)
{
    enum { N = 5577 * 47 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    unsigned char *s = malloc(N * sizeof *x);
    CU_ASSERT_FATAL(x && y && s);
    static const uint32_t special[] = {0x7fc00000u, 0x7fa00001u, 0xffc00123u, 0x7f800000u,
                                       0xff800000u, 0x80000000u, 0x00000001u};
    for (size_t i = 0; i < N; ++i) {
        uint32_t u = (i % 11 == 0) ? special[i % 7] : next_u32();
        memcpy(&x[i], &u, 4);
    }
    shuffle_plain(s, (const unsigned char *)x, N, 4);
    chunk_unshuffle(y, s, N, 4);
    CU_ASSERT_EQUAL(memcmp(x, y, N * sizeof *x), 0);
    free(x), free(y), free(s);
}

/* Compressible random bytes: runs and few distinct values, like shuffled floats. */
static void fill_data(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t run = 1 + next_u32() % 40;
        unsigned char v = (unsigned char)(next_u32() % 7 == 0 ? next_u32() : next_u32() % 4);
        for (size_t k = 0; k < run && i < n; ++k) p[i++] = (next_u32() % 9 == 0) ? (unsigned char)next_u32() : v;
    }
}

static void test_inflate_vs_zlib(void)
{
    chunk_inflater *z = chunk_inflater_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    static const size_t lens[] = {0, 1, 2, 100, 4096, 65537, 1u << 20};
    static const int levels[] = {0, 1, 6, 9};
    int bad = 0;
    for (size_t a = 0; a < sizeof lens / sizeof *lens; ++a)
        for (size_t b = 0; b < sizeof levels / sizeof *levels; ++b) {
            size_t n = lens[a];
            uLongf clen = compressBound((uLong)n);
            unsigned char *plain = malloc(n + 1), *comp = malloc(clen), *out = malloc(n + 64), *zout = malloc(n + 1);
            CU_ASSERT_FATAL(plain && comp && out && zout);
            fill_data(plain, n);
            CU_ASSERT_EQUAL_FATAL(compress2(comp, &clen, plain, (uLong)n, levels[b]), Z_OK);
            uLongf zn = (uLongf)n;
            CU_ASSERT_EQUAL_FATAL(uncompress(zout, &zn, comp, clen), Z_OK);
            bad += chunk_inflate(z, comp, clen, out, n) != CHUNK_OK;
            bad += zn != n || memcmp(out, zout, n) != 0;
            /* exact size: one byte more expected -> short; one less -> long */
            bad += chunk_inflate(z, comp, clen, out, n + 1) != CHUNK_SHORT;
            if (n > 0) bad += chunk_inflate(z, comp, clen, out, n - 1) != CHUNK_LONG;
            /* trailing bytes after the stream are ignored */
            if (n == 4096) {
                unsigned char *pad = malloc(clen + 8);
                memcpy(pad, comp, clen);
                memset(pad + clen, 0, 8);
                bad += chunk_inflate(z, pad, clen + 8, out, n) != CHUNK_OK;
                free(pad);
            }
            /* truncated: every cut of a small stream, a few of a large one */
            for (size_t cut = 0; cut < clen; cut += (clen < 64 ? 1 : clen / 13 + 1))
                bad += chunk_inflate(z, comp, cut, out, n) == CHUNK_OK;
            /* a flipped byte anywhere (header, data, adler32) is never accepted silently */
            for (int t = 0; t < 8; ++t) {
                size_t at = next_u32() % clen;
                comp[at] ^= (unsigned char)(1u << (t % 8));
                bad += chunk_inflate(z, comp, clen, out, n) == CHUNK_OK && memcmp(out, plain, n) != 0;
                comp[at] ^= (unsigned char)(1u << (t % 8));
            }
            free(plain), free(comp), free(out), free(zout);
        }
    CU_ASSERT_EQUAL(bad, 0);
    /* not zlib at all, and empty input */
    unsigned char junk[64], out[64];
    for (size_t k = 0; k < sizeof junk; ++k) junk[k] = (unsigned char)next_u32();
    junk[0] = 0x12; /* not a deflate CMF byte */
    CU_ASSERT_EQUAL(chunk_inflate(z, junk, sizeof junk, out, sizeof out), CHUNK_CORRUPT);
    CU_ASSERT_EQUAL(chunk_inflate(z, junk, 0, out, sizeof out), CHUNK_CORRUPT);
    CU_ASSERT_STRING_EQUAL(chunk_status_str(CHUNK_SHORT), "compressed stream shorter than the chunk");
    chunk_inflater_free(z);
    chunk_inflater_free(NULL);
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = (unsigned char)v;
}

/* A chunk in the filter's format as another writer may lay it out: blocks of
 * `block` bytes, each LZ4-compressed, or stored when `store` says so or LZ4
 * does not shrink it. Returns its length. */
static size_t lz4_by_hand(const unsigned char *plain, size_t n, size_t block, int store_every_other, unsigned char *out)
{
    put_be(out, n, 8);
    put_be(out + 8, block, 4);
    size_t o = 12;
    for (size_t done = 0, k = 0; done < n; done += block, ++k) {
        const size_t want = n - done < block ? n - done : block;
        int len = store_every_other && k % 2 ? 0
                                             : LZ4_compress_default((const char *)plain + done, (char *)out + o + 4,
                                                                    (int)want, LZ4_compressBound((int)want));
        if (len <= 0 || (size_t)len >= want) memcpy(out + o + 4, plain + done, want), len = (int)want;
        put_be(out + o, (uint64_t)len, 4);
        o += 4 + (size_t)len;
    }
    return o;
}

static void test_lz4_format(void)
{
    static const size_t lens[] = {0, 1, 2, 100, 4096, 65537, 1u << 20};
    int bad = 0;
    for (size_t a = 0; a < sizeof lens / sizeof *lens; ++a)
        for (int random = 0; random < 2; ++random) {
            const size_t n = lens[a], cap = chunk_lz4_bound(n);
            unsigned char *plain = malloc(n + 1), *comp = malloc(cap), *out = malloc(n + 64);
            unsigned char *hand = malloc(5 * n + 4096); /* 1-byte blocks: count + byte */
            CU_ASSERT_FATAL(plain && comp && out && hand && cap > n);
            if (random) /* incompressible: the block is stored */
                for (size_t k = 0; k < n; ++k) plain[k] = (unsigned char)next_u32();
            else fill_data(plain, n);
            const size_t clen = chunk_lz4_encode(plain, n, comp, cap);
            bad += clen == 0 || clen > cap || chunk_lz4_decode(comp, clen, out, n) != CHUNK_OK || memcmp(out, plain, n);
            if (random && n > 0) bad += clen != n + 16; /* header, count, the bytes as they are */
            bad += chunk_lz4_encode(plain, n, comp, cap - 1) != 0; /* short output buffer: refused, comp untouched */
            /* exact size */
            bad += chunk_lz4_decode(comp, clen, out, n + 1) != CHUNK_SHORT;
            if (n > 0) bad += chunk_lz4_decode(comp, clen, out, n - 1) != CHUNK_LONG;
            /* trailing bytes ignored; every cut of the stream refused (n > 0) */
            memcpy(hand, comp, clen);
            memset(hand + clen, 0xab, 8);
            bad += chunk_lz4_decode(hand, clen + 8, out, n) != CHUNK_OK;
            for (size_t cut = 0; n > 0 && cut < clen; cut += (clen < 64 ? 1 : clen / 13 + 1))
                bad += chunk_lz4_decode(comp, cut, out, n) == CHUNK_OK;
            /* other writers' layouts: small blocks (last one partial), some stored */
            for (size_t block = 1; n > 0 && block <= n; block = block * 7 + 3)
                for (int st = 0; st < 2; ++st) {
                    memset(out, 0, n);
                    const size_t hl = lz4_by_hand(plain, n, block, st, hand);
                    bad += chunk_lz4_decode(hand, hl, out, n) != CHUNK_OK || memcmp(out, plain, n) != 0;
                    if (block < n) bad += chunk_lz4_decode(hand, hl - 1, out, n) == CHUNK_OK;
                }
            /* a block size above the chunk size reads as the chunk size */
            if (n > 0) {
                const size_t hl = lz4_by_hand(plain, n, n, 0, hand);
                put_be(hand + 8, (uint64_t)n * 3, 4);
                bad += chunk_lz4_decode(hand, hl, out, n) != CHUNK_OK || memcmp(out, plain, n) != 0;
                put_be(hand + 8, 0, 4); /* block size 0: never valid */
                bad += chunk_lz4_decode(hand, hl, out, n) != CHUNK_CORRUPT;
            }
            free(plain), free(comp), free(out), free(hand);
        }
    CU_ASSERT_EQUAL(bad, 0);
    unsigned char tiny[11] = {0}, out[4];
    CU_ASSERT_EQUAL(chunk_lz4_decode(tiny, sizeof tiny, out, 0), CHUNK_CORRUPT); /* no room for the header */
}

/* The callback HDF5 calls: encode, then decode (H5Z_FLAG_REVERSE 0x100), each
 * replacing the buffer; a bad chunk returns 0 and leaves the buffer alone. */
static void test_lz4_h5filter(void)
{
    const size_t n = 300000;
    unsigned char *plain = malloc(n);
    void *buf = malloc(n);
    CU_ASSERT_FATAL(plain && buf);
    fill_data(plain, n);
    memcpy(buf, plain, n);
    size_t size = n;
    const size_t clen = chunk_lz4_h5filter(0, 0, NULL, n, &size, &buf);
    CU_ASSERT(clen > 12 && clen < n && size >= clen);
    const size_t dlen = chunk_lz4_h5filter(0x100, 0, NULL, clen, &size, &buf);
    CU_ASSERT_EQUAL(dlen, n);
    CU_ASSERT(size >= n && memcmp(buf, plain, n) == 0);
    /* not an LZ4 chunk: the header claims 0 bytes, then a cut stream */
    const size_t again = chunk_lz4_h5filter(0, 0, NULL, n, &size, &buf);
    void *before = buf;
    unsigned char *c = buf;
    memset(c, 0, 8);
    CU_ASSERT_EQUAL(chunk_lz4_h5filter(0x100, 0, NULL, again, &size, &buf), 0);
    CU_ASSERT_PTR_EQUAL(buf, before);
    put_be(c, n, 8);
    CU_ASSERT_EQUAL(chunk_lz4_h5filter(0x100, 0, NULL, again / 2, &size, &buf), 0);
    CU_ASSERT_EQUAL(chunk_lz4_h5filter(0x100, 0, NULL, 5, &size, &buf), 0);
    CU_ASSERT_PTR_EQUAL(buf, before);
    free(buf);
    free(plain);
}

static const sb_test tests[] = {
    {"unshuffle = _ref twin = inverse of shuffle (sizes, counts)", test_unshuffle_vs_ref},
    {"unshuffle keeps float bits (NaN payloads, -0, inf)", test_unshuffle_float_bits},
    {"inflate = zlib uncompress; short/long/corrupt/truncated reported", test_inflate_vs_zlib},
    {"LZ4 filter chunks: round trip, other writers' blocks, short/long/cut reported", test_lz4_format},
    {"LZ4 filter callback: encode, decode, bad chunk leaves the buffer", test_lz4_h5filter},
};

SB_TEST_MAIN(NULL, SB_SUITE("chunk_codec", tests))
