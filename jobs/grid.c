/* grid.c - YAML hyperparameter grids (see grid.h), parsed with libyaml's
 * document API so every node carries its line (yaml_mark_t). */
#include "jobs/grid.h"
#include "base/error.h"
#include "base/alloc.h"

#include <stdio.h>  /* for FILE, fopen, snprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, memset */
#include <yaml.h>   /* for yaml_parser_load, yaml_document_t */

/* The parse in progress: the document plus the grid being filled. */
typedef struct {
    run_ctx *run;
    const char *name;
    yaml_document_t *doc;
    const sb_params *base;
    sb_grid *g;
    int64_t cap_points, cap_strings;
    int32_t cap_cols;
    char sub_shapes[160];
} builder;

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int fail_at(builder *b, int line, const char *what)
{
    return SB_FAIL(b->run, SB_EINVAL, "%s:%d: %s", b->name, line, what);
}

static const char *keep_string(builder *b, const char *s)
{
    if (b->g->n_strings == b->cap_strings) {
        int64_t cap = b->cap_strings ? 2 * b->cap_strings : 64;
        char **p = sb_realloc(b->run, b->g->strings, (size_t)cap, sizeof *p);
        if (!p) return NULL;
        b->g->strings = p;
        b->cap_strings = cap;
    }
    char *c = sb_strdup(b->run, s);
    if (c) b->g->strings[b->g->n_strings++] = c;
    return c;
}

static int add_col(builder *b, const char *canon)
{
    for (int32_t i = 0; i < b->g->n_cols; ++i)
        if (b->g->cols[i] == canon) return SB_OK;
    if (b->g->n_cols == b->cap_cols) {
        int32_t cap = b->cap_cols ? 2 * b->cap_cols : 16;
        const char **p = sb_realloc(b->run, (void *)b->g->cols, (size_t)cap, sizeof *p);
        if (!p) return SB_ENOMEM;
        b->g->cols = p;
        b->cap_cols = cap;
    }
    b->g->cols[b->g->n_cols++] = canon;
    return SB_OK;
}

/* A scalar value checked against the parameter table on its own (type, range). */
static int check_scalar(builder *b, const char *key, const yaml_node_t *v, grid_setting *out)
{
    if (v->type != YAML_SCALAR_NODE)
        return fail_at(b, line_of(v), "expected a value here (lists may not nest; explicit points are scalars)");
    const char *text = (const char *)v->data.scalar.value;
    int plain = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (text[0] == '\0' || (plain && (!strcmp(text, "~") || !strcmp(text, "null")))) {
        char msg[256];
        snprintf(msg, sizeof msg, "'%s' has no value", key);
        return fail_at(b, line_of(v), msg);
    }
    sb_params tmp = *b->base;
    SB_TRY(b->run, params_set(b->run, &tmp, key, text, "%s:%d", b->name, line_of(v)));
    out->canon = params_canonical(key);
    out->value = keep_string(b, text);
    out->line = line_of(v);
    return out->value ? SB_OK : SB_ENOMEM;
}

/* A key: a known parameter name, not repeating one already in this mapping. */
static int check_key(builder *b, const yaml_node_t *k, const char **seen_canon, const int *seen_line, int n_seen,
                     const char **canon)
{
    if (k->type != YAML_SCALAR_NODE) return fail_at(b, line_of(k), "keys must be parameter names");
    const char *key = (const char *)k->data.scalar.value;
    *canon = params_canonical(key);
    char err[512];
    if (*canon == NULL) {
        sb_params tmp = *b->base;
        return params_set(b->run, &tmp, key, "0", "%s:%d", b->name, line_of(k)); /* the "did you mean" message */
    }
    for (int i = 0; i < n_seen; ++i)
        if (seen_canon[i] == *canon) {
            snprintf(err, sizeof err, "'%s' sets parameter '%s', already set on line %d", key, *canon, seen_line[i]);
            return fail_at(b, line_of(k), err);
        }
    return SB_OK;
}

/* Append one point: fixed settings, then the point's own (which win). */
static int add_point(builder *b, const grid_setting *fixed, int n_fixed, const grid_setting *own, int n_own,
                     int line)
{
    sb_grid *g = b->g;
    if (g->n_points >= SB_GRID_MAX_POINTS) {
        char msg[128];
        snprintf(msg, sizeof msg, "the grid has more than %d points", SB_GRID_MAX_POINTS);
        return fail_at(b, line, msg);
    }
    if (g->n_points == b->cap_points) {
        int64_t cap = b->cap_points ? 2 * b->cap_points : 64;
        grid_point *p = sb_realloc(b->run, g->points, (size_t)cap, sizeof *p);
        if (!p) return SB_ENOMEM;
        g->points = p;
        b->cap_points = cap;
    }
    grid_point *p = &g->points[g->n_points];
    memset(p, 0, sizeof *p);
    p->set = sb_alloc(b->run, (size_t)(n_fixed + n_own) + 1, sizeof *p->set);
    if (!p->set) return SB_ENOMEM;
    g->n_points++;
    p->line = line;
    for (int i = 0; i < n_fixed; ++i) {
        int overridden = 0;
        for (int j = 0; j < n_own; ++j) overridden |= own[j].canon == fixed[i].canon;
        if (!overridden) p->set[p->n_set++] = fixed[i];
    }
    for (int j = 0; j < n_own; ++j) p->set[p->n_set++] = own[j];
    p->params = *b->base;
    for (int32_t i = 0; i < p->n_set; ++i) {
        const grid_setting *st = &p->set[i];
        SB_TRY(b->run, params_set(b->run, &p->params, st->canon, st->value, "%s:%d", b->name, st->line));
        SB_TRY(b->run, add_col(b, p->set[i].canon));
    }
    char msg[1024];
    int w = snprintf(msg, sizeof msg, "grid point %lld (", (long long)g->n_points - 1);
    for (int32_t i = 0; i < p->n_set && w > 0 && (size_t)w < sizeof msg; ++i)
        w += snprintf(msg + w, sizeof msg - (size_t)w, "%s%s=%s", i ? ", " : "", p->set[i].canon, p->set[i].value);
    if (w > 0 && (size_t)w < sizeof msg) snprintf(msg + w, sizeof msg - (size_t)w, ")");
    SB_TRY(b->run, params_validate(b->run, &p->params, "%s:%d: %s", b->name, line, msg));
    return SB_OK;
}

/* The explicit `points:` list of one sub-grid. */
static int add_explicit(builder *b, const yaml_node_t *list, const grid_setting *fixed, int n_fixed)
{
    if (list->type != YAML_SEQUENCE_NODE) return fail_at(b, line_of(list), "'points' must be a list of mappings");
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; ++it) {
        const yaml_node_t *m = yaml_document_get_node(b->doc, *it);
        if (m->type != YAML_MAPPING_NODE)
            return fail_at(b, line_of(m), "each entry of 'points' must be a mapping of parameter: value");
        int n = (int)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
        grid_setting *own = sb_alloc(b->run, (size_t)n + 1, sizeof *own);
        const char **canon = sb_alloc(b->run, (size_t)n + 1, sizeof *canon);
        int *lines = sb_alloc(b->run, (size_t)n + 1, sizeof *lines);
        int rc = (own && canon && lines) ? SB_OK : SB_ENOMEM;
        for (int i = 0; rc == SB_OK && i < n; ++i) {
            const yaml_node_pair_t *pr = &m->data.mapping.pairs.start[i];
            const yaml_node_t *k = yaml_document_get_node(b->doc, pr->key);
            rc = check_key(b, k, canon, lines, i, &canon[i]);
            if (rc == SB_OK) rc = check_scalar(b, (const char *)k->data.scalar.value,
                                               yaml_document_get_node(b->doc, pr->value), &own[i]);
            lines[i] = line_of(k);
        }
        if (rc == SB_OK) rc = add_point(b, fixed, n_fixed, own, n, line_of(m));
        free(own);
        free(canon);
        free(lines);
        SB_TRY(b->run, rc);
    }
    return SB_OK;
}

/* One sub-grid mapping: fixed scalars, lists (cartesian product), points. */
static int add_subgrid(builder *b, const yaml_node_t *m)
{
    if (m->type != YAML_MAPPING_NODE)
        return fail_at(b, line_of(m), "a grid is a mapping of parameter: [values] (or a list of such mappings)");
    int n = (int)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
    grid_setting *fixed = sb_alloc(b->run, (size_t)n + 1, sizeof *fixed);
    const char **canon = sb_alloc(b->run, (size_t)n + 1, sizeof *canon);
    int *lines = sb_alloc(b->run, (size_t)n + 1, sizeof *lines);
    const yaml_node_t **lists = sb_alloc(b->run, (size_t)n + 1, sizeof *lists);
    grid_setting **vals = sb_alloc(b->run, (size_t)n + 1, sizeof *vals); /* per list: its values */
    int *len = sb_alloc(b->run, (size_t)n + 1, sizeof *len), *idx = sb_alloc(b->run, (size_t)n + 1, sizeof *idx);
    grid_setting *cur = sb_alloc(b->run, (size_t)n + 1, sizeof *cur);
    int rc = (fixed && canon && lines && lists && vals && len && idx && cur) ? SB_OK : SB_ENOMEM;
    int n_fixed = 0, n_lists = 0, n_keys = 0;
    const yaml_node_t *explicit_pts = NULL;
    for (int i = 0; rc == SB_OK && i < n; ++i) {
        const yaml_node_pair_t *pr = &m->data.mapping.pairs.start[i];
        const yaml_node_t *k = yaml_document_get_node(b->doc, pr->key), *v = yaml_document_get_node(b->doc, pr->value);
        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, "points")) {
            if (explicit_pts) rc = fail_at(b, line_of(k), "'points' given twice");
            explicit_pts = v;
            continue;
        }
        const char *c = NULL;
        rc = check_key(b, k, canon, lines, n_keys, &c);
        if (rc != SB_OK) break;
        canon[n_keys] = c;
        lines[n_keys++] = line_of(k);
        const char *key = (const char *)k->data.scalar.value;
        if (v->type != YAML_SEQUENCE_NODE) {
            rc = check_scalar(b, key, v, &fixed[n_fixed++]);
            continue;
        }
        int nv = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (nv == 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "'%s' has an empty list of values", key);
            rc = fail_at(b, line_of(v), msg);
            break;
        }
        vals[n_lists] = sb_alloc(b->run, (size_t)nv, sizeof **vals);
        if (!vals[n_lists]) { rc = SB_ENOMEM; break; }
        len[n_lists] = nv;
        lists[n_lists++] = v;
        for (int j = 0; rc == SB_OK && j < nv; ++j)
            rc = check_scalar(b, key, yaml_document_get_node(b->doc, v->data.sequence.items.start[j]),
                              &vals[n_lists - 1][j]);
    }
    /* The product, last list fastest (itertools.product order). */
    int64_t before = b->g->n_points;
    if (rc == SB_OK && (n_lists > 0 || explicit_pts == NULL)) {
        for (int i = 0; i < n_lists; ++i) idx[i] = 0;
        for (;;) {
            for (int i = 0; i < n_lists; ++i) cur[i] = vals[i][idx[i]];
            if ((rc = add_point(b, fixed, n_fixed, cur, n_lists, line_of(m))) != SB_OK) break;
            int i = n_lists - 1;
            while (i >= 0 && ++idx[i] == len[i]) idx[i--] = 0;
            if (i < 0) break;
        }
    }
    int64_t n_product = b->g->n_points - before;
    if (rc == SB_OK && explicit_pts) rc = add_explicit(b, explicit_pts, fixed, n_fixed);
    if (rc == SB_OK) { /* a readable shape for the log */
        char s[160] = "";
        int w = 0;
        for (int i = 0; i < n_lists && w < (int)sizeof s - 16; ++i)
            w += snprintf(s + w, sizeof s - (size_t)w, "%s%d", i ? " x " : "", len[i]);
        if (n_lists == 0 && n_product) w += snprintf(s + w, sizeof s - (size_t)w, "1");
        if (explicit_pts && w < (int)sizeof s - 32)
            snprintf(s + w, sizeof s - (size_t)w, "%s%lld explicit", w ? " + " : "",
                     (long long)(b->g->n_points - before - n_product));
        size_t used = strlen(b->sub_shapes);
        snprintf(b->sub_shapes + used, sizeof b->sub_shapes - used, "%s%s", used ? "; " : "", s);
    }
    for (int i = 0; vals && i < n_lists; ++i) free(vals[i]);
    free(fixed), free(canon), free(lines), free((void *)lists), free(vals), free(len), free(idx), free(cur);
    return rc;
}

int grid_parse(run_ctx *run, const char *name, const char *text, size_t len, const sb_params *base,
               sb_grid *out)
{
    memset(out, 0, sizeof *out);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) return SB_FAIL(run, SB_ENOMEM, "%s: libyaml init failed", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        /* libyaml notices a missing ']' where the next thing starts; name the opening line too. */
        char ctx[160] = "";
        if (parser.context)
            snprintf(ctx, sizeof ctx, "; %s started on line %d", parser.context, (int)parser.context_mark.line + 1);
        int rc = SB_FAIL(run, SB_EINVAL, "%s:%d: YAML syntax: %s (column %d)%s", name, (int)parser.problem_mark.line + 1,
                         parser.problem ? parser.problem : "error", (int)parser.problem_mark.column + 1, ctx);
        yaml_parser_delete(&parser);
        return rc;
    }
    builder b = {.run = run, .name = name, .doc = &doc, .base = base, .g = out};
    int rc = SB_OK;
    out->name = sb_strdup(run, name);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!out->name) rc = SB_ENOMEM;
    else if (!root) rc = SB_FAIL(run, SB_EINVAL, "%s: the grid file is empty", name);
    else if (root->type == YAML_SEQUENCE_NODE) {
        if (root->data.sequence.items.start == root->data.sequence.items.top)
            rc = fail_at(&b, line_of(root), "the list of sub-grids is empty");
        for (yaml_node_item_t *it = root->data.sequence.items.start; rc == SB_OK && it < root->data.sequence.items.top; ++it)
            rc = add_subgrid(&b, yaml_document_get_node(&doc, *it));
    } else rc = add_subgrid(&b, root);
    if (rc == SB_OK) snprintf(out->shape, sizeof out->shape, "%s", b.sub_shapes);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc != SB_OK) grid_free(out);
    return rc;
}

int grid_load(run_ctx *run, const char *path, const sb_params *base, sb_grid *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot open the grid file", path);
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = SB_OK;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? 2 * cap : 65536;
            char *p = sb_realloc(run, text, cap, 1);
            if (!p) { rc = SB_ENOMEM; break; }
            text = p;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (rc == SB_OK && ferror(f)) rc = SB_FAIL(run, SB_EIO, "%s: read error", path);
    fclose(f);
    if (rc == SB_OK) rc = grid_parse(run, path, text, len, base, out);
    free(text);
    return rc;
}

const char *grid_value(const grid_point *p, const char *canon)
{
    for (int32_t i = 0; i < p->n_set; ++i)
        if (!strcmp(p->set[i].canon, canon)) return p->set[i].value;
    return NULL;
}

void grid_free(sb_grid *g)
{
    for (int64_t i = 0; i < g->n_points; ++i) free(g->points[i].set);
    for (int64_t i = 0; i < g->n_strings; ++i) free(g->strings[i]);
    free(g->points);
    free(g->strings);
    free((void *)g->cols);
    free(g->name);
    memset(g, 0, sizeof *g);
}
