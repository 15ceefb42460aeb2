/* predict_job.c - `shardboost predict`: score data on every rank into
 * DIR/part-NNNNN.csv.gz (+ optional single merged csv.gz), then DIR/_SUCCESS.
 *
 * Order of events, each step agreed on all ranks before the next:
 *   1. options; model read + validated; output dir checked (nothing written)
 *   2. data loaded (an .h5 file the raw-chunk path reads: ids and chunk
 *      locations only, features streamed in step 4); model/data match checked
 *                                                     -> errors leave no output
 *   3. dir created, previous outputs removed (--overwrite only)
 *   4. each rank scores its rows into .part-r.csv.gz.tmp (header member, rows member),
 *      block by block: read (streaming), score, format, gzip
 *   5. --merge: rank 0's part + the other parts' rows members -> FILE.tmp (MPI-IO)
 *   6. parts renamed, FILE.tmp renamed, then _SUCCESS (rank 0)
 * A failure or a kill at any point leaves no _SUCCESS; before step 6 only
 * hidden temporary names exist. */
#include <limits.h> /* for PATH_MAX */
#include <stdio.h>  /* for snprintf, printf */
#include <stdlib.h> /* for strtol, free */
#include <string.h> /* for strcmp */
#include <unistd.h> /* for unlink */

#include "io/csvz.h"
#include "io/foreign_model.h"
#include "io/model.h"
#include "jobs/jobs.h"
#include "jobs/monitor.h"
#include "jobs/monitor_drift.h"
#include "jobs/predict_ahead.h"
#include "jobs/predict_contribs.h"
#include "jobs/predict_outdir.h"
#include "jobs/predict_rows.h"
#include "jobs/predict_score.h"
#include "mpi/comm.h"
#include "io/gz_merge.h"
#include "io/path_guard.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/timer.h"
#include "mpi/run.h"

#define MAX_DATA 64

typedef struct {
    const char *model, *out, *merge, *layout, *schema;
    const char *data[MAX_DATA];
    int n_data, overwrite, gzip_level, help;
    int contribs; /* --contribs: SHAP columns after the prediction */
    int ahead; /* ahead_mode */
} predict_opts;

static const char *usage_text =
    "usage: shardboost predict --model MODEL|REG/NAME@REF --data DATA [--data DATA2 ...] --out DIR [options]\n"
    "  Scores every row of DATA (ingested .h5, or CSV / csv.gz in the model's layout) with MODEL.\n"
    "  Rank r writes DIR/part-NNNNN.csv.gz (NNNNN = r) (header + its rows, in input order);\n"
    "  DIR/_SUCCESS is written last, only when every part (and the merged file) is complete.\n"
    "  Columns: keywords entity_id,device,cr; forms form_id,completion_rate; csv: ids,prediction.\n"
    "  MODEL may also be an XGBoost JSON or UBJSON model (save_model): its feature names are matched\n"
    "  to DATA's columns (no names: by position, with a warning); CSV input then needs --layout.\n"
    "options:\n"
    "  --merge FILE.csv.gz  also write one single gzip file with all rows (header once)\n"
    "  --contribs           after the prediction, each feature's SHAP contribution (exact TreeSHAP,\n"
    "                       as XGBoost's pred_contribs) as <feature>_contrib, in the model's feature\n"
    "                       order, then bias_contrib; a row's contributions sum to its margin (the\n"
    "                       prediction before the objective's link: logit for reg:logistic, log for\n"
    "                       count:poisson). Needs the trees' node covers (every shardboost model has them)\n"
    "  --overwrite          replace previous part-*.csv.gz/_SUCCESS in DIR and the merge FILE;\n"
    "                       without it an existing output is refused (other files in DIR are kept)\n"
    "  --gzip-level N       0..9 (default 6; 1 is fastest: ISA-L igzip; others libdeflate)\n"
    "  --read-ahead M       auto|on|off: a thread per rank inflates the next block of an .h5 file\n"
    "                       while this one is scored (auto: on when the node's ranks may use\n"
    "                       2 CPUs each, e.g. mpirun --map-by slot:PE=2, sbatch --cpus-per-task=2)\n"
    "  --layout L           layout of CSV input (default: the model's); --schema S for layout csv\n"
    "  -q, --quiet / --verbose  logging\n";

static int parse_opts(run_ctx *run, int argc, char **argv, predict_opts *o)
{
    memset(o, 0, sizeof *o);
    o->gzip_level = 6;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 0; /* does the option take the next argument as its value? */
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) o->help = 1;
        else if (!strcmp(a, "--overwrite")) o->overwrite = 1;
        else if (!strcmp(a, "--contribs")) o->contribs = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) run_set_log_level(run, SB_LOG_QUIET);
        else if (!strcmp(a, "--verbose")) run_set_log_level(run, SB_LOG_VERBOSE);
        else if (a[0] != '-') {
            if (o->n_data >= MAX_DATA) return SB_FAIL(run, SB_EINVAL, "predict: more than %d data files", MAX_DATA);
            o->data[o->n_data++] = a;
        } else takes = 1;
        if (!takes) continue;
        if (v == NULL && strcmp(a, "--model") && strcmp(a, "--out") && strcmp(a, "-o") && strcmp(a, "--merge") && strcmp(a, "--layout") && strcmp(a, "--schema") && strcmp(a, "--data") && strcmp(a, "--read-ahead") && strcmp(a, "--gzip-level"))
            return SB_FAIL(run, SB_EINVAL, "predict: unknown option '%s' (see shardboost predict --help)", a);
        if (v == NULL) return SB_FAIL(run, SB_EINVAL, "predict: option %s needs a value", a);
        if (!strcmp(a, "--model")) o->model = v;
        else if (!strcmp(a, "--out") || !strcmp(a, "-o")) o->out = v;
        else if (!strcmp(a, "--merge")) o->merge = v;
        else if (!strcmp(a, "--layout")) o->layout = v;
        else if (!strcmp(a, "--schema")) o->schema = v;
        else if (!strcmp(a, "--data")) {
            if (o->n_data >= MAX_DATA) return SB_FAIL(run, SB_EINVAL, "predict: more than %d data files", MAX_DATA);
            o->data[o->n_data++] = v;
        } else if (!strcmp(a, "--read-ahead")) {
            if ((o->ahead = ahead_mode_parse(v)) < 0)
                return SB_FAIL(run, SB_EINVAL, "predict: --read-ahead '%s': must be auto, on or off", v);
        } else if (!strcmp(a, "--gzip-level")) {
            char *end = NULL;
            long l = strtol(v, &end, 10);
            if (end == v || *end != '\0' || l < 0 || l > 9)
                return SB_FAIL(run, SB_EINVAL, "predict: --gzip-level '%s': must be an integer 0..9", v);
            o->gzip_level = (int)l;
        } else
            return SB_FAIL(run, SB_EINVAL, "predict: unknown option '%s' (see shardboost predict --help)", a);
        ++i;
    }
    if (o->help) return SB_OK;
    if (o->model == NULL) return SB_FAIL(run, SB_EINVAL, "predict: --model is required");
    if (o->n_data == 0) return SB_FAIL(run, SB_EINVAL, "predict: --data is required");
    if (o->out == NULL) return SB_FAIL(run, SB_EINVAL, "predict: --out DIR is required");
    if (o->merge == NULL) return SB_OK;
    const char *ins[MAX_DATA + 2] = {o->model, o->schema};
    for (int i = 0; i < o->n_data; ++i) ins[2 + i] = o->data[i];
    SB_TRY(run, path_guard_not_input(run, "predict: --merge", o->merge, ins, o->n_data + 2));
    return path_guard_not_inside(run, "predict: --merge", o->merge, "--out", o->out);
}

/* Stage times of this rank (base/timer.h), reduced with max for the log. */
enum { T_LOAD, T_SCORE, T_FORMAT, T_GZIP, T_MERGE, T_COMMIT, T_TOTAL, T_COUNT };
static const char *const stage_names[T_COUNT] = {"load", "score", "format", "gzip+write", "merge", "commit", "total"};

typedef struct {
    predict_opts o;
    sb_model model;
    sb_table table;
    predict_scorer scorer;
    predict_rows rows;
    predict_contribs contribs; /* --contribs only */
    source_stream *stream; /* NULL: features in table.x */
    predict_ahead *ahead;  /* the stream's blocks (read ahead with 2+ CPUs) */
    csvz *part;
    int64_t header_bytes;
    sb_timers tm;
    double *pred;
    model_ref ref;      /* which model: path or registry version */
    uint32_t model_crc; /* CRC-32 of its file, for _SUCCESS */
    drift_acc *drift; /* NULL: no drift report */
} predict_run;

/* Score rows [i0, i1) (features at x) and append their lines to the part. */
static void score_block(predict_run *p, const float *x, int64_t i0, int64_t i1)
{
    timer_start(&p->tm, T_SCORE);
    predict_scorer_rows(&p->scorer, x, p->table.n_feat, i1 - i0, p->pred);
    if (p->o.contribs) predict_contribs_rows(&p->contribs, &p->scorer, x, p->table.n_feat, i1 - i0);
    drift_acc_rows(p->drift, x, p->table.n_feat, i1 - i0, p->pred, p->table.row_start + i0);
    timer_stop(&p->tm, T_SCORE);
    double g0 = csvz_deflate_seconds(p->part);
    timer_start(&p->tm, T_FORMAT);
    predict_rows_write_xc(&p->rows, &p->table, x, i0, i1, p->pred, p->o.contribs ? p->contribs.phi : NULL, p->part);
    timer_stop(&p->tm, T_FORMAT);
    /* the writer deflates a member whenever one fills: its clock moves that share to gzip */
    double dg = csvz_deflate_seconds(p->part) - g0;
    p->tm.total[T_FORMAT] -= dg;
    p->tm.total[T_GZIP] += dg;
}

/* The next block of local rows [*b, *e) with its features at *xb. Local. */
static int next_block(run_ctx *run, predict_run *p, int64_t *b, int64_t *e, const float **xb)
{
    if (p->ahead == NULL) {
        *e = p->table.n_rows;
        *xb = p->table.x + *b * p->table.n_feat;
        return SB_OK;
    }
    timer_start(&p->tm, T_LOAD); /* with the thread: the wait for it */
    int rc = predict_ahead_next(run, p->ahead, b, e, xb);
    timer_stop(&p->tm, T_LOAD);
    return rc;
}

/* Step 4: this rank's part file under its temporary name. Local. A failed
 * read (corrupt chunk mid-stream) stops this rank; the caller agrees. */
static int write_part(run_ctx *run, predict_run *p)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    SB_TRY(run, predict_outdir_part(run, p->o.out, run_rank(run), path, tmp, sizeof path));
    SB_TRY(run, csvz_open(run, path, tmp, p->o.gzip_level, &p->part));
    predict_rows_header(&p->rows, p->part);
    csvz_end_member(p->part); /* header alone: the merge drops it for ranks > 0 */
    p->header_bytes = csvz_file_bytes(p->part);
    const int64_t n = p->table.n_rows, nf = p->table.n_feat;
    for (int64_t b = 0; b < n;) {
        int64_t e = n;
        const float *xb = NULL;
        SB_TRY(run, next_block(run, p, &b, &e, &xb));
        if (b >= e) break;
        for (int64_t i0 = b; i0 < e; i0 += PREDICT_BLOCK_ROWS) {
            int64_t i1 = i0 + PREDICT_BLOCK_ROWS < e ? i0 + PREDICT_BLOCK_ROWS : e;
            score_block(p, xb + (i0 - b) * nf, i0, i1);
        }
        b = e;
    }
    timer_start(&p->tm, T_GZIP);
    int rc = csvz_close(run, p->part); /* the last deflate and the flush */
    timer_stop(&p->tm, T_GZIP);
    return rc;
}

/* Rank 0 renames the merged file into place. Local. */
static int rename_merged(run_ctx *run, const predict_run *p, const char *merge_tmp)
{
    if (p->o.merge == NULL || run_rank(run) != 0) return SB_OK;
    if (rename(merge_tmp, p->o.merge) != 0)
        return SB_FAIL(run, SB_EIO, "rename %s -> %s failed", merge_tmp, p->o.merge);
    return SB_OK;
}

/* What _SUCCESS records: which model (registry version or path, its CRC-32) scored how many rows. */
static void success_text(const predict_run *p, char *buf, size_t size)
{
    char label[PATH_MAX + 64];
    model_ref_label(&p->ref, label, sizeof label);
    snprintf(buf, size, "model=%s\nmodel_path=%s\nmodel_crc32=%08x\nrows=%lld\n", label, p->ref.path,
             (unsigned)p->model_crc, (long long)p->table.n_rows_global);
}

/* Steps 5-6. Collective. */
static int publish(run_ctx *run, predict_run *p)
{
    char merge_tmp[PATH_MAX], success[3 * PATH_MAX];
    int rc = SB_OK;
    if (p->o.merge != NULL) {
        int w = snprintf(merge_tmp, sizeof merge_tmp, "%s.tmp", p->o.merge);
        if (w < 0 || (size_t)w >= sizeof merge_tmp) /* the same on every rank */
            return SB_FAIL(run, SB_EINVAL, "--merge %s: path too long", p->o.merge);
        int64_t off = run_rank(run) == 0 ? 0 : p->header_bytes;
        timer_start(&p->tm, T_MERGE);
        SB_TRY(run, gz_merge_write(run, merge_tmp, csvz_tmp_path(p->part), off, csvz_file_bytes(p->part) - off, NULL));
        timer_stop(&p->tm, T_MERGE);
    }
    timer_start(&p->tm, T_COMMIT);
    SB_CHECK(run, run_agree_rc(run, csvz_rename(run, p->part)));
    SB_CHECK(run, run_agree_rc(run, rename_merged(run, p, merge_tmp)));
    success_text(p, success, sizeof success);
    SB_CHECK(run, predict_outdir_success(run, p->o.out, success));
out:
    if (rc != SB_OK && p->o.merge != NULL && run_rank(run) == 0) {
        unlink(merge_tmp);
        unlink(p->o.merge);
    }
    timer_stop(&p->tm, T_COMMIT);
    return rc;
}

static void report(run_ctx *run, predict_run *p)
{
    double t[T_COUNT];
    memcpy(t, p->tm.total, sizeof t);
    timer_report(run, &p->tm, "predict: stages on rank 0");
    int64_t bytes[2] = {csvz_text_bytes(p->part), csvz_file_bytes(p->part)};
    if (comm_max_f64(run, t, T_COUNT) != SB_OK || comm_sum_i64(run, bytes, 2) != SB_OK) return;
    int np = run_size(run);
    monitor_note_rows(p->table.n_rows_global);
    double n = (double)p->table.n_rows_global, write = t[T_SCORE] + t[T_FORMAT] + t[T_GZIP];
    sb_info(run, "predict: %lld rows on %d rank(s) -> %s%s%s (gzip %d, %.1f MB text -> %.1f MB)\n",
            (long long)p->table.n_rows_global, np, p->o.out, p->o.merge ? " + " : "", p->o.merge ? p->o.merge : "",
            p->o.gzip_level, (double)bytes[0] / 1e6, (double)bytes[1] / 1e6);
    sb_info(run, "predict: stages (max over ranks, s): load%s %.3f  score %.3f  format %.3f  gzip+write %.3f  merge %.3f  "
                 "commit %.3f  total %.3f\n",
            p->ahead && predict_ahead_threaded(p->ahead) ? " (waiting on read-ahead)" : "", t[T_LOAD], t[T_SCORE],
            t[T_FORMAT], t[T_GZIP], t[T_MERGE], t[T_COMMIT], t[T_TOTAL]);
    sb_info(run,
            "predict: rows/s per rank: %.0f score only, %.0f score+format+gzip, %.0f end to end (incl. load, merge, "
            "commit)\n",
            t[T_SCORE] > 0 ? n / np / t[T_SCORE] : 0.0, write > 0 ? n / np / write : 0.0,
            t[T_TOTAL] > 0 ? n / np / t[T_TOTAL] : 0.0);
}

/* Binding (an imported model takes the data's names), scorer, output plan, drift counts and
 * prediction buffer. Local. */
static int prepare_scoring(run_ctx *run, predict_run *p)
{
    SB_TRY(run, model_bind_table(run, &p->model, p->o.model, &p->table, p->o.data[0]));
    SB_TRY(run, predict_scorer_init(run, &p->model, p->o.model, &p->table, p->o.data[0], &p->scorer));
    SB_TRY(run, predict_rows_plan(run, &p->table, p->o.data[0], &p->rows));
    if (p->o.contribs) {
        SB_TRY(run, predict_contribs_init(run, &p->model, p->o.model, &p->contribs));
        SB_TRY(run, predict_rows_add_contribs(run, &p->rows, p->model.feat, p->model.n_feat, p->o.model));
    }
    SB_TRY(run, drift_acc_init(run, &p->model, &p->scorer, p->table.n_rows_global, &p->drift));
    if ((p->pred = sb_alloc(run, PREDICT_BLOCK_ROWS, sizeof *p->pred)) == NULL) return SB_ENOMEM;
    return SB_OK;
}

/* Steps 1-2: model, output check, data, scorer. Collective. */
static int prepare(run_ctx *run, predict_run *p)
{
    SB_TRY(run, predict_load_model_ref(run, p->o.model, &p->model, &p->ref, &p->model_crc));
    monitor_note_model(run, p->o.model, &p->model);
    SB_TRY(run, predict_outdir_check(run, p->o.out, p->o.merge, p->o.overwrite));
    sb_source src = predict_source(&p->model, p->o.data, p->o.n_data, p->o.layout, p->o.schema, 0);
    SB_TRY(run, source_load_stream(run, &src, &p->table, &p->stream));
    int rc = prepare_scoring(run, p);
    if (p->stream != NULL) /* the same on every rank; collective whatever this rank's rc */
        rc = predict_ahead_start(run, rc, p->stream, p->table.n_rows, PREDICT_STREAM_ROWS, p->table.n_feat,
                                 (ahead_mode)p->o.ahead, &p->ahead);
    SB_TRY(run, run_agree_rc(run, rc));
    return SB_OK;
}

static int predict_run_all(run_ctx *run, predict_run *p)
{
    int rc = SB_OK;
    timer_start(&p->tm, T_TOTAL);
    timer_start(&p->tm, T_LOAD);
    SB_CHECK(run, prepare(run, p));
    timer_stop(&p->tm, T_LOAD);
    SB_CHECK(run, predict_outdir_prepare(run, p->o.out, p->o.merge, p->o.overwrite));
    SB_CHECK(run, run_agree_rc(run, write_part(run, p)));
    SB_CHECK(run, drift_acc_finish_dir(run, p->drift, &p->model, p->o.out)); /* DIR/_drift.json before _SUCCESS */
    SB_CHECK(run, publish(run, p));
    timer_stop(&p->tm, T_TOTAL);
    report(run, p);
out:
    if (rc != SB_OK) csvz_discard(p->part); /* no rank keeps a part that looks complete */
    return rc;
}

int predict_main(run_ctx *run, int argc, char **argv)
{
    predict_run p;
    memset(&p, 0, sizeof p);
    timer_init(&p.tm, stage_names, T_COUNT);
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, parse_opts(run, argc, argv, &p.o)));
    if (p.o.help) {
        if (run_rank(run) == 0) fputs(usage_text, stdout);
        goto out;
    }
    SB_CHECK(run, predict_run_all(run, &p));
out:
    csvz_free(p.part);
    predict_scorer_free(&p.scorer);
    predict_contribs_free(&p.contribs);
    predict_ahead_close(p.ahead); /* joins the thread before the stream it reads goes */
    source_stream_close(p.stream);
    free(p.pred);
    drift_acc_free(p.drift);
    table_free(&p.table);
    model_free(&p.model);
    return rc;
}
