/* train_job.c - `shardboost train`: options, data loading, booster, model file. */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for strtol */
#include <string.h> /* for strcmp */
#include <sys/resource.h> /* for getrusage */
#include <unistd.h>       /* for access, unlink */

#include "io/model.h"
#include "io/source.h"
#include "engine/booster.h"
#include "engine/drift_reference.h"
#include "jobs/jobs.h"
#include "jobs/monitor_jobs.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/log.h"
#include "base/timer.h"
#include "mpi/run.h"

static const char *usage_text =
    "usage: shardboost train --data D.h5|D.csv[.gz] [--layout keywords|forms|csv [--schema S.yaml]]\n"
    "                        [--valid V] --model OUT.json [--param k=v ...] [--k v ...]\n"
    "                        [--early-stopping-rounds N] [--checkpoint-every N [--checkpoint PATH]] [--resume]\n"
    "                        [--quiet|--verbose] [--progress-every N]\n"
    "\n"
    "Histogram gradient boosting over MPI ranks: each rank holds a contiguous shard of the rows;\n"
    "the model file is byte-identical for any number of ranks (integer histogram sums).\n"
    "  --data PATH            training data (.h5 from `shardboost ingest`, or CSV with --layout); repeatable\n"
    "  --valid PATH           validation data (same layout) for metrics and early stopping\n"
    "  --model PATH           output model (JSON, written atomically by rank 0)\n"
    "  --param k=v, --k v     parameters (XGBoost names or sklearn/LightGBM aliases), e.g. --eta 0.1\n"
    "  --early-stopping-rounds N  stop when the valid metric has not improved for N rounds; the model\n"
    "                         keeps the best round's trees\n"
    "  --checkpoint-every N   write the model so far to --checkpoint (default OUT.json.ckpt) every N rounds;\n"
    "                         on SIGTERM all ranks finish the round, checkpoint and exit 75\n"
    "  --resume               continue from the checkpoint if it exists (same data and params); the final\n"
    "                         model equals an uninterrupted run's\n"
    "  --quiet / --verbose    less / more output (rank 0 prints progress on stdout; it redraws one line on a terminal)\n"
    "Features: NaN is missing (own bin, learned default direction); categorical features split on\n"
    "their level codes (levels sorted by name), i.e. ordinally. Defaults are XGBoost's except\n"
    "base_score (weighted label mean; weighted median for reg:absoluteerror).\n"
    "\nparameters:\n";

typedef struct {
    const char *data[16];
    int n_data;
    const char *layout, *schema, *valid, *model, *ckpt;
    int32_t ckpt_every, progress_every;
    int resume, help, log_level;
    sb_params params;
} train_args;

static int set_param(run_ctx *run, train_args *a, const char *k, const char *v)
{
    char err[256];
    if (params_set(&a->params, k, v, err, sizeof err) != 0) return SB_FAIL(run, SB_EINVAL, "train: %s", err);
    return SB_OK;
}

static int parse_int_opt(run_ctx *run, const char *opt, const char *v, int32_t *out)
{
    char *end = NULL;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < 0 || x > 100000000) return SB_FAIL(run, SB_EINVAL, "train: %s wants a non-negative integer, got '%s'", opt, v);
    *out = (int32_t)x;
    return SB_OK;
}

static int parse_args(run_ctx *run, int argc, char **argv, train_args *a)
{
    memset(a, 0, sizeof *a);
    params_default(&a->params);
    a->log_level = SB_LOG_INFO;
    for (int i = 1; i < argc; ++i) {
        const char *s = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char key[128];
        const char *eq = strchr(s, '=');
        /* --opt=value is the same as --opt value */
        if (!strncmp(s, "--", 2) && eq) {
            snprintf(key, sizeof key, "%.*s", (int)(eq - s), s);
            v = eq + 1;
        } else snprintf(key, sizeof key, "%s", s);
        int used = !(eq && !strncmp(s, "--", 2)); /* does the value come from the next argv? */
#define NEED_V() do { if (!v) return SB_FAIL(run, SB_EINVAL, "train: %s needs a value", key); if (used) ++i; } while (0)
        if (!strcmp(key, "--help") || !strcmp(key, "-h")) a->help = 1;
        else if (!strcmp(key, "--quiet") || !strcmp(key, "-q")) a->log_level = SB_LOG_QUIET;
        else if (!strcmp(key, "--verbose") || !strcmp(key, "-v")) a->log_level = SB_LOG_VERBOSE;
        else if (!strcmp(key, "--resume")) a->resume = 1;
        else if (!strcmp(key, "--data")) {
            NEED_V();
            if (a->n_data == 16) return SB_FAIL(run, SB_EINVAL, "train: at most 16 --data files");
            a->data[a->n_data++] = v;
        } else if (!strcmp(key, "--layout")) { NEED_V(); a->layout = v; }
        else if (!strcmp(key, "--schema")) { NEED_V(); a->schema = v; }
        else if (!strcmp(key, "--valid")) { NEED_V(); a->valid = v; }
        else if (!strcmp(key, "--model") || !strcmp(key, "-o")) { NEED_V(); a->model = v; }
        else if (!strcmp(key, "--checkpoint")) { NEED_V(); a->ckpt = v; }
        else if (!strcmp(key, "--checkpoint-every")) { NEED_V(); SB_TRY(run, parse_int_opt(run, key, v, &a->ckpt_every)); }
        else if (!strcmp(key, "--progress-every")) { NEED_V(); SB_TRY(run, parse_int_opt(run, key, v, &a->progress_every)); }
        else if (!strcmp(key, "--param") || !strcmp(key, "-p")) {
            NEED_V();
            const char *e = strchr(v, '=');
            if (!e) return SB_FAIL(run, SB_EINVAL, "train: --param wants key=value, got '%s'", v);
            char k[128];
            snprintf(k, sizeof k, "%.*s", (int)(e - v), v);
            SB_TRY(run, set_param(run, a, k, e + 1));
        } else if (!strncmp(key, "--", 2)) { /* any parameter as --key value */
            NEED_V();
            SB_TRY(run, set_param(run, a, key + 2, v));
        } else return SB_FAIL(run, SB_EINVAL, "train: unexpected argument '%s' (see shardboost train --help)", s);
#undef NEED_V
    }
    if (a->help) return SB_OK;
    if (a->n_data == 0) return SB_FAIL(run, SB_EINVAL, "train: --data is required");
    if (!a->model) return SB_FAIL(run, SB_EINVAL, "train: --model OUT.json is required");
    char err[256];
    if (params_validate(&a->params, err, sizeof err) != 0) return SB_FAIL(run, SB_EINVAL, "train: %s", err);
    if (a->params.early_stopping_rounds > 0 && !a->valid)
        return SB_FAIL(run, SB_EINVAL, "train: early stopping needs --valid");
    return SB_OK;
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

/* This process's peak resident set so far, MB (--verbose memory trail). Local. */
static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

int train_main(run_ctx *run, int argc, char **argv)
{
    train_args a;
    int rc = run_agree_rc(run, parse_args(run, argc, argv, &a));
    if (rc != SB_OK) return rc;
    if (a.help) {
        char buf[4096];
        params_help(buf, sizeof buf);
        if (run_rank(run) == 0) printf("%s%s", usage_text, buf);
        return SB_OK;
    }
    run_set_log_level(run, a.log_level);
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", a.model);
    if (a.ckpt) snprintf(ckpt, sizeof ckpt, "%s", a.ckpt);

    double t0 = run_wtime();
    sb_table train, valid;
    memset(&train, 0, sizeof train);
    memset(&valid, 0, sizeof valid);
    sb_source src = {a.data, a.n_data, a.layout, a.schema, 1, NULL, 0, 0};
    SB_TRY(run, source_load(run, &src, &train));
    double t1 = run_wtime();
    sb_info(run, "train: %lld rows x %d features on %d ranks (%s), loaded in %.2fs\n", (long long)train.n_rows_global,
            train.n_feat, run_size(run), train.layout ? train.layout : "?", t1 - t0);
    for (int32_t i = 0; i < train.n_ids; ++i) { /* training needs the id names only (model file), not the values */
        free(train.ids[i].i64);
        free(train.ids[i].str);
        train.ids[i].i64 = NULL;
        train.ids[i].str = NULL;
    }
    sb_verbose(run, "train: peak RSS after load %.0f MB (rank 0)\n", peak_rss_mb());
    sb_model resume, model;
    memset(&resume, 0, sizeof resume);
    memset(&model, 0, sizeof model);
    int have_resume = 0;
    if (a.resume) rc = load_resume(run, ckpt, &resume, &have_resume);
    sb_binned *b = NULL;
    drift_range range = {0, NULL, NULL}; /* the features' range for the drift reference, before binning takes x */
    if (rc == SB_OK) rc = drift_range_compute(run, &train, &range);
    if (rc == SB_OK) rc = booster_bin_consume(run, &train, a.params.max_bin, a.params.seed, &b); /* takes train.x */
    double t2 = run_wtime();
    free(train.x); /* training reads the bins from here on: the largest array goes */
    train.x = NULL;
    if (rc == SB_OK && a.valid) { /* loaded after the training features are freed: a lower peak */
        const char *vp[1] = {a.valid};
        sb_source vs = {vp, 1, a.layout, a.schema, 1, train.feat, train.n_feat, 0};
        rc = source_load(run, &vs, &valid);
    }
    double t2v = run_wtime();
    sb_verbose(run, "train: peak RSS after binning and validation load %.0f MB (rank 0)\n", peak_rss_mb());
    booster_opts o = {1, a.progress_every, ckpt, a.ckpt_every, have_resume ? &resume : NULL};
    train_report rep;
    memset(&rep, 0, sizeof rep);
    if (rc == SB_OK) rc = booster_train_binned(run, b, &train, a.valid ? &valid : NULL, &a.params, NULL, &o, &model, &rep);
    double t3 = run_wtime();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int64_t rss[2] = {(int64_t)ru.ru_maxrss, (int64_t)ru.ru_maxrss}; /* KiB: max and sum over ranks */
    if (rc == SB_OK) rc = comm_max_i64(run, rss, 1);
    if (rc == SB_OK) rc = comm_sum_i64(run, rss + 1, 1);
    if (rc == SB_OK) rc = drift_reference_build(run, b, &train, &range, &model);
    if (rc == SB_OK) rc = model_write(run, &model, a.model);
    if (rc == SB_OK) {
        if (run_rank(run) == 0 && (a.ckpt_every > 0 || have_resume)) unlink(ckpt); /* finished: the checkpoint is stale */
        monitor_train_metrics(run, a.model, &model, train.n_rows_global);
        sb_info(run, "train: %d rounds%s, %d trees kept, train-%s %.6g", rep.rounds_done, rep.stopped_early ? " (early stop)" : "",
                model.n_trees, metric_name(a.params.eval_metric), rep.final_train);
        if (a.valid) sb_info(run, ", best valid-%s %.6g at round %d", metric_name(a.params.eval_metric), rep.best_valid, rep.best_iteration + 1);
        sb_info(run, "\ntrain: load %.2fs, bin %.2fs, boost %.2fs (hist %.2fs, reduce %.2fs, split %.2fs); "
                     "peak RSS per rank %.0f MB max, %.0f MB mean; model -> %s\n",
                (t1 - t0) + (t2v - t2), t2 - t1, t3 - t2v, rep.seconds_hist, rep.seconds_reduce, rep.seconds_split, rss[0] / 1024.0,
                rss[1] / 1024.0 / run_size(run), a.model);
    }
    booster_binned_free(b);
    drift_range_free(&range);
    model_free(&model);
    model_free(&resume);
    table_free(&train);
    table_free(&valid);
    return rc;
}
