/* grid_json.h - a YAML list or mapping as compact JSON text, for the
 * parameters whose one value is itself a list (monotone_constraints,
 * interaction_constraints): in a grid, `interaction_constraints:
 * [[[0, 1], [2, 3]], [[0, 1, 2]]]` is an axis of two values, each written
 * back as the JSON the parameter reads ("[[0,1],[2,3]]"). */
#ifndef SB_GRID_JSON_H
#define SB_GRID_JSON_H

#include "io/yaml_tree.h"

/* grid_json_text - v as compact JSON (plain integer scalars as numbers, every
 * other scalar a string), malloc'd; NULL when memory ran out. Local. */
char *grid_json_text(const yaml_tree_node *v);

#endif
