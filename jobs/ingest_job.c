/* ingest_job.c - `shardboost ingest`: CSV / csv.gz -> one HDF5 table file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5io.h"
#include "io/ingest.h"
#include "io/path_guard.h"
#include "io/source.h"
#include "jobs/jobs.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/timer.h"
#include "mpi/run.h"

static const char *usage_text =
    "usage: shardboost ingest --layout keywords|forms|csv [--schema S.yaml] -o OUT.h5 IN [IN...]\n"
    "\n"
    "Reads .csv or .csv.gz files (gzip detected by content) and writes one HDF5 file:\n"
    "/features float32 [N,F] (chunked, LZ4), /label, /weight float64, /ids/<name>,\n"
    "feature names, categorical levels and drop counts as attributes. Row order = input order\n"
    "(files in the order given, then lines), whatever the number of ranks.\n"
    "\n"
    "  --layout keywords  header entity_id,att1..att160,device,week,Clicks,Conversions;\n"
    "                     label cr = Conversions/Clicks, weight Clicks; Clicks == 0 rows dropped\n"
    "  --layout forms     no header, rows (id,submissions,views,f0-f1-...-f46);\n"
    "                     label completion_rate = submissions/views, weight views; views == 0 dropped\n"
    "  --layout csv       header + --schema YAML: ids (type auto|int64|string), label |\n"
    "                     numerator+denominator [label_name], weight, categorical, ignore;\n"
    "                     other columns are numeric features (see io/README.md)\n"
    "  --no-label         scoring data: label/count columns may be absent and are not read\n"
    "  --cap-rate         ratio layouts: numerator > denominator (Conversions > Clicks) gives rate 1,\n"
    "                     not a rate above 1, so reg:logistic can train (counted in the summary)\n"
    "  -o, --output PATH  output .h5 (written as PATH.tmp, renamed when complete)\n"
    "  --codec C          how /features and string ids are compressed: lz4 (default: HDF5's\n"
    "                     registered LZ4 filter 32004, fast to write and read; other HDF5 readers\n"
    "                     need Debian's hdf5-filter-plugin or h5py's hdf5plugin), deflate\n"
    "                     (shuffle + deflate, readable everywhere, slower) or none\n"
    "  --deflate N        --codec deflate at level 0..9 (default 1; 0 = shuffle only)\n"
    "  -q, --quiet        no summary\n"
    "\n"
    "Accepted: UTF-8 BOM, CRLF line ends, blank lines, quoted fields (not spanning lines),\n"
    "missing features as empty/NA/NaN/null. Errors name file:line and stop every rank.\n"
    "One plain file is split across ranks by byte ranges; a .gz file is read by one rank.\n";

typedef struct {
    const char *layout, *schema, *output;
    int require_label, quiet, help, deflate, cap_rate;
    const char *codec; /* as given, or NULL */
    h5_codec h5codec;
    const char **inputs;
    int n_inputs;
} ingest_args;

static int parse_args(run_ctx *run, int argc, char **argv, ingest_args *a)
{
    memset(a, 0, sizeof *a);
    a->require_label = 1;
    a->deflate = H5_DEFLATE_DEFAULT;
    int deflate_given = 0;
    a->inputs = sb_alloc(run, (size_t)argc + 1, sizeof *a->inputs);
    if (a->inputs == NULL) return SB_ENOMEM;
    for (int i = 1; i < argc; ++i) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) a->help = 1;
        else if (!strcmp(s, "--layout") && more) a->layout = argv[++i];
        else if (!strncmp(s, "--layout=", 9)) a->layout = s + 9;
        else if (!strcmp(s, "--schema") && more) a->schema = argv[++i];
        else if (!strncmp(s, "--schema=", 9)) a->schema = s + 9;
        else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && more) a->output = argv[++i];
        else if (!strncmp(s, "--output=", 9)) a->output = s + 9;
        else if (!strcmp(s, "--no-label")) a->require_label = 0;
        else if (!strcmp(s, "--cap-rate")) a->cap_rate = 1;
        else if (!strcmp(s, "--codec") && more) a->codec = argv[++i];
        else if (!strncmp(s, "--codec=", 8)) a->codec = s + 8;
        else if (!strcmp(s, "--deflate") && more) {
            char *end = NULL;
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 0 || v > 9) return SB_FAIL(run, SB_EINVAL, "ingest: --deflate wants 0..9, got '%s'", argv[i]);
            a->deflate = (int)v;
            deflate_given = 1;
        }
        else if (!strcmp(s, "-q") || !strcmp(s, "--quiet")) a->quiet = 1;
        else if (s[0] == '-' && s[1] != '\0')
            return SB_FAIL(run, SB_EINVAL, "ingest: unknown or incomplete option '%s' (see shardboost ingest --help)", s);
        else a->inputs[a->n_inputs++] = s;
    }
    if (a->help) return SB_OK;
    if (a->codec == NULL) a->h5codec = deflate_given ? H5_CODEC_DEFLATE : H5_CODEC_LZ4;
    else if (!strcmp(a->codec, "deflate")) a->h5codec = H5_CODEC_DEFLATE;
    else if (!strcmp(a->codec, "lz4") || !strcmp(a->codec, "none")) {
        if (deflate_given)
            return SB_FAIL(run, SB_EINVAL, "ingest: --deflate %d goes with --codec deflate, not --codec %s", a->deflate,
                           a->codec);
        a->h5codec = a->codec[0] == 'l' ? H5_CODEC_LZ4 : H5_CODEC_NONE;
    } else return SB_FAIL(run, SB_EINVAL, "ingest: --codec '%s': must be lz4, deflate or none", a->codec);
    if (a->layout == NULL) return SB_FAIL(run, SB_EINVAL, "ingest: --layout keywords|forms|csv is required");
    if (a->output == NULL) return SB_FAIL(run, SB_EINVAL, "ingest: -o OUT.h5 is required");
    if (a->n_inputs == 0) return SB_FAIL(run, SB_EINVAL, "ingest: no input files given");
    SB_TRY(run, path_guard_not_input(run, "ingest: -o", a->output, a->inputs, a->n_inputs));
    return path_guard_not_input(run, "ingest: -o", a->output, &a->schema, 1);
}

/* Phases of an ingest, printed at --verbose. */
enum { IP_LOAD, IP_WRITE, IP_TOTAL, IP_COUNT };
static const char *const ingest_phase_names[IP_COUNT] = {"read+parse", "HDF5 write", "total"};

static void print_summary(run_ctx *run, const ingest_args *a, const ingest_stats *st, const sb_table *t, double write_s,
                          double total_s)
{
    double mb = (double)st->bytes / 1e6;
    sb_info(run, "ingest: %s -> %s (%d rank%s, layout %s)\n", a->inputs[0], a->output, run_size(run),
            run_size(run) == 1 ? "" : "s", a->layout);
    sb_info(run, "  rows read %lld, kept %lld, dropped %lld", (long long)st->rows_read, (long long)st->rows_kept,
            (long long)st->dropped_zero);
    if (st->drop_rule[0]) sb_info(run, " (%s: no trials, no rate)", st->drop_rule);
    sb_info(run, "\n  features %d, ids %d%s\n", (int)t->n_feat, (int)t->n_ids, t->label ? "" : ", no label");
    if (st->num_gt_den > 0)
        sb_info(run, "  %lld kept rows have %s > %s (%s)\n", (long long)st->num_gt_den, st->num_name, st->den_name,
                a->cap_rate ? "rate capped at 1 by --cap-rate" : "rate above 1, kept as is; --cap-rate caps it at 1");
    sb_info(run, "  %.1f MB parsed in %.3f s (%.1f MB/s overall, %.1f MB/s per rank on the busiest rank), "
                 "HDF5 write %.3f s, total %.3f s\n",
            mb, st->parse_s, st->parse_s > 0 ? mb / st->parse_s : 0.0,
            st->parse_s > 0 ? (double)st->max_rank_bytes / 1e6 / st->parse_s : 0.0, write_s, total_s);
}

int ingest_main(run_ctx *run, int argc, char **argv)
{
    sb_timers tm;
    timer_init(&tm, ingest_phase_names, IP_COUNT);
    timer_start(&tm, IP_TOTAL);
    ingest_args a;
    sb_table t;
    ingest_stats st;
    memset(&a, 0, sizeof a);
    memset(&t, 0, sizeof t);
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, parse_args(run, argc, argv, &a)));
    if (a.help) {
        if (run_rank(run) == 0) fputs(usage_text, stdout);
        goto out;
    }
    sb_source src = {a.inputs, a.n_inputs, a.layout, a.schema, a.require_label, NULL, 0, a.cap_rate};
    timer_start(&tm, IP_LOAD);
    SB_CHECK(run, ingest_load(run, &src, &t, &st));
    timer_stop(&tm, IP_LOAD);
    timer_start(&tm, IP_WRITE);
    SB_CHECK(run, h5_write_table_codec(run, a.output, &t, a.h5codec, a.deflate));
    double write_s = timer_stop(&tm, IP_WRITE);
    if (!a.quiet) print_summary(run, &a, &st, &t, write_s, timer_stop(&tm, IP_TOTAL));
    timer_report(run, &tm, "ingest: phases");
out:
    table_free(&t);
    free(a.inputs);
    return rc;
}
