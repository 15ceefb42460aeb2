/* objective.h - loss functions: gradients/hessians per row and the link
 * (margin -> prediction). Pure kernels on flat arrays (style rule R1). */
#ifndef SB_OBJECTIVE_H
#define SB_OBJECTIVE_H

#include <stdint.h> /* for int64_t */

typedef enum {
    SB_OBJ_SQUAREDERROR = 0, /* reg:squarederror, identity link */
    SB_OBJ_LOGISTIC = 1,     /* reg:logistic, labels in [0,1] (rates; trials as weights) */
    SB_OBJ_POISSON = 2,      /* count:poisson, log link */
    SB_OBJ_ABSOLUTEERROR = 3, /* reg:absoluteerror, leaves refit to the weighted median */
    SB_OBJ_BINARY = 4,        /* binary:logistic, labels exactly 0 or 1, sigmoid link */
    SB_OBJ_PSEUDOHUBER = 5,   /* reg:pseudohubererror (huber_slope), identity link */
    SB_OBJ_TWEEDIE = 6,       /* reg:tweedie (tweedie_variance_power), log link, labels >= 0 */
    SB_OBJ_GAMMA = 7,         /* reg:gamma, log link, labels > 0 */
    SB_OBJ_QUANTILE = 8       /* reg:quantileerror (quantile_alpha), leaves refit to the weighted quantile */
} sb_objective;
#define SB_OBJ_COUNT 9

/* What a gradient needs besides the rows: the objective and its parameters
 * (XGBoost's names). objective_cfg_default gives XGBoost's defaults. */
typedef struct {
    sb_objective obj;
    double max_delta_step;         /* poisson's hessian (h = exp(m + max_delta_step)) */
    double huber_slope;            /* pseudohuber's delta, > 0 (default 1) */
    double tweedie_variance_power; /* tweedie's rho in [1, 2) (default 1.5) */
    double scale_pos_weight;       /* weight factor of rows labelled 1 (default 1); XGBoost applies it to
                                    * squarederror, reg:logistic and binary:logistic only */
    double quantile_alpha;         /* reg:quantileerror's quantile in (0, 1) (default 0.5) */
} sb_obj_cfg;

/* XGBoost name of an objective ("reg:squarederror", ...). Local. */
const char *objective_name(sb_objective obj);
/* Parse an XGBoost / LightGBM objective name (also "regression", "binary"-like
 * aliases: "l2", "mse", "l1", "mae", "poisson", "cross_entropy", "xentropy").
 * Returns 0 and sets *out, or -1 when unknown. Local. */
int objective_parse(const char *name, sb_objective *out);

/* objective_link - prediction from margin, out[i] = link(margin[i]); out may
 * alias margin. Local. Identity for squared/absolute error, sigmoid for
 * logistic, exp for poisson, tweedie and gamma. */
void objective_link(sb_objective obj, const double *margin, double *out, int64_t n);
/* objective_link_one - the same for one value (identical arithmetic). Local. */
double objective_link_one(sb_objective obj, double margin);

/* objective_margin_of - the margin whose prediction is p (the base_score's
 * margin: logit for logistic, log for poisson). Local. */
double objective_margin_of(sb_objective obj, double p);

/* objective_gradient - gh[2i] = dL/dmargin, gh[2i+1] = d2L/dmargin2, both
 * multiplied by weight[i] (weight NULL = 1). max_delta_step feeds poisson's
 * hessian as in XGBoost (h = exp(m + max_delta_step)). Local. */
void objective_gradient(sb_objective obj, const double *label, const double *weight, const double *margin,
                        int64_t n, double max_delta_step, float *gh);
/* Plain twin for tests. */
void objective_gradient_ref(sb_objective obj, const double *label, const double *weight, const double *margin,
                            int64_t n, double max_delta_step, float *gh);

/* objective_cfg_default - {obj, max_delta_step, slope 1, rho 1.5, scale_pos_weight 1, alpha 0.5}. Local. */
sb_obj_cfg objective_cfg_default(sb_objective obj, double max_delta_step);
/* objective_gradient_cfg - objective_gradient with every parameter of c
 * (objective_gradient is this with objective_cfg_default). Local. */
void objective_gradient_cfg(const sb_obj_cfg *c, const double *label, const double *weight, const double *margin,
                            int64_t n, float *gh);
/* Plain twin for tests: row by row. */
void objective_gradient_cfg_ref(const sb_obj_cfg *c, const double *label, const double *weight, const double *margin,
                                int64_t n, float *gh);

/* Label check: returns the index of the first label the objective cannot
 * take (negative for poisson/tweedie, <= 0 for gamma, outside [0,1] for
 * reg:logistic, not 0 or 1 for binary:logistic, NaN/inf for any),
 * or -1 when all are valid. Local. */
int64_t objective_first_bad_label(sb_objective obj, const double *label, int64_t n);

#endif
