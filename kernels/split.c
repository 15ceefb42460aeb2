/* split.c - split gain and the best-split scan. */
#include "kernels/split.h"

#include <math.h>   /* for fabs, INFINITY, isnan, copysign */
#include <stddef.h> /* for NULL */

static inline double threshold_l1(double g, double alpha)
{
    if (g > alpha) return g - alpha;
    if (g < -alpha) return g + alpha;
    return 0.0;
}

double split_leaf_weight(const split_cfg *c, double G, double H)
{
    if (H < c->min_child_weight || H <= 0.0) return 0.0;
    double w = -threshold_l1(G, c->alpha) / (H + c->lambda);
    if (c->max_delta_step != 0.0 && fabs(w) > c->max_delta_step) w = copysign(c->max_delta_step, w);
    return w;
}

double split_node_gain(const split_cfg *c, double G, double H)
{
    if (H < c->min_child_weight || H <= 0.0) return 0.0;
    if (c->max_delta_step == 0.0) {
        double t = threshold_l1(G, c->alpha);
        return t * t / (H + c->lambda);
    }
    double w = split_leaf_weight(c, G, H);
    double ret = -(2.0 * G * w + (H + c->lambda) * w * w);
    return c->alpha == 0.0 ? ret : ret + c->alpha * fabs(w);
}

int split_better(const split_info *a, const split_info *b)
{
    if (isnan(a->gain)) return 0;
    if (isnan(b->gain)) return 1;
    if (a->gain != b->gain) return a->gain > b->gain;
    if (a->feat != b->feat) return (uint32_t)a->feat < (uint32_t)b->feat; /* -1 (none) sorts last */
    if (a->bin != b->bin) return a->bin < b->bin;
    return a->default_left < b->default_left;
}

/* Evaluate one candidate (left sums gl, hl) and keep it if better. */
static inline void consider(const split_cfg *c, double parent_gain, int64_t G, int64_t H, int64_t gl, int64_t hl,
                            int32_t f, int32_t bin, int32_t dl, split_info *best)
{
    int64_t gr = G - gl, hr = H - hl;
    if (hl <= 0 || hr <= 0) return; /* an empty side */
    double dhl = (double)hl * c->inv_scale, dhr = (double)hr * c->inv_scale;
    if (dhl < c->min_child_weight || dhr < c->min_child_weight) return;
    double gain = split_node_gain(c, (double)gl * c->inv_scale, dhl) +
                  split_node_gain(c, (double)gr * c->inv_scale, dhr) - parent_gain;
    if (!(gain > c->min_gain) || gain < best->gain) return; /* a lower gain never wins: skip building s */
    split_info s = {gain, f, bin, dl, gl, hl, 0, {0}};
    if (split_better(&s, best)) *best = s;
}

static void init_best(split_info *best)
{
    best->gain = -INFINITY;
    best->feat = -1;
    best->bin = -1;
    best->default_left = 0;
    best->gl = best->hl = 0;
}

void split_find(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int64_t *hist, int64_t G,
                int64_t H, split_info *best)
{
    init_best(best);
    const double parent_gain = split_node_gain(c, (double)G * c->inv_scale, (double)H * c->inv_scale);
    for (int32_t f = 0; f < L->n_feat; ++f) {
        if (mask && !mask[f]) continue;
        const int64_t *h = hist + 2 * (int64_t)L->off[f];
        const int32_t nv = L->n_value[f];
        int64_t gm = 0, hm = 0;
        if (L->has_missing[f]) {
            gm = h[2 * nv];
            hm = h[2 * nv + 1];
        }
        int64_t gl = 0, hl = 0;
        for (int32_t b = 0; b + 1 < nv; ++b) {
            gl += h[2 * b];
            hl += h[2 * b + 1];
            consider(c, parent_gain, G, H, gl, hl, f, b, 0, best);          /* missing right */
            if (hm != 0) consider(c, parent_gain, G, H, gl + gm, hl + hm, f, b, 1, best); /* missing left */
        }
    }
}

/* The twin shares only the definitions (split_node_gain, the cfg's limits)
 * with split_find: it walks every candidate (feature, bin, missing side) in
 * the tie order itself - lower feature, lower bin, missing right first - so
 * a strictly higher gain is the only way to replace the best, and it sums
 * each left side afresh from the bins instead of carrying prefix sums. */
void split_find_ref(const split_cfg *c, const split_layout *L, const uint8_t *mask, const int64_t *hist, int64_t G,
                    int64_t H, split_info *best)
{
    const double s = c->inv_scale;
    const double parent = split_node_gain(c, (double)G * s, (double)H * s);
    split_info none = {-INFINITY, -1, -1, 0, 0, 0, 0, {0}};
    *best = none;
    for (int32_t f = 0; f < L->n_feat; ++f) {
        if (mask != NULL && mask[f] == 0) continue;
        const int64_t *h = hist + 2 * (int64_t)L->off[f];
        const int32_t nv = L->n_value[f];
        const int64_t g_missing = L->has_missing[f] ? h[2 * nv] : 0, h_missing = L->has_missing[f] ? h[2 * nv + 1] : 0;
        for (int32_t bin = 0; bin < nv - 1; ++bin) {
            for (int32_t missing_left = 0; missing_left <= 1; ++missing_left) {
                if (missing_left && h_missing == 0) continue; /* no missing rows: one side only */
                int64_t gl = missing_left ? g_missing : 0, hl = missing_left ? h_missing : 0;
                for (int32_t k = 0; k <= bin; ++k) {
                    gl += h[2 * k];
                    hl += h[2 * k + 1];
                }
                const int64_t gr = G - gl, hr = H - hl;
                if (hl <= 0 || hr <= 0) continue;
                if ((double)hl * s < c->min_child_weight || (double)hr * s < c->min_child_weight) continue;
                const double gain = split_node_gain(c, (double)gl * s, (double)hl * s) +
                                    split_node_gain(c, (double)gr * s, (double)hr * s) - parent;
                if (gain > c->min_gain && gain > best->gain) {
                    const split_info found = {gain, f, bin, missing_left, gl, hl, 0, {0}};
                    *best = found;
                }
            }
        }
    }
}
