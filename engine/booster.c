/* booster.c - the boosting loop: gradients, fixed-point scale, one tree per
 * round, margin updates, exact metrics, early stopping. A round reads as its
 * phases: round_gradients -> round_tree -> round_margins -> round_metrics. */
#include "engine/booster.h"

#include <math.h>   /* for NAN, isnan, isfinite, ldexp, llrint */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset, strcmp */

#include "engine/booster_internal.h"
#include "engine/global_auc.h"
#include "engine/grow_constraints.h"
#include "kernels/binning.h"
#include "kernels/boost_step.h"
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

/* Base scores are kept this far inside the objective's domain: a logistic
 * base of exactly 0 or 1, or a Poisson base of 0, has an infinite margin. */
#define BASE_SCORE_EPS 1e-6

const char *const train_phase_names[N_TRAIN_PHASES] = {
    "gradients+sampling", "trees", "partition", "histograms", "reduce+agree", "splits",
    "margins+valid predictions", "metrics",
};

/* Exact global metric of rows (mask as metric_accumulate). Collective. */
static int global_metric(trainer *T, const double *label, const double *weight, const double *pred,
                         const uint8_t *mask, int64_t n, double *out)
{
    if (T->params->eval_metric == SB_METRIC_AUC) /* a ranking: gathered, not summed */
        return global_auc(T->run, label, weight, T->params->weighted_metric, pred, mask, n, out);
    sb_metric_part part;
    metric_part_zero(&part);
    metric_accumulate_param(T->params->eval_metric, params_metric_param(T->params), label, weight,
                            T->params->weighted_metric, pred, mask, n, &part);
    metric_part_normalize(&part);
    SB_TRY(T->run, comm_sum_i64(T->run, (int64_t *)&part, SB_METRIC_PART_I64));
    *out = metric_value(T->params->eval_metric, &part);
    return SB_OK;
}

static int trains(const trainer *T, int64_t i) { return !T->row_mask || T->row_mask[i]; }

static double row_weight(const sb_table *t, int64_t i) { return t->weight ? t->weight[i] : 1.0; }

/* Weighted median of the training labels (reg:absoluteerror's base score). Collective. */
static int median_label(trainer *T, double alpha, double *out)
{
    const sb_table *t = T->train;
    double mx = 0;
    for (int64_t i = 0; i < t->n_rows; ++i)
        if (trains(T, i) && row_weight(t, i) > mx) mx = row_weight(t, i);
    SB_TRY(T->run, comm_max_f64(T->run, &mx, 1));
    const int scale_exp = hist_fixed_scale(mx, t->n_rows_global);
    int64_t *w = sb_alloc(T->run, (size_t)t->n_rows + 1, sizeof *w);
    int rc = run_agree_rc(T->run, w ? SB_OK : SB_ENOMEM);
    if (rc != SB_OK) goto out; /* frees this rank's w when another rank's allocation failed */
    for (int64_t i = 0; i < t->n_rows; ++i)
        w[i] = trains(T, i) ? (int64_t)llrint(ldexp(row_weight(t, i), scale_exp)) : 0;
    const int64_t begin = 0, end = t->n_rows;
    rc = weighted_quantile_groups(T->run, alpha, 1, &begin, &end, NULL, t->label, w, 1, out);
out:
    free(w);
    return rc;
}

/* The first training row whose label or weight the objective cannot take,
 * reported; SB_OK when none. Local. */
static int check_labels(trainer *T)
{
    const sb_table *t = T->train;
    const sb_params *p = T->params;
    for (int64_t i = 0; i < t->n_rows; ++i)
        if (trains(T, i) && objective_first_bad_label(p->objective, &t->label[i], 1) == 0)
            return SB_FAIL(T->run, SB_EDATA, "training row %lld: label %.17g is not valid for %s%s",
                           (long long)(t->row_start + i + 1), t->label[i], objective_name(p->objective),
                           p->objective == SB_OBJ_LOGISTIC && t->label[i] > 1.0
                               ? " (labels are rates in [0,1]; a rate above 1 comes from a numerator larger than its "
                                 "denominator, e.g. more conversions than clicks: `shardboost ingest --cap-rate` caps "
                                 "such rates at 1)"
                               : p->objective == SB_OBJ_BINARY ? " (binary:logistic takes labels 0 and 1; rates in "
                                                                 "[0,1] train with reg:logistic)"
                                                               : "");
    for (int64_t i = 0; t->weight && i < t->n_rows; ++i)
        if (!(t->weight[i] >= 0) || !isfinite(t->weight[i]))
            return SB_FAIL(T->run, SB_EDATA, "training row %lld: weight %.17g is not a finite non-negative number",
                           (long long)(t->row_start + i + 1), t->weight[i]);
    return SB_OK;
}

/* Global sums of w * y and w over the training rows, exact. Collective. */
static int weighted_sums(trainer *T, double *sum_wy, double *sum_w)
{
    const sb_table *t = T->train;
    sb_xsum s[2]; /* sum w*y, sum w */
    xsum_zero(&s[0]);
    xsum_zero(&s[1]);
    for (int64_t i = 0; i < t->n_rows; ++i) {
        if (!trains(T, i)) continue;
        xsum_add(&s[0], row_weight(t, i) * t->label[i]);
        xsum_add(&s[1], row_weight(t, i));
    }
    xsum_normalize(&s[0]);
    xsum_normalize(&s[1]);
    SB_TRY(T->run, comm_sum_i64(T->run, (int64_t *)s, (int64_t)(2 * sizeof(sb_xsum) / sizeof(int64_t))));
    *sum_wy = xsum_value(&s[0]);
    *sum_w = xsum_value(&s[1]);
    return SB_OK;
}

/* Labels valid for the objective, base score from the weighted mean (exact). Collective. */
static int setup_base(trainer *T)
{
    const sb_params *p = T->params;
    SB_TRY(T->run, run_agree_rc(T->run, check_labels(T)));
    double sum_wy = 0;
    SB_TRY(T->run, weighted_sums(T, &sum_wy, &T->sum_weight));
    if (!(T->sum_weight > 0))
        return run_agree_rc(T->run, SB_FAIL(T->run, SB_EDATA, "training rows have zero total weight"));
    double base = p->base_score_set ? p->base_score : sum_wy / T->sum_weight;
    if (!p->base_score_set && p->objective == SB_OBJ_ABSOLUTEERROR) SB_TRY(T->run, median_label(T, 0.5, &base));
    if (!p->base_score_set && p->objective == SB_OBJ_QUANTILE)
        SB_TRY(T->run, median_label(T, p->quantile_alpha, &base));
    if (!p->base_score_set && (p->objective == SB_OBJ_LOGISTIC || p->objective == SB_OBJ_BINARY))
        base = base < BASE_SCORE_EPS ? BASE_SCORE_EPS : (base > 1 - BASE_SCORE_EPS ? 1 - BASE_SCORE_EPS : base);
    if (!p->base_score_set && (p->objective == SB_OBJ_POISSON || p->objective == SB_OBJ_TWEEDIE) &&
        base < BASE_SCORE_EPS)
        base = BASE_SCORE_EPS;
    T->base_score = base;
    T->base_margin = objective_margin_of(p->objective, base);
    return SB_OK;
}

/* Bin the validation rows with the training cuts: each round then walks a
 * quarter of the bytes (the same leaves as the float thresholds, so the same
 * margins bit for bit). Not when a feature without a missing bin has NaN
 * here (the bins cannot say "default direction"): floats then. Local. */
static int bin_valid(trainer *T)
{
    const sb_table *v = T->valid;
    const sb_binned *b = T->binned;
    const int64_t cells = v->n_rows * (int64_t)v->n_feat;
    for (int64_t c = 0; c < cells; ++c)
        if (isnan(v->x[c]) && !b->has_missing[c % v->n_feat]) return SB_OK;
    T->valid_bins = sb_alloc(T->run, (size_t)cells + 1, 1);
    if (!T->valid_bins) return SB_ENOMEM;
    bin_rows(v->x, v->n_rows, v->n_feat, b->cut_start, b->cuts, b->has_missing, T->valid_bins);
    return SB_OK;
}

/* Constraints and level/node samples, when any is set (grow_constraints.h). Local. */
static int set_constraints(trainer *T)
{
    grow_constraints c;
    int active = 0;
    SB_TRY(T->run, grow_constraints_resolve(T->run, T->params, T->train, T->binned->seed ^ T->params->seed, &c,
                                            &active));
    if (!active) return SB_OK;
    T->cons = sb_alloc(T->run, 1, sizeof *T->cons);
    if (!T->cons) {
        grow_constraints_free(&c);
        return SB_ENOMEM;
    }
    *T->cons = c;
    return grower_set_constraints(T->run, &T->grower, T->cons);
}

/* The buffers of a training (freed by free_all, also on failure). Local:
 * the caller agrees. */
static int alloc_all(trainer *T)
{
    run_ctx *run = T->run;
    const size_t n = (size_t)T->train->n_rows, nv = T->valid ? (size_t)T->valid->n_rows : 0;
    int rc = SB_OK;
    SB_ALLOC_OR_OUT(run, T->margin, n + 1, sizeof *T->margin);
    SB_ALLOC_OR_OUT(run, T->pred, n + 1, sizeof *T->pred);
    SB_ALLOC_OR_OUT(run, T->valid_margin, nv + 1, sizeof *T->valid_margin);
    SB_ALLOC_OR_OUT(run, T->valid_pred, nv + 1, sizeof *T->valid_pred);
    SB_ALLOC_OR_OUT(run, T->gh, n * 2 + 2, sizeof *T->gh);
    SB_ALLOC_OR_OUT(run, T->gh_fixed, n * 2 + 2, sizeof *T->gh_fixed);
    SB_ALLOC_OR_OUT(run, T->in_tree, n + 1, 1);
    SB_ALLOC_OR_OUT(run, T->feat_mask, (size_t)T->binned->n_feat + 1, 1);
    if (T->row_mask) {
        SB_ALLOC_OR_OUT(run, T->held_out, n + 1, 1);
        for (size_t i = 0; i < n; ++i) T->held_out[i] = !T->row_mask[i];
    }
    SB_CHECK(run, grower_init(run, &T->grower, T->binned, T->params, &T->timers));
    SB_CHECK(run, set_constraints(T));
    if (T->valid) SB_CHECK(run, bin_valid(T));
    for (size_t i = 0; i < n; ++i) T->margin[i] = T->base_margin;
    for (size_t i = 0; i < nv; ++i) T->valid_margin[i] = T->base_margin;
out:
    return rc;
}

static void free_all(trainer *T)
{
    free(T->margin);
    free(T->pred);
    free(T->valid_margin);
    free(T->valid_pred);
    free(T->gh);
    free(T->gh_fixed);
    free(T->in_tree);
    free(T->feat_mask);
    free(T->held_out);
    free(T->valid_bins);
    grower_free(&T->grower);
    if (T->cons) grow_constraints_free(T->cons);
    free(T->cons);
    record_free(&T->rec);
}

/* Features of tree `round`: the colsample_bytree fraction with the smallest hashes. */
static void pick_features(trainer *T, int32_t round)
{
    const int32_t nf = T->binned->n_feat;
    if (T->params->colsample_bytree >= 1.0) {
        memset(T->feat_mask, 1, (size_t)nf);
        return;
    }
    int32_t want = (int32_t)(T->params->colsample_bytree * nf + 0.5);
    if (want < 1) want = 1;
    memset(T->feat_mask, 0, (size_t)nf);
    const uint64_t seed = T->binned->seed ^ T->params->seed, stream = STREAM_COLSAMPLE + ((uint64_t)round << 8);
    for (int32_t c = 0; c < want; ++c) { /* want smallest hashes, ties by index: O(want nf), nf is small */
        int32_t best = -1;
        uint64_t best_hash = 0;
        for (int32_t f = 0; f < nf; ++f) {
            if (T->feat_mask[f]) continue;
            const uint64_t h = train_hash(seed, stream, (uint64_t)f);
            if (best < 0 || h < best_hash) {
                best = f;
                best_hash = h;
            }
        }
        T->feat_mask[best] = 1;
    }
}

/* Every local row is in every tree (no row mask, no subsampling). */
static int every_row_in_tree(const trainer *T) { return !T->row_mask && T->params->subsample >= 1.0; }

/* The rows of this round's tree into grower.rows (returns how many): the
 * training rows kept by subsample; the rows left out get zero gradients, so
 * the largest |g| or |h| is taken over every row by one vectorized loop. */
static int64_t sample_tree_rows(trainer *T, int32_t round)
{
    const sb_table *t = T->train;
    int32_t *rows = T->grower.rows;
    if (every_row_in_tree(T)) {
        for (int64_t i = 0; i < t->n_rows; ++i) rows[i] = (int32_t)i;
        return t->n_rows;
    }
    const uint64_t stream = STREAM_SUBSAMPLE + ((uint64_t)round << 8), cut = train_hash_cut(T->params->subsample);
    for (int64_t i = 0; i < t->n_rows; ++i) {
        const uint64_t h = cut == UINT64_MAX ? 0 : train_hash(T->params->seed, stream, (uint64_t)(t->row_start + i));
        T->in_tree[i] = (uint8_t)(trains(T, i) && train_hash_sampled(h, cut));
    }
    return boost_keep_sampled(T->in_tree, t->n_rows, rows, T->gh);
}

/* Phase 1: gradients of every row, the tree's rows, their fixed-point scale
 * from the global largest |g| or |h|, the global sums, the tree's features. Collective. */
static int round_gradients(trainer *T, int32_t round, tree_gradients *grad)
{
    run_ctx *run = T->run;
    const sb_table *t = T->train;
    const sb_params *p = T->params;
    const sb_obj_cfg oc = {p->objective, T->max_delta_step, p->huber_slope, p->tweedie_variance_power,
                           p->scale_pos_weight, p->quantile_alpha};
    objective_gradient_cfg(&oc, t->label, t->weight, T->margin, t->n_rows, T->gh);
    const int64_t n_tree = sample_tree_rows(T, round);
    double mx = boost_abs_max(T->gh, 2 * t->n_rows);
    SB_TRY(run, comm_max_f64(run, &mx, 1));
    if (!isfinite(mx))
        return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "round %d: gradients overflowed (diverging model; lower eta or "
                                                         "set max_delta_step)", round));
    const int scale_exp = hist_fixed_scale(mx, t->n_rows_global);
    int64_t GH[2] = {0, 0}; /* only the tree's rows are converted: nothing reads the others' */
    hist_to_fixed_rows(T->gh, T->grower.rows, n_tree, scale_exp, T->gh_fixed, GH);
    SB_TRY(run, comm_sum_i64(run, GH, 2));
    pick_features(T, round);
    T->grower.round = round;
    *grad = (tree_gradients){T->gh_fixed, n_tree, scale_exp, GH[0], GH[1]};
    return SB_OK;
}

/* reg:absoluteerror: leaf = eta * weighted median of the residuals y - margin
 * of its rows (all ranks), as XGBoost refits L1 leaves. The hessians are the
 * fixed-point weights. Collective. */
static int refit_median(trainer *T, tree_out *tree)
{
    const sb_table *t = T->train;
    const int32_t nl = tree->n_leaves;
    int64_t *begin = sb_alloc(T->run, (size_t)nl + 1, sizeof *begin),
            *end = sb_alloc(T->run, (size_t)nl + 1, sizeof *end);
    double *med = sb_alloc(T->run, (size_t)nl + 1, sizeof *med);
    int rc = run_agree_rc(T->run, begin && end && med ? SB_OK : SB_ENOMEM);
    if (rc != SB_OK) goto out;
    for (int64_t i = 0; i < t->n_rows; ++i) T->pred[i] = t->label[i] - T->margin[i]; /* pred as scratch */
    for (int32_t l = 0; l < nl; ++l) {
        begin[l] = tree->leaves[l].begin;
        end[l] = tree->leaves[l].end;
    }
    const double alpha = T->params->objective == SB_OBJ_QUANTILE ? T->params->quantile_alpha : 0.5;
    SB_CHECK(T->run, weighted_quantile_groups(T->run, alpha, nl, begin, end, T->grower.rows, T->pred, T->gh_fixed + 1,
                                              2, med));
    for (int32_t l = 0; l < nl; ++l) { /* monotone bounds (+-inf without) hold for the refit leaves too */
        const split_bounds *bd = &tree->leaves[l].bounds;
        const double w = med[l] < bd->lower ? bd->lower : med[l] > bd->upper ? bd->upper : med[l];
        tree->nodes[tree->leaves[l].node].value = T->params->eta * w;
    }
out:
    free(begin);
    free(end);
    free(med);
    return rc;
}

/* Phase 2: grow the tree (agreed), refit its leaves for L1. Collective. */
static int round_tree(trainer *T, const tree_gradients *grad, tree_out *tree)
{
    SB_TRY(T->run, run_agree_rc(T->run, grow_tree(T->run, &T->grower, grad, T->feat_mask, tree)));
    if (T->params->objective == SB_OBJ_ABSOLUTEERROR || T->params->objective == SB_OBJ_QUANTILE)
        SB_TRY(T->run, refit_median(T, tree));
    return SB_OK;
}

void trainer_add_tree_by_bins(const sb_binned *b, const sb_node *tree, const uint64_t *cats, const int32_t *rows,
                              int64_t m, double *margin)
{
    if (partition_tree_add_cols(tree, b->bins_col, b->n_rows, rows, m, b->n_value, b->has_missing, margin) ==
        PARTITION_WALKED)
        return;
    for (int64_t j = 0; j < m; ++j) { /* too deep for the complete walk: node by node */
        const int64_t r = rows ? rows[j] : j;
        margin[r] += tree[binned_leaf_of_row(b, tree, cats, r)].value;
    }
}

/* Phase 3: margins. Rows in the tree by their leaf's range, the others by
 * their bins; the valid rows by their bins, or their floats. Local. */
static void round_margins(trainer *T, const tree_out *tree)
{
    const int32_t *rows = T->grower.rows;
    for (int32_t l = 0; l < tree->n_leaves; ++l)
        boost_add_leaf(rows, tree->leaves[l].begin, tree->leaves[l].end, tree->nodes[tree->leaves[l].node].value,
                       T->margin);
    if (!every_row_in_tree(T)) { /* the rows left out of this tree walk it by their bins */
        int32_t *left_out = T->grower.scratch; /* free until the next tree's partitions */
        int64_t m = 0;
        for (int64_t i = 0; i < T->train->n_rows; ++i) {
            left_out[m] = (int32_t)i;
            m += !T->in_tree[i];
        }
        trainer_add_tree_by_bins(T->binned, tree->nodes, tree->cat_bits, left_out, m, T->margin);
    }
    const sb_table *v = T->valid;
    if (!v) return;
    if (T->valid_bins && partition_tree_add(tree->nodes, T->valid_bins, v->n_rows, v->n_feat, T->binned->n_value,
                                            T->binned->has_missing, T->valid_margin) == PARTITION_WALKED)
        return;
    int64_t one[2] = {0, tree->n_nodes}, sets[2] = {0, tree->n_cat};
    sb_forest f = {tree->nodes, one, 1, tree->cat_bits, tree->cat_bits ? sets : NULL};
    tree_predict_add(&f, 0, 1, v->x, v->n_rows, v->n_feat, T->valid_margin);
}

/* Phase 4: train and valid metrics (exact, global), the tree recorded. Collective. */
static int round_metrics(trainer *T, const tree_out *tree, double *train_m, double *valid_m)
{
    run_ctx *run = T->run;
    const sb_table *t = T->train, *v = T->valid;
    const sb_objective obj = T->params->objective;
    /* Identity link (squared and absolute error): the margins are the predictions, no copy. */
    const int ident = obj == SB_OBJ_SQUAREDERROR || obj == SB_OBJ_ABSOLUTEERROR;
    const double *pred = ident ? T->margin : T->pred;
    if (!ident) objective_link(obj, T->margin, T->pred, t->n_rows);
    int rc = SB_OK;
    *valid_m = NAN;
    SB_CHECK(run, global_metric(T, t->label, t->weight, pred, T->row_mask, t->n_rows, train_m));
    if (v) {
        if (!ident) objective_link(obj, T->valid_margin, T->valid_pred, v->n_rows);
        SB_CHECK(run, global_metric(T, v->label, v->weight, ident ? T->valid_margin : T->valid_pred, NULL, v->n_rows,
                                    valid_m));
    } else if (T->row_mask) {
        SB_CHECK(run, global_metric(T, t->label, t->weight, pred, T->held_out, t->n_rows, valid_m));
    }
    rc = record_add_tree(run, &T->rec, tree->nodes, tree->n_nodes, tree->cat_bits, tree->n_cat, *train_m, *valid_m);
out:
    return run_agree_rc(run, rc);
}

/* One boosting round, phase by phase. Collective. */
static int one_round(trainer *T, int32_t round, double *train_m, double *valid_m)
{
    run_ctx *run = T->run;
    sb_timers *tm = &T->timers;
    tree_gradients grad;
    tree_out tree = {0};
    int rc = SB_OK;
    timer_start(tm, PHASE_GRADIENTS);
    SB_CHECK(run, round_gradients(T, round, &grad));
    timer_stop(tm, PHASE_GRADIENTS);
    timer_start(tm, PHASE_TREES);
    SB_CHECK(run, round_tree(T, &grad, &tree));
    timer_stop(tm, PHASE_TREES);
    timer_start(tm, PHASE_MARGINS);
    round_margins(T, &tree);
    timer_stop(tm, PHASE_MARGINS);
    timer_start(tm, PHASE_METRICS);
    rc = round_metrics(T, &tree, train_m, valid_m);
    timer_stop(tm, PHASE_METRICS);
out:
    tree_out_free(&tree);
    return rc;
}

int trainer_track_best(trainer *T, int32_t round, double valid_m, int *stop)
{
    const int higher = metric_higher_is_better(T->params->eval_metric);
    if (T->has_valid && !isnan(valid_m) &&
        (T->best_iter < 0 || (higher ? valid_m > T->best_valid : valid_m < T->best_valid))) {
        T->best_valid = valid_m;
        T->best_iter = round;
    }
    if (!T->has_valid) T->best_iter = round;
    int s = T->has_valid && T->params->early_stopping_rounds > 0 &&
            round - T->best_iter >= T->params->early_stopping_rounds;
    SB_TRY(T->run, comm_agree_max(T->run, &s));
    *stop = s;
    return SB_OK;
}

/* The validation table (or row mask) fits the training table. Collective. */
static int check_valid_table(trainer *T)
{
    const sb_table *v = T->valid, *t = T->train;
    int rc = SB_OK;
    if (v && T->row_mask) SB_RAISE(T->run, SB_EINVAL, "a row mask and a validation table cannot be combined");
    if (v && v->n_feat != t->n_feat)
        SB_RAISE(T->run, SB_EDATA, "validation data has %d features, training data %d", v->n_feat, t->n_feat);
    for (int32_t f = 0; v && f < v->n_feat; ++f)
        if (strcmp(v->feat[f].name, t->feat[f].name) != 0)
            SB_RAISE(T->run, SB_EDATA, "validation feature %d is '%s', training has '%s'", f + 1, v->feat[f].name,
                     t->feat[f].name);
    if (v && !v->label) SB_RAISE(T->run, SB_EDATA, "validation data has no label");
    if (!t->label) SB_RAISE(T->run, SB_EDATA, "training data has no label");
out:
    return run_agree_rc(T->run, rc);
}

/* Parameters, tables, base score and buffers of a training. Collective. */
static int trainer_setup(trainer *T)
{
    const sb_params *params = T->params;
    if (params_validate(T->run, params, NULL) != SB_OK) return run_agree_rc(T->run, SB_EINVAL);
    if (T->binned->n_rows != T->train->n_rows || T->binned->max_bin != params->max_bin)
        return run_agree_rc(T->run, SB_FAIL(T->run, SB_EINVAL, "binned data does not match the table or max_bin"));
    T->max_delta_step = params_effective_max_delta_step(params);
    T->best_iter = -1;
    T->best_valid = NAN;
    T->has_valid = T->valid != NULL || T->row_mask != NULL;
    T->rec.has_valid = T->has_valid;
    T->fingerprint = T->binned->fingerprint;
    SB_TRY(T->run, check_valid_table(T));
    SB_TRY(T->run, setup_base(T));
    SB_TRY(T->run, run_agree_rc(T->run, alloc_all(T)));
    if (T->opts && T->opts->resume) SB_TRY(T->run, checkpoint_resume(T, T->opts->resume));
    return SB_OK;
}

/* After round r: a checkpoint when due or when a SIGTERM is agreed (then
 * *interrupted). Collective. */
static int after_round(trainer *T, int32_t r, int *interrupted)
{
    const booster_opts *o = T->opts;
    int stop = run_stop_requested();
    SB_TRY(T->run, comm_agree_max(T->run, &stop));
    const int due = o && o->checkpoint_path && o->checkpoint_every > 0 && (r + 1) % o->checkpoint_every == 0 &&
                    r + 1 < T->params->n_rounds;
    if ((due || stop) && o && o->checkpoint_path) SB_TRY(T->run, checkpoint_write(T));
    *interrupted = stop != 0;
    return SB_OK;
}

/* The rounds from the first not yet trained; sets *stopped (early stopping)
 * or *interrupted (SIGTERM). Collective. */
static int boost_rounds(trainer *T, int *stopped, int *interrupted, double *train_m)
{
    double valid_m = NAN;
    for (int32_t r = T->rec.n_trees; r < T->params->n_rounds; ++r) {
        SB_TRY(T->run, one_round(T, r, train_m, &valid_m));
        progress_line(T, r, *train_m, valid_m);
        SB_TRY(T->run, trainer_track_best(T, r, valid_m, stopped));
        if (*stopped) return SB_OK;
        SB_TRY(T->run, after_round(T, r, interrupted));
        if (*interrupted)
            return run_agree_rc(T->run,
                                SB_FAIL(T->run, SB_EINTR,
                                        "stopped by SIGTERM after round %d; checkpoint %s; "
                                        "rerun with --resume",
                                        T->rec.n_trees,
                                        T->opts && T->opts->checkpoint_path ? T->opts->checkpoint_path : "(none)"));
    }
    return SB_OK;
}

static void fill_report(const trainer *T, int stopped, int interrupted, double train_m, train_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->rounds_done = T->rec.n_trees;
    rep->best_iteration = T->best_iter;
    rep->best_valid = T->best_valid;
    rep->final_train = train_m;
    rep->stopped_early = stopped;
    rep->interrupted = interrupted;
    rep->seconds_train = run_wtime() - T->started;
    rep->seconds_hist = timer_total(&T->timers, PHASE_HISTOGRAMS);
    rep->seconds_reduce = timer_total(&T->timers, PHASE_REDUCE);
    rep->seconds_split = timer_total(&T->timers, PHASE_SPLITS);
}

int booster_train_binned(run_ctx *run, const sb_binned *b, const sb_table *train, const sb_table *valid,
                         const sb_params *params, const uint8_t *row_mask, const booster_opts *opts,
                         sb_model *out, train_report *rep)
{
    memset(out, 0, sizeof *out);
    trainer T;
    memset(&T, 0, sizeof T);
    T.run = run;
    T.binned = b;
    T.train = train;
    T.valid = valid;
    T.params = params;
    T.row_mask = row_mask;
    T.opts = opts;
    T.started = run_wtime();
    timer_init(&T.timers, train_phase_names, N_TRAIN_PHASES);
    int stopped = 0, interrupted = 0;
    double train_m = NAN;
    int rc = SB_OK;
    SB_CHECK(run, trainer_setup(&T));
    SB_CHECK(run, boost_rounds(&T, &stopped, &interrupted, &train_m));
    const int32_t keep = stopped ? T.best_iter + 1 : T.rec.n_trees; /* early stopping keeps the best model */
    const int32_t best = T.best_iter >= 0 ? T.best_iter : T.rec.n_trees - 1;
    SB_CHECK(run, run_agree_rc(run, record_to_model(run, out, train, b, params, T.base_score, T.base_margin, &T.rec,
                                                     keep, best < 0 ? 0 : best, T.fingerprint, T.sum_weight)));
out:
    timer_report(run, &T.timers, "boost phases");
    if (rep) fill_report(&T, stopped, interrupted, train_m, rep);
    free_all(&T);
    return rc;
}

int booster_train(run_ctx *run, const sb_table *train, const sb_table *valid, const sb_params *params,
                  const uint8_t *row_mask, sb_model *out, train_report *rep)
{
    sb_binned *b = NULL;
    const double started = run_wtime();
    SB_TRY(run, booster_bin_cat(run, train, params->max_bin, params->seed, params->enable_categorical, &b));
    const double binned = run_wtime();
    const int rc = booster_train_binned(run, b, train, valid, params, row_mask, NULL, out, rep);
    if (rep) rep->seconds_bin = binned - started;
    booster_binned_free(b);
    return rc;
}
