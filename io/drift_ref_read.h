/* drift_ref_read.h - the reader of the model's "reference" value, apart from
 * io/drift_ref.h: only the model reader needs the model's pull parser
 * (io/model_json.h); the drift report and monitoring use jansson. */
#ifndef SB_DRIFT_REF_READ_H
#define SB_DRIFT_REF_READ_H

#include <stdint.h> /* for int32_t, int64_t */

#include "base/run_ctx.h"
#include "io/model_json.h"

/* drift_ref_read - parse the value at j (name for messages); checks that
 * the bin counts match the model's cuts (cut_start, n_feat features).
 * Local. On error *out is NULL and the message names the file and key. */
int drift_ref_read(run_ctx *run, json_cursor *j, const char *name, int32_t n_feat, const int64_t *cut_start,
                   struct drift_ref **out);

#endif
