/* yaml_tree.c - libyaml's document as a tree with lines (see yaml_tree.h). */
#include "io/yaml_tree.h"

#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, memset */
#include <yaml.h>   /* for yaml_parser_load, yaml_document_t */

#include "base/alloc.h"
#include "base/error.h"

/* The syntax error, naming the line where the unclosed construct began too:
 * libyaml notices a missing ']' where the next thing starts. */
static int syntax_error(run_ctx *run, const char *name, const yaml_parser_t *parser)
{
    char ctx[160] = "";
    if (parser->context)
        snprintf(ctx, sizeof ctx, "; %s started on line %d", parser->context, (int)parser->context_mark.line + 1);
    return SB_FAIL(run, SB_EINVAL, "%s:%d: YAML syntax: %s (column %d)%s", name, (int)parser->problem_mark.line + 1,
                   parser->problem ? parser->problem : "error", (int)parser->problem_mark.column + 1, ctx);
}

/* Children of all nodes: list items plus two per mapping pair. */
static size_t count_links(const yaml_document_t *doc)
{
    size_t n = 0;
    for (const yaml_node_t *y = doc->nodes.start; y < doc->nodes.top; ++y) {
        if (y->type == YAML_SEQUENCE_NODE)
            n += (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
        else if (y->type == YAML_MAPPING_NODE)
            n += 2 * (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
    }
    return n;
}

/* Node y of the document into out, its children taken from *links onward. */
static void copy_node(const yaml_node_t *y, yaml_tree_node *nodes, yaml_tree_node *out,
                      yaml_tree_node ***links)
{
    out->line = (int32_t)y->start_mark.line + 1;
    out->items = *links;
    if (y->type == YAML_SCALAR_NODE) {
        out->kind = YAML_TREE_SCALAR;
        out->text = (const char *)y->data.scalar.value;
        out->plain = y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    } else if (y->type == YAML_SEQUENCE_NODE) {
        out->kind = YAML_TREE_LIST;
        for (const yaml_node_item_t *it = y->data.sequence.items.start; it < y->data.sequence.items.top; ++it)
            out->items[out->n++] = &nodes[*it - 1]; /* node ids are 1-based */
    } else {
        out->kind = YAML_TREE_MAP;
        for (const yaml_node_pair_t *pr = y->data.mapping.pairs.start; pr < y->data.mapping.pairs.top; ++pr) {
            out->items[2 * out->n] = &nodes[pr->key - 1];
            out->items[2 * out->n + 1] = &nodes[pr->value - 1];
            out->n++;
        }
    }
    *links += y->type == YAML_MAPPING_NODE ? 2 * out->n : y->type == YAML_SEQUENCE_NODE ? out->n : 0;
}

/* The tree of a loaded document (the document stays owned by t). */
static int build(run_ctx *run, yaml_tree *t)
{
    yaml_document_t *doc = t->doc;
    size_t n_nodes = (size_t)(doc->nodes.top - doc->nodes.start);
    if (n_nodes == 0) return SB_OK; /* an empty document: no root */
    if ((t->nodes = sb_alloc(run, n_nodes, sizeof *t->nodes)) == NULL) return SB_ENOMEM;
    if ((t->links = sb_alloc(run, count_links(doc) + 1, sizeof *t->links)) == NULL) return SB_ENOMEM;
    yaml_tree_node **next = t->links;
    for (size_t i = 0; i < n_nodes; ++i) copy_node(&doc->nodes.start[i], t->nodes, &t->nodes[i], &next);
    t->root = &t->nodes[0]; /* libyaml's root is node 1 */
    return SB_OK;
}

/* After the first document: a second one (after '---') would be ignored silently,
 * so it is an error naming its line. */
static int no_second_document(run_ctx *run, const char *name, yaml_parser_t *parser)
{
    yaml_document_t next;
    if (!yaml_parser_load(parser, &next)) return syntax_error(run, name, parser);
    const yaml_node_t *root = yaml_document_get_root_node(&next);
    const int line = root ? (int)root->start_mark.line + 1 : 0;
    yaml_document_delete(&next);
    if (root == NULL) return SB_OK;
    return SB_FAIL(run, SB_EINVAL, "%s:%d: a second YAML document (after '---'); the file must hold one document", name,
                   line);
}

int yaml_tree_parse(run_ctx *run, const char *name, const char *text, size_t len, yaml_tree *out)
{
    memset(out, 0, sizeof *out);
    int rc = SB_OK, loaded = 0;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return SB_FAIL(run, SB_ENOMEM, "%s: libyaml init failed", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    SB_ALLOC_OR_OUT(run, out->doc, 1, sizeof(yaml_document_t));
    SB_CHECK(run, yaml_parser_load(&parser, out->doc) ? SB_OK : syntax_error(run, name, &parser));
    loaded = 1;
    SB_CHECK(run, no_second_document(run, name, &parser));
    SB_CHECK(run, build(run, out));
out:
    yaml_parser_delete(&parser);
    if (rc != SB_OK && loaded) yaml_tree_free(out);
    else if (rc != SB_OK) {
        free(out->doc); /* nothing was loaded into it */
        memset(out, 0, sizeof *out);
    }
    return rc;
}

int yaml_tree_null(const yaml_tree_node *s)
{
    return s->text[0] == '\0' || (s->plain && (!strcmp(s->text, "~") || !strcmp(s->text, "null")));
}

void yaml_tree_free(yaml_tree *t)
{
    if (t->doc) yaml_document_delete(t->doc);
    free(t->doc);
    free(t->nodes);
    free(t->links);
    memset(t, 0, sizeof *t);
}
