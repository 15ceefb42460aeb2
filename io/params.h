/* params.h - training parameters: one table with XGBoost names, sklearn and
 * LightGBM aliases, types, ranges and "did you mean" suggestions. train reads
 * --param k=v / --k v through it; cv reads YAML grids through it. */
#ifndef SB_PARAMS_H
#define SB_PARAMS_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t, uint64_t */

#include "base/run_ctx.h"
#include "kernels/metric.h"
#include "kernels/objective.h"

/* Longest text parameter (the constraints). */
#define SB_PARAM_TEXT_MAX 65536

typedef enum { SB_GROW_DEPTHWISE = 0, SB_GROW_LOSSGUIDE = 1 } sb_grow_policy;

typedef struct {
    sb_objective objective;    /* objective; default reg:squarederror */
    double eta;                /* learning_rate; (0, 1], default 0.3 */
    int32_t n_rounds;          /* n_estimators / num_round / num_iterations; default 100 */
    int32_t max_depth;         /* default 6; 0 = unlimited (lossguide only) */
    int32_t max_leaves;        /* num_leaves; 0 = unlimited; default 0 */
    sb_grow_policy grow_policy;/* depthwise | lossguide */
    double lambda;             /* reg_lambda; >= 0, default 1 */
    double alpha;              /* reg_alpha; >= 0, default 0 */
    double gamma;              /* min_split_loss / min_split_gain; >= 0, default 0 */
    double min_child_weight;   /* min_sum_hessian_in_leaf; >= 0, default 1 */
    double max_delta_step;     /* >= 0; 0 = none (poisson defaults to 0.7 as in XGBoost) */
    double subsample;          /* bagging_fraction; (0, 1], default 1 */
    double colsample_bytree;   /* feature_fraction; (0, 1], default 1 */
    double base_score;         /* prediction-space initial score */
    int base_score_set;        /* 0: weighted global label mean */
    int32_t max_bin;           /* max_bins; [2, 256], default 256 */
    uint64_t seed;             /* random_state; default 0 */
    sb_metric_kind eval_metric;/* metric; default from the objective */
    int eval_metric_set;
    int weighted_metric;       /* 1 (default): metrics weighted like training */
    int32_t early_stopping_rounds; /* 0 = off */
    int max_delta_step_set;
    /* objective parameters (issue 16); the _set flags keep them out of model
     * files that do not set them, so older models' bytes stay the same */
    double huber_slope;            /* reg:pseudohubererror's delta; > 0, default 1 */
    double tweedie_variance_power; /* reg:tweedie's rho; [1, 2), default 1.5 */
    double scale_pos_weight;       /* weight factor of rows labelled 1; > 0, default 1 */
    double quantile_alpha;         /* reg:quantileerror's quantile; (0, 1), default 0.5 */
    int huber_slope_set, tweedie_variance_power_set, scale_pos_weight_set, quantile_alpha_set;
    /* native categorical splits (issue 16 s.1, kernels/split_cat.h); off by
     * default so models of categorical data keep today's ordinal bytes */
    int enable_categorical;        /* 1: categorical features split by level sets; default 0 */
    int32_t max_cat_to_onehot;     /* levels <= this: one level vs the rest; default 4 */
    int32_t max_cat_threshold;     /* most levels on the scanned side of a partition; default 32 */
    double cat_smooth;             /* levels sorted by G / (H + cat_smooth); default 10 */
    double cat_l2;                 /* extra L2 of a partition split's children; default 10 */
    double min_data_per_group;     /* least hessian per group of levels in a partition; default 100 */
    int enable_categorical_set, max_cat_to_onehot_set, max_cat_threshold_set, cat_smooth_set, cat_l2_set,
        min_data_per_group_set;
    /* issue 16 section 3/4 (constraints and column sampling); _set flags as above */
    double colsample_bylevel;      /* per depth level, of the tree's features; (0, 1], default 1 */
    double colsample_bynode;       /* per node, of the level's features; (0, 1], default 1 */
    int colsample_bylevel_set, colsample_bynode_set;
    double eval_metric_param;      /* tweedie-nloglik@rho: rho; 0 = not given (see params_metric_param) */
    /* Constraints as written (syntax checked here, names resolved against the
     * data's features when training starts: engine/grow_constraints.c); NULL
     * = none. The texts are interned by params_set (kept until exit, equal
     * texts share one copy) so sb_params stays a small value type that grids
     * and folds copy freely. Syntax: io/constraints_text.h. */
    const char *monotone_constraints;
    const char *interaction_constraints;
    int monotone_constraints_set, interaction_constraints_set;
    /* categorical_feature as written (io/cat_feature.h; interned as above):
     * numeric columns made categorical at training; NULL = none */
    const char *categorical_feature;
    int categorical_feature_set;
} sb_params;

/* Defaults (XGBoost's). Local. */
void params_default(sb_params *p);

/* params_set - set one parameter from text; key may be any alias, '-' and '_'
 * are interchangeable. On error returns SB_EINVAL with the message in run's
 * error context, prefixed by `where` (printf format; NULL: no prefix) and ": "
 * (unknown key with a "did you mean" suggestion, wrong type, out of range);
 * p is unchanged then. Local. */
int params_set(run_ctx *run, sb_params *p, const char *key, const char *value, const char *where, ...)
    __attribute__((format(printf, 5, 6)));
/* params_set_stored - params_set of a value read back from a file (a model's
 * params), so a bad one is bad data: SB_EDATA. Local. */
int params_set_stored(run_ctx *run, sb_params *p, const char *key, const char *value, const char *where, ...)
    __attribute__((format(printf, 5, 6)));

/* params_takes_list - 1 when key (any alias) is a parameter whose value is a
 * list (monotone_constraints, interaction_constraints, categorical_feature): a grid reads a YAML
 * list item of it as one value. Local. */
int params_takes_list(const char *key);

/* params_canonical - the canonical (XGBoost) name of key or an alias, or NULL. Local. */
const char *params_canonical(const char *key);

/* params_validate - cross-parameter checks (e.g. lossguide needs max_leaves
 * or max_depth; max_depth 0 needs lossguide). SB_OK, or SB_EINVAL reported
 * as params_set reports it. Local. */
int params_validate(run_ctx *run, const sb_params *p, const char *where, ...) __attribute__((format(printf, 3, 4)));

/* params_effective_max_delta_step - max_delta_step as the objective uses it
 * (0.7 for poisson unless set, as in XGBoost). Local. */
double params_effective_max_delta_step(const sb_params *p);

/* params_metric_param - the eval metric's parameter: tweedie-nloglik's rho
 * (from "tweedie-nloglik@rho", else tweedie_variance_power), quantile's alpha
 * (quantile_alpha); 0 for the other metrics. Local. */
double params_metric_param(const sb_params *p);

/* params_each - call fn(ctx, canonical_key, value_text) for every parameter
 * in table order, values in a form params_set reads back exactly (%.17g).
 * The model file stores params this way. Local. */
void params_each(const sb_params *p, void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

/* params_equal - 1 when a and b hold the same parameters as the model file
 * records them (params_each: every table field, unset optional fields alike),
 * compared field by field, doubles by their bits. Local. */
int params_equal(const sb_params *a, const sb_params *b);

/* params_help - print the parameter table (name, aliases, range, default)
 * into buf for --help. Local. */
void params_help(char *buf, size_t len);

#endif
