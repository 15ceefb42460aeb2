/* model_ref.h - a model named either by a path or by a registry reference.
 *
 *   PATH                a model file (model.json), or a directory holding one
 *   REG/NAME@vN         version N of model NAME in registry directory REG
 *   REG/NAME@latest     the highest version
 *   REG/NAME@STAGE      the version a stage (production, staging, ...) points to
 *
 * Every command that reads a model (predict, evaluate, dump, serve) resolves
 * its --model through model_ref_resolve, so they accept the same references.
 * A stage resolves to a version number once; the version directory it names
 * never changes afterwards (io/registry.h), so a job that resolved a reference
 * reads one consistent model even while someone promotes another. */
#ifndef SB_MODEL_REF_H
#define SB_MODEL_REF_H

#include <limits.h> /* for PATH_MAX */
#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t, uint32_t */

#include "base/run_ctx.h"
#include "io/model_name.h" /* for MODEL_REF_*_MAX, model_ref_version_of, model_ref_stage_ok */

typedef enum { REF_PATH = 0, REF_VERSION = 1, REF_LATEST = 2, REF_STAGE = 3 } model_ref_kind;

typedef struct {
    model_ref_kind kind;
    char dir[PATH_MAX];              /* REG/NAME (registry refs); "" for a path */
    char name[MODEL_REF_NAME_MAX];   /* NAME; for a path, the file name */
    char stage[MODEL_REF_STAGE_MAX]; /* REF_STAGE only */
    int32_t version;                 /* REF_VERSION: N; after resolve: the version (0 for a path) */
    char path[PATH_MAX];             /* after resolve: the model file to read */
} model_ref;

/* model_ref_parse - split text into a reference without touching the disk.
 * Local, pure. Returns 0, or -1 with a message in err: empty NAME, a NAME
 * with characters outside [A-Za-z0-9._-], version 0 or with leading zeros,
 * a stage name outside [a-z][a-z0-9_-]* (at most 31 bytes), a path too long. */
int model_ref_parse(const char *text, model_ref *out, char *err, size_t errlen);

/* model_ref_resolve - parse text and find the model file it names (the
 * version a stage or @latest points to now). Local; only reads the disk.
 * returns SB_OK | SB_EINVAL (syntax, naming the text) | SB_EIO (no such
 * registry, version or stage; unset stage; no model file). */
int model_ref_resolve(run_ctx *run, const char *text, model_ref *out);

/* model_ref_label - "NAME@v3" for a registry ref, the path otherwise. Local. */
void model_ref_label(const model_ref *r, char *buf, size_t len);

/* model_file_crc32 - CRC-32 (zlib) of every byte of the file at path. Local.
 * returns SB_OK | SB_EIO naming the file. */
int model_file_crc32(run_ctx *run, const char *path, uint32_t *crc);

#endif
