/* chunk_codec.h - the pure byte-level steps of reading one stored HDF5 chunk
 * ourselves (io/h5_mpio.c's raw-chunk path): undo HDF5's shuffle filter and
 * inflate HDF5's deflate filter output. No HDF5 here: the caller decides from
 * the dataset's filter pipeline which steps a chunk needs.
 *
 * HDF5's shuffle filter stores a buffer of n elements of s bytes byte-plane by
 * byte-plane: shuffled[j * n + i] = plain[i * s + j] (bytes past n * s, if any,
 * are kept as they are; the caller copies them). HDF5's deflate filter writes
 * one zlib-format stream (RFC 1950) per chunk. Every function is Local. */
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
    CHUNK_CORRUPT = 1, /* not a valid zlib stream (bad header, data or checksum) */
    CHUNK_SHORT = 2,   /* valid stream, but it inflates to fewer than n bytes */
    CHUNK_LONG = 3     /* it inflates to more than n bytes */
} chunk_status;

/* chunk_inflate - inflate the zlib stream src[0, src_len) into exactly n bytes
 * at dst. Any other outcome is an error and dst's contents are then undefined.
 * Bytes after the end of the stream are ignored (as zlib's inflate does). */
chunk_status chunk_inflate(chunk_inflater *z, const void *src, size_t src_len, void *dst, size_t n);

/* chunk_status_str - "corrupt deflate stream", ... for messages. */
const char *chunk_status_str(chunk_status s);

#endif
