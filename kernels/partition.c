/* partition.c - stable in-place row partition with one scratch buffer. */
#include "kernels/partition.h"

#include <string.h> /* for memcpy */

int64_t partition_rows(int32_t *restrict rows, int64_t n, const uint8_t *restrict col, int32_t split_bin,
                       int32_t missing_bin, int32_t default_left, int32_t *restrict scratch)
{
    /* Branch-free: each row is written to both outputs, the cursors advance by the test. */
    int64_t nl = 0, nr = 0;
    for (int64_t i = 0; i < n; ++i) {
        const int32_t r = rows[i];
        const int32_t b = col[r];
        const int left = partition_goes_left(b, split_bin, missing_bin, default_left);
        rows[nl] = r;
        scratch[nr] = r;
        nl += left;
        nr += !left;
    }
    memcpy(rows + nl, scratch, (size_t)nr * sizeof *rows);
    return nl;
}

int64_t partition_rows_ref(int32_t *rows, int64_t n, const uint8_t *col, int32_t split_bin, int32_t missing_bin,
                           int32_t default_left, int32_t *scratch)
{
    memcpy(scratch, rows, (size_t)n * sizeof *rows);
    int64_t k = 0;
    for (int64_t i = 0; i < n; ++i)
        if (partition_goes_left(col[scratch[i]], split_bin, missing_bin, default_left))
            rows[k++] = scratch[i];
    int64_t nl = k;
    for (int64_t i = 0; i < n; ++i)
        if (!partition_goes_left(col[scratch[i]], split_bin, missing_bin, default_left))
            rows[k++] = scratch[i];
    return nl;
}

/* Depth of the subtree at k, or -1 when deeper than the cap. */
static int32_t walk_depth(const sb_node *t, int32_t k, int32_t level)
{
    if (level > PARTITION_WALK_MAX_DEPTH) return -1;
    if (t[k].feat < 0) return 0;
    const int32_t l = walk_depth(t, t[k].left, level + 1), r = walk_depth(t, t[k].right, level + 1);
    return l < 0 || r < 0 ? -1 : 1 + (l > r ? l : r);
}

typedef struct {
    int32_t feat[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    int32_t bin[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    int32_t mb[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    int32_t dl[(1 << PARTITION_WALK_MAX_DEPTH) - 1];
    double leaf[1 << PARTITION_WALK_MAX_DEPTH];
} complete_tree;

/* Slot s (heap order) at `level` holds node k; a leaf above the bottom fills
 * its whole subtree (both sides reach the same value, so the test is moot). */
static void fill_complete(const sb_node *t, int32_t k, int32_t s, int32_t level, int32_t D, const int32_t *n_value,
                          const uint8_t *has_missing, complete_tree *c)
{
    if (level == D) {
        c->leaf[s - ((1 << D) - 1)] = t[k].value;
        return;
    }
    const int leaf = t[k].feat < 0;
    c->feat[s] = leaf ? 0 : t[k].feat;
    c->bin[s] = leaf ? 0 : t[k].bin;
    c->mb[s] = leaf ? -1 : (has_missing[t[k].feat] ? n_value[t[k].feat] : -1);
    c->dl[s] = leaf ? 0 : t[k].default_left;
    fill_complete(t, leaf ? k : t[k].left, 2 * s + 1, level + 1, D, n_value, has_missing, c);
    fill_complete(t, leaf ? k : t[k].right, 2 * s + 2, level + 1, D, n_value, has_missing, c);
}

int partition_tree_add(const sb_node *tree, const uint8_t *restrict bins, int64_t n, int32_t n_feat,
                       const int32_t *n_value, const uint8_t *has_missing, double *restrict margin)
{
    const int32_t D = walk_depth(tree, 0, 0);
    if (D < 0) return -1;
    complete_tree c;
    fill_complete(tree, 0, 0, 0, D, n_value, has_missing, &c);
    for (int64_t i = 0; i < n; ++i) {
        const uint8_t *row = bins + i * n_feat;
        int32_t s = 0;
        for (int32_t d = 0; d < D; ++d) {
            const int32_t b = row[c.feat[s]];
            s = 2 * s + 2 - partition_goes_left(b, c.bin[s], c.mb[s], c.dl[s]);
        }
        margin[i] += c.leaf[s - ((1 << D) - 1)];
    }
    return 0;
}

void partition_tree_add_ref(const sb_node *tree, const uint8_t *bins, int64_t n, int32_t n_feat,
                            const int32_t *n_value, const uint8_t *has_missing, double *margin)
{
    for (int64_t i = 0; i < n; ++i) {
        int32_t k = 0;
        while (tree[k].feat >= 0) {
            const int32_t f = tree[k].feat;
            const int32_t b = bins[i * n_feat + f];
            k = partition_goes_left(b, tree[k].bin, has_missing[f] ? n_value[f] : -1, tree[k].default_left)
                    ? tree[k].left : tree[k].right;
        }
        margin[i] += tree[k].value;
    }
}
