/* median_refit.c - exact weighted medians across ranks (reg:absoluteerror
 * leaf refit and base score). A radix select over the order-preserving 64-bit
 * keys of the values: 8 passes, each counting the fixed-point weights per
 * 8-bit bucket inside the prefix chosen so far, summed over ranks as int64
 * (exact, so every rank picks the same bucket whatever the rank count). */
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

int weighted_median_groups(run_ctx *run, int32_t n_groups, const int64_t *begin, const int64_t *end, const int32_t *rows,
                           const double *value, const int64_t *weight, int64_t wstride, double *out)
{
    int64_t *cnt = sb_alloc(run, (size_t)n_groups * 256 + 1, sizeof *cnt);
    int64_t *need = sb_alloc(run, (size_t)n_groups + 1, sizeof *need);
    int64_t *total = sb_alloc(run, (size_t)n_groups + 1, sizeof *total);
    uint64_t *prefix = sb_alloc(run, (size_t)n_groups + 1, sizeof *prefix);
    int rc = (cnt && need && total && prefix) ? SB_OK : SB_ENOMEM;
    if (rc != SB_OK) { free(cnt); free(need); free(total); free(prefix); }
    SB_TRY(run, run_agree_rc(run, rc));
    for (int32_t l = 0; l < n_groups; ++l) { /* total weight of each group */
        need[l] = 0;
        for (int64_t j = begin[l]; j < end[l]; ++j) need[l] += weight[wstride * (rows ? rows[j] : j)];
    }
    rc = comm_sum_i64(run, need, n_groups);
    for (int32_t l = 0; l < n_groups; ++l) {
        total[l] = need[l];
        need[l] = need[l] / 2 + (need[l] & 1); /* lower median: first value with cumulative weight >= half */
        prefix[l] = 0;
    }
    for (int pass = 0; rc == SB_OK && pass < 8; ++pass) {
        const int shift = 56 - 8 * pass;
        const uint64_t mask = pass == 0 ? 0 : ~0ULL << (64 - 8 * pass);
        memset(cnt, 0, (size_t)n_groups * 256 * sizeof *cnt);
        for (int32_t l = 0; l < n_groups; ++l)
            for (int64_t j = begin[l]; j < end[l]; ++j) {
                int64_t r = rows ? rows[j] : j;
                uint64_t k = dkey(value[r]);
                if ((k & mask) == prefix[l]) cnt[(int64_t)l * 256 + (int64_t)((k >> shift) & 255)] += weight[wstride * r];
            }
        rc = comm_sum_i64(run, cnt, (int64_t)n_groups * 256);
        for (int32_t l = 0; rc == SB_OK && l < n_groups; ++l) {
            int64_t cum = 0;
            for (int b = 0; b < 256; ++b) {
                const int64_t c = cnt[(int64_t)l * 256 + b];
                if (c > 0 && cum + c >= need[l]) {
                    prefix[l] |= (uint64_t)b << shift;
                    need[l] -= cum;
                    break;
                }
                cum += c;
            }
        }
    }
    for (int32_t l = 0; rc == SB_OK && l < n_groups; ++l) out[l] = total[l] > 0 ? dval(prefix[l]) : 0.0;
    free(total);
    free(cnt);
    free(need);
    free(prefix);
    return run_agree_rc(run, rc);
}
