/* train_job.c - `shardboost train`: options, data loading, booster, model file. */
#include <limits.h>       /* for PATH_MAX */
#include <stdio.h>        /* for snprintf */
#include <stdlib.h>       /* for strtol */
#include <string.h>       /* for strcmp */
#include <sys/resource.h> /* for getrusage */
#include <unistd.h>       /* for access, unlink */

#include "io/table_targets.h"
#include "io/cat_feature.h"
#include "io/model.h"
#include "io/path_guard.h"
#include "jobs/train_register.h"
#include "io/source.h"
#include "io/table_ids.h"
#include "engine/booster.h"
#include "engine/drift_reference.h"
#include "jobs/jobs.h"
#include "jobs/monitor_jobs.h"
#include "jobs/param_msg.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/log.h"
#include "base/timer.h"
#include "mpi/run.h"

static const char *usage_text =
    "usage: shardboost train --data D.h5|D.csv[.gz] [--layout keywords|forms|csv [--schema S.yaml]]\n"
    "                        [--valid V] --model OUT.json [--param k=v ...] [--k v ...] [k=v ...]\n"
    "                        [--early-stopping-rounds N] [--checkpoint-every N [--checkpoint PATH]] [--resume]\n"
    "                        [--quiet|--verbose] [--progress-every N]\n"
    "\n"
    "Histogram gradient boosting over MPI ranks: each rank holds a contiguous shard of the rows;\n"
    "the model file is byte-identical for any number of ranks (integer histogram sums).\n"
    "  --data PATH            training data (.h5 from `shardboost ingest`, or CSV with --layout); repeatable\n"
    "  --valid PATH           validation data (same layout) for metrics and early stopping\n"
    "  --model PATH           output model (JSON, written atomically by rank 0)\n"
    "  --register REG/NAME    also store it as the next version REG/NAME/vN with meta.json (shardboost models)\n"
    "  --param k=v, --k v, k=v  parameters (XGBoost names or sklearn/LightGBM aliases), e.g. --eta 0.1\n"
    "                         or eta=0.1 (bare key=value as XGBoost's and LightGBM's CLIs take them)\n"
    "  --early-stopping-rounds N  stop when the valid metric has not improved for N rounds; the model\n"
    "                         keeps the best round's trees\n"
    "  --checkpoint-every N   write the model so far to --checkpoint (default OUT.json.ckpt) every N rounds;\n"
    "                         on SIGTERM all ranks finish the round, checkpoint and exit 75\n"
    "  --resume               continue from the checkpoint if it exists (same data and params); the final\n"
    "                         model equals an uninterrupted run's\n"
    "  --quiet / --verbose    less / more output (rank 0 prints progress on stdout; it redraws one line on a terminal)\n"
    "Features: NaN is missing (own bin, learned default direction); categorical features split on\n"
    "their level codes (levels sorted by name), i.e. ordinally, or with enable_categorical=1 by\n"
    "level sets (one level vs the rest up to max_cat_to_onehot levels, else LightGBM's sorted\n"
    "partition; a level unseen in training scores as missing). categorical_feature=a,b makes\n"
    "numeric columns of integer codes 0..254 categorical (LightGBM's integer-coded categories).\n"
    "Defaults are XGBoost's except\n"
    "base_score (weighted label mean; weighted median for reg:absoluteerror).\n"
    "\nparameters:\n";

/* Inputs per run, and the largest integer option value. */
#define TRAIN_MAX_DATA 16
#define TRAIN_MAX_INT_OPT 100000000
/* Room for the parameter table of --help (io/params.h: params_help). */
#define TRAIN_HELP_MAX 4096

typedef struct {
    const char *data[TRAIN_MAX_DATA];
    int n_data;
    const char *layout, *schema, *valid, *model;
    char ckpt[PATH_MAX]; /* --checkpoint, else MODEL.ckpt */
    const char *registry; /* --register REG/NAME */
    int32_t ckpt_every, progress_every;
    int resume, help, log_level;
    sb_params params;
} train_args;

static int parse_int_opt(run_ctx *run, const char *opt, const char *v, int32_t *out)
{
    char *end = NULL;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < 0 || x > TRAIN_MAX_INT_OPT)
        return SB_FAIL(run, SB_EINVAL, "train: %s wants a non-negative integer, got '%s'", opt, v);
    *out = (int32_t)x;
    return SB_OK;
}

/* --param k=v */
static int parse_param(run_ctx *run, train_args *a, const char *v)
{
    const char *e = strchr(v, '=');
    if (!e) return SB_FAIL(run, SB_EINVAL, "train: --param wants key=value, got '%s'", v);
    char k[PARAM_KEY_MAX];
    snprintf(k, sizeof k, "%.*s", (int)(e - v), v);
    return params_set(run, &a->params, k, e + 1, "train");
}

/* An option that takes a value v; *ckpt gets --checkpoint. */
static int parse_valued(run_ctx *run, train_args *a, const char *key, const char *v, const char **ckpt)
{
    if (!strcmp(key, "--data")) {
        if (a->n_data == TRAIN_MAX_DATA)
            return SB_FAIL(run, SB_EINVAL, "train: at most %d --data files", TRAIN_MAX_DATA);
        a->data[a->n_data++] = v;
    } else if (!strcmp(key, "--layout")) a->layout = v;
    else if (!strcmp(key, "--schema")) a->schema = v;
    else if (!strcmp(key, "--valid")) a->valid = v;
    else if (!strcmp(key, "--model") || !strcmp(key, "-o")) a->model = v;
    else if (!strcmp(key, "--checkpoint")) *ckpt = v;
    else if (!strcmp(key, "--register")) {
        SB_TRY(run, train_register_check(run, v));
        a->registry = v;
    }
    else if (!strcmp(key, "--checkpoint-every")) return parse_int_opt(run, key, v, &a->ckpt_every);
    else if (!strcmp(key, "--progress-every")) return parse_int_opt(run, key, v, &a->progress_every);
    else if (!strcmp(key, "--param") || !strcmp(key, "-p")) return parse_param(run, a, v);
    else return params_set(run, &a->params, key + 2, v, "train"); /* any parameter as --key value */
    return SB_OK;
}

/* An option parse_valued takes: given last without its value it "needs a value";
 * anything else is unknown. */
static int train_knows(const char *key)
{
    static const char *const fixed[] = {"--data", "--layout", "--schema", "--valid", "--model", "-o",
                                        "--checkpoint", "--register", "--checkpoint-every", "--progress-every",
                                        "--param", "-p"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; ++i)
        if (!strcmp(key, fixed[i])) return 1;
    return !strncmp(key, "--", 2) && params_canonical(key + 2) != NULL;
}

/* Required options, their combinations, the checkpoint path. */
static int check_args(run_ctx *run, train_args *a, const char *ckpt)
{
    if (a->n_data == 0) return SB_FAIL(run, SB_EINVAL, "train: --data is required");
    if (!a->model) return SB_FAIL(run, SB_EINVAL, "train: --model OUT.json is required");
    SB_TRY(run, params_validate(run, &a->params, "train"));
    if (a->params.early_stopping_rounds > 0 && !a->valid)
        return SB_FAIL(run, SB_EINVAL, "train: early stopping needs --valid");
    int w = ckpt ? snprintf(a->ckpt, sizeof a->ckpt, "%s", ckpt)
                 : snprintf(a->ckpt, sizeof a->ckpt, "%s.ckpt", a->model);
    if (w < 0 || (size_t)w >= sizeof a->ckpt)
        return SB_FAIL(run, SB_EINVAL, "train: the checkpoint path %s%s is too long", ckpt ? ckpt : a->model,
                       ckpt ? "" : ".ckpt");
    const char *ins[TRAIN_MAX_DATA + 2];
    int n = 0;
    for (int i = 0; i < a->n_data; ++i) ins[n++] = a->data[i];
    ins[n++] = a->valid;
    ins[n++] = a->schema;
    SB_TRY(run, path_guard_not_input(run, "train: --model", a->model, ins, n));
    return path_guard_not_input(run, "train: --checkpoint", a->ckpt, ins, n);
}

static int parse_args(run_ctx *run, int argc, char **argv, train_args *a)
{
    const char *ckpt = NULL;
    memset(a, 0, sizeof *a);
    params_default(&a->params);
    a->log_level = SB_LOG_INFO;
    for (int i = 1; i < argc; ++i) {
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char key[PARAM_KEY_MAX];
        const char *eq = strchr(s, '=');
        int inline_v = eq && !strncmp(s, "--", 2); /* --opt=value is the same as --opt value */
        if (inline_v) {
            snprintf(key, sizeof key, "%.*s", (int)(eq - s), s);
            v = eq + 1;
        } else snprintf(key, sizeof key, "%s", s);
        if (!strcmp(key, "--help") || !strcmp(key, "-h")) a->help = 1;
        else if (!strcmp(key, "--quiet") || !strcmp(key, "-q")) a->log_level = SB_LOG_QUIET;
        else if (!strcmp(key, "--verbose") || !strcmp(key, "-v")) a->log_level = SB_LOG_VERBOSE;
        else if (!strcmp(key, "--resume")) a->resume = 1;
        else if (eq && eq != s && s[0] != '-') SB_TRY(run, parse_param(run, a, s)); /* bare key=value, as XGBoost's CLI */
        else if (strncmp(key, "--", 2) != 0 && strcmp(key, "-o") != 0 && strcmp(key, "-p") != 0)
            return SB_FAIL(run, SB_EINVAL, "train: unexpected argument '%s' (see shardboost train --help)", s);
        else if (!v && !train_knows(key))
            return SB_FAIL(run, SB_EINVAL, "train: unknown option '%s' (see shardboost train --help)", key);
        else if (!v) return SB_FAIL(run, SB_EINVAL, "train: %s needs a value", key);
        else {
            i += !inline_v;
            SB_TRY(run, parse_valued(run, a, key, v, &ckpt));
        }
    }
    if (a->help) return SB_OK;
    return check_args(run, a, ckpt);
}

/* The checkpoint if --resume and it exists (rank 0 decides, all follow). Collective. */
static int load_resume(run_ctx *run, const char *path, sb_model *m, int *have)
{
    int exists = run_rank(run) == 0 ? access(path, R_OK) == 0 : 0;
    SB_TRY(run, comm_agree_max(run, &exists));
    *have = exists;
    if (!exists) {
        sb_info(run, "train: no checkpoint %s, starting from round 1\n", path);
        return SB_OK;
    }
    SB_TRY(run, run_agree_rc(run, model_read(run, path, m)));
    sb_info(run, "train: resuming from %s after round %d\n", path, m->n_rounds_done);
    return SB_OK;
}

/* This process's peak resident set so far, KiB. Local. */
static int64_t peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)ru.ru_maxrss;
}

/* Phases of a training run, printed at --verbose. "load" covers the training
 * and the validation data. */
enum { TP_LOAD, TP_BIN, TP_BOOST, TP_WRITE, TP_COUNT };
static const char *const train_phase_names[TP_COUNT] = {"load", "bin", "boost", "write"};

/* Everything a training run holds, released in one place. */
typedef struct {
    train_args a;
    sb_table train, valid;
    sb_model resume, model;
    int have_resume;
    sb_binned *b;
    drift_range range; /* the features' range for the drift reference, taken before binning takes x */
    train_report rep;
    sb_timers tm;
} train_run;

static void train_run_free(train_run *tr)
{
    booster_binned_free(tr->b);
    drift_range_free(&tr->range);
    model_free(&tr->model);
    model_free(&tr->resume);
    table_free(&tr->train);
    table_free(&tr->valid);
}

/* categorical_feature: the named numeric columns become categorical before
 * binning (io/cat_feature.h), split natively unless enable_categorical was
 * given. Collective. */
static int apply_cat_feature(run_ctx *run, train_run *tr)
{
    sb_params *p = &tr->a.params;
    int32_t n = 0;
    if (!p->categorical_feature) return SB_OK;
    SB_TRY(run, cat_feature_apply(run, p->categorical_feature, &tr->train, &n));
    if (n > 0 && !p->enable_categorical_set) p->enable_categorical = 1, p->enable_categorical_set = 1;
    return SB_OK;
}

/* The training rows. Collective. */
static int load_train(run_ctx *run, train_run *tr)
{
    const train_args *a = &tr->a;
    sb_source src = {a->data, a->n_data, a->layout, a->schema, 1, NULL, 0, 0};
    timer_start(&tr->tm, TP_LOAD);
    SB_TRY(run, source_load(run, &src, &tr->train));
    SB_TRY(run, table_check_targets(run, a->n_data == 1 ? a->data[0] : "--data", &tr->train));
    SB_TRY(run, apply_cat_feature(run, tr));
    double loaded = timer_stop(&tr->tm, TP_LOAD);
    sb_info(run, "train: %lld rows x %d features on %d ranks (%s), loaded in %.2fs\n",
            (long long)tr->train.n_rows_global, tr->train.n_feat, run_size(run),
            tr->train.layout ? tr->train.layout : "?", loaded);
    table_drop_id_values(&tr->train); /* training needs the id names only (model file), not the values */
    sb_verbose(run, "train: peak RSS after load %.0f MB (rank 0)\n", (double)peak_rss_kib() / 1024.0);
    return SB_OK;
}

/* The checkpoint (--resume), the bins, then the validation rows. Collective. */
static int bin_and_valid(run_ctx *run, train_run *tr)
{
    const train_args *a = &tr->a;
    timer_start(&tr->tm, TP_BIN);
    if (a->resume) SB_TRY(run, load_resume(run, a->ckpt, &tr->resume, &tr->have_resume));
    SB_TRY(run, drift_range_compute(run, &tr->train, &tr->range));
    SB_TRY(run, booster_bin_consume_cat(run, &tr->train, a->params.max_bin, a->params.seed,
                                        a->params.enable_categorical, &tr->b)); /* takes train.x */
    timer_stop(&tr->tm, TP_BIN);
    free(tr->train.x); /* training reads the bins from here on: the largest array goes */
    tr->train.x = NULL;
    if (a->valid) { /* loaded after the training features are freed: a lower peak */
        const char *vp[1] = {a->valid};
        sb_source vs = {vp, 1, a->layout, a->schema, 1, tr->train.feat, tr->train.n_feat, 0};
        timer_start(&tr->tm, TP_LOAD);
        SB_TRY(run, source_load(run, &vs, &tr->valid));
        SB_TRY(run, table_check_targets(run, a->valid, &tr->valid));
        SB_TRY(run, run_agree_rc(run, cat_feature_adopt(run, &tr->valid, tr->train.feat, tr->train.n_feat)));
        timer_stop(&tr->tm, TP_LOAD);
    }
    sb_verbose(run, "train: peak RSS after binning and validation load %.0f MB (rank 0)\n",
               (double)peak_rss_kib() / 1024.0);
    return SB_OK;
}

static void log_result(run_ctx *run, const train_run *tr, const int64_t rss[2])
{
    const train_args *a = &tr->a;
    const train_report *rep = &tr->rep;
    const char *metric = metric_name(a->params.eval_metric);
    sb_info(run, "train: %d rounds%s, %d trees kept, train-%s %.6g", rep->rounds_done,
            rep->stopped_early ? " (early stop)" : "", tr->model.n_trees, metric, rep->final_train);
    if (a->valid) sb_info(run, ", best valid-%s %.6g at round %d", metric, rep->best_valid, rep->best_iteration + 1);
    sb_info(run, "\ntrain: load %.2fs, bin %.2fs, boost %.2fs (hist %.2fs, reduce %.2fs, split %.2fs); "
                 "peak RSS per rank %.0f MB max, %.0f MB mean; model -> %s\n",
            timer_total(&tr->tm, TP_LOAD), timer_total(&tr->tm, TP_BIN), timer_total(&tr->tm, TP_BOOST),
            rep->seconds_hist, rep->seconds_reduce, rep->seconds_split, rss[0] / 1024.0,
            rss[1] / 1024.0 / run_size(run), a->model);
}

/* Boost, then the model file and the report. Collective. */
static int boost_and_write(run_ctx *run, train_run *tr)
{
    const train_args *a = &tr->a;
    booster_opts o = {1, a->progress_every, a->ckpt, a->ckpt_every, tr->have_resume ? &tr->resume : NULL};
    timer_start(&tr->tm, TP_BOOST);
    SB_TRY(run, booster_train_binned(run, tr->b, &tr->train, a->valid ? &tr->valid : NULL, &a->params, NULL, &o,
                                     &tr->model, &tr->rep));
    timer_stop(&tr->tm, TP_BOOST);
    int64_t rss[2] = {peak_rss_kib(), 0}; /* KiB: max and sum over ranks */
    rss[1] = rss[0];
    SB_TRY(run, comm_max_i64(run, rss, 1));
    SB_TRY(run, comm_sum_i64(run, rss + 1, 1));
    SB_TRY(run, drift_reference_build(run, tr->b, &tr->train, &tr->range, &tr->model));
    timer_start(&tr->tm, TP_WRITE);
    SB_TRY(run, model_write(run, &tr->model, a->model));
    timer_stop(&tr->tm, TP_WRITE);
    if (a->registry) SB_TRY(run, train_register(run, a->registry, a->model, a->data, a->n_data, a->valid));
    if (run_rank(run) == 0 && (a->ckpt_every > 0 || tr->have_resume))
        unlink(a->ckpt); /* finished: the checkpoint is stale */
    monitor_train_metrics(run, a->model, &tr->model, tr->train.n_rows_global);
    log_result(run, tr, rss);
    timer_report(run, &tr->tm, "train: phases");
    return SB_OK;
}

int train_main(run_ctx *run, int argc, char **argv)
{
    train_run tr;
    memset(&tr, 0, sizeof tr);
    timer_init(&tr.tm, train_phase_names, TP_COUNT);
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, parse_args(run, argc, argv, &tr.a)));
    if (tr.a.help) {
        char buf[TRAIN_HELP_MAX];
        params_help(buf, sizeof buf);
        if (run_rank(run) == 0) printf("%s%s", usage_text, buf);
        goto out;
    }
    run_set_log_level(run, tr.a.log_level);
    SB_CHECK(run, load_train(run, &tr));
    SB_CHECK(run, bin_and_valid(run, &tr));
    SB_CHECK(run, boost_and_write(run, &tr));
out:
    train_run_free(&tr);
    return rc;
}
