/* model_name.h - the syntax of registry names: version folders (vN) and stage
 * names. Pure text rules shared by the registry (io/registry.h), which lays
 * folders out by them, and model references (io/model_ref.h), which parse them;
 * kept apart so neither of those two needs the other for the rules. */
#ifndef SB_MODEL_NAME_H
#define SB_MODEL_NAME_H

#include <stdint.h> /* for int32_t */

#define MODEL_REF_NAME_MAX 128
#define MODEL_REF_STAGE_MAX 32

/* model_ref_version_of - N for the text "vN" (N >= 1, no leading zero), else 0. Local, pure. */
int32_t model_ref_version_of(const char *s);

/* model_ref_stage_ok - 1 if s is a valid stage name (not "latest", not vN). Local, pure. */
int model_ref_stage_ok(const char *s);

#endif
