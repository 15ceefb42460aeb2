/* models_job.c - `shardboost models`: the registry from the command line
 * (io/registry.h). Local: runs without mpirun. */
#include <jansson.h> /* for meta.json */
#include <limits.h>  /* for PATH_MAX */
#include <stdio.h>
#include <stdlib.h> /* for strtol, free */
#include <string.h> /* for strcmp */

#include "io/model_ref.h"
#include "io/registry.h"
#include "jobs/jobs.h"
#include "base/error.h"

static const char *usage_text =
    "usage: shardboost models COMMAND ...   (a registry is a directory REG; a model is REG/NAME)\n"
    "  list REG | REG/NAME                 the models of a registry, or the versions of a model\n"
    "  show REG/NAME[@REF]                 meta.json of a version (default @latest)\n"
    "  promote REG/NAME@REF [--stage S] [--expect vN|none]\n"
    "                                      point stage S (default production) at that version;\n"
    "                                      --expect: only if S points to vN now (compare-and-swap)\n"
    "  rollback REG/NAME [--stage S]       move S back to the version it held before its last promote\n"
    "  diff REG/NAME@A REG/NAME@B | @B     parameters, data and metrics that differ\n"
    "  gc REG/NAME --keep N [--dry-run]    delete all but the newest N versions (never a staged one)\n"
    "REF: vN, latest, or a stage name (production, staging, ...). Versions are never overwritten.\n";

/* The version folder's meta.json, parsed. */
static int load_meta(run_ctx *run, const model_ref *r, json_t **out)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/v%d/meta.json", r->dir, (int)r->version);
    json_error_t e;
    if ((*out = json_load_file(path, 0, &e)) == NULL)
        return SB_FAIL(run, SB_EIO, "%s:%d: %s", path, e.line, e.text);
    return SB_OK;
}

static int registry_ref(run_ctx *run, const char *text, const char *dflt, model_ref *r)
{
    char buf[PATH_MAX + 16], trimmed[PATH_MAX];
    size_t n = strlen(text);
    while (n > 1 && text[n - 1] == '/') --n; /* "REG/NAME/" names the same model */
    if (n >= sizeof trimmed) return SB_FAIL(run, SB_EINVAL, "models: path too long");
    memcpy(trimmed, text, n);
    trimmed[n] = '\0';
    text = trimmed;
    if (strchr(strrchr(text, '/') ? strrchr(text, '/') : text, '@') == NULL && dflt != NULL) {
        snprintf(buf, sizeof buf, "%s@%s", text, dflt);
        text = buf;
    }
    SB_TRY(run, model_ref_resolve(run, text, r));
    if (r->kind == REF_PATH) return SB_FAIL(run, SB_EINVAL, "models: '%s' is not a registry reference REG/NAME@REF", text);
    return SB_OK;
}

/* " [production, staging]" for the stages pointing at v. */
static void stages_of(run_ctx *run, const char *dir, int32_t v, char *buf, size_t len)
{
    char **st = NULL;
    int32_t ns = 0, sv = 0;
    size_t o = 0;
    buf[0] = '\0';
    if (registry_stages(run, dir, &st, &ns) != SB_OK) {
        err_clear(run);
        return;
    }
    for (int32_t i = 0; i < ns && o < len; ++i)
        if (registry_stage_get(run, dir, st[i], &sv) == SB_OK && sv == v)
            o += (size_t)snprintf(buf + o, len - o, "%s@%s", o ? " " : "  ", st[i]);
    registry_names_free(st, ns);
}

static int list_versions(run_ctx *run, const char *dir)
{
    int32_t *v = NULL, n = 0;
    SB_TRY(run, registry_versions(run, dir, &v, &n));
    printf("%-6s %-20s %-7s %10s  %-24s %s\n", "ver", "created", "parent", "rows", "train / valid metric", "stages");
    for (int32_t i = 0; i < n; ++i) {
        model_ref r = {.kind = REF_VERSION, .version = v[i]};
        snprintf(r.dir, sizeof r.dir, "%s", dir);
        json_t *m = NULL, *mt;
        char st[256];
        stages_of(run, dir, v[i], st, sizeof st);
        if (load_meta(run, &r, &m) != SB_OK) {
            printf("v%-5d (unreadable meta.json: %s)\n", (int)v[i], err_message(run));
            err_clear(run);
            continue;
        }
        mt = json_object_get(m, "metrics");
        const char *created = json_string_value(json_object_get(m, "created"));
        const char *parent = json_string_value(json_object_get(m, "parent"));
        const char *metric = json_string_value(json_object_get(mt, "metric"));
        char valid[32] = "-";
        if (json_is_number(json_object_get(mt, "valid")))
            snprintf(valid, sizeof valid, "%.6g", json_number_value(json_object_get(mt, "valid")));
        printf("v%-5d %-20s %-7s %10lld  %-8s %.6g / %s%s\n", (int)v[i], created ? created : "?",
               parent ? parent : "-", (long long)json_integer_value(json_object_get(json_object_get(m, "data"), "rows")),
               metric ? metric : "?", json_number_value(json_object_get(mt, "train")), valid, st);
        json_decref(m);
    }
    free(v);
    return SB_OK;
}

static int cmd_list(run_ctx *run, const char *path)
{
    int32_t *v = NULL, n = 0;
    SB_TRY(run, registry_versions(run, path, &v, &n));
    free(v);
    if (n > 0) return list_versions(run, path);
    char **names = NULL;
    int32_t nm = 0;
    SB_TRY(run, registry_models(run, path, &names, &nm));
    for (int32_t i = 0; i < nm; ++i) {
        char dir[PATH_MAX + MODEL_REF_NAME_MAX];
        snprintf(dir, sizeof dir, "%s/%s", path, names[i]);
        int32_t *vv = NULL, k = 0;
        if (registry_versions(run, dir, &vv, &k) != SB_OK) err_clear(run);
        printf("%-24s %d version(s), latest v%d\n", names[i], (int)k, k > 0 ? (int)vv[k - 1] : 0);
        free(vv);
    }
    registry_names_free(names, nm);
    return SB_OK;
}

static int cmd_show(run_ctx *run, const char *text)
{
    model_ref r;
    json_t *m = NULL;
    char st[256];
    SB_TRY(run, registry_ref(run, text, "latest", &r));
    SB_TRY(run, load_meta(run, &r, &m));
    stages_of(run, r.dir, r.version, st, sizeof st);
    json_object_set_new(m, "path", json_string(r.path));
    json_object_set_new(m, "stages", json_string(st[0] ? st + 2 : ""));
    json_dumpf(m, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
    printf("\n");
    json_decref(m);
    return SB_OK;
}

/* Options after the positional argument: --stage S, --expect vN|none, --keep N, --dry-run. */
typedef struct {
    const char *stage;
    int32_t expect, keep;
    int dry_run;
} models_opts;

static int parse_opts(run_ctx *run, int argc, char **argv, models_opts *o)
{
    o->stage = "production";
    o->expect = -1;
    o->keep = 0;
    o->dry_run = 0;
    for (int i = 0; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--dry-run")) {
            o->dry_run = 1;
            continue;
        }
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "models: option %s needs a value", a);
        if (!strcmp(a, "--stage")) {
            if (!model_ref_stage_ok(v)) return SB_FAIL(run, SB_EINVAL, "models: --stage '%s': must be [a-z][a-z0-9_-]*", v);
            o->stage = v;
        } else if (!strcmp(a, "--expect")) {
            o->expect = strcmp(v, "none") == 0 ? 0 : model_ref_version_of(v);
            if (o->expect == 0 && strcmp(v, "none") != 0)
                return SB_FAIL(run, SB_EINVAL, "models: --expect '%s': must be vN or none", v);
        } else if (!strcmp(a, "--keep")) {
            char *end = NULL;
            long k = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || k < 1 || k > INT32_MAX)
                return SB_FAIL(run, SB_EINVAL, "models: --keep '%s': must be an integer >= 1", v);
            o->keep = (int32_t)k;
        } else
            return SB_FAIL(run, SB_EINVAL, "models: unknown option '%s' (see shardboost models --help)", a);
        ++i;
    }
    return SB_OK;
}

static int cmd_promote(run_ctx *run, const char *text, const models_opts *o)
{
    model_ref r;
    int32_t old = 0;
    if (strchr(strrchr(text, '/') ? strrchr(text, '/') : text, '@') == NULL)
        return SB_FAIL(run, SB_EINVAL, "models promote: which version? REG/NAME@vN (or @latest, @staging)");
    SB_TRY(run, registry_ref(run, text, NULL, &r));
    SB_TRY(run, registry_promote(run, r.dir, o->stage, r.version, o->expect, &old));
    if (old > 0) printf("%s@%s: v%d -> v%d\n", r.dir, o->stage, (int)old, (int)r.version);
    else printf("%s@%s: (unset) -> v%d\n", r.dir, o->stage, (int)r.version);
    return SB_OK;
}

static int cmd_rollback(run_ctx *run, const char *text, const models_opts *o)
{
    model_ref r;
    char err[PATH_MAX + 128];
    if (model_ref_parse(text, &r, err, sizeof err) != 0) return SB_FAIL(run, SB_EINVAL, "models rollback: %s", err);
    const char *dir = r.kind == REF_PATH ? text : r.dir;
    int32_t from = 0, to = 0;
    SB_TRY(run, registry_rollback(run, dir, o->stage, &from, &to));
    printf("%s@%s: v%d -> v%d (rolled back)\n", dir, o->stage, (int)from, (int)to);
    return SB_OK;
}

static int cmd_gc(run_ctx *run, const char *dir, const models_opts *o)
{
    int32_t removed = 0;
    if (o->keep < 1) return SB_FAIL(run, SB_EINVAL, "models gc: --keep N is required (N >= 1)");
    SB_TRY(run, registry_gc(run, dir, o->keep, o->dry_run, &removed));
    printf("%s: %s %d version(s)\n", dir, o->dry_run ? "would remove" : "removed", (int)removed);
    return SB_OK;
}

/* Print "key: a -> b" for every leaf of a and b (objects walked by key) that differs. */
static int diff_values(const char *key, json_t *a, json_t *b)
{
    if (json_is_object(a) && json_is_object(b)) {
        int n = 0;
        const char *k;
        json_t *v;
        char sub[512];
        json_object_foreach(a, k, v)
        {
            snprintf(sub, sizeof sub, "%s%s%s", key, key[0] ? "." : "", k);
            n += diff_values(sub, v, json_object_get(b, k));
        }
        json_object_foreach(b, k, v)
        {
            if (json_object_get(a, k) != NULL) continue;
            snprintf(sub, sizeof sub, "%s%s%s", key, key[0] ? "." : "", k);
            n += diff_values(sub, NULL, v);
        }
        return n;
    }
    if (a != NULL && b != NULL && json_equal(a, b)) return 0;
    char *sa = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *sb = b ? json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    printf("  %-28s %s -> %s\n", key, sa ? sa : "(absent)", sb ? sb : "(absent)");
    free(sa);
    free(sb);
    return 1;
}

static int cmd_diff(run_ctx *run, const char *ta, const char *tb)
{
    model_ref a, b;
    char buf[PATH_MAX + 64];
    SB_TRY(run, registry_ref(run, ta, "latest", &a));
    if (tb[0] == '@') { /* "@v2": the same model */
        snprintf(buf, sizeof buf, "%s%s", a.dir, tb);
        tb = buf;
    }
    SB_TRY(run, registry_ref(run, tb, "latest", &b));
    json_t *ma = NULL, *mb = NULL;
    int rc = SB_OK;
    SB_CHECK(run, load_meta(run, &a, &ma));
    SB_CHECK(run, load_meta(run, &b, &mb));
    printf("%s@v%d -> %s@v%d\n", a.name, (int)a.version, b.name, (int)b.version);
    if (diff_values("", ma, mb) == 0) printf("  (no differences)\n");
out:
    json_decref(ma);
    json_decref(mb);
    return rc;
}

int models_main(run_ctx *run, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? SB_FAIL(run, SB_EINVAL, "models: a command is required") : SB_OK;
    }
    const char *cmd = argv[1];
    if (argc < 3) return SB_FAIL(run, SB_EINVAL, "models %s: a registry path is required (see --help)", cmd);
    const char *target = argv[2];
    models_opts o;
    int first_opt = !strcmp(cmd, "diff") ? 4 : 3;
    if (!strcmp(cmd, "diff") && argc < 4) return SB_FAIL(run, SB_EINVAL, "models diff: two references are needed");
    SB_TRY(run, parse_opts(run, argc - first_opt, argv + first_opt, &o));
    if (!strcmp(cmd, "list")) return cmd_list(run, target);
    if (!strcmp(cmd, "show")) return cmd_show(run, target);
    if (!strcmp(cmd, "promote")) return cmd_promote(run, target, &o);
    if (!strcmp(cmd, "rollback")) return cmd_rollback(run, target, &o);
    if (!strcmp(cmd, "diff")) return cmd_diff(run, target, argv[3]);
    if (!strcmp(cmd, "gc")) return cmd_gc(run, target, &o);
    return SB_FAIL(run, SB_EINVAL, "models: unknown command '%s' (list, show, promote, rollback, diff, gc)", cmd);
}
