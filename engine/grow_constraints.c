/* grow_constraints.c - monotone and interaction constraints, level and node
 * column samples (grow_constraints.h). */
#include "engine/grow_constraints.h"

#include <stdlib.h> /* for free */
#include <string.h> /* for memset, memcpy */

#include "base/alloc.h"
#include "base/error.h"
#include "base/hash.h" /* for sb_hash3: samples derive from (seed, tree, level or node, feature) */
#include "io/constraints_text.h"

/* Room for a parse message. */
#define CONS_MSG_MAX 256

/* The feature entry i of l refers to, or SB_EINVAL naming key. */
static int feature_of(run_ctx *run, const char *key, const cons_list *l, int32_t i, const sb_table *t, int32_t *f)
{
    if (l->name[i]) {
        *f = table_find_feature(t, l->name[i]);
        if (*f < 0) return SB_FAIL(run, SB_EINVAL, "parameter '%s': no feature named '%s' in the data", key, l->name[i]);
        return SB_OK;
    }
    *f = l->index[i];
    if (*f >= t->n_feat)
        return SB_FAIL(run, SB_EINVAL, "parameter '%s': feature index %d out of range (the data has %d features)", key,
                       (int)*f, (int)t->n_feat);
    return SB_OK;
}

/* A syntax error is caught by params_set; this is the text read back. */
static int parse_error(run_ctx *run, const char *key, int prc, const char *err)
{
    return prc == -2 ? SB_FAIL(run, SB_ENOMEM, "parameter '%s': out of memory", key)
                     : SB_FAIL(run, SB_EINVAL, "parameter '%s': %s", key, err);
}

static int resolve_monotone(run_ctx *run, const char *text, const sb_table *t, grow_constraints *c, int *any)
{
    const char *key = "monotone_constraints";
    char err[CONS_MSG_MAX];
    cons_list l;
    const int prc = cons_parse_monotone(text, &l, err, sizeof err);
    if (prc != 0) return parse_error(run, key, prc, err);
    int rc = SB_OK;
    if (!l.named && l.n != t->n_feat)
        SB_RAISE(run, SB_EINVAL,
                 "parameter '%s': %d values for %d features (give one per feature in the data's order, or name "
                 "them: price:1,x:-1)", key, (int)l.n, (int)t->n_feat);
    SB_ALLOC_OR_OUT(run, c->mono, (size_t)t->n_feat + 1, 1);
    for (int32_t i = 0; i < l.n; ++i) {
        int32_t f = 0;
        SB_CHECK(run, feature_of(run, key, &l, i, t, &f));
        if (l.value[i] != 0 && t->feat[f].n_levels > 0)
            SB_RAISE(run, SB_EINVAL, "parameter '%s': feature '%s' is categorical (no order to constrain)", key,
                     t->feat[f].name);
        c->mono[f] = (int8_t)l.value[i];
        *any |= l.value[i] != 0;
    }
out:
    cons_list_free(&l);
    return rc;
}

static int resolve_interaction(run_ctx *run, const char *text, const sb_table *t, grow_constraints *c)
{
    const char *key = "interaction_constraints";
    char err[CONS_MSG_MAX];
    cons_list l;
    const int prc = cons_parse_interaction(text, &l, err, sizeof err);
    if (prc != 0) return parse_error(run, key, prc, err);
    int rc = SB_OK;
    if (l.n_sets > GROW_MAX_INTERACTION_SETS)
        SB_RAISE(run, SB_EINVAL, "parameter '%s': %d sets (at most %d)", key, (int)l.n_sets,
                 GROW_MAX_INTERACTION_SETS);
    c->n_sets = l.n_sets;
    SB_ALLOC_OR_OUT(run, c->feat_sets, (size_t)t->n_feat + 1, sizeof *c->feat_sets);
    SB_ALLOC_OR_OUT(run, c->set_member, (size_t)l.n_sets * (size_t)t->n_feat + 1, 1);
    for (int32_t i = 0; i < l.n; ++i) {
        int32_t f = 0;
        SB_CHECK(run, feature_of(run, key, &l, i, t, &f));
        c->feat_sets[f] |= (uint64_t)1 << l.value[i];
        c->set_member[(int64_t)l.value[i] * t->n_feat + f] = 1;
    }
out:
    cons_list_free(&l);
    return rc;
}

int grow_constraints_resolve(run_ctx *run, const sb_params *p, const sb_table *t, uint64_t seed,
                             grow_constraints *out, int *active)
{
    memset(out, 0, sizeof *out);
    out->n_feat = t->n_feat;
    out->bylevel = p->colsample_bylevel;
    out->bynode = p->colsample_bynode;
    out->seed = seed;
    int rc = SB_OK, any_mono = 0;
    if (p->monotone_constraints) SB_CHECK(run, resolve_monotone(run, p->monotone_constraints, t, out, &any_mono));
    if (!any_mono) { /* all zero: exactly the unconstrained training */
        free(out->mono);
        out->mono = NULL;
    }
    if (p->interaction_constraints) SB_CHECK(run, resolve_interaction(run, p->interaction_constraints, t, out));
    *active = out->mono || out->n_sets > 0 || out->bylevel < 1.0 || out->bynode < 1.0;
    if (*active) {
        SB_ALLOC_OR_OUT(run, out->keys, (size_t)t->n_feat + 1, sizeof *out->keys);
    }
out:
    if (rc != SB_OK) grow_constraints_free(out);
    return rc;
}

void grow_constraints_free(grow_constraints *c)
{
    free(c->mono);
    free(c->feat_sets);
    free(c->set_member);
    free(c->keys);
    memset(c, 0, sizeof *c);
}

/* Keep in mask the fraction frac (rounded, at least one) of its features with
 * the smallest hashes of (seed, stream, feature); ties by index. */
static void sample(grow_constraints *c, uint64_t stream, double frac, uint8_t *mask)
{
    int32_t n = 0;
    for (int32_t f = 0; f < c->n_feat; ++f) n += mask[f] != 0;
    int32_t want = (int32_t)(frac * n + 0.5);
    if (want < 1) want = 1;
    if (frac >= 1.0 || want >= n) return;
    /* the want-th smallest key: a feature's key is its hash; count below */
    for (int32_t f = 0; f < c->n_feat; ++f) c->keys[f] = mask[f] ? sb_hash3(c->seed, stream, (uint64_t)f) : 0;
    for (int32_t kept = 0; kept < want;) { /* pick the smallest remaining, want times: want * n_feat steps */
        int32_t best = -1;
        for (int32_t f = 0; f < c->n_feat; ++f)
            if (mask[f] == 1 && (best < 0 || c->keys[f] < c->keys[best])) best = f;
        mask[best] = 2; /* chosen */
        ++kept;
    }
    for (int32_t f = 0; f < c->n_feat; ++f) mask[f] = mask[f] == 2;
}

/* Streams of the level and node samples (booster_internal.h's STREAM_* use 1-3; the booster's
 * train_hash is sb_hash3). */
enum { STREAM_COLSAMPLE_LEVEL = 4, STREAM_COLSAMPLE_NODE = 5 };

/* Features allowed by the interaction constraints after the splits on path:
 * the features used, and every set that contains all of them (XGBoost's
 * rule); anything at the root. */
static void interaction_mask(const grow_constraints *c, const int32_t *path, int32_t n_path, uint8_t *out)
{
    if (c->n_sets == 0 || n_path == 0) return;
    uint64_t sets = c->n_sets == 64 ? ~(uint64_t)0 : ((uint64_t)1 << c->n_sets) - 1;
    for (int32_t i = 0; i < n_path; ++i) sets &= c->feat_sets[path[i]];
    for (int32_t f = 0; f < c->n_feat; ++f) {
        int ok = 0;
        for (int32_t s = 0; s < c->n_sets && !ok; ++s)
            ok = (sets >> s & 1) && c->set_member[(int64_t)s * c->n_feat + f];
        for (int32_t i = 0; i < n_path && !ok; ++i) ok = path[i] == f;
        out[f] = out[f] && ok;
    }
}

void grow_node_mask(grow_constraints *c, const uint8_t *tree_mask, int32_t round, int32_t depth, int32_t node,
                    const int32_t *path, int32_t n_path, uint8_t *out)
{
    const size_t nf = (size_t)c->n_feat;
    if (tree_mask) memcpy(out, tree_mask, nf);
    else memset(out, 1, nf);
    if (c->bylevel < 1.0) { /* the same sample for every node of a level: recomputed, it is cheap */
        sample(c, STREAM_COLSAMPLE_LEVEL + ((uint64_t)round << 8) + ((uint64_t)depth << 40), c->bylevel, out);
    }
    if (c->bynode < 1.0)
        sample(c, STREAM_COLSAMPLE_NODE + ((uint64_t)round << 8) + ((uint64_t)node << 36), c->bynode, out);
    interaction_mask(c, path, n_path, out);
}
