/* grid_json.c - YAML nodes as JSON text (grid_json.h), through jansson. */
#include "jobs/grid_json.h"

#include <jansson.h> /* for json_t, json_dumps */
#include <stdlib.h>  /* for strtoll */

static json_t *to_json(const yaml_tree_node *v)
{
    if (v->kind == YAML_TREE_SCALAR) {
        char *end = NULL;
        const long long x = strtoll(v->text, &end, 10);
        if (v->plain && end != v->text && *end == '\0') return json_integer(x);
        return json_string(v->text);
    }
    json_t *out = v->kind == YAML_TREE_LIST ? json_array() : json_object();
    for (int32_t i = 0; out && i < v->n; ++i) {
        int bad;
        if (v->kind == YAML_TREE_LIST) bad = json_array_append_new(out, to_json(yaml_tree_item(v, i)));
        else {
            const yaml_tree_node *k = yaml_tree_key(v, i);
            bad = k->kind != YAML_TREE_SCALAR || json_object_set_new(out, k->text, to_json(yaml_tree_value(v, i)));
        }
        if (bad) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

char *grid_json_text(const yaml_tree_node *v)
{
    json_t *j = to_json(v);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return s;
}
