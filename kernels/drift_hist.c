/* drift_hist.c - counting and distance kernels of drift monitoring
 * (kernels/drift_hist.h). */
#include "kernels/drift_hist.h"

#include <math.h>   /* for isnan, log, sqrt, llround */
#include <string.h> /* for memcpy */

#include "kernels/binning.h" /* for bin_of */

void drift_bin_counts(const float *x, int32_t x_cols, const int32_t *rows, int64_t m, int32_t n_feat,
                      const int32_t *col, const int64_t *cut_start, const float *cuts, const int64_t *bin_start,
                      const float *lo, const float *hi, int64_t *count, int64_t *outside)
{
    for (int64_t j = 0; j < m; ++j) {
        const float *xr = x + (rows ? rows[j] : j) * (int64_t)x_cols;
        for (int32_t f = 0; f < n_feat; ++f) {
            const float v = xr[col ? col[f] : f];
            const int32_t nc = (int32_t)(cut_start[f + 1] - cut_start[f]);
            /* NaN: the missing bin; NaN compares false, so it is never outside */
            const int32_t b = v == v ? bin_of(cuts + cut_start[f], nc, v) : nc + 1;
            count[bin_start[f] + b]++;
            outside[f] += (v < lo[f]) | (v > hi[f]);
        }
    }
}

void drift_bin_counts_ref(const float *x, int32_t x_cols, const int32_t *rows, int64_t m, int32_t n_feat,
                          const int32_t *col, const int64_t *cut_start, const float *cuts, const int64_t *bin_start,
                          const float *lo, const float *hi, int64_t *count, int64_t *outside)
{
    for (int64_t j = 0; j < m; ++j)
        for (int32_t f = 0; f < n_feat; ++f) {
            const int64_t i = rows ? rows[j] : j;
            const float v = x[i * x_cols + (col ? col[f] : f)];
            const int64_t nc = cut_start[f + 1] - cut_start[f];
            int64_t b = 0;
            if (isnan(v)) b = nc + 1;
            else {
                while (b < nc && cuts[cut_start[f] + b] <= v) ++b;
                if (v < lo[f] || v > hi[f]) outside[f]++;
            }
            count[bin_start[f] + b]++;
        }
}

void drift_bins_col_counts(const uint8_t *cols, int64_t n, int32_t n_feat, const int32_t *n_value,
                           const int64_t *bin_start, const int64_t *w, int64_t *count)
{
    (void)n_value; /* the missing bin is n_value[f] = cuts + 1, the reference's last bin as well */
    for (int32_t f = 0; f < n_feat; ++f) {
        const uint8_t *c = cols + (int64_t)f * n;
        int64_t *cnt = count + bin_start[f];
        if (w == NULL)
            for (int64_t r = 0; r < n; ++r) cnt[c[r]]++;
        else
            for (int64_t r = 0; r < n; ++r) cnt[c[r]] += w[r];
    }
}

/* Number of edges <= v: branch-free upper bound (as bin_of, for doubles). */
static inline int32_t edge_bin(const double *edges, int32_t n_edges, double v)
{
    const double *base = edges;
    int32_t len = n_edges;
    while (len > 1) {
        int32_t half = len >> 1;
        base = base[half - 1] <= v ? base + half : base;
        len -= half;
    }
    return (int32_t)(base - edges) + (len == 1 && base[0] <= v);
}

void drift_score_counts(const double *p, const int64_t *w, int64_t n, const double *edges, int32_t n_edges,
                        int64_t *count)
{
    for (int64_t i = 0; i < n; ++i)
        if (!isnan(p[i])) count[edge_bin(edges, n_edges, p[i])] += w ? w[i] : 1;
}

void drift_score_counts_ref(const double *p, const int64_t *w, int64_t n, const double *edges, int32_t n_edges,
                            int64_t *count)
{
    for (int64_t i = 0; i < n; ++i) {
        if (isnan(p[i])) continue;
        int32_t b = 0;
        while (b < n_edges && edges[b] <= p[i]) ++b;
        count[b] += w ? w[i] : 1;
    }
}

__extension__ typedef __int128 drift_i128;

void drift_fixed_sum(const double *p, const int64_t *w, int64_t n, int64_t limbs[3])
{
    const double clamp = 2147483648.0; /* 2^31 */
    drift_i128 s = 0;
    for (int64_t i = 0; i < n; ++i) {
        double v = p[i];
        if (isnan(v)) continue;
        v = v > clamp ? clamp : v < -clamp ? -clamp : v;
        s += (drift_i128)llround(v * (double)(1LL << DRIFT_SUM_BITS)) * (w ? w[i] : 1);
    }
    const drift_i128 mask = ((drift_i128)1 << 42) - 1;
    limbs[0] += (int64_t)(s & mask);
    limbs[1] += (int64_t)((s >> 42) & mask);
    limbs[2] += (int64_t)(s >> 84); /* arithmetic shift: the sign lives here */
}

double drift_fixed_value(const int64_t limbs[3])
{
    /* The integer first, exactly: limbs summed from different partials differ
     * while their total does not, and only the total may be rounded once. */
    const drift_i128 t = (drift_i128)limbs[2] * ((drift_i128)1 << 84) + (drift_i128)limbs[1] * ((drift_i128)1 << 42) + (drift_i128)limbs[0];
    return (double)t / (double)(1LL << DRIFT_SUM_BITS);
}

uint64_t drift_double_key(double x)
{
    uint64_t u;
    if (x == 0.0) x = 0.0; /* -0 and +0: one key */
    memcpy(&u, &x, sizeof u);
    return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

double drift_key_double(uint64_t k)
{
    const uint64_t u = (k & 0x8000000000000000ULL) ? (k & 0x7FFFFFFFFFFFFFFFULL) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

int64_t drift_coarsen(const int64_t *ref, const int64_t *now, int64_t nb, int32_t groups, int64_t *cref,
                      int64_t *cnow)
{
    __extension__ typedef __int128 i128;
    int64_t tot = 0, run = 0, k = 0;
    for (int64_t b = 0; b + 1 < nb; ++b) tot += ref[b];
    int32_t g = 1; /* the group being filled closes at g * tot / groups */
    cref[0] = cnow[0] = 0;
    for (int64_t b = 0; b + 1 < nb; ++b) {
        cref[k] += ref[b];
        cnow[k] += now[b];
        run += ref[b];
        if (b + 2 < nb && (i128)run * groups >= (i128)tot * g && cref[k] > 0) {
            while (g < groups && (i128)run * groups >= (i128)tot * g) ++g;
            ++k;
            cref[k] = cnow[k] = 0;
        }
    }
    if (nb >= 2) ++k; /* close the last value group */
    cref[k] = ref[nb - 1];
    cnow[k] = now[nb - 1];
    return k + 1;
}

static double total(const int64_t *c, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += (double)c[i];
    return s;
}

double drift_psi(const int64_t *ref, const int64_t *now, int64_t n)
{
    const double se = total(ref, n), sa = total(now, n);
    if (se <= 0 || sa <= 0) return NAN;
    double psi = 0;
    for (int64_t i = 0; i < n; ++i) {
        double e = (double)ref[i] / se, a = (double)now[i] / sa;
        e = e < DRIFT_EPS ? DRIFT_EPS : e;
        a = a < DRIFT_EPS ? DRIFT_EPS : a;
        psi += (a - e) * log(a / e);
    }
    return psi;
}

double drift_js(const int64_t *ref, const int64_t *now, int64_t n)
{
    const double se = total(ref, n), sa = total(now, n);
    if (se <= 0 || sa <= 0) return NAN;
    double d = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double e = (double)ref[i] / se, a = (double)now[i] / sa, m = 0.5 * (a + e);
        if (e > 0) d += 0.5 * e * log(e / m);
        if (a > 0) d += 0.5 * a * log(a / m);
    }
    return sqrt(d > 0 ? d : 0);
}
