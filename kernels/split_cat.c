/* split_cat.c - the categorical split search and partition (split_cat.h). */
#include "kernels/split_cat.h"

#include <math.h>   /* for INFINITY */
#include <string.h> /* for memcpy, memset */

#include "kernels/partition_table.h" /* for partition_by_table */

/* Gain of the candidate with left sums gl, hl (children scored with cfg c),
 * or -INFINITY when it is not a valid split. */
static double cand_gain(const split_cfg *c, double parent, int64_t G, int64_t H, int64_t gl, int64_t hl)
{
    const int64_t gr = G - gl, hr = H - hl;
    if (hl <= 0 || hr <= 0) return -INFINITY;
    const double s = c->inv_scale, dhl = (double)hl * s, dhr = (double)hr * s;
    if (dhl < c->min_child_weight || dhr < c->min_child_weight) return -INFINITY;
    const double gain = split_node_gain(c, (double)gl * s, dhl) + split_node_gain(c, (double)gr * s, dhr) - parent;
    return gain > c->min_gain ? gain : -INFINITY;
}

/* Offer the candidate (set, default_left, gain, left sums) to *best. */
static void offer(const uint64_t *set, int32_t n_in, int32_t dl, double gain, int64_t gl, int64_t hl, int32_t feat,
                  split_info *best)
{
    if (gain == -INFINITY) return;
    split_info s;
    memset(&s, 0, sizeof s); /* padding too: proposals travel as bytes */
    s.gain = gain;
    s.feat = feat;
    s.bin = n_in;
    s.default_left = dl;
    s.gl = gl;
    s.hl = hl;
    s.is_cat = 1;
    memcpy(s.cats, set, sizeof s.cats);
    if (split_better(&s, best)) *best = s;
}

/* The levels that take part in a partition search, sorted by key (ties:
 * lower code, the insertion sort being stable over increasing codes).
 * Returns how many. */
static int32_t sorted_levels(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels,
                             split_cat_scratch *w)
{
    const double s = c->inv_scale;
    int32_t used = 0;
    for (int32_t k = 0; k < n_levels; ++k) {
        const int64_t hk = h[2 * k + 1];
        if (hk <= 0 || (double)hk * s < cc->cat_smooth) continue;
        const double key = (double)h[2 * k] * s / ((double)hk * s + cc->cat_smooth);
        int32_t i = used++;
        for (; i > 0 && w->key[i - 1] > key; --i) {
            w->key[i] = w->key[i - 1];
            w->order[i] = w->order[i - 1];
        }
        w->key[i] = key;
        w->order[i] = k;
    }
    return used;
}

static void one_vs_rest(const split_cfg *c, const int64_t *h, int32_t n_levels, int64_t gm, int64_t hm, int64_t G,
                        int64_t H, int32_t feat, split_info *best)
{
    const double parent = split_node_gain(c, (double)G * c->inv_scale, (double)H * c->inv_scale);
    double top = -INFINITY;
    int32_t top_k = -1, top_dl = 0;
    for (int32_t k = 0; k < n_levels; ++k) {
        if (h[2 * k + 1] <= 0) continue;
        for (int32_t dl = 0; dl <= 1; ++dl) {
            if (dl && hm == 0) continue;
            const double gain = cand_gain(c, parent, G, H, h[2 * k] + dl * gm, h[2 * k + 1] + dl * hm);
            if (gain > top) top = gain, top_k = k, top_dl = dl;
        }
    }
    if (top_k < 0) return;
    uint64_t set[SPLIT_CAT_WORDS] = {0};
    set[top_k >> 6] |= UINT64_C(1) << (top_k & 63);
    offer(set, 1, top_dl, top, h[2 * top_k] + top_dl * gm, h[2 * top_k + 1] + top_dl * hm, feat, best);
}

static void partition_scan(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels, int64_t gm,
                           int64_t hm, int64_t G, int64_t H, int32_t feat, split_cat_scratch *w, split_info *best)
{
    const double s = c->inv_scale;
    const double parent = split_node_gain(c, (double)G * s, (double)H * s);
    split_cfg pc = *c;
    pc.lambda += cc->cat_l2;
    const int32_t used = sorted_levels(c, cc, h, n_levels, w);
    const int32_t max_in = cc->max_cat_threshold < (used + 1) / 2 ? cc->max_cat_threshold : (used + 1) / 2;
    double top = -INFINITY;
    int32_t top_dir = 0, top_len = 0, top_dl = 0;
    for (int32_t dir = 0; dir <= 1; ++dir) {
        int64_t gl = 0, hl = 0, group = 0;
        for (int32_t i = 0; i < max_in; ++i) {
            const int32_t t = w->order[dir ? used - 1 - i : i];
            gl += h[2 * t];
            hl += h[2 * t + 1];
            group += h[2 * t + 1];
            if ((double)hl * s < c->min_child_weight) continue;
            const double hr = (double)(H - hl) * s;
            if (hr < c->min_child_weight || hr < cc->min_data_per_group) break;
            if ((double)group * s < cc->min_data_per_group) continue;
            group = 0;
            for (int32_t dl = 0; dl <= 1; ++dl) {
                if (dl && hm == 0) continue;
                const double gain = cand_gain(&pc, parent, G, H, gl + dl * gm, hl + dl * hm);
                if (gain > top) top = gain, top_dir = dir, top_len = i + 1, top_dl = dl;
            }
        }
    }
    if (top_len == 0) return;
    uint64_t set[SPLIT_CAT_WORDS] = {0};
    int64_t gl = top_dl * gm, hl = top_dl * hm;
    for (int32_t i = 0; i < top_len; ++i) {
        const int32_t t = w->order[top_dir ? used - 1 - i : i];
        set[t >> 6] |= UINT64_C(1) << (t & 63);
        gl += h[2 * t];
        hl += h[2 * t + 1];
    }
    offer(set, top_len, top_dl, top, gl, hl, feat, best);
}

void split_cat_find(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels,
                    int32_t has_missing, int64_t G, int64_t H, int32_t feat, split_cat_scratch *w, split_info *best)
{
    const int64_t gm = has_missing ? h[2 * n_levels] : 0, hm = has_missing ? h[2 * n_levels + 1] : 0;
    if (n_levels <= cc->max_cat_to_onehot) one_vs_rest(c, h, n_levels, gm, hm, G, H, feat, best);
    else partition_scan(c, cc, h, n_levels, gm, hm, G, H, feat, w, best);
}

/* ---- the twin ------------------------------------------------------- */

/* Left sums of a set (plus the missing bin when dl) summed from the bins. */
static void set_sums(const int64_t *h, int32_t n_levels, int32_t has_missing, const uint64_t *set, int32_t dl,
                     int64_t *gl, int64_t *hl)
{
    *gl = *hl = 0;
    for (int32_t k = 0; k < n_levels; ++k)
        if (split_cat_has(set, k)) *gl += h[2 * k], *hl += h[2 * k + 1];
    if (dl && has_missing) *gl += h[2 * n_levels], *hl += h[2 * n_levels + 1];
}

/* Selection sort of the taking-part levels: smallest key, then lowest code. */
static int32_t ref_order(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels,
                         split_cat_scratch *w)
{
    const double s = c->inv_scale;
    uint8_t taken[SPLIT_CAT_MAX_LEVELS + 1] = {0};
    int32_t used = 0;
    for (;;) {
        int32_t pick = -1;
        double pk = 0;
        for (int32_t k = 0; k < n_levels; ++k) {
            const int64_t hk = h[2 * k + 1];
            if (taken[k] || hk <= 0 || (double)hk * s < cc->cat_smooth) continue;
            const double key = (double)h[2 * k] * s / ((double)hk * s + cc->cat_smooth);
            if (pick < 0 || key < pk) pick = k, pk = key;
        }
        if (pick < 0) return used;
        taken[pick] = 1;
        w->order[used++] = pick;
    }
}

/* One candidate set of the twin: both missing sides, re-summed. */
static void ref_try(const split_cfg *c, double parent, const int64_t *h, int32_t n_levels, int32_t has_missing,
                    int64_t G, int64_t H, const uint64_t *set, int32_t n_in, int32_t feat, split_info *loc)
{
    const int32_t hm = has_missing && h[2 * n_levels + 1] != 0;
    for (int32_t dl = 0; dl <= hm; ++dl) {
        int64_t gl, hl;
        set_sums(h, n_levels, has_missing, set, dl, &gl, &hl);
        const double gain = cand_gain(c, parent, G, H, gl, hl);
        if (gain > loc->gain) offer(set, n_in, dl, gain, gl, hl, feat, loc);
    }
}

void split_cat_find_ref(const split_cfg *c, const split_cat_cfg *cc, const int64_t *h, int32_t n_levels,
                        int32_t has_missing, int64_t G, int64_t H, int32_t feat, split_cat_scratch *w, split_info *best)
{
    const double s = c->inv_scale, parent = split_node_gain(c, (double)G * s, (double)H * s);
    split_info loc;
    memset(&loc, 0, sizeof loc);
    loc.gain = -INFINITY;
    loc.feat = -1;
    if (n_levels <= cc->max_cat_to_onehot) {
        for (int32_t k = 0; k < n_levels; ++k) {
            uint64_t set[SPLIT_CAT_WORDS] = {0};
            set[k / 64] = UINT64_C(1) << (k % 64);
            if (h[2 * k + 1] > 0) ref_try(c, parent, h, n_levels, has_missing, G, H, set, 1, feat, &loc);
        }
    } else {
        split_cfg pc = *c;
        pc.lambda += cc->cat_l2;
        const int32_t used = ref_order(c, cc, h, n_levels, w);
        const int32_t max_in = cc->max_cat_threshold < (used + 1) / 2 ? cc->max_cat_threshold : (used + 1) / 2;
        for (int32_t dir = 0; dir <= 1; ++dir) {
            uint64_t set[SPLIT_CAT_WORDS] = {0};
            int32_t last = 0; /* levels in the set at the last candidate */
            for (int32_t i = 0; i < max_in; ++i) {
                const int32_t t = w->order[dir ? used - 1 - i : i];
                set[t / 64] |= UINT64_C(1) << (t % 64);
                int64_t gl, hl, group_h = 0;
                set_sums(h, n_levels, 0, set, 0, &gl, &hl);
                for (int32_t j = last; j <= i; ++j) group_h += h[2 * w->order[dir ? used - 1 - j : j] + 1];
                if ((double)hl * s < c->min_child_weight) continue;
                if ((double)(H - hl) * s < c->min_child_weight || (double)(H - hl) * s < cc->min_data_per_group) break;
                if ((double)group_h * s < cc->min_data_per_group) continue;
                last = i + 1;
                ref_try(&pc, parent, h, n_levels, has_missing, G, H, set, i + 1, feat, &loc);
            }
        }
    }
    if (loc.feat >= 0 && split_better(&loc, best)) *best = loc;
}

int64_t split_cat_partition(int32_t *restrict rows, int64_t n, const uint8_t *restrict col, const uint64_t *set,
                            int32_t missing_bin, int32_t default_left, int32_t *restrict scratch)
{
    uint8_t goes_left[256]; /* the level set as a table over the bin values */
    for (int32_t b = 0; b < 256; ++b) goes_left[b] = (uint8_t)split_cat_bin_left(b, set, missing_bin, default_left);
    return partition_by_table(rows, n, col, goes_left, scratch);
}
