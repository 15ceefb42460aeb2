/* drift_ref_read.h - the reader of the model's "reference" value (a jansson
 * value of the parsed model file), apart from io/drift_ref.h so that only
 * the model reader sees jansson through it. */
#ifndef SB_DRIFT_REF_READ_H
#define SB_DRIFT_REF_READ_H

#include <stdint.h> /* for int32_t, int64_t */

#include "base/run_ctx.h"
#include <jansson.h> /* for json_t */

/* drift_ref_read - read the value v (name for messages); checks that
 * the bin counts match the model's cuts (cut_start, n_feat features).
 * Local. On error *out is NULL and the message names the file and key. */
int drift_ref_read(run_ctx *run, const json_t *v, const char *name, int32_t n_feat, const int64_t *cut_start,
                   struct drift_ref **out);

#endif
