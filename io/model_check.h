/* model_check.h - checks of a parsed model that its readers rely on and the
 * parser alone does not give: finite base score, every feature named and no two
 * alike (predict maps columns by name), the metric history present when rounds
 * were trained (dump, train --resume index it), and trees that are trees: every
 * node but the root has exactly one parent (shared children made dump's walk
 * exponential) and depth is bounded (a 200,000-deep chain made dump quadratic). */
#ifndef SB_MODEL_CHECK_H
#define SB_MODEL_CHECK_H

#include "base/run_ctx.h"
#include "io/model.h"

/* Deepest tree accepted (lossguide can grow deep trees; far fewer than this). */
#define MODEL_MAX_TREE_DEPTH 10000

/* model_check - SB_OK, or SB_EDATA with a message naming `name` and the key,
 * feature or tree/node at fault. Local. */
int model_check(run_ctx *run, const sb_model *m, const char *name);

#endif
