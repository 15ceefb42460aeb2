/* objective.c - gradients, hessians and links of the objectives. */
#include "kernels/objective.h"

#include <math.h>   /* for exp, log, isfinite */
#include <string.h> /* for strcmp */

static const char *const obj_names[SB_OBJ_COUNT] = {"reg:squarederror", "reg:logistic", "count:poisson",
                                                    "reg:absoluteerror"};

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
    case SB_OBJ_LOGISTIC: return 1.0 / (1.0 + exp(-m));
    case SB_OBJ_POISSON: return exp(m);
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
    case SB_OBJ_LOGISTIC: return log(p / (1.0 - p));
    case SB_OBJ_POISSON: return log(p);
    default: return p;
    }
}

/* One row; shared by the loop and the twin so both use the same arithmetic. */
static inline void grad_one(sb_objective obj, double y, double w, double m, double mds, float *g, float *h)
{
    double gr, he;
    switch (obj) {
    case SB_OBJ_LOGISTIC: {
        double p = 1.0 / (1.0 + exp(-m));
        gr = p - y;
        he = p * (1.0 - p);
        if (he < 1e-16) he = 1e-16; /* as XGBoost: keeps leaves finite */
        break;
    }
    case SB_OBJ_POISSON:
        gr = exp(m) - y;
        he = exp(m + mds);
        break;
    case SB_OBJ_ABSOLUTEERROR:
        gr = (m > y) - (m < y);
        he = 1.0;
        break;
    default:
        gr = m - y;
        he = 1.0;
        break;
    }
    *g = (float)(gr * w);
    *h = (float)(he * w);
}

void objective_gradient(sb_objective obj, const double *label, const double *weight, const double *margin,
                        int64_t n, double max_delta_step, float *gh)
{
    if (obj == SB_OBJ_SQUAREDERROR) { /* the common cases, vectorizable; same arithmetic as grad_one */
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
        grad_one(obj, label[i], weight ? weight[i] : 1.0, margin[i], max_delta_step, &gh[2 * i], &gh[2 * i + 1]);
}

void objective_gradient_ref(sb_objective obj, const double *label, const double *weight, const double *margin,
                            int64_t n, double max_delta_step, float *gh)
{
    for (int64_t i = 0; i < n; ++i) {
        double w = weight ? weight[i] : 1.0;
        grad_one(obj, label[i], w, margin[i], max_delta_step, &gh[2 * i], &gh[2 * i + 1]);
    }
}

int64_t objective_first_bad_label(sb_objective obj, const double *label, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        double y = label[i];
        if (!isfinite(y)) return i;
        if (obj == SB_OBJ_LOGISTIC && (y < 0.0 || y > 1.0)) return i;
        if (obj == SB_OBJ_POISSON && y < 0.0) return i;
    }
    return -1;
}
