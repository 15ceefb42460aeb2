/* export_job.c - `shardboost export`: a model in XGBoost's JSON or LightGBM's
 * text format (io/foreign_model.h). Rank 0 writes; the status is agreed. */
#include <stdio.h>  /* for fputs */
#include <string.h> /* for strcmp */

#include "base/error.h"
#include "base/log.h"
#include "io/foreign_model.h"
#include "io/model_ref.h"
#include "jobs/jobs.h"
#include "mpi/run.h"

static const char *usage_text =
    "usage: shardboost export --model MODEL --format FORMAT -o OUT [--no-feature-names]\n"
    "  Writes MODEL (a path or a registry reference REG/NAME@v3|@latest|@production) in another\n"
    "  library's format; predictions there equal shardboost predict's\n"
    "  to float32 precision (the split thresholds travel exactly).\n"
    "  --format xgboost-json   XGBoost 1.7 JSON with every field save_model writes (what Treelite,\n"
    "                          FIL and onnxmltools look for): xgboost.Booster(model_file=OUT)\n"
    "  --format lightgbm-text  LightGBM text model, version v3 (lightgbm.Booster(model_file=OUT));\n"
    "                          checked against LightGBM's loader source, not a LightGBM install\n"
    "  --no-feature-names      XGBoost: leave learner/feature_names empty, so a DMatrix without names\n"
    "                          (a numpy array) is accepted; columns are then matched by position\n"
    "  Categorical features travel as their level codes (0 = the first level in the model's list,\n"
    "  see shardboost dump). Something the target format cannot express is refused, naming it.\n";

typedef struct {
    const char *model, *format, *out;
    int no_names, help;
} export_opts;

static int parse_opts(run_ctx *run, int argc, char **argv, export_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { o->help = 1; continue; }
        if (!strcmp(a, "--no-feature-names")) { o->no_names = 1; continue; }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) { run_set_log_level(run, SB_LOG_QUIET); continue; }
        if (v == NULL && strcmp(a, "--model") && strcmp(a, "--format") && strcmp(a, "-o") && strcmp(a, "--out"))
            return SB_FAIL(run, SB_EINVAL, "export: unknown option '%s' (see shardboost export --help)", a);
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "export: option %s needs a value", a);
        if (!strcmp(a, "--model")) o->model = v;
        else if (!strcmp(a, "--format")) o->format = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--out")) o->out = v;
        else return SB_FAIL(run, SB_EINVAL, "export: unknown option '%s' (see shardboost export --help)", a);
        ++i;
    }
    if (o->help) return SB_OK;
    if (o->model == NULL || o->out == NULL || o->format == NULL)
        return SB_FAIL(run, SB_EINVAL, "export: --model, --format and -o are required");
    if (strcmp(o->format, "xgboost-json") && strcmp(o->format, "lightgbm-text"))
        return SB_FAIL(run, SB_EINVAL, "export: --format '%s': use xgboost-json or lightgbm-text", o->format);
    return SB_OK;
}

static int export_local(run_ctx *run, const export_opts *o)
{
    int rc = SB_OK;
    sb_model m;
    model_ref ref; /* a path or REG/NAME@REF, as predict takes */
    memset(&m, 0, sizeof m);
    SB_CHECK(run, model_ref_resolve(run, o->model, &ref));
    SB_CHECK(run, model_read_any(run, ref.path, &m));
    if (!strcmp(o->format, "xgboost-json")) {
        xgb_export_opts xo = {!o->no_names};
        SB_CHECK(run, xgb_export_write(run, &m, &xo, o->out));
    } else {
        SB_CHECK(run, lgbm_export_write(run, &m, o->out));
    }
    sb_info(run, "export: %s (%d trees, %d features, %s) -> %s (%s)\n", o->model, m.n_trees, m.n_feat,
            objective_name(m.params.objective), o->out, o->format);
out:
    model_free(&m);
    return rc;
}

int export_main(run_ctx *run, int argc, char **argv)
{
    export_opts o;
    SB_TRY(run, run_agree_rc(run, parse_opts(run, argc, argv, &o)));
    if (o.help) {
        if (run_rank(run) == 0) fputs(usage_text, stdout);
        return SB_OK;
    }
    return run_agree_rc(run, run_rank(run) == 0 ? export_local(run, &o) : SB_OK);
}
