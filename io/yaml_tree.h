/* yaml_tree.h - a YAML document as a tree of scalars, lists and mappings
 * that carry their line, read with libyaml's document API.
 *
 * The format lives here (libyaml, its syntax errors, null scalars); what a
 * tree means is the reader's business (a grid: jobs/grid.c). Callers walk the
 * tree in document order and report their own errors with each node's line,
 * so the first problem in the file is the one named. */
#ifndef SB_YAML_TREE_H
#define SB_YAML_TREE_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t */

#include "base/run_ctx.h"

typedef enum { YAML_TREE_SCALAR, YAML_TREE_LIST, YAML_TREE_MAP } yaml_tree_kind;

typedef struct yaml_tree_node yaml_tree_node;
struct yaml_tree_node {
    yaml_tree_kind kind;
    int32_t line;           /* 1-based line where the node starts */
    const char *text;       /* SCALAR: the value as written, NUL-terminated */
    int plain;              /* SCALAR: written without quotes */
    int32_t n;              /* LIST: items; MAP: key/value pairs */
    yaml_tree_node **items; /* LIST: n items; MAP: 2n, key then value */
};

typedef struct {
    yaml_tree_node *root; /* NULL for an empty document */
    yaml_tree_node *nodes;
    yaml_tree_node **links;
    void *doc; /* the libyaml document the texts point into */
} yaml_tree;

/* yaml_tree_parse - the first document of text[0..len). name is used in
 * messages: a syntax error is SB_EINVAL "name:line: YAML syntax: <libyaml's
 * problem> (column c); <context> started on line l". On error *out is
 * zeroed. Local. */
int yaml_tree_parse(run_ctx *run, const char *name, const char *text, size_t len, yaml_tree *out);

/* yaml_tree_null - a scalar that means "no value": empty, or a plain ~ / null. */
int yaml_tree_null(const yaml_tree_node *scalar);

/* Child i of a list, key / value of pair i of a mapping. */
static inline yaml_tree_node *yaml_tree_item(const yaml_tree_node *list, int32_t i) { return list->items[i]; }
static inline yaml_tree_node *yaml_tree_key(const yaml_tree_node *map, int32_t i) { return map->items[2 * i]; }
static inline yaml_tree_node *yaml_tree_value(const yaml_tree_node *map, int32_t i) { return map->items[2 * i + 1]; }

void yaml_tree_free(yaml_tree *t);

#endif
