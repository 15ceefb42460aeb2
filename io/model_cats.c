/* model_cats.c - categorical level sets read from a model file (model_cats.h). */
#include "io/model_cats.h"

#include <stdlib.h> /* for free */
#include <string.h> /* for memset */

#include "base/alloc.h"
#include "base/error.h"
#include "kernels/split_cat.h"

static int grow(run_ctx *run, model_cats *c)
{
    const int64_t cap = c->cap ? 2 * c->cap : 64;
    int32_t *t = sb_realloc(run, c->tree, (size_t)cap, sizeof *t);
    if (t) c->tree = t;
    int64_t *n = sb_realloc(run, c->node, (size_t)cap, sizeof *n);
    if (n) c->node = n;
    uint64_t *b = sb_realloc(run, c->bits, (size_t)cap * SPLIT_CAT_WORDS, sizeof *b);
    if (b) c->bits = b;
    if (!t || !n || !b) return SB_ENOMEM;
    c->cap = cap;
    return SB_OK;
}

int model_cats_add(run_ctx *run, model_cats *c, int32_t tree, int64_t node, const int64_t *codes, int32_t n,
                   const char *name)
{
    if (c->n > 0 && (tree < c->tree[c->n - 1] || (tree == c->tree[c->n - 1] && node <= c->node[c->n - 1])))
        return SB_FAIL(run, SB_EDATA, "%s: tree %d \"categories\": node %lld out of order or repeated", name, tree,
                       (long long)node);
    if (c->n == c->cap) SB_TRY(run, grow(run, c));
    uint64_t *set = c->bits + SPLIT_CAT_WORDS * c->n;
    memset(set, 0, SPLIT_CAT_WORDS * sizeof *set);
    for (int32_t i = 0; i < n; ++i) {
        if (codes[i] < 0 || codes[i] >= 64 * SPLIT_CAT_WORDS)
            return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: category code %lld out of [0, %d)", name, tree,
                           (long long)node, (long long)codes[i], 64 * SPLIT_CAT_WORDS);
        set[codes[i] >> 6] |= UINT64_C(1) << (codes[i] & 63);
    }
    c->tree[c->n] = tree;
    c->node[c->n++] = node;
    return SB_OK;
}

/* Node index checks of one set against the parsed trees. */
static int check_set(run_ctx *run, const model_cats *c, int64_t i, const sb_node *nodes, const int64_t *tree_start,
                     int32_t n_trees, const char *name)
{
    const int32_t t = c->tree[i];
    if (t < 0 || t >= n_trees)
        return SB_FAIL(run, SB_EDATA, "%s: \"categories\" of tree %d, which does not exist", name, t);
    const int64_t k = c->node[i];
    if (k < 0 || k >= tree_start[t + 1] - tree_start[t] || nodes[tree_start[t] + k].feat < 0)
        return SB_FAIL(run, SB_EDATA, "%s: tree %d \"categories\": node %lld is not a split node", name, t,
                       (long long)k);
    return SB_OK;
}

int model_cats_finish(run_ctx *run, model_cats *c, sb_node *nodes, const int64_t *tree_start, int32_t n_trees,
                      uint64_t **cat_bits, int64_t **cat_start, const char *name)
{
    int rc = SB_OK;
    if (c->n == 0) goto out;
    for (int64_t i = 0; i < c->n; ++i) SB_CHECK(run, check_set(run, c, i, nodes, tree_start, n_trees, name));
    SB_ALLOC_OR_OUT(run, *cat_start, (size_t)n_trees + 1, sizeof **cat_start);
    SB_ALLOC_OR_OUT(run, *cat_bits, (size_t)c->n * SPLIT_CAT_WORDS, sizeof **cat_bits);
    memcpy(*cat_bits, c->bits, (size_t)c->n * SPLIT_CAT_WORDS * sizeof *c->bits);
    int64_t *cs = *cat_start;
    for (int64_t t = 0, i = 0; t <= n_trees; ++t) { /* sets come in tree order */
        cs[t] = i;
        while (i < c->n && c->tree[i] == t) ++i;
    }
    for (int64_t i = 0; i < c->n; ++i) /* the node's set, numbered within its tree from 1 */
        nodes[tree_start[c->tree[i]] + c->node[i]].cat = (int32_t)(i - cs[c->tree[i]] + 1);
out:
    model_cats_free(c);
    return rc;
}

void model_cats_free(model_cats *c)
{
    free(c->tree);
    free(c->node);
    free(c->bits);
    memset(c, 0, sizeof *c);
}
