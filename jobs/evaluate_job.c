/* evaluate_job.c - `shardboost evaluate`: a model's metrics on labelled data.
 *
 * Prints one JSON line (for scripts) and a table (for people). An ingested
 * file is read block by block, as predict reads it. Metric sums
 * are exact fixed-point partials (kernels/metric.h) reduced as int64, so the
 * numbers are the same bits for any number of ranks. */
#include <math.h>   /* for isnan */
#include <stdio.h>  /* for printf */
#include <stdlib.h> /* for free */
#include <string.h> /* for strcmp */

#include "kernels/fmt_ryu.h"
#include "io/foreign_model.h"
#include "io/model.h"
#include "io/source.h"
#include "jobs/evaluate_compare.h"
#include "jobs/jobs.h"
#include "jobs/monitor.h"
#include "jobs/monitor_jobs.h"
#include "jobs/monitor_drift.h"
#include "jobs/predict_ahead.h"
#include "jobs/predict_score.h"
#include "kernels/metric.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

#define MAX_DATA 64

static const sb_metric_kind kinds[] = {SB_METRIC_MSE, SB_METRIC_RMSE, SB_METRIC_MAE, SB_METRIC_LOGLOSS};
#define N_KINDS ((int)(sizeof kinds / sizeof kinds[0]))

static const char *usage_text =
    "usage: shardboost evaluate --model MODEL --data DATA [--data DATA2 ...] [--layout L] [--schema S]\n"
    "  Scores labelled DATA with MODEL and prints mse, rmse, mae and logloss, unweighted and\n"
    "  weighted (by the data's weight, e.g. Clicks or views), as one JSON line and a table.\n"
    "  logloss is null when a label lies outside [0, 1]. Rows with a missing label are skipped.\n"
    "  Values are identical for any number of ranks (exact sums).\n"
    "  MODEL may also be an XGBoost JSON or UBJSON model (see shardboost import --help).\n";

typedef struct {
    const char *model, *layout, *schema;
    const char *data[MAX_DATA];
    int n_data, help;
} eval_opts;

static int parse_opts(run_ctx *run, int argc, char **argv, eval_opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            continue;
        }
        if (a[0] != '-' || !strcmp(a, "--data")) {
            if (a[0] == '-' && v == NULL) return SB_FAIL(run, SB_EINVAL, "evaluate: option --data needs a value");
            if (o->n_data >= MAX_DATA) return SB_FAIL(run, SB_EINVAL, "evaluate: more than %d data files", MAX_DATA);
            o->data[o->n_data++] = a[0] == '-' ? argv[++i] : a;
            continue;
        }
        if (v == NULL && strcmp(a, "--model") && strcmp(a, "--layout") && strcmp(a, "--schema"))
            return SB_FAIL(run, SB_EINVAL, "evaluate: unknown option '%s' (see shardboost evaluate --help)", a);
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "evaluate: option %s needs a value", a);
        if (!strcmp(a, "--model")) o->model = v;
        else if (!strcmp(a, "--layout")) o->layout = v;
        else if (!strcmp(a, "--schema")) o->schema = v;
        else return SB_FAIL(run, SB_EINVAL, "evaluate: unknown option '%s' (see shardboost evaluate --help)", a);
        ++i;
    }
    if (o->help) return SB_OK;
    if (o->model == NULL) return SB_FAIL(run, SB_EINVAL, "evaluate: --model is required");
    if (o->n_data == 0) return SB_FAIL(run, SB_EINVAL, "evaluate: --data is required");
    return SB_OK;
}

/* Metric text: shortest round-trip, or null / "-" when undefined. */
static const char *num(double v, char *buf, const char *undefined)
{
    if (isnan(v) || isinf(v)) return undefined;
    buf[fmt_double(v, buf)] = '\0';
    return buf;
}

static void print_results(const eval_opts *o, const sb_model *m, const sb_table *t, const double *val,
                          int64_t rows, double wsum)
{
    char b[40];
    printf("{\"model\":\"%s\",\"data\":\"%s\",\"objective\":\"%s\",\"rows\":%lld,\"sum_weight\":%s", o->model,
           o->data[0], objective_name(m->params.objective), (long long)rows, num(wsum, b, "null"));
    for (int w = 0; w < 2; ++w) {
        printf(",\"%s\":{", w ? "weighted" : "unweighted");
        for (int k = 0; k < N_KINDS; ++k)
            printf("%s\"%s\":%s", k ? "," : "", metric_name(kinds[k]), num(val[w * N_KINDS + k], b, "null"));
        printf("}");
    }
    printf("}\n\n%-10s %-24s %-24s\n", "metric", "unweighted", t->weight ? "weighted" : "weighted (all weights 1)");
    for (int k = 0; k < N_KINDS; ++k) {
        char b2[40];
        printf("%-10s %-24s %-24s\n", metric_name(kinds[k]), num(val[k], b, "-"), num(val[N_KINDS + k], b2, "-"));
    }
    printf("%lld rows, label '%s', model %s\n", (long long)rows, t->label_name ? t->label_name : "?", o->model);
    fflush(stdout);
}

/* The metrics' partial sums of rows [i0, i1) whose features are at x. */
static void accumulate(predict_scorer *s, const sb_table *t, const float *x, int64_t i0, int64_t i1, double *pred,
                       sb_metric_part *part, drift_acc *d)
{
    for (int64_t b = i0; b < i1; b += PREDICT_BLOCK_ROWS) {
        const int64_t e = b + PREDICT_BLOCK_ROWS < i1 ? b + PREDICT_BLOCK_ROWS : i1;
        predict_scorer_rows(s, x + (b - i0) * t->n_feat, t->n_feat, e - b, pred);
        drift_acc_rows(d, x + (b - i0) * t->n_feat, t->n_feat, e - b, pred, t->row_start + b);
        for (int w = 0; w < 2; ++w)
            for (int k = 0; k < N_KINDS; ++k)
                metric_accumulate(kinds[k], t->label + b, t->weight ? t->weight + b : NULL, w, pred, NULL, e - b,
                                  &part[w * N_KINDS + k]);
    }
}

/* Binding (an imported model takes the data's names), scorer, label check, prediction buffer,
 * drift counts. Local. */
static int prepare_scoring(run_ctx *run, const eval_opts *o, sb_model *m, const sb_table *t, predict_scorer *s,
                           double **pred, drift_acc **d)
{
    SB_TRY(run, model_bind_table(run, m, o->model, t, o->data[0]));
    SB_TRY(run, predict_scorer_init(run, m, o->model, t, o->data[0], s));
    if (t->label == NULL) return SB_FAIL(run, SB_EDATA, "%s: no label column: evaluate needs labelled data", o->data[0]);
    if ((*pred = sb_alloc(run, PREDICT_BLOCK_ROWS, sizeof **pred)) == NULL) return SB_ENOMEM;
    SB_TRY(run, drift_acc_init(run, m, s, t->n_rows_global, d));
    return SB_OK;
}

/* The metric partials reduced over ranks, the values, the printout. Collective. */
static int report_metrics(run_ctx *run, const eval_opts *o, const sb_model *m, const sb_table *t,
                          sb_metric_part *part)
{
    for (int i = 0; i < 2 * N_KINDS; ++i) metric_part_normalize(&part[i]);
    SB_TRY(run, comm_sum_i64(run, (int64_t *)part, 2 * N_KINDS * SB_METRIC_PART_I64));
    double val[2 * N_KINDS];
    for (int w = 0; w < 2; ++w)
        for (int k = 0; k < N_KINDS; ++k) val[w * N_KINDS + k] = metric_value(kinds[k], &part[w * N_KINDS + k]);
    /* logloss needs labels in [0, 1]; the kernel's value is meaningless otherwise. */
    int bad = 0;
    for (int64_t i = 0; i < t->n_rows; ++i) bad |= !isnan(t->label[i]) && (t->label[i] < 0 || t->label[i] > 1);
    SB_TRY(run, comm_agree_max(run, &bad));
    if (bad) val[3] = val[N_KINDS + 3] = NAN;
    if (run_rank(run) == 0) print_results(o, m, t, val, part[0].n, xsum_value(&part[N_KINDS].wsum));
    monitor_eval_metrics(val, kinds, N_KINDS, part[0].n);
    return SB_OK;
}

/* An ingested file is streamed block by block (its features are never all in
 * memory, and with 2 CPUs per rank the next block is read ahead), like
 * predict; CSV input is parsed whole. */
static int evaluate_all(run_ctx *run, const eval_opts *o, sb_model *m, sb_table *t, predict_scorer *s,
                        double **pred, drift_acc **d)
{
    SB_TRY(run, predict_load_model(run, o->model, m));
    monitor_note_model(run, o->model, m);
    sb_source src = predict_source(m, o->data, o->n_data, o->layout, o->schema, 1);
    source_stream *stream = NULL;
    SB_TRY(run, source_load_stream(run, &src, t, &stream));
    predict_ahead *ahead = NULL;
    sb_metric_part part[2 * N_KINDS];
    int rc = prepare_scoring(run, o, m, t, s, pred, d);
    if (stream != NULL) /* the same on every rank; collective whatever this rank's rc */
        rc = predict_ahead_start(run, rc, stream, t->n_rows, PREDICT_STREAM_ROWS, t->n_feat, AHEAD_AUTO, &ahead);
    SB_CHECK(run, run_agree_rc(run, rc));
    for (int i = 0; i < 2 * N_KINDS; ++i) metric_part_zero(&part[i]);
    if (ahead != NULL) {
        int64_t b = 0, e = 0;
        const float *x = NULL;
        while ((rc = predict_ahead_next(run, ahead, &b, &e, &x)) == SB_OK && b < e)
            accumulate(s, t, x, b, e, *pred, part, *d);
        SB_CHECK(run, run_agree_rc(run, rc)); /* a bad chunk on one rank: every rank stops here */
    } else {
        accumulate(s, t, t->x, 0, t->n_rows, *pred, part, *d);
    }
    predict_ahead_close(ahead); /* the data is read: its buffers go before the reduction */
    source_stream_close(stream);
    ahead = NULL;
    stream = NULL;
    SB_CHECK(run, report_metrics(run, o, m, t, part));
    SB_CHECK(run, drift_acc_finish(run, *d, m, monitor_options()->drift_out));
out:
    predict_ahead_close(ahead);
    source_stream_close(stream);
    return rc;
}

int evaluate_main(run_ctx *run, int argc, char **argv)
{
    if (evaluate_compare_wanted(argc, argv)) return evaluate_compare_main(run, argc, argv); /* --model A --model B */
    eval_opts o;
    sb_model m;
    sb_table t;
    predict_scorer s;
    memset(&m, 0, sizeof m);
    memset(&t, 0, sizeof t);
    memset(&s, 0, sizeof s);
    double *pred = NULL;
    drift_acc *d = NULL;
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, parse_opts(run, argc, argv, &o)));
    if (o.help) {
        if (run_rank(run) == 0) fputs(usage_text, stdout);
        goto out;
    }
    SB_CHECK(run, evaluate_all(run, &o, &m, &t, &s, &pred, &d));
out:
    free(pred);
    drift_acc_free(d);
    predict_scorer_free(&s);
    table_free(&t);
    model_free(&m);
    return rc;
}
