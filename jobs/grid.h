/* grid.h - hyperparameter grids from YAML (FORMATS.md section 4; the YAML itself
 * is read by io/yaml_tree.h).
 *
 * A grid file is either one mapping or a list of mappings (sklearn's
 * param_grid as a list of dicts); each mapping is a sub-grid:
 *   key: [v1, v2, ...]    a list: the sub-grid is the cartesian product of its lists,
 *                         in file order, the last list varying fastest
 *   key: v                a scalar: fixed for every point of this sub-grid
 *   points:               optional explicit points, each a mapping of scalars
 *     - {key: v, ...}     (fixed keys apply to them too; their own keys win)
 * Product points come first, then explicit points, then the next sub-grid.
 * Keys are parameter names or aliases (io/params.h). Every key and value is
 * checked when the file is read, so a misspelt key or an out-of-range value is
 * an error naming the file and line before anything trains. */
#ifndef SB_GRID_H
#define SB_GRID_H

#include <stdint.h> /* for int32_t, int64_t */

#include "io/params.h"
#include "base/run_ctx.h"

/* Upper limit on grid points (a typo like a 10^7-point product fails early). */
#define SB_GRID_MAX_POINTS 1000000
/* Room for the grid's shape text. */
#define SB_GRID_SHAPE_MAX 160

typedef struct {
    const char *canon; /* canonical parameter name (static storage in params.c) */
    const char *value; /* the value as written in the file (owned by the grid) */
    int32_t line;      /* 1-based line of the value */
} grid_setting;

typedef struct {
    int32_t n_set;
    grid_setting *set; /* in order of application; at most one per canonical key */
    sb_params params;  /* base + settings, validated */
    int32_t line;      /* line of the sub-grid or explicit point that made it */
} grid_point;

typedef struct {
    char *name;         /* the file name used in messages */
    int64_t n_points;
    grid_point *points;
    int32_t n_cols;
    const char **cols;  /* canonical keys set anywhere, in order of first appearance */
    char shape[SB_GRID_SHAPE_MAX]; /* e.g. "3 x 2 x 3 + 2 explicit" */
    char **strings;     /* owned value texts */
    int64_t n_strings;
} sb_grid;

/* grid_load - read and validate a grid file. Local (every rank may read the
 * same file and reach the same verdict; agree on it with run_agree_rc).
 * base holds the parameters every point starts from (defaults plus command
 * line). Errors (SB_EINVAL, SB_EIO) read "grid.yaml:7: ..." with the line of
 * the offending key or value; YAML syntax errors carry libyaml's message.
 * On error *out is zeroed. */
int grid_load(run_ctx *run, const char *path, const sb_params *base, sb_grid *out);

/* grid_parse - the same from text in memory; name is used in messages. Local. */
int grid_parse(run_ctx *run, const char *name, const char *text, size_t len, const sb_params *base,
               sb_grid *out);

/* grid_value - the text a point gives canonical key canon, or NULL if it
 * leaves it at the base value. Local. */
const char *grid_value(const grid_point *p, const char *canon);

void grid_free(sb_grid *g);

#endif
