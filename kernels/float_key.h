/* float_key.h - an order-preserving map of floats to 32-bit integers, shared
 * by the binning radix sort (unsigned keys) and the vector tree walks (signed
 * split keys, tree_predict.h). For floats a, b that are not NaN: a < b iff
 * float_key(a) < float_key(b); -0 and +0 (equal as floats) get one key.
 * Header-only: pure, no globals. */
#ifndef SB_FLOAT_KEY_H
#define SB_FLOAT_KEY_H

#include <stdint.h> /* for uint32_t */
#include <string.h> /* for memcpy */

/* Order-preserving map of float bits to unsigned keys (negatives flipped). */
static inline uint32_t float_key(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    if (x == 0.0f) u = 0; /* -0 and +0 compare equal: give them one key */
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* Inverse of float_key (zero comes back as +0). */
static inline float key_float(uint32_t k)
{
    const uint32_t u = (k & 0x80000000u) ? (k & 0x7FFFFFFFu) : ~k;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

#endif
