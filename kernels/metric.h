/* metric.h - evaluation metrics as per-rank partial sums that reduce exactly.
 *
 * A partial is a few integers (an exact fixed-point accumulator, "xsum"):
 * adding per-row terms and then summing the partials of all ranks as int64
 * gives the same bits whatever the number of ranks or the order, so metric
 * values written into a model file are rank-count invariant. Reduce a
 * metric_part with an int64 SUM over its SB_METRIC_PART_I64 words (e.g.
 * comm_sum_i64((int64_t *)&part, SB_METRIC_PART_I64)) after
 * metric_part_normalize, then read it with metric_value. */
#ifndef SB_METRIC_H
#define SB_METRIC_H

#include <stdint.h> /* for int64_t */

typedef enum {
    SB_METRIC_RMSE = 0,
    SB_METRIC_MSE = 1,
    SB_METRIC_MAE = 2,
    SB_METRIC_LOGLOSS = 3,
    SB_METRIC_POISSON_NLOGLIK = 4,
    SB_METRIC_ERROR = 5,        /* binary error rate: prediction > 0.5 against a 0/1 label */
    SB_METRIC_MAPE = 6,         /* |y - p| / |y| */
    SB_METRIC_GAMMA_NLOGLIK = 7, /* gamma negative log-likelihood (XGBoost's, psi = 1): y / p + log p */
    SB_METRIC_AUC = 8,           /* exact weighted AUC: a ranking of all rows, not a sum of row terms, so
                                  * not a metric_part: engine/global_auc.h computes it; higher is better */
    SB_METRIC_TWEEDIE_NLOGLIK = 9, /* tweedie negative log-likelihood at power rho (the metric's parameter):
                                    * -y p^(1-rho)/(1-rho) + p^(2-rho)/(2-rho), as XGBoost's tweedie-nloglik@rho */
    SB_METRIC_QUANTILE = 10        /* pinball loss at quantile alpha (the parameter): alpha (y-p) when y >= p,
                                    * else (1-alpha) (p-y), as XGBoost's quantile metric */
} sb_metric_kind;
#define SB_METRIC_COUNT 11

/* 1 when a larger value is better (auc), 0 for the losses. Local. */
int metric_higher_is_better(sb_metric_kind k);

/* Exact sum of doubles as fixed point: value = sum_i limb[i] * 2^(32 i - 64),
 * terms are truncated below 2^-64; |sum| must stay below 2^95 (else the
 * accumulator saturates and metric_value returns +inf). */
#define SB_XSUM_LIMBS 5
typedef struct {
    int64_t limb[SB_XSUM_LIMBS];
    int64_t pending; /* terms added since the last normalize (carry headroom) */
    int64_t overflow;
} sb_xsum;

typedef struct {
    sb_xsum loss; /* sum of w * loss(row) */
    sb_xsum wsum; /* sum of w (the row count when unweighted) */
    int64_t n;    /* rows counted */
} sb_metric_part;
#define SB_METRIC_PART_I64 ((int64_t)(sizeof(sb_metric_part) / sizeof(int64_t)))

/* xsum: exact accumulation. Local. */
void xsum_zero(sb_xsum *s);
void xsum_add(sb_xsum *s, double x);
void xsum_merge(sb_xsum *into, const sb_xsum *from); /* into += from */
void xsum_normalize(sb_xsum *s);                      /* canonical limbs; keeps the value */
double xsum_value(const sb_xsum *s);                  /* correctly ordered, deterministic */

/* Name <-> kind ("rmse", "mse", "mae", "logloss", "poisson-nloglik", "error",
 * "mape", "gamma-nloglik"; LightGBM's "binary_error", "gamma" too;
 * aliases "l2" -> mse, "l1" -> mae, "binary_logloss"/"cross_entropy" ->
 * logloss, "poisson" -> poisson-nloglik). Local. */
const char *metric_name(sb_metric_kind k);
int metric_parse(const char *name, sb_metric_kind *out);
/* metric_parse_param - metric_parse that also reads XGBoost's
 * "tweedie-nloglik@rho" (*param = rho; 0 when no "@"; only tweedie-nloglik
 * takes one). "quantile", "pinball" and LightGBM's "quantile" name the
 * pinball loss. 0 or -1. Local. */
int metric_parse_param(const char *name, sb_metric_kind *out, double *param);
/* The parameter a metric uses when none is given (tweedie: rho 1.5,
 * quantile: alpha 0.5; 0 for the others). Local. */
double metric_default_param(sb_metric_kind k);

void metric_part_zero(sb_metric_part *p);
/* metric_accumulate - add rows: pred is the prediction after the link
 * (objective_link), label the target, weight NULL or ignored when
 * !weighted (then every row counts 1). Rows with a NaN label are skipped.
 * mask NULL or mask[i] != 0 selects the rows. Local. */
void metric_accumulate(sb_metric_kind k, const double *label, const double *weight, int weighted,
                       const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p);
/* Plain twin (row by row with xsum_add). */
void metric_accumulate_ref(sb_metric_kind k, const double *label, const double *weight, int weighted,
                           const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p);
/* The same with the metric's parameter (tweedie-nloglik's rho, quantile's
 * alpha; ignored by the others); the two above use metric_default_param. */
void metric_accumulate_param(sb_metric_kind k, double param, const double *label, const double *weight,
                             int weighted, const double *pred, const uint8_t *mask, int64_t n, sb_metric_part *p);
void metric_accumulate_param_ref(sb_metric_kind k, double param, const double *label, const double *weight,
                                 int weighted, const double *pred, const uint8_t *mask, int64_t n,
                                 sb_metric_part *p);
void metric_part_merge(sb_metric_part *into, const sb_metric_part *from);
/* Put the partial in canonical form; call before an int64 SUM reduction. */
void metric_part_normalize(sb_metric_part *p);
/* The metric from a (reduced) partial; NaN when no rows. Local. */
double metric_value(sb_metric_kind k, const sb_metric_part *p);

/* Loss of one row (before weighting); the sum of these is what metric_value
 * averages (rmse/mse: squared error, mae: |e|, logloss, poisson nloglik,
 * error, mape, gamma nloglik). */
double metric_row_loss(sb_metric_kind k, double label, double pred);
double metric_row_loss_param(sb_metric_kind k, double param, double label, double pred);

#endif
