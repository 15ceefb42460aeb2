/* test_objective.c - each objective's gradient and hessian against the
 * derivative of its loss (central differences), links and their inverses. */
#include <math.h>
#include <string.h>

#include "cunit_main.h"
#include "kernels/objective.h"

/* Loss per row in margin space (the quantity the gradient differentiates). */
static double loss(sb_objective o, double y, double m)
{
    switch (o) {
    case SB_OBJ_LOGISTIC: { double p = 1 / (1 + exp(-m)); return -(y * log(p) + (1 - y) * log(1 - p)); }
    case SB_OBJ_POISSON: return exp(m) - y * m;
    case SB_OBJ_ABSOLUTEERROR: return fabs(m - y);
    case SB_OBJ_BINARY: { double p = 1 / (1 + exp(-m)); return -(y * log(p) + (1 - y) * log(1 - p)); }
    case SB_OBJ_PSEUDOHUBER: return sqrt(1 + (m - y) * (m - y)) - 1; /* slope 1 */
    case SB_OBJ_TWEEDIE: return -y * exp(-0.5 * m) / -0.5 + exp(0.5 * m) / 0.5; /* rho 1.5 */
    case SB_OBJ_GAMMA: return y * exp(-m) + m;
    case SB_OBJ_QUANTILE: return m >= y ? 0.5 * (m - y) : 0.5 * (y - m); /* pinball, alpha 0.5 */
    default: return 0.5 * (m - y) * (m - y);
    }
}

static void test_gradients_are_derivatives(void)
{
    const double ys[4] = {0.0, 0.25, 1.0, 3.0}, ms[5] = {-1.3, -0.2, 0.4, 1.1, 2.0};
    for (int o = 0; o < SB_OBJ_COUNT; ++o)
        for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 5; ++b) {
                double y = ys[a], m = ms[b], w = 2.5;
                if ((o == SB_OBJ_LOGISTIC || o == SB_OBJ_BINARY) && y > 1) continue;
                float gh[2], gr[2];
                objective_gradient((sb_objective)o, &y, &w, &m, 1, 0.0, gh);
                objective_gradient_ref((sb_objective)o, &y, &w, &m, 1, 0.0, gr);
                CU_ASSERT_EQUAL(memcmp(gh, gr, sizeof gh), 0);
                const double e = 1e-5;
                double d1 = w * (loss((sb_objective)o, y, m + e) - loss((sb_objective)o, y, m - e)) / (2 * e);
                CU_ASSERT_DOUBLE_EQUAL(gh[0], d1, 1e-4 * (1 + fabs(d1)));
                if (o != SB_OBJ_ABSOLUTEERROR && o != SB_OBJ_QUANTILE) { /* |x| has no second derivative; XGBoost uses 1 */
                    double d2 = w *
                                (loss((sb_objective)o, y, m + e) - 2 * loss((sb_objective)o, y, m) +
                                 loss((sb_objective)o, y, m - e)) /
                                (e * e);
                    CU_ASSERT_DOUBLE_EQUAL(gh[1], d2, 2e-3 * (1 + fabs(d2)));
                } else CU_ASSERT_EQUAL(gh[1], (float)w);
            }
    /* poisson: max_delta_step inflates the hessian as XGBoost does */
    double y = 2, m = 0.3, w = 1;
    float gh[2];
    objective_gradient(SB_OBJ_POISSON, &y, &w, &m, 1, 0.7, gh);
    CU_ASSERT_DOUBLE_EQUAL(gh[1], exp(1.0), 1e-6);
    /* unweighted fast path = weighted with w = 1 */
    double ys2[3] = {1, 2, 3}, ms2[3] = {0.5, 2.5, -1}, ws[3] = {1, 1, 1};
    float g1[6], g2[6];
    objective_gradient(SB_OBJ_SQUAREDERROR, ys2, NULL, ms2, 3, 0, g1);
    objective_gradient(SB_OBJ_SQUAREDERROR, ys2, ws, ms2, 3, 0, g2);
    CU_ASSERT_EQUAL(memcmp(g1, g2, sizeof g1), 0);
}

static void test_links_and_names(void)
{
    for (int o = 0; o < SB_OBJ_COUNT; ++o) {
        double p = o == SB_OBJ_LOGISTIC || o == SB_OBJ_BINARY ? 0.3 : 1.7;
        CU_ASSERT_DOUBLE_EQUAL(objective_link_one((sb_objective)o, objective_margin_of((sb_objective)o, p)), p, 1e-15);
        sb_objective back;
        CU_ASSERT_EQUAL(objective_parse(objective_name((sb_objective)o), &back), 0);
        CU_ASSERT_EQUAL(back, o);
    }
    sb_objective x;
    CU_ASSERT_EQUAL(objective_parse("regression_l1", &x), 0);
    CU_ASSERT_EQUAL(x, SB_OBJ_ABSOLUTEERROR);
    CU_ASSERT_EQUAL(objective_parse("reg:gamma", &x), 0);
    CU_ASSERT_EQUAL(x, SB_OBJ_GAMMA);
    CU_ASSERT_EQUAL(objective_parse("binary", &x), 0); /* LightGBM's name */
    CU_ASSERT_EQUAL(x, SB_OBJ_BINARY);
    CU_ASSERT_EQUAL(objective_parse("reg:quantileerror", &x), 0);
    CU_ASSERT_EQUAL(x, SB_OBJ_QUANTILE);
    sb_obj_cfg q = objective_cfg_default(SB_OBJ_QUANTILE, 0); /* pinball slopes: alpha below, 1 - alpha above */
    q.quantile_alpha = 0.9;
    const double qy[2] = {1, 1}, qm[2] = {0.5, 1.5};
    float qg[4];
    objective_gradient_cfg(&q, qy, NULL, qm, 2, qg);
    CU_ASSERT_DOUBLE_EQUAL(qg[0], -0.9, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(qg[2], 0.1, 1e-7);
    double lbl[4] = {0.5, 1.0, 1.5, NAN};
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_LOGISTIC, lbl, 4), 2);
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_SQUAREDERROR, lbl, 4), 3);
    double neg = -1;
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_POISSON, &neg, 1), 0);
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_TWEEDIE, &neg, 1), 0);
    double bin[4] = {0, 1, 1, 0.5}, pos[3] = {2, 0.1, 0};
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_BINARY, bin, 4), 3); /* 0/1 only; rates are reg:logistic's */
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_LOGISTIC, bin, 4), -1);
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_GAMMA, pos, 3), 2);
    CU_ASSERT_EQUAL(objective_first_bad_label(SB_OBJ_TWEEDIE, pos, 3), -1);
}

/* Parameters: huber_slope and tweedie_variance_power change the gradients as
 * their losses say; scale_pos_weight scales rows labelled 1 of squarederror
 * and the logistic objectives only; the loop equals its twin. */
static void test_objective_parameters(void)
{
    const double e = 1e-5;
    for (int k = 0; k < 2; ++k) { /* pseudohuber slope 2.5, tweedie rho 1.2 against their losses */
        sb_obj_cfg c = objective_cfg_default(k ? SB_OBJ_TWEEDIE : SB_OBJ_PSEUDOHUBER, 0);
        c.huber_slope = 2.5;
        c.tweedie_variance_power = 1.2;
        for (double m = -1.5; m < 2; m += 0.7) {
            const double y = 1.7, w = 1;
            float gh[2];
            objective_gradient_cfg(&c, &y, &w, &m, 1, gh);
#define LOSS(mm) (k ? -y * exp(-0.2 * (mm)) / -0.2 + exp(0.8 * (mm)) / 0.8 \
                    : 6.25 * (sqrt(1 + ((mm) - y) * ((mm) - y) / 6.25) - 1))
            const double d1 = (LOSS(m + e) - LOSS(m - e)) / (2 * e), d2 = (LOSS(m + e) - 2 * LOSS(m) + LOSS(m - e)) / (e * e);
#undef LOSS
            CU_ASSERT_DOUBLE_EQUAL(gh[0], d1, 1e-4 * (1 + fabs(d1)));
            CU_ASSERT_DOUBLE_EQUAL(gh[1], d2, 2e-3 * (1 + fabs(d2)));
        }
    }
    enum { N = 64 };
    double y[N], m[N], w[N];
    for (int i = 0; i < N; ++i) y[i] = (i % 3 == 0), m[i] = 0.1 * (i % 11) - 0.4, w[i] = 1 + i % 4;
    for (int o = 0; o < SB_OBJ_COUNT; ++o) {
        sb_obj_cfg c = objective_cfg_default((sb_objective)o, 0.7), c1 = c;
        c.scale_pos_weight = 3;
        float a[2 * N], b[2 * N], r[2 * N];
        objective_gradient_cfg(&c, y, w, m, N, a);
        objective_gradient_cfg_ref(&c, y, w, m, N, r);
        CU_ASSERT_EQUAL(memcmp(a, r, sizeof a), 0);
        objective_gradient_cfg(&c1, y, w, m, N, b);
        const int scaled = o == SB_OBJ_SQUAREDERROR || o == SB_OBJ_LOGISTIC || o == SB_OBJ_BINARY;
        for (int i = 0; i < N; ++i) {
            const double f = scaled && y[i] == 1.0 ? 3.0 : 1.0;
            CU_ASSERT_DOUBLE_EQUAL(a[2 * i], f * b[2 * i], 1e-6 * (1 + fabs(b[2 * i])));
            CU_ASSERT_DOUBLE_EQUAL(a[2 * i + 1], f * b[2 * i + 1], 1e-6 * (1 + fabs(b[2 * i + 1])));
        }
    }
}

static const sb_test tests[] = {
    {"gradient/hessian = loss derivatives, twin, weights", test_gradients_are_derivatives},
    {"links, inverses, names, label checks", test_links_and_names},
    {"huber_slope, tweedie_variance_power, scale_pos_weight; twin", test_objective_parameters},
};

SB_TEST_MAIN(NULL, SB_SUITE("objective", tests))
