/* objective.h - loss functions: gradients/hessians per row and the link
 * (margin -> prediction). Pure kernels on flat arrays (style rule R1). */
#ifndef SB_OBJECTIVE_H
#define SB_OBJECTIVE_H

#include <stdint.h> /* for int64_t */

typedef enum {
    SB_OBJ_SQUAREDERROR = 0, /* reg:squarederror, identity link */
    SB_OBJ_LOGISTIC = 1,     /* reg:logistic, labels in [0,1] (rates; trials as weights) */
    SB_OBJ_POISSON = 2,      /* count:poisson, log link */
    SB_OBJ_ABSOLUTEERROR = 3 /* reg:absoluteerror, leaves refit to the weighted median */
} sb_objective;
#define SB_OBJ_COUNT 4

/* XGBoost name of an objective ("reg:squarederror", ...). Local. */
const char *objective_name(sb_objective obj);
/* Parse an XGBoost / LightGBM objective name (also "regression", "binary"-like
 * aliases: "l2", "mse", "l1", "mae", "poisson", "cross_entropy", "xentropy").
 * Returns 0 and sets *out, or -1 when unknown. Local. */
int objective_parse(const char *name, sb_objective *out);

/* objective_link - prediction from margin, out[i] = link(margin[i]); out may
 * alias margin. Local. Identity for squared/absolute error, sigmoid for
 * logistic, exp for poisson. */
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

/* Label check: returns the index of the first label the objective cannot
 * take (negative for poisson, outside [0,1] for logistic, NaN/inf for any),
 * or -1 when all are valid. Local. */
int64_t objective_first_bad_label(sb_objective obj, const double *label, int64_t n);

#endif
