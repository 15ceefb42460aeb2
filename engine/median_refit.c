/* median_refit.c - exact weighted medians across ranks (reg:absoluteerror
 * leaf refit and base score). A radix select over the order-preserving 64-bit
 * keys of the values: 8 passes, each counting the fixed-point weights per
 * 8-bit bucket inside the prefix chosen so far, summed over ranks as int64
 * (exact, so every rank picks the same bucket whatever the rank count). */
#include <math.h>   /* for ceil */
#include <stdlib.h> /* for free */
#include <string.h> /* for memcpy */

#include "engine/booster_internal.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

static inline uint64_t dkey(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : (u | (1ULL << 63));
}

static inline double dval(uint64_t k)
{
    uint64_t u = (k >> 63) ? (k & ~(1ULL << 63)) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Radix select: 8 passes of 8 bits over the 64-bit keys. */
#define RADIX_BITS 8
#define RADIX_BUCKETS (1 << RADIX_BITS)
#define RADIX_PASSES (64 / RADIX_BITS)

/* In each group's bucket counts, the bucket where the cumulative weight
 * reaches need: its bits into prefix, need reduced by the weight before it. */
static void pick_buckets(int32_t n_groups, const int64_t *cnt, int shift, int64_t *need, uint64_t *prefix)
{
    for (int32_t l = 0; l < n_groups; ++l) {
        int64_t cum = 0;
        for (int b = 0; b < RADIX_BUCKETS; ++b) {
            const int64_t c = cnt[(int64_t)l * RADIX_BUCKETS + b];
            if (c > 0 && cum + c >= need[l]) {
                prefix[l] |= (uint64_t)b << shift;
                need[l] -= cum;
                break;
            }
            cum += c;
        }
    }
}

/* The cumulative weight the alpha-quantile must reach: the median's exact
 * total / 2 + (total & 1); otherwise ceil(alpha * total) rounded in double
 * (the total is global, so every rank computes the same, and 0.9 of 8000 rows
 * is row 7200 as users read it, not 7201 as the binary 0.9's excess would make
 * exact arithmetic say), kept within [1, total]. */
static int64_t quantile_need(int64_t total, double alpha)
{
    if (alpha == 0.5) return total / 2 + (total & 1);
    const double q = ceil(alpha * (double)total);
    if (!(q >= 1.0)) return total > 0 ? 1 : 0;
    return q >= (double)total ? total : (int64_t)q;
}

int weighted_median_groups(run_ctx *run, int32_t n_groups, const int64_t *begin, const int64_t *end,
                           const int32_t *rows, const double *value, const int64_t *weight, int64_t wstride,
                           double *out)
{
    return weighted_quantile_groups(run, 0.5, n_groups, begin, end, rows, value, weight, wstride, out);
}

int weighted_quantile_groups(run_ctx *run, double alpha, int32_t n_groups, const int64_t *begin, const int64_t *end,
                             const int32_t *rows, const double *value, const int64_t *weight, int64_t wstride,
                             double *out)
{
    int rc = SB_OK;
    int64_t *cnt = sb_alloc(run, (size_t)n_groups * RADIX_BUCKETS + 1, sizeof *cnt);
    int64_t *need = sb_alloc(run, (size_t)n_groups + 1, sizeof *need);
    int64_t *total = sb_alloc(run, (size_t)n_groups + 1, sizeof *total);
    uint64_t *prefix = sb_alloc(run, (size_t)n_groups + 1, sizeof *prefix);
    SB_CHECK(run, run_agree_rc(run, cnt && need && total && prefix ? SB_OK : SB_ENOMEM));
    for (int32_t l = 0; l < n_groups; ++l) /* total weight of each group */
        for (int64_t j = begin[l]; j < end[l]; ++j) total[l] += weight[wstride * (rows ? rows[j] : j)];
    SB_CHECK(run, comm_sum_i64(run, total, n_groups));
    for (int32_t l = 0; l < n_groups; ++l) /* the first value whose cumulative weight reaches alpha of the total */
        need[l] = quantile_need(total[l], alpha);
    for (int pass = 0; pass < RADIX_PASSES; ++pass) {
        const int shift = 64 - RADIX_BITS * (pass + 1);
        const uint64_t mask = pass == 0 ? 0 : ~0ULL << (64 - RADIX_BITS * pass);
        memset(cnt, 0, (size_t)n_groups * RADIX_BUCKETS * sizeof *cnt);
        for (int32_t l = 0; l < n_groups; ++l)
            for (int64_t j = begin[l]; j < end[l]; ++j) {
                const int64_t r = rows ? rows[j] : j;
                const uint64_t key = dkey(value[r]);
                if ((key & mask) == prefix[l])
                    cnt[(int64_t)l * RADIX_BUCKETS + (int64_t)((key >> shift) & (RADIX_BUCKETS - 1))] +=
                        weight[wstride * r];
            }
        SB_CHECK(run, comm_sum_i64(run, cnt, (int64_t)n_groups * RADIX_BUCKETS));
        pick_buckets(n_groups, cnt, shift, need, prefix);
    }
    for (int32_t l = 0; l < n_groups; ++l) out[l] = total[l] > 0 ? dval(prefix[l]) : 0.0;
out:
    free(total);
    free(cnt);
    free(need);
    free(prefix);
    return rc;
}
