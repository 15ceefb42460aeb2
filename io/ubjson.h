/* ubjson.h - a reader for UBJSON (Universal Binary JSON, ubjson.org) as
 * XGBoost writes it (its default model format from 2.1; 1.7 writes it for a
 * ".ubj" name), into a jansson value, so one importer reads both encodings.
 *
 * Supported: objects and arrays, plain, counted ("#" count) and typed
 * ("$" type "#" count); strings S; integers i U I l L (big-endian); floats
 * d (float32, kept exactly as a double) and D; T F Z and the no-op N. Not
 * supported (refused with an error): C (char) and H (high-precision number),
 * which XGBoost does not write. Depth is limited to UBJSON_MAX_DEPTH and every
 * length and count is checked against the bytes left, so a damaged or
 * hostile file gives an error naming the byte offset, never a huge
 * allocation or a read past the end. Local. */
#ifndef SB_UBJSON_H
#define SB_UBJSON_H

#include <jansson.h>
#include <stddef.h> /* for size_t */

#include "base/run_ctx.h" /* for run_ctx */

#define UBJSON_MAX_DEPTH 64

/* ubjson_parse - *out = the value encoded in buf[0 .. len) (which must hold
 * exactly one value). returns SB_OK | SB_EDATA "name: UBJSON at byte N: ..."
 * | SB_ENOMEM. */
int ubjson_parse(run_ctx *run, const char *name, const unsigned char *buf, size_t len, json_t **out);

#endif
