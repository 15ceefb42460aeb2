/* param_msg.c - parameter messages into the run's error (see param_msg.h). */
#include "jobs/param_msg.h"

#include "base/error.h"

int param_msg_set(run_ctx *run, sb_params *p, const char *key, const char *value, const char *prefix)
{
    char err[PARAM_MSG_MAX];
    if (params_set(p, key, value, err, sizeof err) != 0) return SB_FAIL(run, SB_EINVAL, "%s%s", prefix, err);
    return SB_OK;
}

int param_msg_validate(run_ctx *run, const sb_params *p, const char *prefix)
{
    char err[PARAM_MSG_MAX];
    if (params_validate(p, err, sizeof err) != 0) return SB_FAIL(run, SB_EINVAL, "%s%s", prefix, err);
    return SB_OK;
}
