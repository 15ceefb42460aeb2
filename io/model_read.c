/* model_read.c - the model file reader (format in io/model.h): the file's size
 * bounded before it is read, the crc32 checked, the text parsed by jansson
 * (a repeated key, bad UTF-8 or nesting deeper than jansson's
 * JSON_PARSER_MAX_DEPTH is an error with line and column), then every key
 * converted with its type and range checked (messages name the key), then the
 * structure validated (validate here, model_check in io/model_check.c). */
#include "io/model.h"

#include <errno.h>    /* for errno */
#include <math.h>     /* for NAN, isfinite, isnan */
#include <stdio.h>    /* for FILE, sscanf */
#include <stdlib.h>   /* for free, strtoull */
#include <string.h>   /* for strcmp, strerror */
#include <fcntl.h>    /* for open, O_RDONLY */
#include <sys/stat.h> /* for fstat */
#include <unistd.h>   /* for read, close */
#include <jansson.h>  /* for json_loadb, json_t */
#include <zlib.h>     /* for crc32 */

#include "io/drift_ref.h"
#include "io/drift_ref_read.h"
#include "io/json_field.h"
#include "io/model_cats.h"
#include "kernels/split_cat.h"
#include "base/error.h"
#include "base/alloc.h"

/* The crc32 line ends the file: it is looked for in this many last bytes. */
#define CRC_LINE_SEARCH 64
/* Fields of a tree node: feat, left, right, default_left, bin, threshold, value, gain, cover. */
#define NODE_FIELDS 9

/* Verify the trailing crc32 line; its absence means truncation. */
static int check_crc(run_ctx *run, const char *text, int64_t len, const char *name)
{
    const char *tag = "\n  \"crc32\": \"";
    size_t tl = strlen(tag);
    int64_t at = -1;
    for (int64_t i = len - (int64_t)tl; i >= 0 && i >= len - CRC_LINE_SEARCH; --i)
        if (!memcmp(text + i, tag, tl)) { at = i; break; }
    if (at < 0) return SB_FAIL(run, SB_EDATA, "%s: truncated or not a shardboost model (no crc32 line at the end)", name);
    unsigned want = 0;
    /* the 8 hex digits must lie inside the text (it need not be NUL-terminated) */
    char hex[9] = {0};
    if (len - (at + (int64_t)tl) >= 8) memcpy(hex, text + at + tl, 8);
    if (sscanf(hex, "%8x", &want) != 1) return SB_FAIL(run, SB_EDATA, "%s: corrupt crc32 line", name);
    uint32_t got = (uint32_t)crc32(0L, (const Bytef *)text, (uInt)(at + 1));
    if (got != want)
        return SB_FAIL(run, SB_EDATA, "%s: corrupt model file (crc32 %08x, expected %08x): it was modified or damaged",
                       name, got, want);
    return SB_OK;
}

/* The text into a jansson tree; a parse error names the file, line and column. */
static int parse_text(run_ctx *run, const char *text, int64_t len, const char *name, json_t **root)
{
    json_error_t e;
    *root = json_loadb(text, (size_t)len, JSON_REJECT_DUPLICATES, &e);
    if (*root != NULL) return SB_OK;
    if (json_error_code(&e) == json_error_stack_overflow)
        return SB_FAIL(run, SB_EDATA, "%s: line %d column %d: JSON nested deeper than %d levels", name, e.line,
                       e.column, JSON_PARSER_MAX_DEPTH);
    if (json_error_code(&e) == json_error_out_of_memory)
        return SB_FAIL(run, SB_ENOMEM, "%s: out of memory parsing the model", name);
    return SB_FAIL(run, SB_EDATA, "%s: line %d column %d: malformed model JSON: %s", name, e.line, e.column, e.text);
}

static int read_params(run_ctx *run, const json_t *v, const char *name, sb_params *p)
{
    params_default(p);
    if (v == NULL) return SB_OK;
    if (!json_is_object(v)) return SB_FAIL(run, SB_EDATA, "%s: \"params\" must be an object", name);
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        if (!json_is_string(val))
            return SB_FAIL(run, SB_EDATA, "%s: \"params\" \"%s\" must be a string", name, key);
        SB_TRY(run, params_set_stored(run, p, key, json_string_value(val), "%s: params", name));
    }
    return SB_OK;
}

/* One feature's name, levels and cuts; cuts go to m->cuts from *nc on. */
static int read_feature(run_ctx *run, const json_t *v, const char *name, sb_model *m, int64_t *nc)
{
    const int32_t f = m->n_feat;
    sb_feature_info *fi = &m->feat[f];
    if (!json_is_object(v)) return SB_FAIL(run, SB_EDATA, "%s: features[%d] must be an object", name, f);
    const json_t *nm = json_object_get(v, "name"), *lv = json_object_get(v, "levels");
    const json_t *cuts = json_object_get(v, "cuts");
    m->n_feat++; /* from here model_free frees what the feature holds */
    if (nm != NULL) SB_TRY(run, jf_strdup(run, nm, &fi->name, "%s: features[%d] \"name\"", name, f));
    if (lv != NULL && !json_is_null(lv))
        SB_TRY(run, jf_strings(run, lv, &fi->levels, &fi->n_levels, "%s: features[%d] \"levels\"", name, f));
    if (cuts == NULL) return SB_OK;
    for (size_t c = 0; c < json_array_size(cuts); ++c)
        SB_TRY(run, jf_float(run, json_array_get(cuts, c), &m->cuts[(*nc)++], "%s: features[%d] \"cuts\"[%zu]", name,
                             f, c));
    return SB_OK;
}

/* Cuts over every feature (to size m->cuts once); -1 when one is not an array. */
static int64_t count_cuts(const json_t *feats, int32_t *bad)
{
    int64_t n = 0;
    for (size_t f = 0; f < json_array_size(feats); ++f) {
        const json_t *c = json_object_get(json_array_get(feats, f), "cuts");
        if (c != NULL && !json_is_array(c)) { *bad = (int32_t)f; return -1; }
        n += (int64_t)json_array_size(c);
    }
    return n;
}

static int read_features(run_ctx *run, const json_t *v, const char *name, sb_model *m)
{
    if (v == NULL) return SB_OK; /* "lacks features or trees" below */
    if (!json_is_array(v)) return SB_FAIL(run, SB_EDATA, "%s: \"features\" must be an array", name);
    if (json_array_size(v) > INT32_MAX) return SB_FAIL(run, SB_EDATA, "%s: too many features", name);
    int32_t bad = 0;
    const int64_t n_cuts = count_cuts(v, &bad);
    if (n_cuts < 0) return SB_FAIL(run, SB_EDATA, "%s: features[%d] \"cuts\" must be an array", name, bad);
    const size_t nf = json_array_size(v);
    if ((m->feat = sb_alloc(run, nf + 1, sizeof *m->feat)) == NULL) return SB_ENOMEM;
    if ((m->cut_start = sb_alloc(run, nf + 1, sizeof *m->cut_start)) == NULL) return SB_ENOMEM;
    if ((m->cuts = sb_alloc(run, (size_t)n_cuts + 1, sizeof *m->cuts)) == NULL) return SB_ENOMEM;
    int64_t nc = 0;
    for (size_t f = 0; f < nf; ++f) {
        m->cut_start[f] = nc;
        SB_TRY(run, read_feature(run, json_array_get(v, f), name, m, &nc));
    }
    m->cut_start[nf] = nc;
    return SB_OK;
}

/* A metric history: an array of numbers (null for a non-finite value), or null. */
static int read_metric_array(run_ctx *run, const json_t *v, const char *name, const char *key, double **out,
                             int32_t *n)
{
    if (v == NULL || json_is_null(v)) return SB_OK;
    if (!json_is_array(v) || json_array_size(v) > INT32_MAX)
        return SB_FAIL(run, SB_EDATA, "%s: \"training\" \"%s\" must be an array of numbers", name, key);
    if ((*out = sb_alloc(run, json_array_size(v) + 1, sizeof **out)) == NULL) return SB_ENOMEM;
    *n = (int32_t)json_array_size(v);
    for (int32_t k = 0; k < *n; ++k)
        SB_TRY(run, jf_num(run, json_array_get(v, (size_t)k), &(*out)[k], "%s: \"training\" \"%s\"[%d]", name, key, k));
    return SB_OK;
}

static int read_training(run_ctx *run, const json_t *v, const char *name, sb_model *m)
{
    if (v == NULL) return SB_OK;
    if (!json_is_object(v)) return SB_FAIL(run, SB_EDATA, "%s: \"training\" must be an object", name);
    const json_t *metric = json_object_get(v, "metric");
    int32_t weighted = m->weighted_metric, nt = -1, nv = -1;
    SB_TRY(run, jf_opt_i32(run, v, "rounds", &m->n_rounds_done, "%s: \"training\"", name));
    SB_TRY(run, jf_opt_i32(run, v, "best_iteration", &m->best_iteration, "%s: \"training\"", name));
    SB_TRY(run, jf_opt_i32(run, v, "weighted", &weighted, "%s: \"training\"", name));
    m->weighted_metric = weighted;
    if (metric != NULL && (!json_is_string(metric) || metric_parse(json_string_value(metric), &m->metric) != 0))
        return SB_FAIL(run, SB_EDATA, "%s: unknown metric in training record", name);
    SB_TRY(run, read_metric_array(run, json_object_get(v, "train_metric"), name, "train_metric", &m->train_metric, &nt));
    SB_TRY(run, read_metric_array(run, json_object_get(v, "valid_metric"), name, "valid_metric", &m->valid_metric, &nv));
    if ((nt >= 0 && nt != m->n_rounds_done) || (nv >= 0 && nv != m->n_rounds_done))
        return SB_FAIL(run, SB_EDATA, "%s: training record has %d/%d metric values for %d rounds", name, nt, nv,
                       m->n_rounds_done);
    return SB_OK;
}

/* One node: [feat, left, right, default_left, bin, threshold, value, gain, cover]. */
static int read_node(run_ctx *run, const json_t *v, const char *name, int32_t t, size_t k, sb_node *nd)
{
    if (!json_is_array(v) || json_array_size(v) < NODE_FIELDS)
        return SB_FAIL(run, SB_EDATA, "%s: malformed model: tree %d node %zu: a node is an array of %d numbers", name,
                       t, k, NODE_FIELDS);
    int32_t *ints[5] = {&nd->feat, &nd->left, &nd->right, &nd->default_left, &nd->bin};
    static const char *const what[5] = {"feat", "left", "right", "default_left", "bin"};
    for (int i = 0; i < 5; ++i)
        SB_TRY(run, jf_i32(run, json_array_get(v, (size_t)i), ints[i], "%s: tree %d node %zu \"%s\"", name, t, k, what[i]));
    SB_TRY(run, jf_float(run, json_array_get(v, 5), &nd->threshold, "%s: tree %d node %zu threshold", name, t, k));
    SB_TRY(run, jf_num(run, json_array_get(v, 6), &nd->value, "%s: tree %d node %zu value", name, t, k));
    SB_TRY(run, jf_num(run, json_array_get(v, 7), &nd->gain, "%s: tree %d node %zu gain", name, t, k));
    SB_TRY(run, jf_num(run, json_array_get(v, 8), &nd->cover, "%s: tree %d node %zu cover", name, t, k));
    return SB_OK;
}

/* The "nodes" array of tree t (NULL when the tree has none). */
static const json_t *tree_nodes(run_ctx *run, const json_t *tree, const char *name, int32_t t, int *rc)
{
    *rc = SB_OK;
    if (!json_is_object(tree)) *rc = SB_FAIL(run, SB_EDATA, "%s: trees[%d] must be an object", name, t);
    const json_t *nodes = json_object_get(tree, "nodes");
    if (*rc == SB_OK && nodes != NULL && !json_is_array(nodes))
        *rc = SB_FAIL(run, SB_EDATA, "%s: trees[%d] \"nodes\" must be an array", name, t);
    return nodes;
}

/* Tree t's "categories": [[node, [level codes going left]], ...] (native
 * categorical splits) into c. */
static int read_categories(run_ctx *run, const json_t *cats, const char *name, int32_t t, model_cats *c)
{
    if (!json_is_array(cats)) return SB_FAIL(run, SB_EDATA, "%s: trees[%d] \"categories\" must be an array", name, t);
    for (size_t i = 0; i < json_array_size(cats); ++i) {
        const json_t *e = json_array_get(cats, i), *codes = json_array_get(e, 1);
        int64_t node = 0, buf[64 * SPLIT_CAT_WORDS];
        const size_t n = json_array_size(codes);
        if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_array(codes) || n > 64 * SPLIT_CAT_WORDS)
            return SB_FAIL(run, SB_EDATA, "%s: trees[%d] \"categories\"[%zu] must be [node, [at most %d level codes]]",
                           name, t, i, 64 * SPLIT_CAT_WORDS);
        SB_TRY(run, jf_i64(run, json_array_get(e, 0), &node, "%s: trees[%d] \"categories\"[%zu] node", name, t, i));
        for (size_t k = 0; k < n; ++k)
            SB_TRY(run, jf_i64(run, json_array_get(codes, k), &buf[k], "%s: trees[%d] \"categories\"[%zu] code", name,
                               t, i));
        SB_TRY(run, model_cats_add(run, c, t, node, buf, (int32_t)n, name));
    }
    return SB_OK;
}

/* Every tree's categorical sets, attached to the nodes read before. */
static int read_trees_cats(run_ctx *run, const json_t *v, const char *name, sb_model *m)
{
    int rc = SB_OK;
    model_cats c;
    memset(&c, 0, sizeof c);
    for (int32_t t = 0; t < m->n_trees; ++t) {
        const json_t *cats = json_object_get(json_array_get(v, (size_t)t), "categories");
        if (cats != NULL) SB_CHECK(run, read_categories(run, cats, name, t, &c));
    }
    rc = model_cats_finish(run, &c, m->nodes, m->tree_start, m->n_trees, &m->cat_bits, &m->cat_start, name);
out:
    model_cats_free(&c);
    return rc;
}

static int read_trees(run_ctx *run, const json_t *v, const char *name, sb_model *m)
{
    if (v == NULL) return SB_OK; /* "lacks features or trees" below */
    if (!json_is_array(v) || json_array_size(v) >= INT32_MAX)
        return SB_FAIL(run, SB_EDATA, "%s: \"trees\" must be an array", name);
    const int32_t nt = (int32_t)json_array_size(v);
    int rc = SB_OK;
    size_t total = 0;
    for (int32_t t = 0; t < nt; ++t) {
        total += json_array_size(tree_nodes(run, json_array_get(v, (size_t)t), name, t, &rc));
        if (rc != SB_OK) return rc;
    }
    if ((m->tree_start = sb_alloc(run, (size_t)nt + 1, sizeof *m->tree_start)) == NULL) return SB_ENOMEM;
    if ((m->nodes = sb_alloc(run, total + 1, sizeof *m->nodes)) == NULL) return SB_ENOMEM;
    int64_t nn = 0;
    for (int32_t t = 0; t < nt; ++t) {
        const json_t *nodes = tree_nodes(run, json_array_get(v, (size_t)t), name, t, &rc);
        m->tree_start[t] = nn;
        for (size_t k = 0; k < json_array_size(nodes); ++k)
            SB_TRY(run, read_node(run, json_array_get(nodes, k), name, t, k, &m->nodes[nn++]));
    }
    m->n_trees = nt;
    m->tree_start[nt] = nn;
    return read_trees_cats(run, v, name, m);
}

/* "data": what the model was trained on. */
static int read_data(run_ctx *run, const json_t *v, const char *name, sb_model *m)
{
    if (v == NULL) return SB_OK;
    if (!json_is_object(v)) return SB_FAIL(run, SB_EDATA, "%s: \"data\" must be an object", name);
    SB_TRY(run, jf_opt_i64(run, v, "rows", &m->n_rows, "%s: \"data\"", name));
    SB_TRY(run, jf_opt_i64(run, v, "rows_read", &m->rows_read, "%s: \"data\"", name));
    SB_TRY(run, jf_opt_i64(run, v, "dropped_zero_trials", &m->dropped_zero_trials, "%s: \"data\"", name));
    const json_t *sw = json_object_get(v, "sum_weight"), *fp = json_object_get(v, "fingerprint");
    if (sw != NULL) SB_TRY(run, jf_num(run, sw, &m->sum_weight, "%s: \"data\" \"sum_weight\"", name));
    if (fp != NULL && !json_is_string(fp))
        return SB_FAIL(run, SB_EDATA, "%s: \"data\" \"fingerprint\" must be a hex string", name);
    if (fp != NULL) m->fingerprint = (uint64_t)strtoull(json_string_value(fp), NULL, 16);
    return SB_OK;
}

/* format and version first: a file of another kind or version says so. */
static int read_kind(run_ctx *run, const json_t *root, const char *name)
{
    if (!json_is_object(root)) return SB_FAIL(run, SB_EDATA, "%s: not a %s file (not a JSON object)", name, SB_MODEL_FORMAT);
    const json_t *fmt = json_object_get(root, "format");
    if (fmt == NULL) return SB_FAIL(run, SB_EDATA, "%s: not a %s file (no format key)", name, SB_MODEL_FORMAT);
    if (!json_is_string(fmt) || strcmp(json_string_value(fmt), SB_MODEL_FORMAT) != 0)
        return SB_FAIL(run, SB_EDATA, "%s: not a %s file", name, SB_MODEL_FORMAT);
    int64_t version = SB_MODEL_VERSION;
    SB_TRY(run, jf_opt_i64(run, root, "version", &version, "%s", name));
    if (version != SB_MODEL_VERSION)
        return SB_FAIL(run, SB_EDATA, "%s: model format version %lld, this shardboost reads version %d", name,
                       (long long)version, SB_MODEL_VERSION);
    return SB_OK;
}

/* Every key the model reads; unknown keys (crc32, created_by, future ones) are skipped. */
static int read_root(run_ctx *run, const json_t *root, const char *name, sb_model *m)
{
    SB_TRY(run, read_kind(run, root, name));
    const json_t *bs = json_object_get(root, "base_score"), *bm = json_object_get(root, "base_margin");
    if (bs != NULL) SB_TRY(run, jf_num(run, bs, &m->base_score, "%s: \"base_score\"", name));
    if (bm != NULL) SB_TRY(run, jf_num(run, bm, &m->base_margin, "%s: \"base_margin\"", name));
    SB_TRY(run, read_params(run, json_object_get(root, "params"), name, &m->params));
    SB_TRY(run, jf_opt_strdup(run, root, "layout", &m->layout, "%s", name));
    SB_TRY(run, jf_opt_strdup(run, root, "label_name", &m->label_name, "%s", name));
    const json_t *ids = json_object_get(root, "id_names");
    if (ids != NULL) SB_TRY(run, jf_strings(run, ids, &m->id_names, &m->n_ids, "%s: \"id_names\"", name));
    SB_TRY(run, read_features(run, json_object_get(root, "features"), name, m));
    SB_TRY(run, read_data(run, json_object_get(root, "data"), name, m));
    SB_TRY(run, read_training(run, json_object_get(root, "training"), name, m));
    SB_TRY(run, read_trees(run, json_object_get(root, "trees"), name, m));
    if (!m->cut_start || !m->tree_start) return SB_FAIL(run, SB_EDATA, "%s: model lacks features or trees", name);
    const json_t *ref = json_object_get(root, "reference");
    if (ref != NULL) SB_TRY(run, drift_ref_read(run, ref, name, m->n_feat, m->cut_start, &m->reference));
    return SB_OK;
}

/* Structural checks so a crafted or stale file cannot make predict walk out of bounds. */
static int validate(run_ctx *run, const sb_model *m, const char *name)
{
    for (int32_t t = 0; t < m->n_trees; ++t) {
        int64_t n = m->tree_start[t + 1] - m->tree_start[t];
        if (n < 1) return SB_FAIL(run, SB_EDATA, "%s: tree %d has no nodes", name, t);
        for (int64_t k = 0; k < n; ++k) {
            const sb_node *nd = &m->nodes[m->tree_start[t] + k];
            if (nd->feat < 0) {
                if (!isfinite(nd->value)) return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: leaf value not finite", name, t, (long long)k);
                continue;
            }
            /* a NaN threshold (JSON null) would split differently in the scalar and vector walks */
            if (isnan(nd->threshold))
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: split threshold is not a number", name, t,
                               (long long)k);
            /* children must come after the parent: no cycles */
            if (nd->feat >= m->n_feat || nd->left <= k || nd->right <= k || nd->left >= n || nd->right >= n)
                return SB_FAIL(run, SB_EDATA, "%s: tree %d node %lld: bad feature or child index", name, t, (long long)k);
        }
    }
    if (m->best_iteration < 0 || (m->n_rounds_done > 0 && m->best_iteration >= m->n_rounds_done))
        return SB_FAIL(run, SB_EDATA, "%s: best_iteration %d out of range", name, m->best_iteration);
    return model_check(run, m, name);
}

/* The checked text as a jansson tree (*root, or NULL on error). */
static int text_tree(run_ctx *run, const char *text, int64_t len, const char *name, json_t **root)
{
    *root = NULL;
    if (len > SB_MODEL_MAX_BYTES)
        return SB_FAIL(run, SB_EDATA, "%s: model text of %lld bytes is over the %lld MiB limit", name, (long long)len,
                       (long long)(SB_MODEL_MAX_BYTES >> 20));
    SB_TRY(run, check_crc(run, text, len, name));
    return parse_text(run, text, len, name, root);
}

/* The model from the tree, which it releases (before validating: it is no longer needed). */
static int tree_model(run_ctx *run, json_t *root, const char *name, sb_model *out)
{
    int rc = read_root(run, root, name, out);
    json_decref(root);
    if (rc == SB_OK) rc = validate(run, out, name);
    if (rc != SB_OK) model_free(out);
    return rc;
}

int model_from_json(run_ctx *run, const char *text, int64_t len, const char *name, sb_model *out)
{
    json_t *root = NULL;
    memset(out, 0, sizeof *out);
    SB_TRY(run, text_tree(run, text, len, name, &root));
    return tree_model(run, root, name, out);
}

/* The whole file into memory; its size is checked before anything is read. */
static int slurp(run_ctx *run, int fd, const char *path, char **buf, int64_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return SB_FAIL(run, SB_EIO, "%s: cannot stat model: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return SB_FAIL(run, SB_EINVAL, "%s: the model is not a regular file", path);
    if ((int64_t)st.st_size > SB_MODEL_MAX_BYTES)
        return SB_FAIL(run, SB_EDATA, "%s: model file of %lld bytes is over the %lld MiB limit", path,
                       (long long)st.st_size, (long long)(SB_MODEL_MAX_BYTES >> 20));
    if ((*buf = sb_alloc(run, (size_t)st.st_size + 1, 1)) == NULL) return SB_ENOMEM;
    int64_t got = 0;
    while (got < (int64_t)st.st_size) {
        ssize_t r = read(fd, *buf + got, (size_t)(st.st_size - got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return SB_FAIL(run, SB_EIO, "%s: read error: %s", path, strerror(errno));
        if (r == 0) break; /* shrank while read: the crc32 check reports it */
        got += r;
    }
    *len = got;
    return SB_OK;
}

int model_read(run_ctx *run, const char *path, sb_model *out)
{
    memset(out, 0, sizeof *out);
    int rc = SB_OK;
    char *buf = NULL;
    int64_t len = 0;
    /* O_NONBLOCK: a FIFO given as the model is refused by slurp, not waited on */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return SB_FAIL(run, SB_EIO, "%s: cannot open model: %s", path, strerror(errno));
    json_t *root = NULL;
    SB_CHECK(run, slurp(run, fd, path, &buf, &len));
    SB_CHECK(run, text_tree(run, buf, len, path, &root));
    free(buf); /* the text is not needed once parsed: a large model's peak is the tree, not both */
    buf = NULL;
    SB_CHECK(run, tree_model(run, root, path, out));
out:
    close(fd);
    free(buf);
    return rc;
}
