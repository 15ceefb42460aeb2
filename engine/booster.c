/* booster.c - the boosting loop: gradients, fixed-point scale, one tree per
 * round, margin updates, exact metrics, early stopping, checkpoints. */
#include "engine/booster.h"

#include <math.h>   /* for fabs, NAN, isnan */
#include <stdio.h>  /* for printf, snprintf */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset, strcmp */
#include <unistd.h> /* for isatty, getppid, readlink */

#include "engine/booster_internal.h"
#include "kernels/binning.h"
#include "kernels/hist.h"
#include "kernels/metric.h"
#include "kernels/objective.h"
#include "kernels/partition.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/timer.h"
#include "base/stop.h"
#include "mpi/run.h"

typedef struct {
    run_ctx *run;
    const sb_binned *b;
    const sb_table *t, *v;
    const sb_params *p;
    const uint8_t *mask; /* row_mask or NULL */
    uint8_t *held;       /* !mask: the held-out rows evaluated as validation */
    const booster_opts *o;
    double mds;          /* effective max_delta_step */
    double *margin, *pred;   /* train rows */
    double *vmargin, *vpred; /* valid rows */
    uint8_t *vbins;      /* valid rows' bins (row-major), NULL: walk the floats */
    float *gh;
    int64_t *ghf;
    uint8_t *in_tree;    /* local row sampled into this round's tree */
    uint8_t *fmask;      /* features of this tree */
    tree_grower g;
    train_record rec;
    double base_score, base_margin, sum_weight;
    uint64_t fingerprint;
    int32_t best_iter;
    double best_valid;
    int has_valid;
    double t_grad, t_tree, t_update, t_metric; /* phase seconds (--verbose) */
} trainer;

/* Exact global metric of rows (mask as metric_accumulate). Collective. */
static int global_metric(trainer *T, const double *label, const double *weight, const double *pred,
                         const uint8_t *mask, int64_t n, double *out)
{
    sb_metric_part part;
    metric_part_zero(&part);
    metric_accumulate(T->p->eval_metric, label, weight, T->p->weighted_metric, pred, mask, n, &part);
    metric_part_normalize(&part);
    SB_TRY(T->run, comm_sum_i64(T->run, (int64_t *)&part, SB_METRIC_PART_I64));
    *out = metric_value(T->p->eval_metric, &part);
    return SB_OK;
}

/* Weighted median of the training labels (reg:absoluteerror's base score). Collective. */
static int median_label(trainer *T, double *out)
{
    const sb_table *t = T->t;
    double mx = 0;
    for (int64_t i = 0; i < t->n_rows; ++i) {
        double w = t->weight ? t->weight[i] : 1.0;
        if ((!T->mask || T->mask[i]) && w > mx) mx = w;
    }
    SB_TRY(T->run, comm_max_f64(T->run, &mx, 1));
    const int k = hist_fixed_scale(mx, t->n_rows_global);
    int64_t *w = sb_alloc(T->run, (size_t)t->n_rows + 1, sizeof *w);
    SB_TRY(T->run, run_agree_rc(T->run, w ? SB_OK : SB_ENOMEM));
    for (int64_t i = 0; i < t->n_rows; ++i)
        w[i] = (T->mask && !T->mask[i]) ? 0 : (int64_t)llrint(ldexp(t->weight ? t->weight[i] : 1.0, k));
    int64_t b = 0, e = t->n_rows;
    int rc = weighted_median_groups(T->run, 1, &b, &e, NULL, t->label, w, 1, out);
    free(w);
    return rc;
}

/* Labels valid for the objective, base score from the weighted mean (exact). Collective. */
static int setup_base(trainer *T)
{
    const sb_table *t = T->t;
    int64_t bad = -1;
    for (int64_t i = 0; i < t->n_rows && bad < 0; ++i)
        if ((!T->mask || T->mask[i]) && objective_first_bad_label(T->p->objective, &t->label[i], 1) == 0) bad = i;
    int rc = SB_OK;
    if (bad >= 0)
        rc = SB_FAIL(T->run, SB_EDATA, "training row %lld: label %.17g is not valid for %s%s", (long long)(t->row_start + bad + 1),
                     t->label[bad], objective_name(T->p->objective),
                     T->p->objective == SB_OBJ_LOGISTIC && t->label[bad] > 1.0
                         ? " (labels are rates in [0,1]; a rate above 1 comes from a numerator larger than its denominator, "
                           "e.g. more conversions than clicks: `shardboost ingest --cap-rate` caps such rates at 1)"
                         : "");
    for (int64_t i = 0; rc == SB_OK && t->weight && i < t->n_rows; ++i)
        if (!(t->weight[i] >= 0) || !isfinite(t->weight[i]))
            rc = SB_FAIL(T->run, SB_EDATA, "training row %lld: weight %.17g is not a finite non-negative number",
                         (long long)(t->row_start + i + 1), t->weight[i]);
    SB_TRY(T->run, run_agree_rc(T->run, rc));
    sb_xsum s[2]; /* sum w*y, sum w */
    xsum_zero(&s[0]);
    xsum_zero(&s[1]);
    for (int64_t i = 0; i < t->n_rows; ++i) {
        if (T->mask && !T->mask[i]) continue;
        double w = t->weight ? t->weight[i] : 1.0;
        xsum_add(&s[0], w * t->label[i]);
        xsum_add(&s[1], w);
    }
    xsum_normalize(&s[0]);
    xsum_normalize(&s[1]);
    SB_TRY(T->run, comm_sum_i64(T->run, (int64_t *)s, (int64_t)(2 * sizeof(sb_xsum) / sizeof(int64_t))));
    T->sum_weight = xsum_value(&s[1]);
    if (!(T->sum_weight > 0)) return run_agree_rc(T->run, SB_FAIL(T->run, SB_EDATA, "training rows have zero total weight"));
    double base = T->p->base_score_set ? T->p->base_score : xsum_value(&s[0]) / T->sum_weight;
    if (!T->p->base_score_set && T->p->objective == SB_OBJ_ABSOLUTEERROR) SB_TRY(T->run, median_label(T, &base));
    if (!T->p->base_score_set && T->p->objective == SB_OBJ_LOGISTIC) base = base < 1e-6 ? 1e-6 : (base > 1 - 1e-6 ? 1 - 1e-6 : base);
    if (!T->p->base_score_set && T->p->objective == SB_OBJ_POISSON && base < 1e-6) base = 1e-6;
    T->base_score = base;
    T->base_margin = objective_margin_of(T->p->objective, base);
    return SB_OK;
}

/* Bin the validation rows with the training cuts: each round then walks a
 * quarter of the bytes (the same leaves as the float thresholds, so the same
 * margins bit for bit). Not when a feature without a missing bin has NaN
 * here (the bins cannot say "default direction"): floats then. Local. */
static int bin_valid(trainer *T)
{
    const sb_table *v = T->v;
    const sb_binned *b = T->b;
    const int64_t cells = v->n_rows * (int64_t)v->n_feat;
    for (int64_t k = 0; k < cells; ++k)
        if (isnan(v->x[k]) && !b->has_missing[k % v->n_feat]) return SB_OK;
    T->vbins = sb_alloc(T->run, (size_t)cells + 1, 1);
    if (!T->vbins) return SB_ENOMEM;
    bin_rows(v->x, v->n_rows, v->n_feat, b->cut_start, b->cuts, b->has_missing, T->vbins);
    return SB_OK;
}

static int alloc_all(trainer *T)
{
    run_ctx *run = T->run;
    int64_t n = T->t->n_rows, nv = T->v ? T->v->n_rows : 0;
    T->margin = sb_alloc(run, (size_t)n + 1, sizeof *T->margin);
    T->pred = sb_alloc(run, (size_t)n + 1, sizeof *T->pred);
    T->vmargin = sb_alloc(run, (size_t)nv + 1, sizeof *T->vmargin);
    T->vpred = sb_alloc(run, (size_t)nv + 1, sizeof *T->vpred);
    T->gh = sb_alloc(run, (size_t)n * 2 + 2, sizeof *T->gh);
    T->ghf = sb_alloc(run, (size_t)n * 2 + 2, sizeof *T->ghf);
    T->in_tree = sb_alloc(run, (size_t)n + 1, 1);
    T->fmask = sb_alloc(run, (size_t)T->b->n_feat + 1, 1);
    if (T->mask && (T->held = sb_alloc(run, (size_t)n + 1, 1)) != NULL)
        for (int64_t i = 0; i < n; ++i) T->held[i] = !T->mask[i];
    int rc = (T->mask && !T->held) ? SB_ENOMEM : SB_OK;
    if (rc == SB_OK) rc = (T->margin && T->pred && T->vmargin && T->vpred && T->gh && T->ghf && T->in_tree && T->fmask) ? SB_OK : SB_ENOMEM;
    if (rc == SB_OK) rc = grower_init(run, &T->g, T->b, T->p);
    if (rc == SB_OK && T->v) rc = bin_valid(T);
    return run_agree_rc(run, rc);
}

static void free_all(trainer *T)
{
    free(T->margin); free(T->pred); free(T->vmargin); free(T->vpred);
    free(T->gh); free(T->ghf); free(T->in_tree); free(T->fmask); free(T->held); free(T->vbins);
    grower_free(&T->g);
    record_free(&T->rec);
}

/* Features of tree `round`: the colsample_bytree fraction with the smallest hashes. */
static void pick_features(trainer *T, int32_t round)
{
    const int32_t nf = T->b->n_feat;
    if (T->p->colsample_bytree >= 1.0) { memset(T->fmask, 1, (size_t)nf); return; }
    int32_t k = (int32_t)(T->p->colsample_bytree * nf + 0.5);
    if (k < 1) k = 1;
    memset(T->fmask, 0, (size_t)nf);
    for (int32_t c = 0; c < k; ++c) { /* k smallest hashes, ties by index: O(k nf), nf is small */
        int32_t best = -1;
        uint64_t bh = 0;
        for (int32_t f = 0; f < nf; ++f) {
            if (T->fmask[f]) continue;
            uint64_t h = train_hash(T->b->seed ^ T->p->seed, STREAM_COLSAMPLE + ((uint64_t)round << 8), (uint64_t)f);
            if (best < 0 || h < bh) best = f, bh = h;
        }
        T->fmask[best] = 1;
    }
}

/* reg:absoluteerror: leaf = eta * weighted median of the residuals y - margin
 * of its rows (all ranks), as XGBoost refits L1 leaves. The hessians are the
 * fixed-point weights. Collective. */
static int refit_median(trainer *T, sb_node *nodes, const tree_leaf *leaves, int32_t nl)
{
    const sb_table *t = T->t;
    int64_t *b = sb_alloc(T->run, (size_t)nl + 1, sizeof *b), *e = sb_alloc(T->run, (size_t)nl + 1, sizeof *e);
    double *med = sb_alloc(T->run, (size_t)nl + 1, sizeof *med);
    int rc = (b && e && med) ? SB_OK : SB_ENOMEM;
    for (int64_t i = 0; rc == SB_OK && i < t->n_rows; ++i) T->pred[i] = t->label[i] - T->margin[i]; /* pred as scratch */
    for (int32_t l = 0; rc == SB_OK && l < nl; ++l) b[l] = leaves[l].begin, e[l] = leaves[l].end;
    rc = run_agree_rc(T->run, rc);
    if (rc == SB_OK) rc = weighted_median_groups(T->run, nl, b, e, T->g.rows, T->pred, T->ghf + 1, 2, med);
    for (int32_t l = 0; rc == SB_OK && l < nl; ++l) nodes[leaves[l].node].value = T->p->eta * med[l];
    free(b);
    free(e);
    free(med);
    return rc;
}

/* margin[r] += the leaf value of tree for local rows r = rows[0 .. m) (NULL:
 * rows 0 .. m-1), walking the column-major bins (node by node when the tree
 * is too deep for the complete walk). Local. */
static void add_tree_by_bins(const sb_binned *b, const sb_node *tree, const int32_t *rows, int64_t m, double *margin)
{
    if (partition_tree_add_cols(tree, b->bins_col, b->n_rows, rows, m, b->n_value, b->has_missing, margin) == 0) return;
    for (int64_t j = 0; j < m; ++j) {
        const int64_t r = rows ? rows[j] : j;
        margin[r] += tree[tree_leaf_by_bins(tree, r, b)].value;
    }
}

/* One boosting round. Collective. */
static int one_round(trainer *T, int32_t round, double *train_m, double *valid_m)
{
    run_ctx *run = T->run;
    const sb_table *t = T->t;
    const int64_t n = t->n_rows;
    tree_grower *g = &T->g;
    double c0 = run_wtime();
    objective_gradient(T->p->objective, t->label, t->weight, T->margin, n, T->mds, T->gh);
    /* Rows of this tree: the training rows (mask) kept by subsample, found in
     * branch-free passes; the rows left out get zero gradients, so the
     * largest |g| or |h| is taken over every row by one vectorized loop. */
    int64_t nt = 0;
    double mx[1] = {0.0};
    const int every_row = !T->mask && T->p->subsample >= 1.0;
    if (every_row) {
        for (int64_t i = 0; i < n; ++i) g->rows[i] = (int32_t)i;
        nt = n;
    } else {
        const uint64_t stream = STREAM_SUBSAMPLE + ((uint64_t)round << 8), cut = train_hash_cut(T->p->subsample);
        for (int64_t i = 0; i < n; ++i) {
            const uint64_t h = cut == UINT64_MAX ? 0 : train_hash(T->p->seed, stream, (uint64_t)(t->row_start + i));
            const int in = (!T->mask || T->mask[i]) && h >> 11 < cut;
            T->in_tree[i] = (uint8_t)in;
        }
        for (int64_t i = 0; i < n; ++i) {
            const uint32_t in = T->in_tree[i], keep = 0u - in;
            g->rows[nt] = (int32_t)i;
            nt += in;
            for (int u = 0; u < 2; ++u) { /* zeroed through the bits: a select, not a branch */
                uint32_t w;
                memcpy(&w, &T->gh[2 * i + u], sizeof w);
                w &= keep;
                memcpy(&T->gh[2 * i + u], &w, sizeof w);
            }
        }
    }
    float m[8] = {0}; /* eight chains: one max per cycle instead of one per max latency */
    int64_t i = 0;
    for (; i + 8 <= 2 * n; i += 8)
        for (int u = 0; u < 8; ++u) {
            const float a = fabsf(T->gh[i + u]);
            m[u] = a > m[u] ? a : m[u]; /* as below: a NaN never becomes the max */
        }
    for (; i < 2 * n; ++i) m[0] = fabsf(T->gh[i]) > m[0] ? fabsf(T->gh[i]) : m[0];
    for (int u = 0; u < 8; ++u) mx[0] = m[u] > mx[0] ? m[u] : mx[0];
    SB_TRY(run, comm_max_f64(run, mx, 1));
    if (!isfinite(mx[0])) return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "round %d: gradients overflowed (diverging model; lower eta or set max_delta_step)", round));
    const int k = hist_fixed_scale(mx[0], t->n_rows_global);
    int64_t GH[2] = {0, 0}; /* only the tree's rows are converted: nothing reads the others' */
    hist_to_fixed_rows(T->gh, g->rows, nt, k, T->ghf, GH);
    SB_TRY(run, comm_sum_i64(run, GH, 2));
    pick_features(T, round);
    double c1 = run_wtime();
    sb_node *nodes = NULL;
    tree_leaf *leaves = NULL;
    int32_t nn = 0, nl = 0;
    int rc = grow_tree(run, g, T->ghf, nt, k, GH[0], GH[1], T->fmask, &nodes, &nn, &leaves, &nl);
    SB_TRY(run, run_agree_rc(run, rc));
    if (T->p->objective == SB_OBJ_ABSOLUTEERROR) rc = refit_median(T, nodes, leaves, nl);
    if (rc != SB_OK) { free(nodes); free(leaves); return rc; }
    double c2 = run_wtime();
    /* Margins: rows in the tree by their leaf's range, the others by their bins. */
    for (int32_t l = 0; l < nl; ++l) { /* a leaf's rows ascend but are sparse: fetch ahead */
        const double v = nodes[leaves[l].node].value;
        const int64_t e = leaves[l].end;
        for (int64_t j = leaves[l].begin; j < e; ++j) {
            if (j + 16 < e) __builtin_prefetch(&T->margin[g->rows[j + 16]]);
            T->margin[g->rows[j]] += v;
        }
    }
    if (!every_row) { /* the rows left out of this tree walk it by their bins */
        int32_t *out = g->scratch; /* free until the next tree's partitions */
        int64_t m = 0;
        for (int64_t i = 0; i < n; ++i) {
            out[m] = (int32_t)i;
            m += !T->in_tree[i];
        }
        add_tree_by_bins(T->b, nodes, out, m, T->margin);
    }
    if (T->v && !(T->vbins && partition_tree_add(nodes, T->vbins, T->v->n_rows, T->v->n_feat, T->b->n_value,
                                                  T->b->has_missing, T->vmargin) == 0)) {
        int64_t one[2] = {0, nn};
        sb_forest f = {nodes, one, 1};
        tree_predict_add(&f, 0, 1, T->v->x, T->v->n_rows, T->v->n_feat, T->vmargin);
    }
    double c3 = run_wtime();
    /* Identity link (squared and absolute error): the margins are the predictions, no copy. */
    const int ident = T->p->objective == SB_OBJ_SQUAREDERROR || T->p->objective == SB_OBJ_ABSOLUTEERROR;
    const double *pred = ident ? T->margin : T->pred;
    if (!ident) objective_link(T->p->objective, T->margin, T->pred, n);
    rc = global_metric(T, t->label, t->weight, pred, T->mask, n, train_m);
    *valid_m = NAN;
    if (rc == SB_OK && T->v) {
        if (!ident) objective_link(T->p->objective, T->vmargin, T->vpred, T->v->n_rows);
        rc = global_metric(T, T->v->label, T->v->weight, ident ? T->vmargin : T->vpred, NULL, T->v->n_rows, valid_m);
    } else if (rc == SB_OK && T->mask)
        rc = global_metric(T, t->label, t->weight, pred, T->held, n, valid_m);
    if (rc == SB_OK) rc = record_add_tree(run, &T->rec, nodes, nn, *train_m, *valid_m);
    double c4 = run_wtime();
    T->t_grad += c1 - c0;
    T->t_tree += c2 - c1;
    T->t_update += c3 - c2;
    T->t_metric += c4 - c3;
    free(nodes);
    free(leaves);
    return run_agree_rc(run, rc);
}

/* Is the user looking at a terminal? Under mpirun a rank's stdout is a pty
 * whatever mpirun's own stdout is (a file, a pipe, a Slurm log), so the
 * launcher's stdout decides: /proc/<parent>/fd/1 must be a terminal too. */
static int stdout_is_terminal(void)
{
    if (!isatty(1)) return 0;
    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/%ld/fd/1", (long)getppid());
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) return 1; /* cannot tell: trust our own stdout */
    target[n] = '\0';
    return !strncmp(target, "/dev/pts/", 9) || !strncmp(target, "/dev/tty", 8);
}

/* Rank 0's progress line on stdout: redrawn on a terminal, one line every
 * `every` rounds otherwise (logs). */
static void progress(const trainer *T, int32_t round, int32_t total, double t_start, double train_m, double valid_m)
{
    if (!T->o || !T->o->progress || run_rank(T->run) != 0 || run_log_level(T->run) < SB_LOG_INFO) return;
    int tty = stdout_is_terminal();
    int32_t every = T->o->progress_every > 0 ? T->o->progress_every : (total >= 20 ? total / 10 : 1);
    int last = round + 1 == total;
    if (!tty && !last && (round + 1) % every != 0) return;
    double el = run_wtime() - t_start;
    double eta = round + 1 > 0 ? el / (round + 1) * (total - round - 1) : 0;
    const char *mn = metric_name(T->p->eval_metric);
    char vbuf[64] = "";
    if (T->has_valid) snprintf(vbuf, sizeof vbuf, "  valid-%s %.6g", mn, valid_m);
    printf("%s[%d/%d] train-%s %.6g%s  elapsed %.1fs  eta %.1fs%s", tty ? "\r" : "", round + 1, total, mn, train_m, vbuf,
           el, eta, tty ? (last ? "\n" : "   ") : "\n");
    fflush(stdout);
}

/* Write the model so far (all trees) to the checkpoint path. Collective. */
static int checkpoint(trainer *T)
{
    sb_model m;
    SB_TRY(T->run, run_agree_rc(T->run, model_assemble(T->run, &m, T->t, T->b, T->p, T->base_score, T->base_margin, &T->rec,
                                                        T->rec.n_trees, T->best_iter, T->fingerprint, T->sum_weight)));
    int rc = model_write(T->run, &m, T->o->checkpoint_path);
    model_free(&m);
    if (rc == SB_OK) sb_verbose(T->run, "checkpoint: %d rounds -> %s\n", T->rec.n_trees, T->o->checkpoint_path);
    return rc;
}

/* Early-stopping bookkeeping after a round; returns 1 to stop (same on all ranks:
 * the metric values are bit-identical everywhere, and the flag is agreed anyway). */
static int track_best(trainer *T, int32_t round, double valid_m, int *stop)
{
    if (T->has_valid && !isnan(valid_m) && (T->best_iter < 0 || valid_m < T->best_valid)) {
        T->best_valid = valid_m;
        T->best_iter = round;
    }
    if (!T->has_valid) T->best_iter = round;
    int s = T->has_valid && T->p->early_stopping_rounds > 0 && round - T->best_iter >= T->p->early_stopping_rounds;
    SB_TRY(T->run, comm_agree_max(T->run, &s));
    *stop = s;
    return SB_OK;
}

static void params_text_cb(void *ctx, const char *key, const char *value)
{
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 4096 - n, "%s=%s;", key, value);
}

/* Parameters equal as the model file records them. Local. */
static int params_same(const sb_params *a, const sb_params *b)
{
    char ta[4096] = "", tb[4096] = "";
    params_each(a, params_text_cb, ta);
    params_each(b, params_text_cb, tb);
    return strcmp(ta, tb) == 0;
}

/* Continue from a checkpoint: same data (fingerprint), same params; margins
 * recomputed from its trees with the prediction kernel (identical bits). Collective. */
static int resume_from(trainer *T, const sb_model *r)
{
    int rc = SB_OK;
    if (r->fingerprint != T->fingerprint || r->n_rows != T->t->n_rows_global)
        rc = SB_FAIL(T->run, SB_EINVAL, "--resume: the checkpoint was trained on different data (fingerprint %016llx, this data %016llx)",
                     (unsigned long long)r->fingerprint, (unsigned long long)T->fingerprint);
    else if (!params_same(&r->params, T->p) || r->base_margin != T->base_margin)
        rc = SB_FAIL(T->run, SB_EINVAL, "--resume: the checkpoint was trained with different parameters");
    else if ((r->valid_metric != NULL) != (T->has_valid != 0))
        rc = SB_FAIL(T->run, SB_EINVAL, "--resume: the checkpoint was trained %s a validation set", r->valid_metric ? "with" : "without");
    else if (r->n_trees != r->n_rounds_done)
        rc = SB_FAIL(T->run, SB_EINVAL, "--resume: the model is a final (truncated) model, not a checkpoint");
    SB_TRY(T->run, run_agree_rc(T->run, rc));
    sb_forest f = model_forest(r);
    for (int32_t tr = 0; tr < r->n_trees; ++tr) /* by bins: the training features may be freed already */
        add_tree_by_bins(T->b, r->nodes + r->tree_start[tr], NULL, T->b->n_rows, T->margin);
    if (T->v) tree_predict_add(&f, 0, r->n_trees, T->v->x, T->v->n_rows, T->v->n_feat, T->vmargin);
    for (int32_t i = 0; i < r->n_trees && rc == SB_OK; ++i) {
        rc = record_add_tree(T->run, &T->rec, r->nodes + r->tree_start[i], (int32_t)(r->tree_start[i + 1] - r->tree_start[i]),
                             r->train_metric[i], r->valid_metric ? r->valid_metric[i] : NAN);
        if (rc == SB_OK) {
            int stop = 0;
            rc = track_best(T, i, r->valid_metric ? r->valid_metric[i] : NAN, &stop);
        }
    }
    return run_agree_rc(T->run, rc);
}

static int check_valid_table(trainer *T)
{
    int rc = SB_OK;
    const sb_table *v = T->v;
    if (v && T->mask) rc = SB_FAIL(T->run, SB_EINVAL, "a row mask and a validation table cannot be combined");
    else if (v && v->n_feat != T->t->n_feat) rc = SB_FAIL(T->run, SB_EDATA, "validation data has %d features, training data %d", v->n_feat, T->t->n_feat);
    for (int32_t f = 0; rc == SB_OK && v && f < v->n_feat; ++f)
        if (strcmp(v->feat[f].name, T->t->feat[f].name) != 0)
            rc = SB_FAIL(T->run, SB_EDATA, "validation feature %d is '%s', training has '%s'", f + 1, v->feat[f].name, T->t->feat[f].name);
    if (rc == SB_OK && v && !v->label) rc = SB_FAIL(T->run, SB_EDATA, "validation data has no label");
    if (rc == SB_OK && !T->t->label) rc = SB_FAIL(T->run, SB_EDATA, "training data has no label");
    return run_agree_rc(T->run, rc);
}

int booster_train_binned(run_ctx *run, const sb_binned *b, const sb_table *train, const sb_table *valid,
                         const sb_params *params, const uint8_t *row_mask, const booster_opts *opts,
                         sb_model *out, train_report *rep)
{
    memset(out, 0, sizeof *out);
    if (params_validate(run, params, NULL) != SB_OK) return run_agree_rc(run, SB_EINVAL);
    if (b->n_rows != train->n_rows || b->max_bin != params->max_bin)
        return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "binned data does not match the table or max_bin"));
    trainer T;
    memset(&T, 0, sizeof T);
    T.run = run; T.b = b; T.t = train; T.v = valid; T.p = params; T.mask = row_mask; T.o = opts;
    T.mds = params_effective_max_delta_step(params);
    T.best_iter = -1;
    T.best_valid = NAN;
    T.has_valid = valid != NULL || row_mask != NULL;
    T.rec.has_valid = T.has_valid;
    double t0 = run_wtime();
    int rc = check_valid_table(&T);
    if (rc == SB_OK) rc = setup_base(&T);
    T.fingerprint = b->fingerprint;
    if (rc == SB_OK) rc = alloc_all(&T);
    if (rc == SB_OK) {
        for (int64_t i = 0; i < train->n_rows; ++i) T.margin[i] = T.base_margin;
        for (int64_t i = 0; valid && i < valid->n_rows; ++i) T.vmargin[i] = T.base_margin;
    }
    if (rc == SB_OK && opts && opts->resume) rc = resume_from(&T, opts->resume);
    int stopped = 0, interrupted = 0;
    double train_m = NAN, valid_m = NAN;
    for (int32_t r = T.rec.n_trees; rc == SB_OK && r < params->n_rounds; ++r) {
        rc = one_round(&T, r, &train_m, &valid_m);
        if (rc != SB_OK) break;
        progress(&T, r, params->n_rounds, t0, train_m, valid_m);
        if ((rc = track_best(&T, r, valid_m, &stopped)) != SB_OK || stopped) break;
        int stop = run_stop_requested();
        if ((rc = comm_agree_max(run, &stop)) != SB_OK) break;
        int due = opts && opts->checkpoint_path && opts->checkpoint_every > 0 && (r + 1) % opts->checkpoint_every == 0 &&
                  r + 1 < params->n_rounds;
        if ((due || stop) && opts && opts->checkpoint_path && (rc = checkpoint(&T)) != SB_OK) break;
        if (stop) { interrupted = 1; break; }
    }
    if (rc == SB_OK && interrupted)
        rc = run_agree_rc(run, SB_FAIL(run, SB_EINTR, "stopped by SIGTERM after round %d; checkpoint %s; rerun with --resume",
                                       T.rec.n_trees, opts && opts->checkpoint_path ? opts->checkpoint_path : "(none)"));
    if (rc == SB_OK) {
        int32_t keep = stopped ? T.best_iter + 1 : T.rec.n_trees; /* early stopping keeps the best model */
        int32_t best = T.best_iter >= 0 ? T.best_iter : T.rec.n_trees - 1;
        rc = run_agree_rc(run, model_assemble(run, out, train, b, params, T.base_score, T.base_margin, &T.rec, keep,
                                              best < 0 ? 0 : best, T.fingerprint, T.sum_weight));
    }
    sb_verbose(run, "boost phases: gradients+sampling %.2fs, trees %.2fs (partition %.2fs, histograms %.2fs, reduce+agree %.2fs, "
                    "splits %.2fs), margins+valid predictions %.2fs, metrics %.2fs\n",
               T.t_grad, T.t_tree, T.g.t_part, T.g.t_hist, T.g.t_reduce, T.g.t_split, T.t_update, T.t_metric);
    if (rep) {
        memset(rep, 0, sizeof *rep);
        rep->rounds_done = T.rec.n_trees;
        rep->best_iteration = T.best_iter;
        rep->best_valid = T.best_valid;
        rep->final_train = train_m;
        rep->stopped_early = stopped;
        rep->interrupted = interrupted;
        rep->seconds_train = run_wtime() - t0;
        rep->seconds_hist = T.g.t_hist;
        rep->seconds_reduce = T.g.t_reduce;
        rep->seconds_split = T.g.t_split;
    }
    free_all(&T);
    return rc;
}

int booster_train(run_ctx *run, const sb_table *train, const sb_table *valid, const sb_params *params,
                  const uint8_t *row_mask, sb_model *out, train_report *rep)
{
    sb_binned *b = NULL;
    double t0 = run_wtime();
    SB_TRY(run, booster_bin(run, train, params->max_bin, params->seed, &b));
    double t1 = run_wtime();
    int rc = booster_train_binned(run, b, train, valid, params, row_mask, NULL, out, rep);
    if (rep) rep->seconds_bin = t1 - t0;
    booster_binned_free(b);
    return rc;
}
