/* chunk_codec.h - the pure byte-level steps of reading one stored HDF5 chunk
 * ourselves (io/h5_mpio.c's raw-chunk path): undo HDF5's shuffle filter and
 * inflate HDF5's deflate filter output. No HDF5 here: the caller decides from
 * the dataset's filter pipeline which steps a chunk needs.
 *
 * HDF5's shuffle filter stores a buffer of n elements of s bytes byte-plane by
 * byte-plane: shuffled[j * n + i] = plain[i * s + j] (bytes past n * s, if any,
 * are kept as they are; the caller copies them). HDF5's deflate filter writes
 * one zlib-format stream (RFC 1950) per chunk. HDF5's registered LZ4 filter
 * (id 32004; Debian's hdf5-filter-plugin and h5py's hdf5plugin read it) writes
 * a 12-byte header - the chunk's size as a big-endian uint64, the block size
 * as a big-endian uint32 - then per block a big-endian uint32 byte count and
 * that many bytes: an LZ4 block, or the block as is when the count equals the
 * block size (LZ4 did not shrink it). Every function is Local. */
#ifndef SB_CHUNK_CODEC_H
#define SB_CHUNK_CODEC_H

#include <stddef.h> /* for size_t */

/* chunk_unshuffle - dst[i * size + j] = src[j * n + i] for i < n, j < size.
 * dst and src must not overlap; n == 0 or size == 0 does nothing. Vectorized
 * for size 4 and 8 (float32, float64, int64); any size is correct. */
void chunk_unshuffle(void *dst, const void *src, size_t n, size_t size);
/* chunk_unshuffle_ref - the plain loop chunk_unshuffle is tested against. */
void chunk_unshuffle_ref(void *dst, const void *src, size_t n, size_t size);

typedef struct chunk_inflater chunk_inflater;

/* chunk_inflater_new - a decompressor (libdeflate) for chunk_inflate; NULL when
 * out of memory. chunk_inflater_free(NULL) is a no-op. */
chunk_inflater *chunk_inflater_new(void);
void chunk_inflater_free(chunk_inflater *z);

typedef enum {
    CHUNK_OK = 0,
    CHUNK_CORRUPT = 1, /* not a valid stream (bad header, data or checksum) */
    CHUNK_SHORT = 2,   /* valid stream, but it decodes to fewer than n bytes */
    CHUNK_LONG = 3     /* it decodes to more than n bytes */
} chunk_status;

/* chunk_inflate - inflate the zlib stream src[0, src_len) into exactly n bytes
 * at dst. Any other outcome is an error and dst's contents are then undefined.
 * Bytes after the end of the stream are ignored (as zlib's inflate does). */
chunk_status chunk_inflate(chunk_inflater *z, const void *src, size_t src_len, void *dst, size_t n);

/* chunk_lz4_decode - decode the LZ4-filter chunk src[0, src_len) into exactly
 * n bytes at dst (any block size, stored blocks included). The stored size
 * must say n (CHUNK_SHORT / CHUNK_LONG otherwise) and every block must decode
 * to its full length; bytes after the last block are ignored. LZ4 has no
 * checksum: a flipped byte inside a block can decode to wrong bytes of the
 * right length, which no reader of this format can tell. */
chunk_status chunk_lz4_decode(const void *src, size_t src_len, void *dst, size_t n);

/* chunk_lz4_bound - the largest chunk_lz4_encode output for n input bytes. */
size_t chunk_lz4_bound(size_t n);
/* chunk_lz4_encode - n bytes as one LZ4-filter chunk of one block (stored as
 * is if LZ4 does not shrink it) into dst (cap >= chunk_lz4_bound(n)). Returns
 * the bytes written, 0 if n is over LZ4's 2 GB input limit or cap is short. */
size_t chunk_lz4_encode(const void *src, size_t n, void *dst, size_t cap);

/* chunk_lz4_h5filter - the LZ4 filter as HDF5 calls one (H5Z_func_t, declared
 * here with plain C types so this file needs no HDF5): encode, or decode with
 * H5Z_FLAG_REVERSE (0x100) in flags, the nbytes at *buf (*buf_size allocated)
 * into a new malloc'd buffer that replaces *buf. Returns the new byte count,
 * or 0 on failure with *buf untouched. cd_values are ignored (the block size
 * option of other writers does not matter to the decoder; this encoder writes
 * one block per chunk). */
size_t chunk_lz4_h5filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                          size_t *buf_size, void **buf);
#define CHUNK_H5Z_FILTER_LZ4 32004

/* chunk_status_str - "corrupt compressed stream", ... for messages. */
const char *chunk_status_str(chunk_status s);

#endif
