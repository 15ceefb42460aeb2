/* registry.h - model versions and stages in a plain directory tree.
 *
 *   REG/NAME/v1/model.json, v1/meta.json    one folder per version, read-only once made
 *   REG/NAME/@production -> v3               a stage: a symbolic link to a version folder
 *   REG/NAME/stages.log                      every stage change, one line each (append only)
 *   REG/NAME/.lock                           flock(2) target serialising writers
 *
 * Works on a local disk, NFS or a cluster file system: only mkdir, rename,
 * symlink and flock are used. A version is built under a hidden temporary name
 * and renamed into place, so it appears complete or not at all; rename(2) of a
 * directory onto an existing non-empty one fails, so a version is never
 * overwritten. A stage moves by renaming a new link over the old one: a
 * reader sees the old or the new target, never a missing or half-written one.
 * Writers (register, promote, rollback, gc) hold the lock, so two concurrent
 * promotes are applied one after the other, each recorded in stages.log with
 * the value it replaced; with an expected value (compare-and-swap) the second
 * one fails instead of silently replacing the first. */
#ifndef SB_REGISTRY_H
#define SB_REGISTRY_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t */

#include "base/run_ctx.h"

/* What train knows about a model that the model file does not hold. */
typedef struct {
    const char *const *data; /* training data paths */
    int n_data;
    const char *valid;       /* validation data path or NULL */
    int n_ranks;
} registry_origin;

/* registry_versions - the version numbers in dir, ascending (malloc'd; *n may
 * be 0 with *out NULL). Local. returns SB_OK | SB_EIO (dir unreadable). */
int registry_versions(run_ctx *run, const char *dir, int32_t **out, int32_t *n);

/* registry_stage_get - the version stage points to, 0 when unset. Local. */
int registry_stage_get(run_ctx *run, const char *dir, const char *stage, int32_t *version);

/* registry_add - store model_path as the next version of dir (created with
 * its parents when missing) with meta.json: the model's parameters, data
 * fingerprint and rows, training and validation metrics, creation time, host,
 * SLURM_JOB_ID, shardboost version, parent (the previous latest version) and
 * the model file's CRC-32. Local (train calls it on rank 0). */
int registry_add(run_ctx *run, const char *dir, const char *model_path, const registry_origin *origin,
                 int32_t *version);

/* registry_promote - point stage at version (which must exist). expect: -1
 * any current value, 0 the stage must be unset, N it must point to vN now
 * (else SB_EINVAL "moved"). *old receives the value replaced (0: unset).
 * Local; holds the lock. */
int registry_promote(run_ctx *run, const char *dir, const char *stage, int32_t version, int32_t expect,
                     int32_t *old);

/* registry_rollback - move stage back to the version it held before its
 * last promote still in effect (stages.log, rollbacks undo promotes one by
 * one). *from / *to: the versions. Local; holds the lock. SB_EINVAL when
 * there is nothing to roll back to. */
int registry_rollback(run_ctx *run, const char *dir, const char *stage, int32_t *from, int32_t *to);

/* registry_gc - delete all but the newest keep versions, never one a stage
 * points to. dry_run: only report. Prints one line per version removed (or
 * that would be). Local; holds the lock. */
int registry_gc(run_ctx *run, const char *dir, int32_t keep, int dry_run, int32_t *removed);

/* registry_stages - stage names set in dir (malloc'd array of malloc'd
 * strings, free with registry_names_free). Local. */
int registry_stages(run_ctx *run, const char *dir, char ***names, int32_t *n);
/* registry_models - model names (sub-folders holding at least one vN) of reg. Local. */
int registry_models(run_ctx *run, const char *reg, char ***names, int32_t *n);
void registry_names_free(char **names, int32_t n);

/* registry_lock - take dir/.lock exclusively (flock, waits); *fd to pass
 * to registry_unlock. Local. */
int registry_lock(run_ctx *run, const char *dir, int *fd);
void registry_unlock(int fd);
/* fsync a directory so renames in it survive a crash (best effort). */
void registry_sync_dir(const char *dir);
/* "2026-01-31T12:00:00Z" */
void registry_utc_now(char *buf, size_t len);

#endif
