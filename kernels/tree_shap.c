/* tree_shap.c - TreeSHAP with an explicit stack, and its subset-enumerating twin. */
#include "kernels/tree_shap.h"

#include <string.h> /* for memcpy */

int32_t tree_shap_max_depth(const sb_forest *f, int32_t *depth)
{
    int32_t most = 0;
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const sb_node *nd = f->nodes + f->tree_start[t];
        const int64_t n = f->tree_start[t + 1] - f->tree_start[t];
        depth[0] = 0;
        for (int64_t k = 0; k < n; ++k) { /* children come after their parent */
            if (nd[k].feat < 0) continue;
            depth[nd[k].left] = depth[nd[k].right] = depth[k] + 1;
            if (depth[k] + 1 > most) most = depth[k] + 1;
        }
    }
    return most;
}

int64_t tree_shap_path_elems(int32_t max_depth, int32_t n_feat)
{
    int64_t n = 0;
    for (int32_t L = 0; L <= max_depth; ++L) n += (L < n_feat ? L : n_feat) + 1;
    return n;
}

void tree_shap_node_means(const sb_forest *f, double *mean)
{
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const sb_node *nd = f->nodes + f->tree_start[t];
        double *mt = mean + f->tree_start[t];
        for (int64_t k = f->tree_start[t + 1] - f->tree_start[t] - 1; k >= 0; --k) { /* children first */
            if (nd[k].feat < 0) {
                mt[k] = nd[k].value;
                continue;
            }
            const int32_t l = nd[k].left, r = nd[k].right, kk = (int32_t)k;
            mt[k] = tree_shap_fraction(nd, l, kk) * mt[l] + tree_shap_fraction(nd, r, kk) * mt[r];
        }
    }
}

/* The paper's EXTEND: append (feat, zero, one) as element u and update the
 * permutation weights of the subsets of sizes 0..u. */
static void extend(tree_shap_elem *p, int32_t u, double zero, double one, int32_t feat)
{
    p[u].feat = feat;
    p[u].zero = zero;
    p[u].one = one;
    p[u].pw = u == 0 ? 1.0 : 0.0;
    const double r = 1.0 / (double)(u + 1); /* one division per extension, not two per element */
    for (int32_t i = u - 1; i >= 0; --i) {
        const double w = p[i].pw * r;
        p[i + 1].pw += one * w * (double)(i + 1);
        p[i].pw = zero * w * (double)(u - i);
    }
}

/* The paper's UNWIND: remove element idx of the path p[0..u], undoing its
 * extension (a feature met again deeper down is re-added with its fractions
 * combined). */
static void unwind(tree_shap_elem *p, int32_t u, int32_t idx)
{
    const double one = p[idx].one, zero = p[idx].zero, n = (double)(u + 1);
    double next = p[u].pw;
    for (int32_t i = u - 1; i >= 0; --i) {
        if (one != 0) {
            const double keep = p[i].pw;
            p[i].pw = next * n / ((double)(i + 1) * one);
            next = keep - p[i].pw * zero * (double)(u - i) / n;
        } else {
            p[i].pw = p[i].pw * n / (zero * (double)(u - i));
        }
    }
    for (int32_t i = idx; i < u; ++i) {
        p[i].feat = p[i + 1].feat;
        p[i].zero = p[i + 1].zero;
        p[i].one = p[i + 1].one;
    }
}

/* Sum of the permutation weights of p[0..u] with element idx unwound, without
 * changing p. An element has zero or one non-zero (the caller never enters a
 * branch where both are zero), so nothing divides by zero. The divisions are
 * hoisted out of the loop-carried chain through `next` (the leaves' cost). */
static double unwound_sum(const tree_shap_elem *p, int32_t u, int32_t idx)
{
    const double one = p[idx].one, zero = p[idx].zero, n = (double)(u + 1);
    double next = p[u].pw, total = 0;
    if (one != 0) {
        const double a = n / one, b = zero / n;
        for (int32_t i = u - 1; i >= 0; --i) {
            const double w = next * (a / (double)(i + 1)); /* the division off the chain */
            total += w;
            next = p[i].pw - w * (b * (double)(u - i));
        }
    } else {
        const double a = n / zero;
        for (int32_t i = u - 1; i >= 0; --i) total += p[i].pw * a / (double)(u - i);
    }
    return total;
}

/* A leaf: every feature on the path gets its share of the leaf's value. */
static void leaf_add(const tree_shap_elem *p, int32_t u, double value, double *phi)
{
    for (int32_t i = 1; i <= u; ++i) phi[p[i].feat] += unwound_sum(p, u, i) * (p[i].one - p[i].zero) * value;
}

/* Push a child level unless both its fractions are zero: every permutation
 * weight below it would be zero, so it contributes nothing. */
static int32_t push(tree_shap_frame *st, int32_t top, int32_t node, double zero, double one, int32_t feat)
{
    if (zero == 0 && one == 0) return top;
    tree_shap_frame *c = &st[top + 1];
    c->node = node;
    c->stage = 0;
    c->in_zero = zero;
    c->in_one = one;
    c->in_feat = feat;
    return top + 1;
}

/* Enter level `top`: its path = the parent's, extended; a leaf adds its
 * shares; a split unwinds an earlier split on its feature and picks the
 * row's branch. Returns the new top. */
static int32_t enter(const uint64_t *cats, const sb_node *t, const float *row, double *phi, const tree_shap_scratch *s,
                     int32_t top)
{
    tree_shap_frame *fr = &s->stack[top];
    const tree_shap_frame *up = top > 0 ? &s->stack[top - 1] : NULL;
    fr->at = up ? up->at + up->len : 0;
    fr->len = up ? up->len : 0;
    tree_shap_elem *p = s->path + fr->at;
    if (up) memcpy(p, s->path + up->at, (size_t)up->len * sizeof *p);
    extend(p, fr->len, fr->in_zero, fr->in_one, fr->in_feat);
    fr->len++;
    const sb_node *nd = &t[fr->node];
    if (nd->feat < 0) {
        leaf_add(p, fr->len - 1, nd->value, phi);
        return top - 1;
    }
    const int left = tree_shap_goes_left(cats, nd, row[nd->feat]);
    fr->hot = left ? nd->left : nd->right;
    fr->cold = left ? nd->right : nd->left;
    fr->next_zero = 1;
    fr->next_one = 1;
    for (int32_t k = 1; k < fr->len; ++k) {
        if (p[k].feat != nd->feat) continue;
        fr->next_zero = p[k].zero;
        fr->next_one = p[k].one;
        unwind(p, fr->len - 1, k);
        fr->len--;
        break;
    }
    fr->stage = 1;
    return push(s->stack, top, fr->hot, fr->next_zero * tree_shap_fraction(t, fr->hot, fr->node), fr->next_one,
                nd->feat);
}

/* One tree's contributions added to phi: depth first, hot child then cold. */
static void shap_tree(const uint64_t *cats, const sb_node *t, const float *row, double *phi, const tree_shap_scratch *s)
{
    tree_shap_frame *st = s->stack;
    int32_t top = push(st, -1, 0, 1.0, 1.0, -1);
    while (top >= 0) {
        tree_shap_frame *fr = &st[top];
        if (fr->stage == 0) {
            top = enter(cats, t, row, phi, s, top);
        } else if (fr->stage == 1) {
            fr->stage = 2;
            top = push(st, top, fr->cold, fr->next_zero * tree_shap_fraction(t, fr->cold, fr->node), 0.0,
                       t[fr->node].feat);
        } else {
            --top;
        }
    }
}

void tree_shap_row(const sb_forest *f, const double *mean, double base_margin, const float *row, int32_t n_feat,
                   double *phi, const tree_shap_scratch *s)
{
    for (int32_t j = 0; j < n_feat; ++j) phi[j] = 0;
    phi[n_feat] = base_margin;
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const sb_node *nd = f->nodes + f->tree_start[t];
        phi[n_feat] += mean[f->tree_start[t]];
        if (nd[0].feat >= 0) shap_tree(tree_shap_cats(f, t), nd, row, phi, s);
    }
}

/* ---- the twin: Shapley values by definition */

/* v(S) of one tree: the cover-weighted expectation when the features whose
 * slot bit is set in `known` are the row's and the others unknown. A forward
 * pass (children after parents) carries each node's weight. */
static double subset_value(const uint64_t *cats, const sb_node *nd, int64_t n, const float *row, const int32_t *slot,
                           uint32_t known, double *w)
{
    double v = 0;
    w[0] = 1;
    for (int64_t k = 0; k < n; ++k) {
        if (nd[k].feat < 0) {
            v += w[k] * nd[k].value;
            continue;
        }
        const int32_t l = nd[k].left, r = nd[k].right;
        if ((known >> slot[nd[k].feat]) & 1u) {
            const int left = tree_shap_goes_left(cats, &nd[k], row[nd[k].feat]);
            w[l] = left ? w[k] : 0.0;
            w[r] = left ? 0.0 : w[k];
        } else {
            w[l] = w[k] * tree_shap_fraction(nd, l, (int32_t)k);
            w[r] = w[k] * tree_shap_fraction(nd, r, (int32_t)k);
        }
    }
    return v;
}

/* |S|! (m - |S| - 1)! / m! = 1 / (m * C(m - 1, |S|)), exact in double for small m. */
static double shapley_weight(int s, int m)
{
    double c = 1;
    for (int i = 1; i <= s; ++i) c = c * (double)(m - i) / (double)i;
    return 1.0 / ((double)m * c);
}

int tree_shap_row_ref(const sb_forest *f, double base_margin, const float *row, int32_t n_feat, double *phi,
                      double *w, double *v, int32_t *slot)
{
    for (int32_t j = 0; j < n_feat; ++j) phi[j] = 0;
    phi[n_feat] = base_margin;
    for (int32_t t = 0; t < f->n_trees; ++t) {
        const sb_node *nd = f->nodes + f->tree_start[t];
        const int64_t n = f->tree_start[t + 1] - f->tree_start[t];
        int32_t used[TREE_SHAP_REF_MAX_FEAT];
        int m = 0;
        for (int32_t j = 0; j < n_feat; ++j) slot[j] = -1;
        for (int64_t k = 0; k < n; ++k) {
            if (nd[k].feat < 0 || slot[nd[k].feat] >= 0) continue;
            if (m == TREE_SHAP_REF_MAX_FEAT) return -1;
            slot[nd[k].feat] = m;
            used[m++] = nd[k].feat;
        }
        for (uint32_t S = 0; S < (1u << m); ++S) v[S] = subset_value(tree_shap_cats(f, t), nd, n, row, slot, S, w);
        phi[n_feat] += v[0];
        for (int i = 0; i < m; ++i) {
            const uint32_t bit = 1u << i;
            for (uint32_t S = 0; S < (1u << m); ++S) {
                if (S & bit) continue;
                phi[used[i]] += shapley_weight(__builtin_popcount(S), m) * (v[S | bit] - v[S]);
            }
        }
    }
    return 0;
}
