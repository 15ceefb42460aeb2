/* split_mono.c - the monotone-constrained split scan (split_mono.h). */
#include "kernels/split_mono.h"

#include <math.h>   /* for INFINITY */
#include <stddef.h> /* for NULL */

double split_mono_weight(const split_cfg *c, const split_bounds *b, double G, double H)
{
    double w = split_leaf_weight(c, G, H);
    if (w < b->lower) w = b->lower;
    if (w > b->upper) w = b->upper;
    return w;
}

double split_mono_gain(const split_cfg *c, double G, double H, double w)
{
    if (H < c->min_child_weight || H <= 0.0) return 0.0;
    return -(2.0 * G * w + (H + c->lambda) * w * w); /* no alpha term: XGBoost's constrained evaluator has none */
}

/* Evaluate one candidate and keep it if better. */
static inline void consider(const split_cfg *c, const split_bounds *bd, int m, double parent_gain, int64_t G,
                            int64_t H, int64_t gl, int64_t hl, int32_t f, int32_t bin, int32_t dl, split_info *best)
{
    const int64_t gr = G - gl, hr = H - hl;
    if (hl <= 0 || hr <= 0) return;
    const double dgl = (double)gl * c->inv_scale, dhl = (double)hl * c->inv_scale;
    const double dgr = (double)gr * c->inv_scale, dhr = (double)hr * c->inv_scale;
    if (dhl < c->min_child_weight || dhr < c->min_child_weight) return;
    const double wl = split_mono_weight(c, bd, dgl, dhl), wr = split_mono_weight(c, bd, dgr, dhr);
    if ((m > 0 && wl > wr) || (m < 0 && wl < wr)) return; /* violates the order */
    const double gain = split_mono_gain(c, dgl, dhl, wl) + split_mono_gain(c, dgr, dhr, wr) - parent_gain;
    if (!(gain > c->min_gain)) return;
    const split_info s = {gain, f, bin, dl, gl, hl, 0, {0}};
    if (split_better(&s, best)) *best = s;
}

static double parent_score(const split_cfg *c, const split_bounds *b, int64_t G, int64_t H)
{
    const double dg = (double)G * c->inv_scale, dh = (double)H * c->inv_scale;
    return split_mono_gain(c, dg, dh, split_mono_weight(c, b, dg, dh));
}

void split_find_mono(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int8_t *mono,
                     const split_bounds *b, const int64_t *hist, int64_t G, int64_t H, split_info *best)
{
    const split_info none = {-INFINITY, -1, -1, 0, 0, 0, 0, {0}};
    *best = none;
    const double parent_gain = parent_score(c, b, G, H);
    for (int32_t f = 0; f < L->n_feat; ++f) {
        if (mask && !mask[f]) continue;
        const int m = mono[f];
        const int64_t *h = hist + 2 * (int64_t)L->off[f];
        const int32_t nv = L->n_value[f];
        int64_t gm = 0, hm = 0;
        if (L->has_missing[f]) {
            gm = h[2 * nv];
            hm = h[2 * nv + 1];
        }
        int64_t gl = 0, hl = 0;
        for (int32_t k = 0; k + 1 < nv; ++k) {
            gl += h[2 * k];
            hl += h[2 * k + 1];
            consider(c, b, m, parent_gain, G, H, gl, hl, f, k, 0, best);
            if (hm != 0) consider(c, b, m, parent_gain, G, H, gl + gm, hl + hm, f, k, 1, best);
        }
    }
}

/* The twin walks the candidates in the tie order (feature, bin, missing right
 * first) and re-sums each left side from the bins; only a strictly higher
 * gain replaces the best. */
void split_find_mono_ref(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int8_t *mono,
                         const split_bounds *b, const int64_t *hist, int64_t G, int64_t H, split_info *best)
{
    const double s = c->inv_scale;
    const double parent = split_mono_gain(c, (double)G * s, (double)H * s,
                                          split_mono_weight(c, b, (double)G * s, (double)H * s));
    const split_info none = {-INFINITY, -1, -1, 0, 0, 0, 0, {0}};
    *best = none;
    for (int32_t f = 0; f < L->n_feat; ++f) {
        if (mask != NULL && mask[f] == 0) continue;
        const int64_t *h = hist + 2 * (int64_t)L->off[f];
        const int32_t nv = L->n_value[f];
        const int64_t g_miss = L->has_missing[f] ? h[2 * nv] : 0, h_miss = L->has_missing[f] ? h[2 * nv + 1] : 0;
        for (int32_t bin = 0; bin < nv - 1; ++bin)
            for (int32_t ml = 0; ml <= 1; ++ml) {
                if (ml && h_miss == 0) continue;
                int64_t gl = ml ? g_miss : 0, hl = ml ? h_miss : 0;
                for (int32_t k = 0; k <= bin; ++k) {
                    gl += h[2 * k];
                    hl += h[2 * k + 1];
                }
                const int64_t gr = G - gl, hr = H - hl;
                if (hl <= 0 || hr <= 0) continue;
                const double GL = (double)gl * s, HL = (double)hl * s, GR = (double)gr * s, HR = (double)hr * s;
                if (HL < c->min_child_weight || HR < c->min_child_weight) continue;
                const double wl = split_mono_weight(c, b, GL, HL), wr = split_mono_weight(c, b, GR, HR);
                if (mono[f] > 0 && !(wl <= wr)) continue;
                if (mono[f] < 0 && !(wl >= wr)) continue;
                const double gain = split_mono_gain(c, GL, HL, wl) + split_mono_gain(c, GR, HR, wr) - parent;
                if (gain > c->min_gain && gain > best->gain) {
                    const split_info found = {gain, f, bin, ml, gl, hl, 0, {0}};
                    *best = found;
                }
            }
    }
}

void split_mono_children(const split_cfg *c, const split_bounds *b, int m, double GL, double HL, double GR,
                         double HR, split_bounds *left, split_bounds *right)
{
    *left = *b;
    *right = *b;
    if (m == 0) return;
    const double mid = (split_mono_weight(c, b, GL, HL) + split_mono_weight(c, b, GR, HR)) / 2.0;
    if (m > 0) {
        left->upper = mid;
        right->lower = mid;
    } else {
        left->lower = mid;
        right->upper = mid;
    }
}
