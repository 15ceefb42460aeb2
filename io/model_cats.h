/* model_cats.h - the level sets of categorical splits while a model file is
 * read: a tree's "categories" [[node, [codes...]], ...] (io/model.h) are
 * collected as they come, whatever reader parses the JSON, and attached to
 * the nodes once every tree is read (model_cats_finish). */
#ifndef SB_MODEL_CATS_H
#define SB_MODEL_CATS_H

#include <stdint.h> /* for int32_t, int64_t, uint64_t */

#include "base/run_ctx.h"         /* for run_ctx */
#include "kernels/tree_predict.h" /* for sb_node */

typedef struct {
    int32_t *tree;  /* per set: its tree */
    int64_t *node;  /* per set: its node within the tree */
    uint64_t *bits; /* per set: SPLIT_CAT_WORDS words */
    int64_t n, cap;
} model_cats;

/* model_cats_add - one set: node `node` of tree `tree` sends the n level
 * codes[] left. A code outside [0, 256) or a set out of tree order is
 * SB_EDATA naming the file (name), tree and node. Local. */
int model_cats_add(run_ctx *run, model_cats *c, int32_t tree, int64_t node, const int64_t *codes, int32_t n,
                   const char *name);

/* model_cats_finish - attach the sets to the n_trees trees' nodes (node.cat,
 * *cat_bits and *cat_start as sb_model holds them; left NULL when there are
 * none): a set must name a split node of its tree, one set per node. Frees
 * c. SB_EDATA naming the file. Local. */
int model_cats_finish(run_ctx *run, model_cats *c, sb_node *nodes, const int64_t *tree_start, int32_t n_trees,
                      uint64_t **cat_bits, int64_t **cat_start, const char *name);

void model_cats_free(model_cats *c);

#endif
