/* objective.c - gradients, hessians and links of the objectives. */
#include "kernels/objective.h"

#include <math.h>   /* for exp, log, sqrt, isfinite */
#include <string.h> /* for strcmp */

static const char *const obj_names[SB_OBJ_COUNT] = {"reg:squarederror",     "reg:logistic", "count:poisson",
                                                    "reg:absoluteerror",    "binary:logistic", "reg:pseudohubererror",
                                                    "reg:tweedie",          "reg:gamma",       "reg:quantileerror"};

const char *objective_name(sb_objective obj)
{
    return (unsigned)obj < SB_OBJ_COUNT ? obj_names[obj] : "unknown";
}

int objective_parse(const char *name, sb_objective *out)
{
    static const struct {
        const char *name;
        sb_objective obj;
    } alias[] = {
        {"reg:squarederror", SB_OBJ_SQUAREDERROR}, {"reg:linear", SB_OBJ_SQUAREDERROR},
        {"regression", SB_OBJ_SQUAREDERROR},       {"l2", SB_OBJ_SQUAREDERROR},
        {"mse", SB_OBJ_SQUAREDERROR},              {"squarederror", SB_OBJ_SQUAREDERROR},
        {"reg:logistic", SB_OBJ_LOGISTIC},         {"cross_entropy", SB_OBJ_LOGISTIC},
        {"xentropy", SB_OBJ_LOGISTIC},             {"logistic", SB_OBJ_LOGISTIC},
        {"count:poisson", SB_OBJ_POISSON},         {"poisson", SB_OBJ_POISSON},
        {"reg:absoluteerror", SB_OBJ_ABSOLUTEERROR}, {"regression_l1", SB_OBJ_ABSOLUTEERROR},
        {"l1", SB_OBJ_ABSOLUTEERROR},              {"mae", SB_OBJ_ABSOLUTEERROR},
        {"absoluteerror", SB_OBJ_ABSOLUTEERROR},
        {"binary:logistic", SB_OBJ_BINARY},        {"binary", SB_OBJ_BINARY},
        {"reg:pseudohubererror", SB_OBJ_PSEUDOHUBER}, {"pseudohubererror", SB_OBJ_PSEUDOHUBER},
        {"reg:tweedie", SB_OBJ_TWEEDIE},           {"tweedie", SB_OBJ_TWEEDIE},
        {"reg:gamma", SB_OBJ_GAMMA},               {"gamma", SB_OBJ_GAMMA},
        {"reg:quantileerror", SB_OBJ_QUANTILE},    {"quantile", SB_OBJ_QUANTILE},
    };
    for (unsigned i = 0; i < sizeof alias / sizeof alias[0]; ++i)
        if (!strcmp(name, alias[i].name)) {
            *out = alias[i].obj;
            return 0;
        }
    return -1;
}

double objective_link_one(sb_objective obj, double m)
{
    switch (obj) {
    case SB_OBJ_LOGISTIC:
    case SB_OBJ_BINARY: return 1.0 / (1.0 + exp(-m));
    case SB_OBJ_POISSON:
    case SB_OBJ_TWEEDIE:
    case SB_OBJ_GAMMA: return exp(m);
    default: return m;
    }
}

void objective_link(sb_objective obj, const double *margin, double *out, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) out[i] = objective_link_one(obj, margin[i]);
}

double objective_margin_of(sb_objective obj, double p)
{
    switch (obj) {
    case SB_OBJ_LOGISTIC:
    case SB_OBJ_BINARY: return log(p / (1.0 - p));
    case SB_OBJ_POISSON:
    case SB_OBJ_TWEEDIE:
    case SB_OBJ_GAMMA: return log(p);
    default: return p;
    }
}

/* The new objectives' gradient and hessian of one row, before weighting (the
 * formulas of XGBoost's objectives, so models agree). */
static inline void grad_more(const sb_obj_cfg *c, double y, double m, double *gr, double *he)
{
    switch (c->obj) {
    case SB_OBJ_PSEUDOHUBER: {
        const double z = m - y, s = c->huber_slope, q = 1.0 + (z / s) * (z / s), r = sqrt(q);
        *gr = z / r;
        *he = 1.0 / (q * r);
        break;
    }
    case SB_OBJ_TWEEDIE: {
        const double rho = c->tweedie_variance_power, a = exp((1.0 - rho) * m), b = exp((2.0 - rho) * m);
        *gr = -y * a + b;
        *he = -y * (1.0 - rho) * a + (2.0 - rho) * b;
        break;
    }
    default: /* SB_OBJ_GAMMA */
        *gr = 1.0 - y / exp(m);
        *he = y / exp(m);
        break;
    }
}

/* One row; shared by the loop and the twin so both use the same arithmetic. */
static inline void grad_one(const sb_obj_cfg *c, double y, double w, double m, float *g, float *h)
{
    double gr, he;
    switch (c->obj) {
    case SB_OBJ_LOGISTIC:
    case SB_OBJ_BINARY: {
        double p = 1.0 / (1.0 + exp(-m));
        gr = p - y;
        he = p * (1.0 - p);
        if (he < 1e-16) he = 1e-16; /* as XGBoost: keeps leaves finite */
        break;
    }
    case SB_OBJ_POISSON:
        gr = exp(m) - y;
        he = exp(m + c->max_delta_step);
        break;
    case SB_OBJ_ABSOLUTEERROR:
        gr = (m > y) - (m < y);
        he = 1.0;
        break;
    case SB_OBJ_PSEUDOHUBER:
    case SB_OBJ_TWEEDIE:
    case SB_OBJ_GAMMA: grad_more(c, y, m, &gr, &he); break;
    case SB_OBJ_QUANTILE: /* pinball loss; the leaves are refit to the quantile afterwards */
        gr = m - y >= 0 ? 1.0 - c->quantile_alpha : -c->quantile_alpha;
        he = 1.0;
        break;
    default:
        gr = m - y;
        he = 1.0;
        break;
    }
    /* XGBoost's RegLossObj scales the positives of these three only */
    if (y == 1.0 && c->scale_pos_weight != 1.0 &&
        (c->obj == SB_OBJ_SQUAREDERROR || c->obj == SB_OBJ_LOGISTIC || c->obj == SB_OBJ_BINARY))
        w *= c->scale_pos_weight;
    *g = (float)(gr * w);
    *h = (float)(he * w);
}

sb_obj_cfg objective_cfg_default(sb_objective obj, double max_delta_step)
{
    return (sb_obj_cfg){obj, max_delta_step, 1.0, 1.5, 1.0, 0.5};
}

void objective_gradient_cfg(const sb_obj_cfg *c, const double *label, const double *weight, const double *margin,
                            int64_t n, float *gh)
{
    if (c->obj == SB_OBJ_SQUAREDERROR && c->scale_pos_weight == 1.0) { /* the common cases, vectorizable; same
                                                                         * arithmetic as grad_one */
        if (weight == NULL)
            for (int64_t i = 0; i < n; ++i) {
                gh[2 * i] = (float)((margin[i] - label[i]) * 1.0);
                gh[2 * i + 1] = 1.0f;
            }
        else
            for (int64_t i = 0; i < n; ++i) {
                gh[2 * i] = (float)((margin[i] - label[i]) * weight[i]);
                gh[2 * i + 1] = (float)(1.0 * weight[i]);
            }
        return;
    }
    for (int64_t i = 0; i < n; ++i)
        grad_one(c, label[i], weight ? weight[i] : 1.0, margin[i], &gh[2 * i], &gh[2 * i + 1]);
}

void objective_gradient_cfg_ref(const sb_obj_cfg *c, const double *label, const double *weight, const double *margin,
                                int64_t n, float *gh)
{
    for (int64_t i = 0; i < n; ++i) {
        double w = weight ? weight[i] : 1.0;
        grad_one(c, label[i], w, margin[i], &gh[2 * i], &gh[2 * i + 1]);
    }
}

void objective_gradient(sb_objective obj, const double *label, const double *weight, const double *margin,
                        int64_t n, double max_delta_step, float *gh)
{
    const sb_obj_cfg c = objective_cfg_default(obj, max_delta_step);
    objective_gradient_cfg(&c, label, weight, margin, n, gh);
}

void objective_gradient_ref(sb_objective obj, const double *label, const double *weight, const double *margin,
                            int64_t n, double max_delta_step, float *gh)
{
    const sb_obj_cfg c = objective_cfg_default(obj, max_delta_step);
    objective_gradient_cfg_ref(&c, label, weight, margin, n, gh);
}

int64_t objective_first_bad_label(sb_objective obj, const double *label, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        double y = label[i];
        if (!isfinite(y)) return i;
        if (obj == SB_OBJ_LOGISTIC && (y < 0.0 || y > 1.0)) return i;
        if ((obj == SB_OBJ_POISSON || obj == SB_OBJ_TWEEDIE) && y < 0.0) return i;
        if (obj == SB_OBJ_GAMMA && !(y > 0.0)) return i;
        if (obj == SB_OBJ_BINARY && y != 0.0 && y != 1.0) return i;
    }
    return -1;
}
