/* foreign_model.c - which kind of model file a path holds, and binding an
 * imported model to the data it scores. */
#include "io/foreign_model.h"

#include <errno.h>  /* for errno */
#include <stdio.h>  /* for FILE, fread */
#include <stdlib.h> /* for free */
#include <string.h> /* for strstr, strerror */
#include <fcntl.h>    /* for open, O_NONBLOCK */
#include <sys/stat.h> /* for fstat, S_ISREG */
#include <unistd.h>   /* for read, close */

#include "base/alloc.h"
#include "base/error.h"
#include "base/log.h"

/* The first bytes of the model file into head (NUL-terminated), *n of them. Opened
 * O_NONBLOCK and refused unless a regular file: fopen of a FIFO given as --model
 * waited for a writer forever. */
static int read_head(run_ctx *run, const char *path, char *head, size_t cap, size_t *n)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return SB_FAIL(run, SB_EIO, "%s: cannot open model: %s", path, strerror(errno));
    struct stat st;
    int rc = SB_OK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = SB_FAIL(run, SB_EINVAL, "%s: the model is not a regular file", path);
    ssize_t got = rc == SB_OK ? read(fd, head, cap - 1) : 0;
    if (got < 0) rc = SB_FAIL(run, SB_EIO, "%s: cannot read model: %s", path, strerror(errno));
    close(fd);
    *n = got > 0 ? (size_t)got : 0;
    head[*n] = '\0';
    return rc;
}

int model_file_kind(run_ctx *run, const char *path, model_kind *kind)
{
    char head[512];
    size_t n = 0;
    SB_TRY(run, read_head(run, path, head, sizeof head, &n));
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
    *kind = MODEL_KIND_SHARDBOOST; /* anything else: model_read says what is wrong */
    if (i >= n || head[i] != '{') return SB_OK;
    /* UBJSON (XGBoost >= 2.1's default) opens an object with '{' and then a length-typed key */
    if (i + 1 < n && strchr("iUIlL$#", head[i + 1]) != NULL) *kind = MODEL_KIND_XGB_UBJSON;
    else if (strstr(head, "\"format\": \"" SB_MODEL_FORMAT "\"") == NULL) *kind = MODEL_KIND_XGB_JSON;
    return SB_OK;
}

int model_read_any(run_ctx *run, const char *path, sb_model *out)
{
    model_kind kind;
    memset(out, 0, sizeof *out);
    SB_TRY(run, model_file_kind(run, path, &kind));
    SB_TRY(run, kind == MODEL_KIND_SHARDBOOST ? model_read(run, path, out) : xgb_import_file(run, path, out));
    if (out->layout != NULL && out->layout[0] == '\0') { /* unbound: CSV input needs --layout */
        free(out->layout);
        out->layout = NULL;
    }
    return SB_OK;
}

/* Unnamed features take the data's column names by position. */
static int bind_by_position(run_ctx *run, sb_model *m, const char *model_name, const sb_table *t, const char *data_name)
{
    int32_t maxf = -1;
    for (int64_t k = 0; k < m->tree_start[m->n_trees]; ++k)
        if (m->nodes[k].feat > maxf) maxf = m->nodes[k].feat;
    if (maxf >= t->n_feat)
        return SB_FAIL(run, SB_EDATA,
                       "%s: a split uses feature index %d (split_indices), but %s has only %d feature columns",
                       model_name, maxf, data_name, t->n_feat);
    sb_info(run, "warning: model %s has no feature names: its %d features are taken to be the first columns of %s, "
                 "by position (%s, ...)\n",
            model_name, m->n_feat, data_name, t->n_feat > 0 ? t->feat[0].name : "");
    for (int32_t f = 0; f < m->n_feat; ++f) {
        free(m->feat[f].name);
        m->feat[f].name = NULL;
    }
    if (m->n_feat > t->n_feat) m->n_feat = t->n_feat; /* the rest are unused (maxf above) and have no cuts */
    for (int32_t f = 0; f < m->n_feat; ++f)
        if ((m->feat[f].name = sb_strdup(run, t->feat[f].name)) == NULL) return SB_ENOMEM;
    return SB_OK;
}

/* The data's level lists (XGBoost was given the level codes as numbers). */
static int copy_levels(run_ctx *run, sb_model *m, const sb_table *t)
{
    for (int32_t f = 0; f < m->n_feat; ++f) {
        int32_t c = table_find_feature(t, m->feat[f].name);
        if (c < 0 || t->feat[c].n_levels == 0 || m->feat[f].n_levels > 0) continue;
        m->feat[f].levels = sb_alloc(run, (size_t)t->feat[c].n_levels, sizeof(char *));
        if (m->feat[f].levels == NULL) return SB_ENOMEM;
        for (int32_t l = 0; l < t->feat[c].n_levels; ++l) {
            if ((m->feat[f].levels[l] = sb_strdup(run, t->feat[c].levels[l])) == NULL) return SB_ENOMEM;
            m->feat[f].n_levels = l + 1;
        }
    }
    return SB_OK;
}

int model_bind_table(run_ctx *run, sb_model *m, const char *model_name, const sb_table *t, const char *data_name)
{
    if (m->layout != NULL && m->layout[0] != '\0') return SB_OK;
    int unnamed = m->n_feat > 0 && (m->feat[0].name == NULL || m->feat[0].name[0] == '\0');
    if (unnamed) SB_TRY(run, bind_by_position(run, m, model_name, t, data_name));
    SB_TRY(run, copy_levels(run, m, t));
    free(m->layout);
    free(m->label_name);
    m->layout = sb_strdup(run, t->layout ? t->layout : "");
    m->label_name = sb_strdup(run, t->label_name ? t->label_name : "");
    if (m->layout == NULL || m->label_name == NULL) return SB_ENOMEM;
    for (int32_t i = 0; i < m->n_ids; ++i) free(m->id_names[i]);
    free(m->id_names);
    m->n_ids = 0;
    if ((m->id_names = sb_alloc(run, (size_t)t->n_ids + 1, sizeof *m->id_names)) == NULL) return SB_ENOMEM;
    for (; m->n_ids < t->n_ids; ++m->n_ids)
        if ((m->id_names[m->n_ids] = sb_strdup(run, t->ids[m->n_ids].name)) == NULL) return SB_ENOMEM;
    return SB_OK;
}
