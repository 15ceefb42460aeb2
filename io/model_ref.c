/* model_ref.c - parse and resolve model references (see model_ref.h). */
#include "io/model_ref.h"
#include "io/model.h" /* for SB_MODEL_MAX_BYTES */

#include <fcntl.h>  /* for open, O_NONBLOCK */
#include <unistd.h> /* for close */

#include <errno.h>    /* for errno */
#include <stdarg.h>   /* for va_list */
#include <stdio.h>    /* for snprintf, fopen */
#include <stdlib.h>   /* for free */
#include <string.h>   /* for strrchr, strcmp */
#include <sys/stat.h> /* for stat */
#include <zlib.h>     /* for crc32 */

#include "io/registry.h"
#include "base/error.h"

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || n >= MODEL_REF_NAME_MAX || s[0] == '.') return 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

/* Write the refusal into err; returns -1 (model_ref_parse's failure). */
static int refuse_ref(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse_ref(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int model_ref_parse(const char *text, model_ref *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *slash = strrchr(text, '/');
    const char *at = strrchr(slash ? slash : text, '@');
    if (at == NULL) { /* a plain path */
        if (text[0] == '\0') return refuse_ref(err, errlen, "empty model path");
        if (strlen(text) >= sizeof out->path) return refuse_ref(err, errlen, "model path too long");
        snprintf(out->path, sizeof out->path, "%s", text);
        snprintf(out->name, sizeof out->name, "%s", slash ? slash + 1 : text);
        return 0;
    }
    const char *name = slash ? slash + 1 : text;
    size_t dn = (size_t)(at - text), nn = (size_t)(at - name);
    if (!name_ok(name, nn))
        return refuse_ref(err, errlen, "'%s': model name before '@' must be [A-Za-z0-9._-]+ (not starting with '.')",
                          text);
    if (dn + 1 >= sizeof out->dir) return refuse_ref(err, errlen, "'%s': registry path too long", text);
    memcpy(out->dir, text, dn);
    memcpy(out->name, name, nn);
    const char *ref = at + 1;
    if (strcmp(ref, "latest") == 0) {
        out->kind = REF_LATEST;
    } else if (ref[0] == 'v' && ref[1] >= '0' && ref[1] <= '9') {
        out->kind = REF_VERSION;
        if ((out->version = model_ref_version_of(ref)) == 0)
            return refuse_ref(err, errlen, "'%s': version must be v1, v2, ... (no leading zeros)", text);
    } else if (model_ref_stage_ok(ref)) {
        out->kind = REF_STAGE;
        snprintf(out->stage, sizeof out->stage, "%s", ref);
    } else {
        return refuse_ref(err, errlen, "'%s': after '@' expected vN, latest or a stage name ([a-z][a-z0-9_-]*)",
                          text);
    }
    return 0;
}

/* A plain path: a file, or a directory with model.json in it. */
static int resolve_path(run_ctx *run, model_ref *r)
{
    struct stat st;
    if (stat(r->path, &st) != 0) return SB_FAIL(run, SB_EIO, "model %s: %s", r->path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(r->path);
        if (n + sizeof "/model.json" > sizeof r->path) return SB_FAIL(run, SB_EINVAL, "model %s: path too long", r->path);
        memcpy(r->path + n, "/model.json", sizeof "/model.json");
    }
    return SB_OK;
}

static int resolve_latest(run_ctx *run, model_ref *r)
{
    int32_t *v = NULL, n = 0;
    SB_TRY(run, registry_versions(run, r->dir, &v, &n));
    r->version = n > 0 ? v[n - 1] : 0;
    free(v);
    if (r->version == 0) return SB_FAIL(run, SB_EIO, "model %s@latest: registry %s holds no version", r->name, r->dir);
    return SB_OK;
}

int model_ref_resolve(run_ctx *run, const char *text, model_ref *out)
{
    char err[PATH_MAX + 128];
    if (model_ref_parse(text, out, err, sizeof err) != 0) return SB_FAIL(run, SB_EINVAL, "--model %s", err);
    if (out->kind == REF_PATH) return resolve_path(run, out);
    struct stat st;
    if (stat(out->dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return SB_FAIL(run, SB_EIO, "model %s: no registry folder %s", text, out->dir);
    if (out->kind == REF_LATEST) SB_TRY(run, resolve_latest(run, out));
    if (out->kind == REF_STAGE) {
        SB_TRY(run, registry_stage_get(run, out->dir, out->stage, &out->version));
        if (out->version == 0)
            return SB_FAIL(run, SB_EIO, "model %s: stage '%s' is not set (shardboost models promote %s@vN --stage %s)",
                           text, out->stage, out->dir, out->stage);
    }
    int n = snprintf(out->path, sizeof out->path, "%s/v%d/model.json", out->dir, (int)out->version);
    if (n >= (int)sizeof out->path) return SB_FAIL(run, SB_EINVAL, "model %s: path too long", text);
    if (stat(out->path, &st) != 0)
        return SB_FAIL(run, SB_EIO, "model %s: no version v%d (%s: %s)", text, (int)out->version, out->path,
                       strerror(errno));
    return SB_OK;
}

void model_ref_label(const model_ref *r, char *buf, size_t len)
{
    if (r->kind == REF_PATH) snprintf(buf, len, "%s", r->path);
    else snprintf(buf, len, "%s@v%d", r->name, (int)r->version);
}

/* Opened O_NONBLOCK, and only a regular file within the model size limit is read:
 * a FIFO given as --model hung predict and serve here, before the model reader
 * (which refuses both) ever saw it. */
int model_file_crc32(run_ctx *run, const char *path, uint32_t *crc)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return SB_FAIL(run, SB_EIO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return SB_FAIL(run, SB_EINVAL, "%s: the model is not a regular file", path);
    }
    if ((int64_t)st.st_size > SB_MODEL_MAX_BYTES) {
        close(fd);
        return SB_FAIL(run, SB_EDATA, "%s: model file of %lld bytes is over the %lld MiB limit", path,
                       (long long)st.st_size, (long long)(SB_MODEL_MAX_BYTES >> 20));
    }
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        return SB_FAIL(run, SB_EIO, "%s: %s", path, strerror(errno));
    }
    uLong c = crc32(0L, Z_NULL, 0);
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) c = crc32(c, buf, (uInt)got);
    int bad = ferror(f);
    fclose(f);
    if (bad) return SB_FAIL(run, SB_EIO, "%s: read failed", path);
    *crc = (uint32_t)c;
    return SB_OK;
}
