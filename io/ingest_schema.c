/* ingest_schema.c - the generic layout's YAML schema, read with libyaml's
 * document API. Example:
 *   ids: [entity_id, {name: device, type: string}]   # type auto (default), int64 or string
 *   label: y                      # or numerator: + denominator: (+ label_name:)
 *   weight: Clicks                # default: the denominator of a ratio; "none" for no weight
 *   categorical: [device]
 *   ignore: [comment]
 */
#include "io/ingest_plan.h"
#include "base/error.h"
#include "base/alloc.h"

#include <errno.h>  /* for errno */
#include <stdio.h>  /* for fopen */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>   /* for yaml_parser_load */

void ingest_schema_free(ingest_schema *s)
{
    for (int32_t i = 0; i < s->n_ids; ++i) free(s->ids[i]);
    for (int32_t i = 0; i < s->n_cat; ++i) free(s->categorical[i]);
    for (int32_t i = 0; i < s->n_ignore; ++i) free(s->ignore[i]);
    free(s->ids);
    free(s->id_kind);
    free(s->categorical);
    free(s->ignore);
    free(s->path);
    free(s->label);
    free(s->numerator);
    free(s->denominator);
    free(s->weight);
    free(s->label_name);
    memset(s, 0, sizeof *s);
}

static const char *scalar(yaml_node_t *n) { return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL; }
static int line_of(yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int want_scalar(run_ctx *run, const char *path, const char *key, yaml_node_t *v, char **out)
{
    const char *s = scalar(v);
    if (s == NULL || *s == '\0')
        return SB_FAIL(run, SB_EINVAL, "%s:%d: '%s' must be a column name", path, line_of(v), key);
    free(*out);
    *out = sb_strdup(run, s);
    return *out ? SB_OK : SB_ENOMEM;
}

/* A list of names (a scalar counts as a one-element list); ids items may be {name:, type:}. */
static int want_list(run_ctx *run, const char *path, yaml_document_t *doc, const char *key, yaml_node_t *v,
                     char ***names, int **kind, int32_t *n)
{
    yaml_node_item_t *items = NULL, one = 0;
    int32_t count = 0;
    if (v->type == YAML_SEQUENCE_NODE) {
        items = v->data.sequence.items.start;
        count = (int32_t)(v->data.sequence.items.top - items);
    } else {
        one = (yaml_node_item_t)(v - doc->nodes.start + 1);
        items = &one;
        count = 1;
    }
    *names = sb_alloc(run, (size_t)count + 1, sizeof **names);
    if (kind) *kind = sb_alloc(run, (size_t)count + 1, sizeof **kind);
    if (*names == NULL || (kind && *kind == NULL)) return SB_ENOMEM;
    for (int32_t i = 0; i < count; ++i) {
        yaml_node_t *it = yaml_document_get_node(doc, items[i]);
        const char *name = scalar(it), *type = "auto";
        if (it && it->type == YAML_MAPPING_NODE && kind) {
            for (yaml_node_pair_t *p = it->data.mapping.pairs.start; p < it->data.mapping.pairs.top; ++p) {
                const char *k = scalar(yaml_document_get_node(doc, p->key));
                const char *val = scalar(yaml_document_get_node(doc, p->value));
                if (k && !strcmp(k, "name")) name = val;
                else if (k && !strcmp(k, "type")) type = val ? val : "";
                else return SB_FAIL(run, SB_EINVAL, "%s:%d: unknown key '%s' in an id (use name:, type:)", path,
                                    line_of(it), k ? k : "?");
            }
        }
        if (name == NULL || *name == '\0')
            return SB_FAIL(run, SB_EINVAL, "%s:%d: '%s' items must be column names", path, it ? line_of(it) : 0, key);
        if (strcmp(type, "int64") && strcmp(type, "string") && strcmp(type, "auto"))
            return SB_FAIL(run, SB_EINVAL, "%s:%d: id type '%s' must be auto, int64 or string", path, line_of(it), type);
        if (((*names)[i] = sb_strdup(run, name)) == NULL) return SB_ENOMEM;
        if (kind) (*kind)[i] = !strcmp(type, "int64") ? ID_KIND_INT64 : !strcmp(type, "string") ? ID_KIND_STRING : ID_KIND_AUTO;
        *n = i + 1;
    }
    return SB_OK;
}

/* A key given twice: libyaml keeps both pairs and the second silently won. */
static int repeated_key(run_ctx *run, const char *path, yaml_document_t *doc, const yaml_node_t *root,
                        const yaml_node_pair_t *at, const char *k)
{
    for (const yaml_node_pair_t *p = root->data.mapping.pairs.start; p < at; ++p) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key);
        const char *prev = scalar(kn);
        int same = prev && (!strcmp(prev, k) || ((!strcmp(prev, "id") || !strcmp(prev, "ids")) &&
                                                 (!strcmp(k, "id") || !strcmp(k, "ids"))));
        if (same)
            return SB_FAIL(run, SB_EINVAL, "%s:%d: key '%s' given again (first on line %d)", path,
                           line_of(yaml_document_get_node(doc, at->key)), k, line_of(kn));
    }
    return SB_OK;
}

/* Roles that contradict each other. */
static int check_roles(run_ctx *run, const char *path, const ingest_schema *s)
{
    if (s->label && (s->numerator || s->denominator))
        return SB_FAIL(run, SB_EINVAL, "%s: give either 'label' or 'numerator' + 'denominator', not both", path);
    if (!s->label && !(s->numerator && s->denominator))
        return SB_FAIL(run, SB_EINVAL, "%s: the schema needs 'label', or both 'numerator' and 'denominator'", path);
    if (s->numerator && !strcmp(s->numerator, s->denominator))
        return SB_FAIL(run, SB_EINVAL, "%s: 'numerator' and 'denominator' are the same column '%s'", path, s->numerator);
    return SB_OK;
}

static int load_doc(run_ctx *run, const char *path, yaml_document_t *doc, ingest_schema *s)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root == NULL || root->type != YAML_MAPPING_NODE)
        return SB_FAIL(run, SB_EINVAL, "%s:1: the schema must be a mapping (key: value lines)", path);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; ++p) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
        const char *k = scalar(kn);
        if (k == NULL) return SB_FAIL(run, SB_EINVAL, "%s:%d: keys must be plain names", path, line_of(kn));
        SB_TRY(run, repeated_key(run, path, doc, root, p, k));
        if (!strcmp(k, "ids") || !strcmp(k, "id"))
            SB_TRY(run, want_list(run, path, doc, k, v, &s->ids, &s->id_kind, &s->n_ids));
        else if (!strcmp(k, "categorical"))
            SB_TRY(run, want_list(run, path, doc, k, v, &s->categorical, NULL, &s->n_cat));
        else if (!strcmp(k, "ignore"))
            SB_TRY(run, want_list(run, path, doc, k, v, &s->ignore, NULL, &s->n_ignore));
        else if (!strcmp(k, "label")) SB_TRY(run, want_scalar(run, path, k, v, &s->label));
        else if (!strcmp(k, "numerator")) SB_TRY(run, want_scalar(run, path, k, v, &s->numerator));
        else if (!strcmp(k, "denominator")) SB_TRY(run, want_scalar(run, path, k, v, &s->denominator));
        else if (!strcmp(k, "label_name")) SB_TRY(run, want_scalar(run, path, k, v, &s->label_name));
        else if (!strcmp(k, "weight")) {
            SB_TRY(run, want_scalar(run, path, k, v, &s->weight));
            if (!strcmp(s->weight, "none")) {
                s->weight_none = 1;
                free(s->weight);
                s->weight = NULL;
            }
        } else
            return SB_FAIL(run, SB_EINVAL,
                           "%s:%d: unknown key '%s' (known: ids, label, numerator, denominator, label_name, weight, "
                           "categorical, ignore)", path, line_of(kn), k);
    }
    return check_roles(run, path, s);
}

/* A second document (after '---') would be ignored silently. */
static int one_document(run_ctx *run, const char *path, yaml_parser_t *parser)
{
    yaml_document_t next;
    if (!yaml_parser_load(parser, &next))
        return SB_FAIL(run, SB_EINVAL, "%s:%d: %s", path, (int)parser->problem_mark.line + 1,
                       parser->problem ? parser->problem : "YAML syntax error");
    yaml_node_t *root = yaml_document_get_root_node(&next);
    const int line = root ? line_of(root) : 0;
    yaml_document_delete(&next);
    if (root == NULL) return SB_OK;
    return SB_FAIL(run, SB_EINVAL, "%s:%d: a second YAML document (after '---'); the schema must be one document", path,
                   line);
}

int ingest_schema_load(run_ctx *run, const char *path, ingest_schema *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return SB_FAIL(run, SB_EINVAL, "%s: cannot open schema: %s", path, strerror(errno));
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = SB_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = SB_FAIL(run, SB_EINVAL, "%s:%d: %s", path, (int)parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "YAML syntax error");
    } else {
        out->path = sb_strdup(run, path);
        rc = out->path ? load_doc(run, path, &doc, out) : SB_ENOMEM;
        yaml_document_delete(&doc);
        if (rc == SB_OK) rc = one_document(run, path, &parser);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc != SB_OK) ingest_schema_free(out);
    return rc;
}
