/* drift_hist.c - counting and distance kernels of drift monitoring
 * (kernels/drift_hist.h). */
#include "kernels/drift_hist.h"

#include <math.h>   /* for isnan, log, sqrt */
#include <string.h> /* for memcpy */

#include "kernels/binning.h" /* for bin_of */

void drift_group_counts(const float *x, int32_t x_cols, const int32_t *rows, int64_t m, int32_t n_feat,
                        const int32_t *col, const float *bounds, const int32_t *n_bounds, const float *lo,
                        const float *hi, int64_t *restrict count, int64_t *restrict outside)
{
    for (int64_t j = 0; j < m; ++j) {
        const float *xr = x + (rows ? rows[j] : j) * (int64_t)x_cols;
        for (int32_t f = 0; f < n_feat; ++f) {
            const float v = xr[col ? col[f] : f];
            const float *bf = bounds + (int64_t)f * DRIFT_MAX_GROUPS;
            int32_t g = 0;
            for (int k = 0; k < DRIFT_MAX_GROUPS; ++k) g += bf[k] <= v; /* NaN: 0; +inf also passes the padding */
            g = g > n_bounds[f] ? n_bounds[f] : g;
            g = v == v ? g : DRIFT_GROUP_SLOTS - 1;
            count[(int64_t)f * DRIFT_GROUP_SLOTS + g]++;
            outside[f] += (v < lo[f]) | (v > hi[f]);
        }
    }
}

void drift_group_counts_ref(const float *x, int32_t x_cols, const int32_t *rows, int64_t m, int32_t n_feat,
                            const int32_t *col, const float *bounds, const int32_t *n_bounds, const float *lo,
                            const float *hi, int64_t *count, int64_t *outside)
{
    for (int64_t j = 0; j < m; ++j)
        for (int32_t f = 0; f < n_feat; ++f) {
            const int64_t i = rows ? rows[j] : j;
            const float v = x[i * x_cols + (col ? col[f] : f)];
            int32_t g = 0;
            if (isnan(v)) g = DRIFT_GROUP_SLOTS - 1;
            else {
                while (g < n_bounds[f] && bounds[f * DRIFT_MAX_GROUPS + g] <= v) ++g;
                if (v < lo[f] || v > hi[f]) outside[f]++;
            }
            count[f * DRIFT_GROUP_SLOTS + g]++;
        }
}

int32_t drift_groups(const int64_t *ref, int64_t nb, int32_t groups, int32_t *first)
{
    __extension__ typedef __int128 i128;
    int64_t tot = 0, run = 0;
    int32_t k = 0, g = 1; /* the group being filled closes at g * tot / groups */
    for (int64_t b = 0; b + 1 < nb; ++b) tot += ref[b];
    first[0] = 0;
    for (int64_t b = 0; b + 2 < nb && g < groups; ++b) { /* thresholds g = 1 .. groups - 1 */
        run += ref[b];
        if (run > 0 && (i128)run * groups >= (i128)tot * g) {
            while (g < groups && (i128)run * groups >= (i128)tot * g) ++g;
            first[++k] = (int32_t)b + 1;
        }
    }
    return k + 1;
}

void drift_group_sums(const int64_t *c, int64_t nb, const int32_t *first, int32_t ng, int64_t *out)
{
    for (int s = 0; s < DRIFT_GROUP_SLOTS; ++s) out[s] = 0;
    for (int32_t g = 0; g < ng; ++g) {
        const int64_t end = g + 1 < ng ? first[g + 1] : nb - 1;
        for (int64_t b = first[g]; b < end; ++b) out[g] += c[b];
    }
    out[DRIFT_GROUP_SLOTS - 1] = c[nb - 1];
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
        /* truncation: as exact a quantization as rounding, and a single instruction */
        s += (drift_i128)(int64_t)(v * (double)(1LL << DRIFT_SUM_BITS)) * (w ? w[i] : 1);
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
    const drift_i128 t = (drift_i128)limbs[2] * ((drift_i128)1 << 84) + (drift_i128)limbs[1] * ((drift_i128)1 << 42) +
                         (drift_i128)limbs[0];
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
