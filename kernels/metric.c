/* metric.c - metrics as exact fixed-point partial sums (rank-count invariant). */
#include "kernels/metric.h"

#include <math.h>   /* for ldexp, floor, frexp, log, lgamma, sqrt */
#include <stdlib.h> /* for strtod */
#include <string.h> /* for strcmp, memset, strchr */

#define TWO32 4294967296.0
#define XSUM_PENDING_MAX (1LL << 30) /* adds of < 2^32 per limb before a carry pass */

void xsum_zero(sb_xsum *s) { memset(s, 0, sizeof *s); }

void xsum_normalize(sb_xsum *s)
{
    for (int i = 0; i < SB_XSUM_LIMBS - 1; ++i) {
        int64_t lo = s->limb[i] & 0xFFFFFFFFLL;
        s->limb[i + 1] += (s->limb[i] - lo) / (1LL << 32); /* exact: the difference is a multiple */
        s->limb[i] = lo;
    }
    s->pending = 0;
}

/* Split |x| * 2^64 into 32-bit pieces from limb `top` down; every step is exact
 * in double because it only removes leading bits. Bits below 2^-64 are dropped. */
static inline void xsum_add_from(sb_xsum *s, double x, int top)
{
    if (!(fabs(x) < 0x1p95)) { /* NaN, inf or out of range */
        s->overflow++;
        return;
    }
    int64_t sign = x < 0 ? -1 : 1;
    double v = ldexp(fabs(x), 64);
    for (int i = top; i >= 0; --i) {
        double unit = ldexp(1.0, 32 * i);
        double c = floor(v / unit);
        v -= c * unit;
        s->limb[i] += sign * (int64_t)c;
    }
    if (++s->pending >= XSUM_PENDING_MAX) xsum_normalize(s);
}

void xsum_add(sb_xsum *s, double x)
{
    int e = 0;
    frexp(x, &e); /* |x| < 2^e, so |x| * 2^64 < 2^(e + 64): start at the limb holding bit e+63 */
    int top = (e + 64 - 1) / 32;
    if (x == 0.0) return;
    if (top < 0) top = 0; /* x < 2^-64 still truncates to zero correctly */
    if (top > SB_XSUM_LIMBS - 1) top = SB_XSUM_LIMBS - 1;
    xsum_add_from(s, x, top);
}

static void xsum_add_ref(sb_xsum *s, double x) { xsum_add_from(s, x, SB_XSUM_LIMBS - 1); }

void xsum_merge(sb_xsum *into, const sb_xsum *from)
{
    if (into->pending + from->pending + 1 >= XSUM_PENDING_MAX) xsum_normalize(into);
    sb_xsum f = *from;
    if (f.pending) xsum_normalize(&f);
    for (int i = 0; i < SB_XSUM_LIMBS; ++i) into->limb[i] += f.limb[i];
    into->pending += 1;
    into->overflow += f.overflow;
}

double xsum_value(const sb_xsum *s)
{
    if (s->overflow) return INFINITY;
    sb_xsum c = *s;
    xsum_normalize(&c);
    double v = 0.0;
    for (int i = SB_XSUM_LIMBS - 1; i >= 0; --i) v = v * TWO32 + (double)c.limb[i];
    return ldexp(v, -64);
}

static const char *const metric_names[SB_METRIC_COUNT] = {"rmse",  "mse",  "mae",          "logloss",
                                                          "poisson-nloglik", "error", "mape", "gamma-nloglik",
                                                          "auc", "tweedie-nloglik", "quantile"};

const char *metric_name(sb_metric_kind k) { return (unsigned)k < SB_METRIC_COUNT ? metric_names[k] : "unknown"; }

int metric_higher_is_better(sb_metric_kind k) { return k == SB_METRIC_AUC; }

int metric_parse(const char *name, sb_metric_kind *out)
{
    static const struct {
        const char *name;
        sb_metric_kind k;
    } alias[] = {{"rmse", SB_METRIC_RMSE},       {"l2_root", SB_METRIC_RMSE},
                 {"mse", SB_METRIC_MSE},         {"l2", SB_METRIC_MSE},
                 {"mae", SB_METRIC_MAE},         {"l1", SB_METRIC_MAE},
                 {"logloss", SB_METRIC_LOGLOSS}, {"binary_logloss", SB_METRIC_LOGLOSS},
                 {"cross_entropy", SB_METRIC_LOGLOSS}, {"poisson-nloglik", SB_METRIC_POISSON_NLOGLIK},
                 {"poisson", SB_METRIC_POISSON_NLOGLIK}, {"error", SB_METRIC_ERROR},
                 {"binary_error", SB_METRIC_ERROR}, {"mape", SB_METRIC_MAPE},
                 {"gamma-nloglik", SB_METRIC_GAMMA_NLOGLIK}, {"gamma", SB_METRIC_GAMMA_NLOGLIK},
                 {"auc", SB_METRIC_AUC}, {"tweedie-nloglik", SB_METRIC_TWEEDIE_NLOGLIK},
                 {"tweedie", SB_METRIC_TWEEDIE_NLOGLIK}, {"quantile", SB_METRIC_QUANTILE},
                 {"pinball", SB_METRIC_QUANTILE}};
    for (unsigned i = 0; i < sizeof alias / sizeof alias[0]; ++i)
        if (!strcmp(name, alias[i].name)) {
            *out = alias[i].k;
            return 0;
        }
    return -1;
}

int metric_parse_param(const char *name, sb_metric_kind *out, double *param)
{
    *param = 0.0;
    const char *at = strchr(name, '@');
    if (!at) return metric_parse(name, out);
    char base[32];
    const size_t n = (size_t)(at - name);
    if (n >= sizeof base) return -1;
    memcpy(base, name, n);
    base[n] = '\0';
    if (metric_parse(base, out) != 0 || *out != SB_METRIC_TWEEDIE_NLOGLIK) return -1;
    char *end = NULL;
    const double v = strtod(at + 1, &end);
    if (end == at + 1 || *end != '\0' || !(v > 0)) return -1;
    *param = v;
    return 0;
}

double metric_default_param(sb_metric_kind k)
{
    return k == SB_METRIC_TWEEDIE_NLOGLIK ? 1.5 : k == SB_METRIC_QUANTILE ? 0.5 : 0.0;
}

/* Inlined into the accumulation loops, where k is a constant (no switch per row). */
static inline __attribute__((always_inline)) double row_loss(sb_metric_kind k, double a, double y, double p)
{
    const double eps = 1e-16; /* XGBoost's clipping for logloss and poisson */
    switch (k) {
    case SB_METRIC_MAE: return fabs(y - p);
    case SB_METRIC_LOGLOSS: {
        double q = p < eps ? eps : (p > 1.0 - eps ? 1.0 - eps : p);
        return -(y * log(q) + (1.0 - y) * log(1.0 - q));
    }
    case SB_METRIC_POISSON_NLOGLIK: {
        double q = p < eps ? eps : p;
        return lgamma(y + 1.0) + q - log(q) * y;
    }
    case SB_METRIC_ERROR: return p > 0.5 ? 1.0 - y : y; /* XGBoost's: the label's distance from the call */
    case SB_METRIC_MAPE: return fabs((y - p) / y);
    case SB_METRIC_GAMMA_NLOGLIK: return y / p + log(p);
    case SB_METRIC_TWEEDIE_NLOGLIK: /* a = rho */
        return -y * exp((1.0 - a) * log(p)) / (1.0 - a) + exp((2.0 - a) * log(p)) / (2.0 - a);
    case SB_METRIC_QUANTILE: return y >= p ? a * (y - p) : (1.0 - a) * (p - y); /* a = alpha */
    default: return (y - p) * (y - p);
    }
}

double metric_row_loss(sb_metric_kind k, double y, double p) { return row_loss(k, metric_default_param(k), y, p); }

double metric_row_loss_param(sb_metric_kind k, double param, double y, double p) { return row_loss(k, param, y, p); }

void metric_part_zero(sb_metric_part *p) { memset(p, 0, sizeof *p); }

/* Add a 128-bit fixed-point value (scale 2^-64) into the limbs: same value as
 * adding its terms one by one with xsum_add. */
__extension__ typedef __int128 i128;
static void xsum_add_i128(sb_xsum *s, i128 a)
{
    for (int i = 0; i < 3; ++i) {
        s->limb[i] += (int64_t)(a & 0xFFFFFFFF);
        a >>= 32; /* arithmetic shift: floor division, the pieces stay exact */
    }
    s->limb[3] += (int64_t)a;
    if (++s->pending >= XSUM_PENDING_MAX) xsum_normalize(s);
}

/* term * 2^64 truncated toward zero (the bits xsum_add keeps) as hi * 2^32 + lo
 * with two hardware conversions: t * 2^32 = hi + f exactly (|f| < 1, the sign
 * of t), and trunc(f * 2^32) = lo. Needs |t| < 2^20 so |hi| < 2^52. */
static inline void split_fixed(double t, int64_t *hi, int64_t *lo)
{
    const double a = t * 0x1p32;
    *hi = (int64_t)a;
    *lo = (int64_t)((a - (double)*hi) * 0x1p32);
}

/* Terms below 2^20 are split into two int64 sums (flushed into a 128-bit
 * accumulator every 1024 terms, so neither can overflow); larger terms take
 * the general path. Same bits as the twin. Specialized per metric and
 * weighting (k, use_w constant): unweighted rows add exactly 2^64 each to the
 * weight sum (split_fixed(1.0) = 2^32 * 2^32 + 0), so they are only counted. */
static inline __attribute__((always_inline)) void accumulate_impl(sb_metric_kind k, double a, int use_w,
                                                                  const double *label,
                                                                  const double *weight, const double *pred,
                                                                  const uint8_t *mask, int64_t n, sb_metric_part *p)
{
    i128 acc = 0, accw = 0;
    int64_t hi = 0, lo = 0, whi = 0, wlo = 0, in_acc = 0, rows = 0;
    for (int64_t i = 0; i < n; ++i) {
        if ((mask && !mask[i]) || isnan(label[i])) continue;
        ++rows;
        const double w = use_w ? weight[i] : 1.0;
        const double t = use_w ? w * row_loss(k, a, label[i], pred[i]) : row_loss(k, a, label[i], pred[i]);
        if (fabs(t) < 0x1p20 && (!use_w || fabs(w) < 0x1p20)) {
            int64_t h, l;
            split_fixed(t, &h, &l);
            hi += h;
            lo += l;
            if (use_w) {
                split_fixed(w, &h, &l);
                whi += h;
                wlo += l;
            } else
                ++whi; /* rows: one 2^64 each */
            if (++in_acc == 1024) {
                acc += (i128)hi * 4294967296 + lo;
                accw += use_w ? (i128)whi * 4294967296 + wlo : (i128)whi << 64;
                hi = lo = whi = wlo = in_acc = 0;
                if (acc > ((i128)1 << 120) || acc < -((i128)1 << 120) || accw > ((i128)1 << 120)) {
                    xsum_add_i128(&p->loss, acc);
                    xsum_add_i128(&p->wsum, accw);
                    acc = accw = 0;
                }
            }
        } else {
            xsum_add(&p->loss, t);
            xsum_add(&p->wsum, w);
        }
    }
    p->n += rows;
    acc += (i128)hi * 4294967296 + lo;
    accw += use_w ? (i128)whi * 4294967296 + wlo : (i128)whi << 64;
    xsum_add_i128(&p->loss, acc);
    xsum_add_i128(&p->wsum, accw);
}

void metric_accumulate(sb_metric_kind k, const double *label, const double *weight, int weighted,
                       const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p)
{
    metric_accumulate_param(k, metric_default_param(k), label, weight, weighted, pred, mask, n, p);
}

void metric_accumulate_param(sb_metric_kind k, double a, const double *label, const double *weight, int weighted,
                             const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p)
{
    const int use_w = weighted && weight != NULL;
#define SB_ACC(kind) (use_w ? accumulate_impl(kind, a, 1, label, weight, pred, mask, n, p) \
                            : accumulate_impl(kind, a, 0, label, weight, pred, mask, n, p))
    switch (k) {
    case SB_METRIC_MAE: SB_ACC(SB_METRIC_MAE); break;
    case SB_METRIC_LOGLOSS: SB_ACC(SB_METRIC_LOGLOSS); break;
    case SB_METRIC_POISSON_NLOGLIK: SB_ACC(SB_METRIC_POISSON_NLOGLIK); break;
    case SB_METRIC_MSE: SB_ACC(SB_METRIC_MSE); break;
    case SB_METRIC_ERROR: SB_ACC(SB_METRIC_ERROR); break;
    case SB_METRIC_MAPE: SB_ACC(SB_METRIC_MAPE); break;
    case SB_METRIC_GAMMA_NLOGLIK: SB_ACC(SB_METRIC_GAMMA_NLOGLIK); break;
    case SB_METRIC_TWEEDIE_NLOGLIK: SB_ACC(SB_METRIC_TWEEDIE_NLOGLIK); break;
    case SB_METRIC_QUANTILE: SB_ACC(SB_METRIC_QUANTILE); break;
    default: SB_ACC(SB_METRIC_RMSE); break;
    }
#undef SB_ACC
}

void metric_accumulate_ref(sb_metric_kind k, const double *label, const double *weight, int weighted,
                           const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p)
{
    metric_accumulate_param_ref(k, metric_default_param(k), label, weight, weighted, pred, mask, n, p);
}

void metric_accumulate_param_ref(sb_metric_kind k, double a, const double *label, const double *weight,
                                 int weighted, const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p)
{
    for (int64_t i = 0; i < n; ++i) {
        if (mask && !mask[i]) continue;
        if (isnan(label[i])) continue;
        double w = (weighted && weight) ? weight[i] : 1.0;
        xsum_add_ref(&p->loss, w * metric_row_loss_param(k, a, label[i], pred[i]));
        xsum_add_ref(&p->wsum, w);
        p->n++;
    }
}

void metric_part_merge(sb_metric_part *into, const sb_metric_part *from)
{
    xsum_merge(&into->loss, &from->loss);
    xsum_merge(&into->wsum, &from->wsum);
    into->n += from->n;
}

void metric_part_normalize(sb_metric_part *p)
{
    xsum_normalize(&p->loss);
    xsum_normalize(&p->wsum);
}

double metric_value(sb_metric_kind k, const sb_metric_part *p)
{
    double w = xsum_value(&p->wsum);
    if (p->n == 0 || !(w > 0)) return NAN;
    double v = xsum_value(&p->loss) / w;
    return k == SB_METRIC_RMSE ? sqrt(v) : v;
}
