/* cv_job.c - `shardboost cv`: k-fold grid search over MPI rank groups.
 *
 * Flow (every step agreed before anyone branches, style rule R7):
 *   options, grid (validated before any data is read) -> split the ranks into
 *   G groups -> each group loads the whole data set over its own ranks and
 *   bins it -> folds from hash(seed, global row) -> resume from the journals
 *   -> pending point j goes to group j mod G; each point's result is appended
 *   to the group's journal as soon as it is done -> results gathered on every
 *   rank -> leaderboard.csv + summary.json (rank 0, atomic) -> --refit: group
 *   0 trains the best point on all rows and writes the model.
 * Numbers depend only on the grid, data, folds and seed, never on np or G:
 * models are rank-count invariant and fold metrics are reduced exactly. */
#include "jobs/jobs.h"
#include "jobs/train_register.h"

#include <errno.h>    /* for errno */
#include <limits.h>   /* for PATH_MAX */
#include <stdio.h>    /* for printf */
#include <stdlib.h>   /* for strtol, free */
#include <string.h>   /* for strcmp */
#include <sys/stat.h> /* for mkdir */

#include "io/cat_feature.h"
#include "io/cv_journal.h"
#include "io/leaderboard.h"
#include "io/source.h"
#include "engine/booster.h"
#include "engine/drift_reference.h"
#include "jobs/cv_board.h"
#include "jobs/cv_eval.h"
#include "jobs/cv_record.h"
#include "jobs/cv_summary.h"
#include "jobs/grid.h"
#include "jobs/param_msg.h"
#include "kernels/fold.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/timer.h"
#include "base/stop.h"
#include "mpi/run.h"

static void usage(void)
{
    printf("usage: shardboost cv --data D.h5 --grid grid.yaml [options]\n"
           "       shardboost cv --merge-leaderboards OUT.csv IN1.csv IN2.csv ...\n\n"
           "k-fold grid search. Every grid key and value is checked before training; the grid size and the\n"
           "number of trees to fit are printed first. Results do not depend on the number of ranks or groups.\n\n"
           "  --data PATH            .h5 from `shardboost ingest`, or CSV / csv.gz (repeatable)\n"
           "  --layout L, --schema S CSV input only: keywords | forms | csv (+ YAML schema)\n"
           "  --grid FILE            YAML grid: key: [values] (cartesian product), key: value (fixed),\n"
           "                         points: [{key: value, ...}] (explicit), or a list of such mappings\n"
           "  --folds K              folds, 2..%d (default 5); fold of a row = hash(seed, row) mod K\n"
           "  --groups G             split the ranks into G groups that train points side by side\n"
           "                         (default 1; G = number of ranks: every rank trains alone)\n"
           "  --metric M             rmse | mse | mae | logloss | poisson-nloglik | error | mape |\n"
           "                         gamma-nloglik | auc (default: the objective's); lower is better,\n"
           "                         auc higher; early stopping watches it too\n"
           "  --early-stopping-rounds N  per fold, on its held-out rows (default 0 = off)\n"
           "  --param KEY=VALUE, KEY=VALUE  base parameter for every point (the grid wins)\n"
           "  --seed S               fold seed (default 0); the training seed is the grid's `seed`\n"
           "  --out DIR              leaderboard.csv, summary.json, journal-r*.csv (default cv-out)\n"
           "  --resume               skip points already in DIR's journals (same grid point, data, folds,\n"
           "                         seed and metric); without it a DIR holding journals is refused\n"
           "  --overwrite            discard DIR's journals and start over\n"
           "  --refit MODEL.json     train the best point on all rows (n_estimators = its best_round when\n"
           "                         early stopping is on) -- equal bytes to `shardboost train` with the\n"
           "                         arguments summary.json lists under refit.train_args\n"
           "  --register REG/NAME    also store the refit model as the next version REG/NAME/vN (shardboost models)\n"
           "  --slice I/N            only points p with p mod N == I (job arrays; merge the slices' boards\n"
           "                         with --merge-leaderboards or slurm/merge-leaderboards.sh)\n"
           "  -q, --quiet            no progress lines\n",
           SB_FOLD_MAX);
}

/* Option bounds: inputs per run, rank groups, slices and patience. */
#define CV_MAX_DATA 16
#define CV_MAX_GROUPS (1 << 20)
#define CV_MAX_SLICES (1 << 20)
#define CV_MAX_ES_ROUNDS (1 << 24)
/* Binned copies of the data kept at once, one per distinct (max_bin, seed). */
#define CV_BIN_SLOTS 64

typedef struct {
    const char *data[CV_MAX_DATA];
    int n_data;
    const char *layout, *schema, *grid, *metric, *refit, *out;
    const char *registry; /* --register REG/NAME: the refit model becomes its next version */
    int32_t folds, groups, es_rounds;
    uint64_t seed;
    int resume, overwrite, quiet, slice_i, slice_n, help;
    int merge_at; /* argv index of --merge-leaderboards, or 0 */
    sb_params base;
} cv_opts;

static int parse_int_opt(run_ctx *run, const char *name, const char *v, long lo, long hi, int32_t *out)
{
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return SB_FAIL(run, SB_EINVAL, "%s: '%s' is not an integer in [%ld, %ld]", name, v, lo, hi);
    *out = (int32_t)x;
    return SB_OK;
}

static int parse_seed(run_ctx *run, const char *v, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtoull(v, &end, 10);
    if (end == v || *end || errno || v[0] == '-')
        return SB_FAIL(run, SB_EINVAL, "--seed: '%s' is not a non-negative integer", v);
    return SB_OK;
}

/* --slice I/N: 0 <= I < N. */
static int parse_slice(run_ctx *run, const char *a, const char *v, cv_opts *o)
{
    int32_t si = 0, sn = 0;
    const char *slash = strchr(v, '/');
    char head[32];
    snprintf(head, sizeof head, "%.*s", slash ? (int)(slash - v) : 0, v);
    if (!slash || parse_int_opt(run, a, slash + 1, 1, CV_MAX_SLICES, &sn) != SB_OK ||
        parse_int_opt(run, a, head, 0, sn - 1, &si) != SB_OK) {
        err_clear(run);
        return SB_FAIL(run, SB_EINVAL, "--slice: '%s' is not I/N with 0 <= I < N", v);
    }
    o->slice_i = si;
    o->slice_n = sn;
    return SB_OK;
}

/* --param KEY=VALUE into the base parameters. */
static int parse_param(run_ctx *run, const char *v, cv_opts *o)
{
    const char *eq = strchr(v, '=');
    char key[PARAM_KEY_MAX];
    if (!eq || eq == v || (size_t)(eq - v) >= sizeof key)
        return SB_FAIL(run, SB_EINVAL, "--param: '%s' is not KEY=VALUE", v);
    snprintf(key, sizeof key, "%.*s", (int)(eq - v), v);
    return params_set(run, &o->base, key, eq + 1, "--param");
}

/* One option that takes a value v. */
static int parse_valued(run_ctx *run, const char *a, const char *v, cv_opts *o)
{
    if (!strcmp(a, "--data")) {
        if (o->n_data == CV_MAX_DATA) return SB_FAIL(run, SB_EINVAL, "--data: at most %d inputs", CV_MAX_DATA);
        o->data[o->n_data++] = v;
    } else if (!strcmp(a, "--layout")) o->layout = v;
    else if (!strcmp(a, "--schema")) o->schema = v;
    else if (!strcmp(a, "--grid")) o->grid = v;
    else if (!strcmp(a, "--metric")) o->metric = v;
    else if (!strcmp(a, "--refit")) o->refit = v;
    else if (!strcmp(a, "--register")) {
        SB_TRY(run, train_register_check(run, v));
        o->registry = v;
    } else if (!strcmp(a, "--out")) o->out = v;
    else if (!strcmp(a, "--folds")) return parse_int_opt(run, a, v, 2, SB_FOLD_MAX, &o->folds);
    else if (!strcmp(a, "--groups")) return parse_int_opt(run, a, v, 1, CV_MAX_GROUPS, &o->groups);
    else if (!strcmp(a, "--early-stopping-rounds")) return parse_int_opt(run, a, v, 0, CV_MAX_ES_ROUNDS, &o->es_rounds);
    else if (!strcmp(a, "--seed")) return parse_seed(run, v, &o->seed);
    else if (!strcmp(a, "--slice")) return parse_slice(run, a, v, o);
    else if (!strcmp(a, "--param")) return parse_param(run, v, o);
    else return SB_FAIL(run, SB_EINVAL, "unknown option '%s' (see cv --help)", a);
    return SB_OK;
}

/* Options that exclude each other or need another. */
static int check_opts(run_ctx *run, cv_opts *o)
{
    if (o->n_data == 0 || o->grid == NULL) return SB_FAIL(run, SB_EINVAL, "cv needs --data and --grid (see cv --help)");
    if (o->groups > run_size(run))
        return SB_FAIL(run, SB_EINVAL, "--groups %d: more groups than the %d ranks", (int)o->groups, run_size(run));
    if (o->registry && !o->refit) return SB_FAIL(run, SB_EINVAL, "--register stores the --refit model: give --refit too");
    if (o->refit && o->slice_n > 1)
        return SB_FAIL(run, SB_EINVAL, "--refit with --slice would refit a slice's best; merge the slices, then train");
    if (o->resume && o->overwrite) return SB_FAIL(run, SB_EINVAL, "--resume and --overwrite exclude each other");
    if (o->es_rounds > 0) o->base.early_stopping_rounds = o->es_rounds;
    return SB_OK;
}

static int parse_opts(run_ctx *run, int argc, char **argv, cv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->folds = 5;
    o->groups = 1;
    o->out = "cv-out";
    o->slice_n = 1;
    params_default(&o->base);
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            return SB_OK;
        }
        if (!strcmp(a, "--merge-leaderboards")) {
            o->merge_at = i;
            return SB_OK;
        }
        if (!strcmp(a, "--resume")) o->resume = 1;
        else if (!strcmp(a, "--overwrite")) o->overwrite = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
        else if (a[0] != '-' && strchr(a, '=') && a[0] != '=') SB_TRY(run, parse_param(run, a, o)); /* bare key=value */
        else if (v == NULL) return SB_FAIL(run, SB_EINVAL, "unknown option or missing value: '%s' (see cv --help)", a);
        else {
            ++i;
            SB_TRY(run, parse_valued(run, a, v, o));
        }
    }
    return check_opts(run, o);
}

/* Rank 0's part of --merge-leaderboards. Local. */
static int merge_boards(run_ctx *run, int argc, char **argv, int at)
{
    if (at + 2 >= argc) return SB_FAIL(run, SB_EINVAL, "--merge-leaderboards OUT.csv IN1.csv [IN2.csv ...]");
    if (run_rank(run) != 0) return SB_OK;
    SB_TRY(run, leaderboard_merge(run, argv[at + 1], argv + at + 2, argc - at - 2));
    sb_info(run, "cv: merged %d leaderboards into %s\n", argc - at - 2, argv[at + 1]);
    return SB_OK;
}

static int merge_main(run_ctx *run, int argc, char **argv, int at)
{
    return run_agree_rc(run, merge_boards(run, argc, argv, at));
}

/* The metric every point is scored with: --metric, else the points' own
 * eval_metric, which must then agree. */
static int choose_metric(run_ctx *run, const cv_opts *o, const sb_grid *grid, sb_metric_kind *out)
{
    if (o->metric) {
        if (metric_parse(o->metric, out) != 0)
            return SB_FAIL(run, SB_EINVAL, "--metric: unknown metric '%s' (rmse, mse, mae, logloss, poisson-nloglik)", o->metric);
        return SB_OK;
    }
    *out = grid->points[0].params.eval_metric;
    for (int64_t p = 1; p < grid->n_points; ++p)
        if (grid->points[p].params.eval_metric != *out)
            return SB_FAIL(run, SB_EINVAL,
                           "%s: points %lld and 0 use different metrics (%s, %s); pick one with --metric", o->grid,
                           (long long)p, metric_name(grid->points[p].params.eval_metric), metric_name(*out));
    return SB_OK;
}

/* The parameters a fold trains with: the point's, early stopping watching the cv metric. */
static sb_params fold_params(const grid_point *pt, sb_metric_kind metric)
{
    sb_params p = pt->params;
    if (!p.eval_metric_set) {
        p.eval_metric = metric;
        p.eval_metric_set = 1;
    }
    if (p.categorical_feature && !p.enable_categorical_set) { /* as train: native splits for those columns */
        p.enable_categorical = 1;
        p.enable_categorical_set = 1;
    }
    return p;
}

/* FNV-1a: keys that tie a journal line to a grid point, the data and the folds. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *s = data;
    for (size_t i = 0; i < n; ++i) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}
static void fnv_param(void *ctx, const char *key, const char *value)
{
    uint64_t *h = ctx;
    *h = fnv(*h, key, strlen(key) + 1);
    *h = fnv(*h, value, strlen(value) + 1);
}

/* Exact, rank-count invariant digest of the data (size, names, label and weight sums). Collective over grp. */
static int data_key(run_ctx *grp, const sb_table *t, const cv_opts *o, sb_metric_kind metric, uint64_t *out)
{
    sb_xsum s[2];
    xsum_zero(&s[0]);
    xsum_zero(&s[1]);
    for (int64_t i = 0; i < t->n_rows; ++i) {
        xsum_add(&s[0], t->label[i]);
        xsum_add(&s[1], t->weight ? t->weight[i] : 1.0);
    }
    xsum_normalize(&s[0]);
    xsum_normalize(&s[1]);
    SB_TRY(grp, run_agree_rc(grp, comm_sum_i64(grp, (int64_t *)s, 2 * (int64_t)(sizeof(sb_xsum) / sizeof(int64_t)))));
    xsum_normalize(&s[0]);
    xsum_normalize(&s[1]);
    double sums[2] = {xsum_value(&s[0]), xsum_value(&s[1])};
    uint64_t h = 0xcbf29ce484222325ULL;
    int64_t head[4] = {t->n_rows_global, t->n_feat, o->folds, (int64_t)metric};
    h = fnv(h, head, sizeof head);
    h = fnv(h, &o->seed, sizeof o->seed);
    h = fnv(h, sums, sizeof sums);
    for (int32_t f = 0; f < t->n_feat; ++f) h = fnv(h, t->feat[f].name, strlen(t->feat[f].name) + 1);
    *out = h;
    return SB_OK;
}

/* Binned data per distinct (max_bin, seed, enable_categorical): `train` bins with exactly these. */
typedef struct {
    int32_t max_bin;
    uint64_t seed;
    int native_cat; /* enable_categorical: one bin per level */
    sb_binned *b;
} bin_slot;

static int binned_for(run_ctx *grp, const sb_table *t, const sb_params *p, bin_slot *slots, int *n_slots,
                      const sb_binned **out)
{
    for (int i = 0; i < *n_slots; ++i)
        if (slots[i].max_bin == p->max_bin && slots[i].seed == p->seed &&
            slots[i].native_cat == p->enable_categorical) {
            *out = slots[i].b;
            return SB_OK;
        }
    if (*n_slots == CV_BIN_SLOTS) { /* many distinct seeds: keep memory bounded, drop the oldest */
        booster_binned_free(slots[0].b);
        memmove(slots, slots + 1, (CV_BIN_SLOTS - 1) * sizeof *slots);
        --*n_slots;
    }
    bin_slot *s = &slots[*n_slots];
    SB_TRY(grp, booster_bin_cat(grp, t, p->max_bin, p->seed, p->enable_categorical, &s->b));
    s->max_bin = p->max_bin;
    s->seed = p->seed;
    s->native_cat = p->enable_categorical;
    ++*n_slots;
    *out = s->b;
    return SB_OK;
}

/* ---- the search ---------------------------------------------------------- */

typedef struct {
    run_ctx *world, *grp;
    const cv_opts *o;
    const sb_grid *grid;
    sb_metric_kind metric;
    int group, n_groups;
    sb_table t;
    uint8_t *fold;
    uint64_t *keys;
    cv_results res;
    bin_slot slots[CV_BIN_SLOTS];
    int n_slots;
    char journal[PATH_MAX];
    int64_t *pending, n_pending; /* this slice's points not yet done, in point order */
    uint8_t *mine;               /* per point: this rank holds its fresh result */
    int64_t *order, n_done;      /* the ranked done points */
} cv_state;

static void cv_state_free(cv_state *st)
{
    free(st->pending);
    free(st->mine);
    free(st->order);
    for (int i = 0; i < st->n_slots; ++i) booster_binned_free(st->slots[i].b);
    cv_results_free(&st->res);
    free(st->keys);
    free(st->fold);
    table_free(&st->t);
    comm_free_child(st->grp);
}

static void fmt_eta(double s, char *buf, size_t len)
{
    if (!(s >= 0) || s > 1e7) snprintf(buf, len, "?");
    else if (s >= 3600) snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

/* The progress line of point p, the group's done-th of mine. */
static void log_point(const cv_state *st, int64_t p, int64_t done, int64_t mine, double elapsed)
{
    double mean = 0, sd = 0;
    char eta[32];
    int64_t all = done * st->n_groups < st->n_pending ? done * st->n_groups : st->n_pending;
    cv_stats(st->res.metric + p * st->o->folds, st->o->folds, &mean, &sd);
    fmt_eta(elapsed / (double)done * (double)(mine - done), eta, sizeof eta);
    sb_info(st->grp, "cv: [group %d/%d] point %lld: %s %.6g +- %.3g (%.1f s) | group %lld/%lld, all ~%lld/%lld, ETA %s\n",
            st->group, st->n_groups, (long long)p, metric_name(st->metric), mean, sd, st->res.seconds[p],
            (long long)done, (long long)mine, (long long)all, (long long)st->n_pending, eta);
}

/* Fit and score point p's k folds, then journal it. Collective over the group. */
static int eval_point(cv_state *st, int64_t p)
{
    sb_params prm = fold_params(&st->grid->points[p], st->metric);
    const sb_binned *b = NULL;
    double t1 = run_wtime();
    SB_TRY(st->grp, binned_for(st->grp, &st->t, &prm, st->slots, &st->n_slots, &b));
    SB_TRY(st->grp, cv_eval_point(st->grp, b, &st->t, st->fold, st->o->folds, &prm, st->metric,
                                  st->res.metric + p * st->o->folds, st->res.rounds + p * st->o->folds));
    st->res.seconds[p] = run_wtime() - t1;
    st->res.done[p] = 1;
    int rc = SB_OK;
    if (run_rank(st->grp) == 0) rc = cv_journal_append(st->grp, st->journal, &st->res, p, st->keys[p]);
    SB_TRY(st->grp, run_agree_rc(st->grp, rc));
    return SB_OK;
}

/* This group's share of the pending points. Collective over the group. */
static int run_group_points(cv_state *st)
{
    int64_t mine = 0, done = 0;
    for (int64_t j = st->group; j < st->n_pending; j += st->n_groups) ++mine;
    double t0 = run_wtime();
    for (int64_t j = st->group; j < st->n_pending; j += st->n_groups) {
        int stop = run_stop_requested();
        SB_TRY(st->grp, comm_agree_max(st->grp, &stop));
        if (stop)
            return SB_FAIL(st->grp, SB_EINTR,
                           "cv: stopped on request; %lld of this group's points are in %s (rerun with --resume)",
                           (long long)done, st->journal);
        SB_TRY(st->grp, eval_point(st, st->pending[j]));
        ++done;
        if (!st->o->quiet) log_point(st, st->pending[j], done, mine, run_wtime() - t0);
    }
    return SB_OK;
}

/* An error recorded in the group's context, copied into the world's so that
 * run_agree_rc over the world carries its message (without the frames). */
static int lift_error(run_ctx *world, run_ctx *grp, int rc)
{
    if (rc == SB_OK || grp == NULL) return rc;
    const char *m = err_message(grp), *at = strstr(m, " (at ");
    return err_set(world, rc, __FILE__, __LINE__, "%.*s", at ? (int)(at - m) : (int)strlen(m), m);
}

/* dir/name into buf; SB_EINVAL when it does not fit. Local. */
static int out_path(run_ctx *run, const char *dir, const char *name, char *buf, size_t len)
{
    int w = snprintf(buf, len, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= len) return SB_FAIL(run, SB_EINVAL, "--out %s: the path is too long", dir);
    return SB_OK;
}

/* mkdir -p o->out. Local. */
static int make_out_dir(run_ctx *run, const char *out)
{
    char dir[PATH_MAX];
    int w = snprintf(dir, sizeof dir, "%s", out);
    if (w < 0 || (size_t)w >= sizeof dir) return SB_FAIL(run, SB_EINVAL, "--out %s: the path is too long", out);
    for (char *s = dir + 1;; ++s) {
        int end = *s == '\0';
        if (*s != '/' && !end) continue;
        *s = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return SB_FAIL(run, SB_EIO, "--out %s: cannot create %s: %s", out, dir, strerror(errno));
        if (end) break;
        *s = '/';
    }
    return SB_OK;
}

/* Out dir ready; journals of an earlier run need --resume or --overwrite. Rank 0. */
static int prepare_out(run_ctx *run, const cv_opts *o)
{
    SB_TRY(run, make_out_dir(run, o->out));
    int n = cv_journal_count(o->out);
    if (n > 0 && !o->resume && !o->overwrite)
        return SB_FAIL(run, SB_EINVAL, "--out %s holds %d journal file(s) of an earlier run: add --resume to continue "
                       "it or --overwrite to start over", o->out, n);
    if (n > 0 && o->overwrite) cv_journal_remove_all(run, o->out);
    return SB_OK;
}

/* Folds of the local rows; every fold must get rows. Collective over the world. */
static int setup_folds(cv_state *st)
{
    run_ctx *run = st->world;
    const cv_opts *o = st->o;
    int64_t count[SB_FOLD_MAX] = {0};
    st->fold = sb_alloc(run, (size_t)st->t.n_rows + 1, 1);
    SB_TRY(run, run_agree_rc(run, st->fold ? SB_OK : SB_ENOMEM));
    fold_assign(o->seed, st->t.row_start, st->t.n_rows, o->folds, st->fold);
    fold_count(st->fold, st->t.n_rows, o->folds, count);
    SB_TRY(run, run_agree_rc(run, lift_error(run, st->grp, comm_sum_i64(st->grp, count, o->folds))));
    for (int32_t f = 0; f < o->folds; ++f)
        if (count[f] == 0)
            return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "--folds %d: fold %d gets none of the %lld rows",
                                             (int)o->folds, (int)f, (long long)st->t.n_rows_global));
    return SB_OK;
}

/* The journal key of every grid point. Collective over the world. */
static int setup_keys(cv_state *st)
{
    run_ctx *run = st->world;
    uint64_t dk = 0;
    SB_TRY(run, run_agree_rc(run, lift_error(run, st->grp, data_key(st->grp, &st->t, st->o, st->metric, &dk))));
    st->keys = sb_alloc(run, (size_t)st->grid->n_points, sizeof *st->keys);
    SB_TRY(run, run_agree_rc(run, st->keys ? SB_OK : SB_ENOMEM));
    for (int64_t p = 0; p < st->grid->n_points; ++p) {
        sb_params prm = fold_params(&st->grid->points[p], st->metric);
        st->keys[p] = dk;
        params_each(&prm, fnv_param, &st->keys[p]);
    }
    return SB_OK;
}

/* categorical_feature (io/cat_feature.h) changes the table every point
 * shares: one text for the whole grid, applied once after loading.
 * Collective over the world. */
static int apply_cat_feature(cv_state *st)
{
    const char *text = st->grid->n_points > 0 ? st->grid->points[0].params.categorical_feature : NULL;
    for (int64_t p = 1; p < st->grid->n_points; ++p) {
        const char *q = st->grid->points[p].params.categorical_feature;
        if (strcmp(text ? text : "", q ? q : "") != 0)
            return run_agree_rc(st->world, SB_FAIL(st->world, SB_EINVAL,
                                                   "cv: parameter 'categorical_feature' must be the same at every grid "
                                                   "point (it changes the data)"));
    }
    if (!text) return SB_OK;
    int32_t n = 0;
    return run_agree_rc(st->world, lift_error(st->world, st->grp, cat_feature_apply(st->grp, text, &st->t, &n)));
}

/* Group split, data, folds, keys, results. Collective over the world. */
static int setup_groups(cv_state *st)
{
    run_ctx *run = st->world;
    const cv_opts *o = st->o;
    st->n_groups = o->groups;
    st->group = (int)((int64_t)run_rank(run) * o->groups / run_size(run)); /* contiguous blocks */
    SB_TRY(run, run_agree_rc(run, comm_split(run, st->group, run_rank(run), &st->grp)));
    sb_source src = {.paths = o->data, .n_paths = o->n_data, .layout = o->layout, .schema = o->schema,
                     .require_label = 1};
    SB_TRY(run, run_agree_rc(run, lift_error(run, st->grp, source_load(st->grp, &src, &st->t))));
    if (st->t.label == NULL)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "%s: the data has no label column", o->data[0]));
    SB_TRY(run, apply_cat_feature(st));
    SB_TRY(run, setup_folds(st));
    SB_TRY(run, setup_keys(st));
    SB_TRY(run, run_agree_rc(run, cv_journal_path(run, o->out, run_world_rank(run), st->journal, sizeof st->journal)));
    SB_TRY(run, run_agree_rc(run, cv_results_init(run, &st->res, st->grid->n_points, o->folds)));
    st->res.higher_better = metric_higher_is_better(st->metric);
    return SB_OK;
}

/* Every rank gets the records of the points in `which` (done on some rank). Collective. */
static int share_records(run_ctx *run, cv_results *r, const uint8_t *which, int root_only)
{
    int rc = SB_OK;
    int64_t len = cv_record_len(r->k), n = 0, bytes = 0;
    int contribute = !root_only || run_rank(run) == 0;
    void *all = NULL;
    for (int64_t p = 0; contribute && p < r->n; ++p) n += which[p] != 0;
    double *mine = sb_alloc(run, (size_t)(n * len) + 1, sizeof *mine);
    SB_CHECK(run, run_agree_rc(run, mine ? SB_OK : SB_ENOMEM));
    for (int64_t p = 0, i = 0; contribute && p < r->n; ++p)
        if (which[p]) cv_record_pack(r, p, mine + len * i++);
    int64_t my_bytes = n * len * (int64_t)sizeof(double);
    SB_CHECK(run, run_agree_rc(run, comm_allgatherv_bytes(run, mine, my_bytes, &all, &bytes, NULL)));
    int64_t m = bytes / (int64_t)sizeof(double) / len;
    for (int64_t i = 0; i < m; ++i) cv_record_unpack(r, (const double *)all + len * i);
out:
    free(mine);
    free(all);
    return rc;
}

/* Resume: rank 0 reads the journals, every rank learns what is done. Collective. */
static int resume_points(cv_state *st)
{
    run_ctx *run = st->world;
    int64_t reused = 0, stale = 0;
    int rc = SB_OK;
    if (run_rank(run) == 0) rc = cv_journal_read(run, st->o->out, st->keys, &st->res, &reused, &stale);
    SB_TRY(run, run_agree_rc(run, rc));
    SB_TRY(run, share_records(run, &st->res, st->res.done, 1));
    sb_info(run, "cv: --resume: %lld finished points taken from %s/journal-*.csv (%lld other lines ignored)\n",
            (long long)reused, st->o->out, (long long)stale);
    return SB_OK;
}

/* The slice's points not yet done go to the groups; their results to everyone. Collective. */
static int search_pending(cv_state *st, int64_t n_sel)
{
    run_ctx *run = st->world;
    const cv_opts *o = st->o;
    int64_t n_points = st->grid->n_points;
    st->pending = sb_alloc(run, (size_t)n_sel + 1, sizeof *st->pending);
    st->mine = sb_alloc(run, (size_t)n_points + 1, 1);
    st->order = sb_alloc(run, (size_t)n_points + 1, sizeof *st->order);
    SB_TRY(run, run_agree_rc(run, st->pending && st->mine && st->order ? SB_OK : SB_ENOMEM));
    for (int64_t p = o->slice_i; p < n_points; p += o->slice_n)
        if (!st->res.done[p]) st->pending[st->n_pending++] = p;
    for (int64_t p = 0; p < n_points; ++p) /* only this slice counts */
        if ((p % o->slice_n) != o->slice_i) st->res.done[p] = 0;
    SB_TRY(run, run_agree_rc(run, lift_error(run, st->grp, run_group_points(st))));
    for (int64_t j = 0; j < st->n_pending; ++j)
        st->mine[st->pending[j]] = (uint8_t)(j % st->n_groups == st->group && run_rank(st->grp) == 0);
    return share_records(run, &st->res, st->mine, 0);
}

/* The parameters a refit trains with: the best point's, n_estimators its best round with early stopping. */
static sb_params refit_params(const cv_state *st)
{
    int64_t best = st->order[0];
    sb_params prm = fold_params(&st->grid->points[best], st->metric);
    if (prm.early_stopping_rounds > 0) {
        prm.n_rounds = cv_best_round(st->res.rounds + best * st->o->folds, st->o->folds);
        prm.early_stopping_rounds = 0;
    }
    return prm;
}

/* leaderboard.csv and summary.json (rank 0). Local. */
static int write_outputs(cv_state *st, const sb_params *refit_prm)
{
    run_ctx *run = st->world;
    const cv_opts *o = st->o;
    cv_summary_info info = {.grid_path = o->grid, .metric = metric_name(st->metric), .refit_model = o->refit,
                            .folds = o->folds, .groups = o->groups, .ranks = run_size(run),
                            .early_stopping_rounds = o->base.early_stopping_rounds, .slice_i = o->slice_i,
                            .slice_n = o->slice_n, .seed = o->seed, .rows = st->t.n_rows_global,
                            .refit_params = o->refit ? refit_prm : NULL};
    char path[PATH_MAX];
    SB_TRY(run, out_path(run, o->out, "leaderboard.csv", path, sizeof path));
    SB_TRY(run, cv_board_write(run, path, st->grid, &st->res, st->order, st->n_done, metric_name(st->metric)));
    SB_TRY(run, out_path(run, o->out, "summary.json", path, sizeof path));
    SB_TRY(run, cv_summary_write(run, path, &info, st->grid, &st->res, st->order, st->n_done));
    return SB_OK;
}

static void log_best(const cv_state *st, const sb_params *refit_prm)
{
    const cv_opts *o = st->o;
    int64_t best = st->order[0];
    double mean = 0, sd = 0;
    cv_stats(st->res.metric + best * o->folds, o->folds, &mean, &sd);
    char args[CV_TRAIN_ARGS_MAX];
    cv_train_args(refit_prm, args, sizeof args);
    sb_info(st->world, "cv: best point %lld: %s %.17g +- %.3g, best_round %d; train args: %s\n", (long long)best,
            metric_name(st->metric), mean, sd, (int)cv_best_round(st->res.rounds + best * o->folds, o->folds), args);
    sb_info(st->world, "cv: wrote %s/leaderboard.csv (%lld points) and %s/summary.json\n", o->out,
            (long long)st->n_done, o->out);
}

/* Group 0's part of the refit: train on all rows, write the model. Collective over the group. */
static int refit_group(cv_state *st, const sb_params *prm)
{
    int rc = SB_OK;
    const sb_binned *b = NULL;
    sb_model model = {0};
    train_report rep = {0};
    drift_range range = {0, NULL, NULL}; /* the training reference, as train stores it */
    booster_opts opts = {.progress = !st->o->quiet};
    SB_CHECK(st->grp, binned_for(st->grp, &st->t, prm, st->slots, &st->n_slots, &b));
    SB_CHECK(st->grp, booster_train_binned(st->grp, b, &st->t, NULL, prm, NULL, &opts, &model, &rep));
    SB_CHECK(st->grp, drift_range_compute(st->grp, &st->t, &range));
    SB_CHECK(st->grp, drift_reference_build(st->grp, b, &st->t, &range, &model));
    SB_CHECK(st->grp, model_write(st->grp, &model, st->o->refit));
out:
    drift_range_free(&range);
    model_free(&model);
    return rc;
}

/* Train the best point on all rows in group 0 and write the model. Collective over the world. */
static int refit(cv_state *st, const sb_params *prm)
{
    int rc = st->group == 0 ? refit_group(st, prm) : SB_OK;
    SB_TRY(st->world, run_agree_rc(st->world, lift_error(st->world, st->grp, rc)));
    sb_info(st->world, "cv: refit model (n_estimators %d) -> %s\n", (int)prm->n_rounds, st->o->refit);
    return SB_OK;
}

/* The plan in one line; the number of points in this slice into *n_sel. Collective. */
static int announce(run_ctx *run, const cv_opts *o, const sb_grid *grid, sb_metric_kind metric, int64_t *n_sel)
{
    int64_t trees = 0;
    *n_sel = 0;
    for (int64_t p = o->slice_i; p < grid->n_points; p += o->slice_n) {
        ++*n_sel;
        trees += grid->points[p].params.n_rounds;
    }
    trees *= o->folds;
    sb_info(run, "cv: grid %s: %lld points (%s)%s%s, %d folds, metric %s -> up to %lld trees to fit%s; %d group(s) over %d ranks\n",
            o->grid, (long long)grid->n_points, grid->shape, o->slice_n > 1 ? ", this slice " : "",
            o->slice_n > 1 ? "takes p mod n == i" : "", (int)o->folds, metric_name(metric), (long long)trees,
            o->refit ? " (+ refit)" : "", (int)o->groups, run_size(run));
    if (*n_sel == 0)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "--slice %d/%d: no grid points in this slice", o->slice_i,
                                         o->slice_n));
    return SB_OK;
}

/* Rank, write, report, refit: everything after the points are evaluated. Collective. */
static int finish(cv_state *st)
{
    run_ctx *run = st->world;
    SB_TRY(run, run_agree_rc(run, cv_rank(run, &st->res, st->order, &st->n_done)));
    sb_params refit_prm = refit_params(st);
    SB_TRY(run, run_agree_rc(run, run_rank(run) == 0 ? write_outputs(st, &refit_prm) : SB_OK));
    log_best(st, &refit_prm);
    if (st->o->refit) SB_TRY(run, refit(st, &refit_prm));
    if (st->o->registry)
        SB_TRY(run, train_register(run, st->o->registry, st->o->refit, st->o->data, st->o->n_data, NULL));
    return SB_OK;
}

static int cv_search(run_ctx *run, const cv_opts *o, const sb_grid *grid)
{
    cv_state st = {.world = run, .o = o, .grid = grid};
    int64_t n_sel = 0;
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, choose_metric(run, o, grid, &st.metric)));
    SB_CHECK(run, announce(run, o, grid, st.metric, &n_sel));
    SB_CHECK(run, run_agree_rc(run, run_rank(run) == 0 ? prepare_out(run, o) : SB_OK));
    SB_CHECK(run, setup_groups(&st));
    if (o->resume) SB_CHECK(run, resume_points(&st));
    SB_CHECK(run, search_pending(&st, n_sel));
    SB_CHECK(run, finish(&st));
out:
    cv_state_free(&st);
    return rc;
}

int cv_main(run_ctx *run, int argc, char **argv)
{
    cv_opts o;
    SB_TRY(run, run_agree_rc(run, parse_opts(run, argc, argv, &o)));
    if (o.help) {
        if (run_rank(run) == 0) usage();
        return SB_OK;
    }
    if (o.merge_at) return merge_main(run, argc, argv, o.merge_at);
    sb_grid grid;
    SB_TRY(run, run_agree_rc(run, grid_load(run, o.grid, &o.base, &grid)));
    int rc = cv_search(run, &o, &grid);
    grid_free(&grid);
    return rc;
}
