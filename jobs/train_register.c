/* train_register.c - store a freshly trained model as a registry version. */
#include "jobs/train_register.h"

#include <limits.h> /* for PATH_MAX */
#include <stdio.h>  /* for snprintf */
#include <string.h> /* for strchr */

#include "io/model_ref.h"
#include "io/registry.h"
#include "base/error.h"
#include "base/log.h"

int train_register_check(run_ctx *run, const char *target)
{
    char text[PATH_MAX], err[PATH_MAX + 128];
    model_ref r;
    if (snprintf(text, sizeof text, "%s@latest", target) >= (int)sizeof text || strchr(target, '@') != NULL ||
        model_ref_parse(text, &r, err, sizeof err) != 0)
        return SB_FAIL(run, SB_EINVAL, "--register '%s': expected REG/NAME (NAME of [A-Za-z0-9._-])", target);
    return SB_OK;
}

int train_register(run_ctx *run, const char *target, const char *model_path, const char *const *data, int n_data,
                   const char *valid)
{
    int rc = SB_OK;
    int32_t version = 0;
    if (run_rank(run) == 0) {
        registry_origin o = {data, n_data, valid, run_size(run)};
        rc = registry_add(run, target, model_path, &o, &version);
    }
    SB_TRY(run, run_agree_rc(run, rc));
    sb_info(run, "registered %s@v%d (meta.json: parameters, data, metrics, host, job)\n", target, (int)version);
    return SB_OK;
}
