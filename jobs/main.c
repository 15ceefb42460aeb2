/* main.c - the shardboost binary: subcommand dispatch and the MPI lifecycle.
 * main is the only owner of MPI init/finalize (style rule R13): an error that
 * every rank agreed on ends with MPI_Finalize and a non-zero exit; an error on
 * one rank only ends with MPI_Abort so that no rank is left waiting. */
#include <stdio.h>
#include <string.h>

#include "jobs/jobs.h"
#include "jobs/monitor.h"
#include "base/error.h"
#include "base/run_local.h"
#include "base/stop.h"
#include "base/version.h"
#include "mpi/run.h"

typedef int (*job_fn)(run_ctx *, int, char **);

static const struct {
    const char *name;
    job_fn fn;
    int checkpoints; /* stops cleanly on SIGTERM (checkpoint, exit 75) */
    int local;       /* never communicates: runs without MPI (run_init_local) */
    const char *help;
} jobs[] = {
    {"ingest", ingest_main, 0, 0, "CSV / csv.gz (keywords, forms, generic) -> columnar HDF5"},
    {"train", train_main, 1, 0, "histogram gradient boosting over MPI ranks -> model.json"},
    {"cv", cv_main, 1, 0, "k-fold grid search from a YAML grid, leaderboard, refit"},
    {"predict", predict_main, 0, 0, "score data per rank -> part-NNNNN.csv.gz + _SUCCESS"},
    {"evaluate", evaluate_main, 0, 0, "metrics of a model on labelled data"},
    {"dump", dump_main, 0, 0, "print a model's trees readably"},
    {"export", export_main, 0, 0, "a model as XGBoost JSON or LightGBM text"},
    {"import", import_main, 0, 0, "an XGBoost JSON/UBJSON model as a shardboost model"},
    {"models", models_main, 0, 1, "model registry: list, show, promote, rollback, diff, gc"},
    {"serve", serve_main, 0, 1, "HTTP prediction service (POST /v1/predict, /metrics); no mpirun"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: shardboost <command> [options]   (run under mpirun for several ranks)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; ++i) fprintf(f, "  %-9s %s\n", jobs[i].name, jobs[i].help);
    fprintf(f, "\n  --help     this text;  shardboost <command> --help for its options\n"
               "  --version  print the version\n");
}

/* A command that never communicates: no MPI at all, one process. */
static int run_local_job(job_fn fn, int argc, char **argv)
{
    run_ctx *run = NULL;
    if (run_init_local(&run) != SB_OK) return SB_EXIT_FAIL;
    int rc = fn(run, argc - 1, argv + 1);
    if (rc != SB_OK) run_report_error(run);
    run_finalize_local(run);
    return run_exit_code(rc);
}

/* The job between monitor_begin, which takes --metrics-file, --pushgateway, ...
 * out of argv, and monitor_end, which reports how it went (whatever happened). */
static int run_monitored(run_ctx *run, job_fn fn, int argc, char **argv)
{
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, monitor_begin(run, &argc, argv)));
    rc = fn(run, argc - 1, argv + 1);
out:
    monitor_end(run, rc);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? SB_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("shardboost %s\n", SB_VERSION);
        return 0;
    }
    job_fn fn = NULL;
    int checkpoints = 0, local = 0;
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; ++i)
        if (!strcmp(argv[1], jobs[i].name)) {
            fn = jobs[i].fn;
            checkpoints = jobs[i].checkpoints;
            local = jobs[i].local;
        }
    if (fn == NULL) {
        fprintf(stderr, "shardboost: error: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return SB_EXIT_USAGE;
    }
    run_ctx *run = NULL;
    if (local) return run_local_job(fn, argc, argv);
    if (run_init(&argc, &argv, &run) != SB_OK) return SB_EXIT_FAIL;
    if (checkpoints) run_catch_sigterm();
    int rc = run_monitored(run, fn, argc, argv);
    if (rc != SB_OK) {
        run_report_error(run);
        int code = run_exit_code(rc);
        if (!run_error_agreed(run) && rc != SB_EINTR) run_abort(run, code);
        run_exit_if_forgone(run, code);
        run_finalize(run);
        return code;
    }
    run_finalize(run);
    return 0;
}
