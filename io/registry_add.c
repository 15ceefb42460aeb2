/* registry_add.c - store a model as the next version, with meta.json; gc. */
#include "io/registry.h"

#include <dirent.h>   /* for opendir */
#include <errno.h>    /* for errno */
#include <jansson.h>  /* for json_* */
#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for snprintf, fopen */
#include <stdlib.h>   /* for free, getenv */
#include <string.h>   /* for strerror, strrchr */
#include <sys/stat.h> /* for mkdir, chmod */
#include <unistd.h>   /* for getpid, gethostname, rmdir, unlink */

#include "io/model_ref.h"
#include "io/make_dirs.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/version.h"
#include "base/write_errno.h"

static int copy_file(run_ctx *run, const char *from, const char *to)
{
    int rc = SB_OK;
    FILE *in = fopen(from, "rb"), *out = NULL;
    if (in == NULL) SB_RAISE(run, SB_EIO, "%s: %s", from, strerror(errno));
    if ((out = fopen(to, "wb")) == NULL) SB_RAISE(run, SB_EIO, "%s: %s", to, strerror(errno));
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, in)) > 0;)
        if (fwrite(buf, 1, n, out) != n) SB_RAISE(run, SB_EIO, "%s: write failed%s", to, write_errno_suffix(errno));
    if (ferror(in)) SB_RAISE(run, SB_EIO, "%s: read failed: %s", from, strerror(errno));
    int err = 0; /* the first failing step's errno */
    if (fflush(out) != 0 || fsync(fileno(out)) != 0) err = errno;
    if (fclose(out) != 0 && err == 0) err = errno ? errno : EIO;
    out = NULL;
    if (err) SB_RAISE(run, SB_EIO, "%s: write failed%s", to, write_errno_suffix(err));
out:
    if (in) fclose(in);
    if (out) fclose(out);
    return rc;
}

/* The metric pair at the best iteration (what the model keeps). */
static json_t *metrics_of(json_t *model)
{
    json_t *tr = json_object_get(model, "training");
    json_int_t best = json_integer_value(json_object_get(tr, "best_iteration"));
    json_t *train = json_array_get(json_object_get(tr, "train_metric"), (size_t)best);
    json_t *valid = json_array_get(json_object_get(tr, "valid_metric"), (size_t)best);
    return json_pack("{s:O?,s:O?,s:I,s:O?,s:O?}", "metric", json_object_get(tr, "metric"), "rounds",
                     json_object_get(tr, "rounds"), "best_iteration", best, "train", train, "valid", valid);
}

static json_t *origin_of(json_t *model, const registry_origin *o)
{
    json_t *data = json_deep_copy(json_object_get(model, "data"));
    if (data == NULL) data = json_object();
    json_t *paths = json_array();
    char abs[PATH_MAX];
    for (int i = 0; o && i < o->n_data; ++i) /* absolute where it resolves: where the data was */
        json_array_append_new(paths, json_string(realpath(o->data[i], abs) ? abs : o->data[i]));
    json_object_set_new(data, "paths", paths);
    const char *valid = o && o->valid ? (realpath(o->valid, abs) ? abs : o->valid) : NULL;
    json_object_set_new(data, "valid", valid ? json_string(valid) : json_null());
    json_object_set_new(data, "ranks", json_integer(o ? o->n_ranks : 1));
    return data;
}

/* meta.json's object; NULL when the model file is not valid JSON. */
static json_t *meta_build(const char *dir, const char *model_path, int32_t version, int32_t parent, uint32_t crc,
                          const registry_origin *o, json_error_t *jerr)
{
    json_t *model = json_load_file(model_path, 0, jerr);
    if (model == NULL) return NULL;
    char when[32], host[256] = "?", ver[16], par[16], crc_hex[16];
    registry_utc_now(when, sizeof when);
    gethostname(host, sizeof host - 1);
    snprintf(ver, sizeof ver, "v%d", (int)version);
    snprintf(par, sizeof par, "v%d", (int)parent);
    snprintf(crc_hex, sizeof crc_hex, "%08x", (unsigned)crc);
    const char *name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    const char *job = getenv("SLURM_JOB_ID"), *user = getenv("USER");
    json_t *m = json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s?,s:s?,s:s,s:s,s:s,s:O?,s:O?,s:O?,s:I}", "name", name, "version",
                          ver, "parent", parent > 0 ? par : NULL, "created", when, "host", host, "user", user,
                          "slurm_job_id", job, "shardboost_version", SB_VERSION, "model_file", "model.json",
                          "model_crc32", crc_hex, "objective", json_object_get(model, "objective"), "layout",
                          json_object_get(model, "layout"), "label", json_object_get(model, "label_name"), "trees",
                          (json_int_t)json_array_size(json_object_get(model, "trees")));
    if (m != NULL) {
        json_object_set(m, "params", json_object_get(model, "params"));
        json_object_set_new(m, "features", json_integer((json_int_t)json_array_size(json_object_get(model, "features"))));
        json_object_set_new(m, "data", origin_of(model, o));
        json_object_set_new(m, "metrics", metrics_of(model));
    }
    json_decref(model);
    return m;
}

/* The version folder under a hidden name: model.json, meta.json, both read-only. */
static int build_version(run_ctx *run, const char *dir, const char *tmp, const char *model_path, int32_t v,
                         int32_t parent, const registry_origin *o)
{
    char path[PATH_MAX + 16];
    uint32_t crc = 0;
    json_error_t jerr;
    if (mkdir(tmp, 0777) != 0) return SB_FAIL(run, SB_EIO, "mkdir %s: %s", tmp, strerror(errno));
    snprintf(path, sizeof path, "%s/model.json", tmp);
    SB_TRY(run, copy_file(run, model_path, path));
    SB_TRY(run, model_file_crc32(run, path, &crc));
    json_t *meta = meta_build(dir, path, v, parent, crc, o, &jerr);
    if (meta == NULL) return SB_FAIL(run, SB_EDATA, "%s:%d: not JSON: %s", model_path, jerr.line, jerr.text);
    chmod(path, 0444);
    snprintf(path, sizeof path, "%s/meta.json", tmp);
    int bad = json_dump_file(meta, path, JSON_INDENT(2) | JSON_SORT_KEYS) != 0;
    json_decref(meta);
    if (bad) return SB_FAIL(run, SB_EIO, "%s: write failed", path);
    chmod(path, 0444);
    return SB_OK;
}

/* Remove a version folder's files and the folder (names we wrote only). */
static void remove_tree(const char *d)
{
    char path[PATH_MAX + 16];
    static const char *const files[] = {"model.json", "meta.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; ++i) {
        snprintf(path, sizeof path, "%s/%s", d, files[i]);
        unlink(path);
    }
    rmdir(d);
}

int registry_add(run_ctx *run, const char *dir, const char *model_path, const registry_origin *origin,
                 int32_t *version)
{
    int rc = SB_OK, fd = -1;
    int32_t *v = NULL, n = 0;
    char tmp[PATH_MAX] = "", path[PATH_MAX];
    SB_CHECK(run, make_dirs(run, dir, "registry"));
    SB_CHECK(run, registry_lock(run, dir, &fd));
    SB_CHECK(run, registry_versions(run, dir, &v, &n));
    *version = n > 0 ? v[n - 1] + 1 : 1;
    snprintf(tmp, sizeof tmp, "%s/.v%d.tmp.%ld", dir, (int)*version, (long)getpid());
    snprintf(path, sizeof path, "%s/v%d", dir, (int)*version);
    SB_CHECK(run, build_version(run, dir, tmp, model_path, *version, n > 0 ? v[n - 1] : 0, origin));
    if (rename(tmp, path) != 0) SB_RAISE(run, SB_EIO, "rename %s -> %s: %s", tmp, path, strerror(errno));
    tmp[0] = '\0';
    registry_sync_dir(dir);
out:
    if (tmp[0] != '\0') remove_tree(tmp);
    registry_unlock(fd);
    free(v);
    return rc;
}

static int staged(const int32_t *staged_v, int32_t n_staged, int32_t v)
{
    for (int32_t i = 0; i < n_staged; ++i)
        if (staged_v[i] == v) return 1;
    return 0;
}

/* The versions stages point to. */
static int staged_versions(run_ctx *run, const char *dir, int32_t **out, int32_t *n)
{
    char **names = NULL;
    int32_t ns = 0;
    SB_TRY(run, registry_stages(run, dir, &names, &ns));
    int rc = SB_OK;
    *n = 0;
    SB_ALLOC_OR_OUT(run, *out, (size_t)ns + 1, sizeof **out);
    for (int32_t i = 0; i < ns; ++i) SB_CHECK(run, registry_stage_get(run, dir, names[i], &(*out)[(*n)++]));
out:
    registry_names_free(names, ns);
    return rc;
}

int registry_gc(run_ctx *run, const char *dir, int32_t keep, int dry_run, int32_t *removed)
{
    int rc = SB_OK, fd = -1;
    int32_t *v = NULL, n = 0, *sv = NULL, ns = 0;
    *removed = 0;
    if (keep < 1) return SB_FAIL(run, SB_EINVAL, "models gc: --keep must be >= 1");
    SB_CHECK(run, registry_lock(run, dir, &fd));
    SB_CHECK(run, registry_versions(run, dir, &v, &n));
    SB_CHECK(run, staged_versions(run, dir, &sv, &ns));
    for (int32_t i = 0; i < n - keep; ++i) {
        if (staged(sv, ns, v[i])) continue;
        char path[PATH_MAX], hidden[PATH_MAX];
        snprintf(path, sizeof path, "%s/v%d", dir, (int)v[i]);
        snprintf(hidden, sizeof hidden, "%s/.v%d.gc.%ld", dir, (int)v[i], (long)getpid());
        printf("%s %s\n", dry_run ? "would remove" : "removed", path);
        ++*removed;
        if (dry_run) continue;
        /* hidden first: a reader never finds vN half deleted */
        if (rename(path, hidden) != 0) SB_RAISE(run, SB_EIO, "rename %s: %s", path, strerror(errno));
        remove_tree(hidden);
    }
    registry_sync_dir(dir);
out:
    registry_unlock(fd);
    free(v);
    free(sv);
    return rc;
}
