/* hash.h - the one SplitMix64 (Steele, Lea, Flood 2014) that every stream of
 * randomness derives from. Determinism rests on it: a row's sample, fold and
 * generated values depend only on (seed, stream, global row index), never on the
 * number of ranks or the order of work. Pure and header-only, so kernels/ and
 * the data generators (data/) use it too. */
#ifndef SB_HASH_H
#define SB_HASH_H

#include <stdint.h> /* for uint64_t */

#define SB_GOLDEN_GAMMA 0x9E3779B97F4A7C15ULL /* SplitMix64's increment, 2^64 / phi */

/* SplitMix64's finaliser: a bijection with good avalanche. */
static inline uint64_t sb_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* One step of the SplitMix64 generator over *state. */
static inline uint64_t sb_splitmix64(uint64_t *state) { return sb_mix64(*state += SB_GOLDEN_GAMMA); }

/* sb_hash3 - (seed, stream, index) to 64 well-mixed bits: the three mixed with odd
 * multipliers, then two rounds of the finaliser. */
static inline uint64_t sb_hash3(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t z = seed ^ (stream * SB_GOLDEN_GAMMA) ^ (index * 0xD1B54A32D192ED03ULL);
    z = sb_mix64(z + SB_GOLDEN_GAMMA);
    return sb_mix64(z + SB_GOLDEN_GAMMA);
}

#endif
