/* import_job.c - `shardboost import`: an XGBoost JSON model as a shardboost
 * model file, optionally bound to the data it will score (names, layout,
 * id columns, level lists). Collective (the data is read by every rank). */
#include <stdio.h>  /* for fputs */
#include <string.h> /* for strcmp */

#include "base/error.h"
#include "base/log.h"
#include "io/foreign_model.h"
#include "io/source.h"
#include "jobs/jobs.h"
#include "jobs/predict_score.h"
#include "mpi/run.h"

static const char *usage_text =
    "usage: shardboost import --from XGB.json|XGB.ubj -o MODEL.json [--data DATA [--layout L] [--schema S]]\n"
    "  Converts an XGBoost JSON or UBJSON model (Booster.save_model(\"m.json\"); gbtree with numerical splits;\n"
    "  reg:squarederror, reg:logistic, binary:logistic, count:poisson, reg:absoluteerror) into a\n"
    "  shardboost model that predict, evaluate and dump use at full speed. Its predictions equal\n"
    "  XGBoost's (the same float32 `x < threshold` decisions; sums in double).\n"
    "  predict --model XGB.json and evaluate --model XGB.json also accept the XGBoost file directly.\n"
    "  --data DATA  bind the model to DATA now (an ingested .h5, or CSV with --layout): the model's\n"
    "               feature names are matched to DATA's columns (a model without names: by position,\n"
    "               with a warning), and the layout, id columns and categorical level lists are\n"
    "               taken from DATA. Without --data this happens when predict first reads data.\n"
    "  Refused with an error naming the file and field: dart, gblinear, multi-class or multi-target\n"
    "  models, categorical splits, other objectives, a damaged file. XGBoost's UBJSON (.ubj, its\n"
    "  default from 2.1) is read as well (the format is recognised from the bytes).\n";

typedef struct {
    const char *from, *out, *layout, *schema;
    const char *data[1];
    int help;
} import_opts;

static int parse_opts(run_ctx *run, int argc, char **argv, import_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { o->help = 1; continue; }
        if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) { run_set_log_level(run, SB_LOG_QUIET); continue; }
        if (v == NULL && strcmp(a, "--from") && strcmp(a, "-o") && strcmp(a, "--out") && strcmp(a, "--data") && strcmp(a, "--layout") && strcmp(a, "--schema"))
            return SB_FAIL(run, SB_EINVAL, "import: unknown option '%s' (see shardboost import --help)", a);
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "import: option %s needs a value", a);
        if (!strcmp(a, "--from")) o->from = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--data")) o->data[0] = v;
        else if (!strcmp(a, "--layout")) o->layout = v;
        else if (!strcmp(a, "--schema")) o->schema = v;
        else return SB_FAIL(run, SB_EINVAL, "import: unknown option '%s' (see shardboost import --help)", a);
        ++i;
    }
    if (o->help) return SB_OK;
    if (o->from == NULL || o->out == NULL) return SB_FAIL(run, SB_EINVAL, "import: --from and -o are required");
    return SB_OK;
}

/* The data's schema (an .h5 file is opened for streaming: no rows are read). */
static int bind_to_data(run_ctx *run, const import_opts *o, sb_model *m)
{
    int rc = SB_OK;
    sb_table t;
    predict_scorer s;
    source_stream *stream = NULL;
    memset(&t, 0, sizeof t);
    memset(&s, 0, sizeof s);
    sb_source src = predict_source(m, o->data, 1, o->layout, o->schema, 0);
    SB_CHECK(run, source_load_stream(run, &src, &t, &stream)); /* agreed inside */
    SB_CHECK(run, model_bind_table(run, m, o->from, &t, o->data[0]));
    SB_CHECK(run, predict_scorer_init(run, m, o->from, &t, o->data[0], &s)); /* predict's checks: every column */
out:
    predict_scorer_free(&s);
    source_stream_close(stream);
    table_free(&t);
    return run_agree_rc(run, rc);
}

int import_main(run_ctx *run, int argc, char **argv)
{
    int rc = SB_OK;
    import_opts o;
    sb_model m;
    memset(&m, 0, sizeof m);
    SB_CHECK(run, run_agree_rc(run, parse_opts(run, argc, argv, &o)));
    if (o.help) {
        if (run_rank(run) == 0) fputs(usage_text, stdout);
        goto out;
    }
    SB_CHECK(run, run_agree_rc(run, model_read_any(run, o.from, &m)));
    if (o.data[0] != NULL) SB_CHECK(run, bind_to_data(run, &o, &m));
    SB_CHECK(run, model_write(run, &m, o.out)); /* collective, agreed */
    sb_info(run, "import: %s (%d trees, %d features, %s, base_score %.9g) -> %s%s\n", o.from, m.n_trees, m.n_feat,
            objective_name(m.params.objective), m.base_score, o.out,
            m.layout && m.layout[0] ? "" : " (not bound to data yet: names are matched when it scores)");
out:
    model_free(&m);
    return rc;
}
