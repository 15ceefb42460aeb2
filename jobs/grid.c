/* grid.c - hyperparameter grids (see grid.h): the YAML tree (io/yaml_tree.h)
 * checked key by key against the parameter table and expanded into points,
 * in document order so the first error in the file is the one named. */
#include "jobs/grid.h"

#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for FILE, fopen, snprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp, memset */

#include "io/yaml_tree.h"
#include "jobs/grid_json.h"
#include "jobs/param_msg.h"
#include "base/alloc.h"
#include "base/error.h"

/* Room for one message about a point: its settings and the parameter error. */
#define GRID_MSG_MAX 1024
/* First capacities of the growing arrays (doubled as needed). */
#define GRID_POINTS_INIT 64
#define GRID_STRINGS_INIT 64
#define GRID_COLS_INIT 16
/* Reading the file: the first buffer, and the least room left before a read. */
#define GRID_READ_INIT 65536
#define GRID_READ_MIN 4096

/* The parse in progress: the grid being filled. */
typedef struct {
    run_ctx *run;
    const char *name;
    const sb_params *base;
    sb_grid *g;
    int64_t cap_points, cap_strings;
    int32_t cap_cols;
    char sub_shapes[SB_GRID_SHAPE_MAX];
} builder;

static int fail_at(builder *b, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(builder *b, int line, const char *fmt, ...)
{
    char what[GRID_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return SB_FAIL(b->run, SB_EINVAL, "%s:%d: %s", b->name, line, what);
}

static const char *keep_string(builder *b, const char *s)
{
    if (b->g->n_strings == b->cap_strings) {
        int64_t cap = b->cap_strings ? 2 * b->cap_strings : GRID_STRINGS_INIT;
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
        int32_t cap = b->cap_cols ? 2 * b->cap_cols : GRID_COLS_INIT;
        const char **p = sb_realloc(b->run, (void *)b->g->cols, (size_t)cap, sizeof *p);
        if (!p) return SB_ENOMEM;
        b->g->cols = p;
        b->cap_cols = cap;
    }
    b->g->cols[b->g->n_cols++] = canon;
    return SB_OK;
}

/* A scalar value checked against the parameter table on its own (type, range). */
static int check_scalar(builder *b, const char *key, const yaml_tree_node *v, grid_setting *out)
{
    if (v->kind != YAML_TREE_SCALAR && params_takes_list(key)) { /* one value that is itself a list */
        char *text = grid_json_text(v);
        if (!text) return SB_FAIL(b->run, SB_ENOMEM, "%s:%d: out of memory", b->name, v->line);
        const yaml_tree_node as_text = {YAML_TREE_SCALAR, v->line, text, 0, 0, NULL};
        const int rc = check_scalar(b, key, &as_text, out);
        free(text);
        return rc;
    }
    if (v->kind != YAML_TREE_SCALAR)
        return fail_at(b, v->line, "expected a value here (lists may not nest; explicit points are scalars)");
    if (yaml_tree_null(v)) return fail_at(b, v->line, "'%s' has no value", key);
    sb_params tmp = *b->base;
    SB_TRY(b->run, params_set(b->run, &tmp, key, v->text, "%s:%d", b->name, v->line));
    out->canon = params_canonical(key);
    out->value = keep_string(b, v->text);
    out->line = v->line;
    return out->value ? SB_OK : SB_ENOMEM;
}

/* A key: a known parameter name, not repeating one already in this mapping. */
static int check_key(builder *b, const yaml_tree_node *k, const char **seen_canon, const int *seen_line, int n_seen,
                     const char **canon)
{
    if (k->kind != YAML_TREE_SCALAR) return fail_at(b, k->line, "keys must be parameter names");
    *canon = params_canonical(k->text);
    if (*canon == NULL) {
        sb_params tmp = *b->base; /* an unknown key: params_set words the "did you mean" message */
        return params_set(b->run, &tmp, k->text, "0", "%s:%d", b->name, k->line);
    }
    for (int i = 0; i < n_seen; ++i)
        if (seen_canon[i] == *canon)
            return fail_at(b, k->line, "'%s' sets parameter '%s', already set on line %d", k->text, *canon,
                           seen_line[i]);
    return SB_OK;
}

/* Room for one more point, zeroed, at *out (not yet counted). */
static int new_point(builder *b, int line, grid_point **out)
{
    sb_grid *g = b->g;
    if (g->n_points >= SB_GRID_MAX_POINTS)
        return fail_at(b, line, "the grid has more than %d points", SB_GRID_MAX_POINTS);
    if (g->n_points == b->cap_points) {
        int64_t cap = b->cap_points ? 2 * b->cap_points : GRID_POINTS_INIT;
        grid_point *p = sb_realloc(b->run, g->points, (size_t)cap, sizeof *p);
        if (!p) return SB_ENOMEM;
        g->points = p;
        b->cap_points = cap;
    }
    *out = &g->points[g->n_points];
    memset(*out, 0, sizeof **out);
    return SB_OK;
}

/* The point's parameters valid together, else a message listing its settings. */
static int validate_point(builder *b, const grid_point *p, int64_t index, int line)
{
    char msg[GRID_MSG_MAX];
    int w = snprintf(msg, sizeof msg, "grid point %lld (", (long long)index);
    for (int32_t i = 0; i < p->n_set && w > 0 && (size_t)w < sizeof msg; ++i)
        w += snprintf(msg + w, sizeof msg - (size_t)w, "%s%s=%s", i ? ", " : "", p->set[i].canon, p->set[i].value);
    if (w > 0 && (size_t)w < sizeof msg) snprintf(msg + w, sizeof msg - (size_t)w, ")");
    return params_validate(b->run, &p->params, "%s:%d: %s", b->name, line, msg);
}

/* Append one point: fixed settings, then the point's own (which win). */
static int add_point(builder *b, const grid_setting *fixed, int n_fixed, const grid_setting *own, int n_own,
                     int line)
{
    grid_point *p = NULL;
    SB_TRY(b->run, new_point(b, line, &p));
    if ((p->set = sb_alloc(b->run, (size_t)(n_fixed + n_own) + 1, sizeof *p->set)) == NULL) return SB_ENOMEM;
    b->g->n_points++;
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
    return validate_point(b, p, b->g->n_points - 1, line);
}

/* One entry of `points:`, a mapping of scalars. */
static int add_explicit_point(builder *b, const yaml_tree_node *m, const grid_setting *fixed, int n_fixed)
{
    if (m->kind != YAML_TREE_MAP)
        return fail_at(b, m->line, "each entry of 'points' must be a mapping of parameter: value");
    int rc = SB_OK, n = m->n;
    grid_setting *own = NULL;
    const char **canon = NULL;
    int *lines = NULL;
    SB_ALLOC_OR_OUT(b->run, own, (size_t)n + 1, sizeof *own);
    SB_ALLOC_OR_OUT(b->run, canon, (size_t)n + 1, sizeof *canon);
    SB_ALLOC_OR_OUT(b->run, lines, (size_t)n + 1, sizeof *lines);
    for (int i = 0; i < n; ++i) {
        const yaml_tree_node *k = yaml_tree_key(m, i);
        SB_CHECK(b->run, check_key(b, k, canon, lines, i, &canon[i]));
        SB_CHECK(b->run, check_scalar(b, k->text, yaml_tree_value(m, i), &own[i]));
        lines[i] = k->line;
    }
    SB_CHECK(b->run, add_point(b, fixed, n_fixed, own, n, m->line));
out:
    free(own);
    free((void *)canon);
    free(lines);
    return rc;
}

/* The explicit `points:` list of one sub-grid. */
static int add_explicit(builder *b, const yaml_tree_node *list, const grid_setting *fixed, int n_fixed)
{
    if (list->kind != YAML_TREE_LIST) return fail_at(b, list->line, "'points' must be a list of mappings");
    if (list->n == 0) return fail_at(b, list->line, "'points' is an empty list (give at least one point)");
    for (int32_t i = 0; i < list->n; ++i)
        SB_TRY(b->run, add_explicit_point(b, yaml_tree_item(list, i), fixed, n_fixed));
    return SB_OK;
}

/* One sub-grid as read: its fixed scalars, its lists, its explicit points. */
typedef struct {
    grid_setting *fixed;
    const char **canon; /* per key so far: canonical name and line (repeats are errors) */
    int *lines;
    grid_setting **vals; /* per list: its values */
    int *len, *idx;
    grid_setting *cur; /* the product point being made */
    int n_fixed, n_lists, n_keys;
    const yaml_tree_node *explicit_pts;
} subgrid;

static int subgrid_alloc(run_ctx *run, subgrid *sg, int n)
{
    int rc = SB_OK;
    memset(sg, 0, sizeof *sg);
    SB_ALLOC_OR_OUT(run, sg->fixed, (size_t)n + 1, sizeof *sg->fixed);
    SB_ALLOC_OR_OUT(run, sg->canon, (size_t)n + 1, sizeof *sg->canon);
    SB_ALLOC_OR_OUT(run, sg->lines, (size_t)n + 1, sizeof *sg->lines);
    SB_ALLOC_OR_OUT(run, sg->vals, (size_t)n + 1, sizeof *sg->vals);
    SB_ALLOC_OR_OUT(run, sg->len, (size_t)n + 1, sizeof *sg->len);
    SB_ALLOC_OR_OUT(run, sg->idx, (size_t)n + 1, sizeof *sg->idx);
    SB_ALLOC_OR_OUT(run, sg->cur, (size_t)n + 1, sizeof *sg->cur);
out:
    return rc;
}

static void subgrid_free(subgrid *sg)
{
    for (int i = 0; sg->vals && i < sg->n_lists; ++i) free(sg->vals[i]);
    free(sg->fixed);
    free((void *)sg->canon);
    free(sg->lines);
    free(sg->vals);
    free(sg->len);
    free(sg->idx);
    free(sg->cur);
}

/* key: [v1, v2, ...], each value checked. */
static int read_list(builder *b, subgrid *sg, const char *key, const yaml_tree_node *v)
{
    if (v->n == 0) return fail_at(b, v->line, "'%s' has an empty list of values", key);
    int l = sg->n_lists;
    if ((sg->vals[l] = sb_alloc(b->run, (size_t)v->n, sizeof **sg->vals)) == NULL) return SB_ENOMEM;
    sg->len[l] = v->n;
    sg->n_lists++;
    for (int32_t j = 0; j < v->n; ++j) SB_TRY(b->run, check_scalar(b, key, yaml_tree_item(v, j), &sg->vals[l][j]));
    return SB_OK;
}

/* The pairs of a sub-grid mapping in file order: points, fixed scalars, lists. */
static int read_pairs(builder *b, const yaml_tree_node *m, subgrid *sg)
{
    for (int32_t i = 0; i < m->n; ++i) {
        const yaml_tree_node *k = yaml_tree_key(m, i), *v = yaml_tree_value(m, i);
        if (k->kind == YAML_TREE_SCALAR && !strcmp(k->text, "points")) {
            if (sg->explicit_pts) return fail_at(b, k->line, "'points' given twice");
            sg->explicit_pts = v;
            continue;
        }
        const char *c = NULL;
        SB_TRY(b->run, check_key(b, k, sg->canon, sg->lines, sg->n_keys, &c));
        sg->canon[sg->n_keys] = c;
        sg->lines[sg->n_keys++] = k->line;
        if (v->kind != YAML_TREE_LIST) SB_TRY(b->run, check_scalar(b, k->text, v, &sg->fixed[sg->n_fixed++]));
        else SB_TRY(b->run, read_list(b, sg, k->text, v));
    }
    return SB_OK;
}

/* The product of the lists, last list fastest (itertools.product order). */
static int expand_product(builder *b, subgrid *sg, int line)
{
    for (int i = 0; i < sg->n_lists; ++i) sg->idx[i] = 0;
    for (;;) {
        for (int i = 0; i < sg->n_lists; ++i) sg->cur[i] = sg->vals[i][sg->idx[i]];
        SB_TRY(b->run, add_point(b, sg->fixed, sg->n_fixed, sg->cur, sg->n_lists, line));
        int i = sg->n_lists - 1;
        while (i >= 0 && ++sg->idx[i] == sg->len[i]) sg->idx[i--] = 0;
        if (i < 0) return SB_OK;
    }
}

/* A readable shape for the log, e.g. "3 x 2 + 2 explicit", appended to the grid's. */
static void note_shape(builder *b, const subgrid *sg, int64_t n_product, int64_t n_explicit)
{
    char s[SB_GRID_SHAPE_MAX] = "";
    int w = 0;
    for (int i = 0; i < sg->n_lists && w < (int)sizeof s - 16; ++i)
        w += snprintf(s + w, sizeof s - (size_t)w, "%s%d", i ? " x " : "", sg->len[i]);
    if (sg->n_lists == 0 && n_product) w += snprintf(s + w, sizeof s - (size_t)w, "1");
    if (sg->explicit_pts && w < (int)sizeof s - 32)
        snprintf(s + w, sizeof s - (size_t)w, "%s%lld explicit", w ? " + " : "", (long long)n_explicit);
    size_t used = strlen(b->sub_shapes);
    snprintf(b->sub_shapes + used, sizeof b->sub_shapes - used, "%s%s", used ? "; " : "", s);
}

/* One sub-grid mapping: fixed scalars, lists (cartesian product), points. */
static int add_subgrid(builder *b, const yaml_tree_node *m)
{
    if (m->kind != YAML_TREE_MAP)
        return fail_at(b, m->line, "a grid is a mapping of parameter: [values] (or a list of such mappings)");
    subgrid sg;
    int rc = SB_OK;
    SB_CHECK(b->run, subgrid_alloc(b->run, &sg, m->n));
    SB_CHECK(b->run, read_pairs(b, m, &sg));
    int64_t before = b->g->n_points;
    if (sg.n_lists > 0 || sg.explicit_pts == NULL) SB_CHECK(b->run, expand_product(b, &sg, m->line));
    int64_t n_product = b->g->n_points - before;
    if (sg.explicit_pts) SB_CHECK(b->run, add_explicit(b, sg.explicit_pts, sg.fixed, sg.n_fixed));
    note_shape(b, &sg, n_product, b->g->n_points - before - n_product);
out:
    subgrid_free(&sg);
    return rc;
}

int grid_parse(run_ctx *run, const char *name, const char *text, size_t len, const sb_params *base,
               sb_grid *out)
{
    memset(out, 0, sizeof *out);
    yaml_tree doc;
    SB_TRY(run, yaml_tree_parse(run, name, text, len, &doc));
    builder b = {.run = run, .name = name, .base = base, .g = out};
    const yaml_tree_node *root = doc.root;
    int rc = SB_OK;
    if ((out->name = sb_strdup(run, name)) == NULL) SB_CHECK(run, SB_ENOMEM);
    if (!root) SB_RAISE(run, SB_EINVAL, "%s: the grid file is empty", name);
    if (root->kind == YAML_TREE_LIST) {
        if (root->n == 0) SB_CHECK(run, fail_at(&b, root->line, "the list of sub-grids is empty"));
        for (int32_t i = 0; i < root->n; ++i) SB_CHECK(run, add_subgrid(&b, yaml_tree_item(root, i)));
    } else SB_CHECK(run, add_subgrid(&b, root));
    snprintf(out->shape, sizeof out->shape, "%s", b.sub_shapes);
out:
    yaml_tree_free(&doc);
    if (rc != SB_OK) grid_free(out);
    return rc;
}

/* The whole file into *text (len bytes). */
static int read_file(run_ctx *run, const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return SB_FAIL(run, SB_EIO, "%s: cannot open the grid file", path);
    int rc = SB_OK;
    size_t cap = 0;
    for (;;) {
        if (*len + GRID_READ_MIN > cap) {
            cap = cap ? 2 * cap : GRID_READ_INIT;
            char *p = sb_realloc(run, *text, cap, 1);
            if (!p) SB_CHECK(run, SB_ENOMEM);
            *text = p;
        }
        size_t got = fread(*text + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) break;
    }
    if (ferror(f)) SB_RAISE(run, SB_EIO, "%s: read error", path);
out:
    fclose(f);
    return rc;
}

int grid_load(run_ctx *run, const char *path, const sb_params *base, sb_grid *out)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    int rc = SB_OK;
    SB_CHECK(run, read_file(run, path, &text, &len));
    SB_CHECK(run, grid_parse(run, path, text, len, base, out));
out:
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
