/* registry_list.c - the stages of a model and the models of a registry. */
#include "io/registry.h"

#include <dirent.h>   /* for opendir, readdir */
#include <errno.h>    /* for errno */
#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for snprintf */
#include <stdlib.h>   /* for free, qsort */
#include <string.h>   /* for strcmp, strerror */
#include <sys/stat.h> /* for lstat */

#include "io/model_name.h"
#include "base/error.h"
#include "base/alloc.h"

void registry_names_free(char **names, int32_t n)
{
    for (int32_t i = 0; names && i < n; ++i) free(names[i]);
    free(names);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int push_name(run_ctx *run, char ***names, int32_t *n, int32_t *cap, const char *s)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        char **g = sb_realloc(run, *names, (size_t)*cap, sizeof *g);
        if (g == NULL) return SB_ENOMEM;
        *names = g;
    }
    if (((*names)[*n] = sb_strdup(run, s)) == NULL) return SB_ENOMEM;
    ++*n;
    return SB_OK;
}

/* Entries of dir that keep() accepts, sorted. */
static int list_dir(run_ctx *run, const char *dir, int (*keep)(const char *dir, const char *name), char ***names,
                    int32_t *n)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) return SB_FAIL(run, SB_EIO, "registry %s: %s", dir, strerror(errno));
    int rc = SB_OK;
    int32_t cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (keep(dir, e->d_name)) SB_CHECK(run, push_name(run, names, n, &cap, e->d_name));
    if (*n > 0) qsort(*names, (size_t)*n, sizeof **names, cmp_str);
out:
    closedir(d);
    if (rc != SB_OK) {
        registry_names_free(*names, *n);
        *names = NULL;
        *n = 0;
    }
    return rc;
}

static int is_stage(const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return name[0] == '@' && model_ref_stage_ok(name + 1) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

int registry_stages(run_ctx *run, const char *dir, char ***names, int32_t *n)
{
    SB_TRY(run, list_dir(run, dir, is_stage, names, n));
    for (int32_t i = 0; i < *n; ++i) memmove((*names)[i], (*names)[i] + 1, strlen((*names)[i])); /* drop '@' */
    return SB_OK;
}

/* A model folder: holds at least one vN. */
static int is_model(const char *reg, const char *name)
{
    if (name[0] == '.') return 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", reg, name);
    DIR *d = opendir(path);
    if (d == NULL) return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d)) != NULL;) found = model_ref_version_of(e->d_name) > 0;
    closedir(d);
    return found;
}

int registry_models(run_ctx *run, const char *reg, char ***names, int32_t *n)
{
    return list_dir(run, reg, is_model, names, n);
}
