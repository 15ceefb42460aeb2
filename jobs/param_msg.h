/* param_msg.h - the messages of io/params.h (written into a caller's buffer)
 * carried into the run's error: one buffer size for every job, and the
 * message prefixed the way each job words it ("train: ", "--param: "). */
#ifndef SB_PARAM_MSG_H
#define SB_PARAM_MSG_H

#include "io/params.h"
#include "base/run_ctx.h"

/* Room for one params_set / params_validate message. */
#define PARAM_MSG_MAX 512
/* Room for a parameter name taken from KEY=VALUE or --key (longer is an error or truncated to an unknown key). */
#define PARAM_KEY_MAX 128

/* param_msg_set - params_set(p, key, value); on error SB_EINVAL with
 * "<prefix><message>". Local. */
int param_msg_set(run_ctx *run, sb_params *p, const char *key, const char *value, const char *prefix);

/* param_msg_validate - params_validate(p); on error SB_EINVAL with
 * "<prefix><message>". Local. */
int param_msg_validate(run_ctx *run, const sb_params *p, const char *prefix);

#endif
