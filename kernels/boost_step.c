/* boost_step.c - the per-round loops of the boosting loop (see boost_step.h). */
#include "kernels/boost_step.h"

#include <math.h>   /* for fabsf */
#include <string.h> /* for memcpy */

int64_t boost_keep_sampled(const uint8_t *restrict in, int64_t n, int32_t *restrict rows, float *restrict gh)
{
    int64_t kept = 0;
    for (int64_t i = 0; i < n; ++i) {
        const uint32_t keep = 0u - (uint32_t)(in[i] != 0); /* all ones or all zeros */
        rows[kept] = (int32_t)i;
        kept += in[i] != 0;
        for (int u = 0; u < 2; ++u) {
            uint32_t w;
            memcpy(&w, &gh[2 * i + u], sizeof w);
            w &= keep;
            memcpy(&gh[2 * i + u], &w, sizeof w);
        }
    }
    return kept;
}

int64_t boost_keep_sampled_ref(const uint8_t *in, int64_t n, int32_t *rows, float *gh)
{
    int64_t kept = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (in[i]) {
            rows[kept++] = (int32_t)i;
        } else {
            gh[2 * i] = 0.0f;
            gh[2 * i + 1] = 0.0f;
        }
    }
    return kept;
}

float boost_abs_max(const float *restrict v, int64_t n)
{
    float m[BOOST_MAX_CHAINS] = {0};
    int64_t i = 0;
    for (; i + BOOST_MAX_CHAINS <= n; i += BOOST_MAX_CHAINS)
        for (int u = 0; u < BOOST_MAX_CHAINS; ++u) {
            const float a = fabsf(v[i + u]);
            m[u] = a > m[u] ? a : m[u]; /* a NaN compares false: never the max */
        }
    for (; i < n; ++i) m[0] = fabsf(v[i]) > m[0] ? fabsf(v[i]) : m[0];
    float mx = 0.0f;
    for (int u = 0; u < BOOST_MAX_CHAINS; ++u) mx = m[u] > mx ? m[u] : mx;
    return mx;
}

float boost_abs_max_ref(const float *v, int64_t n)
{
    float mx = 0.0f;
    for (int64_t i = 0; i < n; ++i)
        if (fabsf(v[i]) > mx) mx = fabsf(v[i]);
    return mx;
}

void boost_add_leaf(const int32_t *restrict rows, int64_t begin, int64_t end, double value, double *restrict margin)
{
    for (int64_t j = begin; j < end; ++j) {
        if (j + BOOST_PREFETCH_AHEAD < end) __builtin_prefetch(&margin[rows[j + BOOST_PREFETCH_AHEAD]]);
        margin[rows[j]] += value;
    }
}

void boost_add_leaf_ref(const int32_t *rows, int64_t begin, int64_t end, double value, double *margin)
{
    for (int64_t j = begin; j < end; ++j) margin[rows[j]] += value;
}
