/* test_metric.c - exact metric partials: order and split invariance (what makes
 * model files rank-count invariant), the fast path = the twin, known values. */
#include <math.h>
#include <string.h>

#include "cunit_main.h"
#include "kernels/metric.h"

static uint64_t st = 777;
static double unif(void)
{
    uint64_t z = (st += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static void test_xsum_order_free(void)
{
    enum { N = 20000 };
    static double v[N];
    for (int i = 0; i < N; ++i) v[i] = (unif() - 0.3) * pow(10.0, (int)(unif() * 30) - 15);
    sb_xsum a, b, parts[3];
    xsum_zero(&a);
    xsum_zero(&b);
    for (int i = 0; i < N; ++i) xsum_add(&a, v[i]);
    for (int i = N - 1; i >= 0; --i) xsum_add(&b, v[i]);
    for (int p = 0; p < 3; ++p) xsum_zero(&parts[p]);
    for (int i = 0; i < N; ++i) xsum_add(&parts[(i * 7) % 3], v[i]);
    xsum_normalize(&a);
    xsum_normalize(&b);
    CU_ASSERT_EQUAL(memcmp(a.limb, b.limb, sizeof a.limb), 0);
    /* partials summed as integers, as MPI does for several ranks */
    sb_xsum m;
    xsum_zero(&m);
    for (int p = 0; p < 3; ++p) {
        xsum_normalize(&parts[p]);
        for (int l = 0; l < SB_XSUM_LIMBS; ++l) m.limb[l] += parts[p].limb[l];
    }
    xsum_normalize(&m);
    CU_ASSERT_EQUAL(memcmp(a.limb, m.limb, sizeof a.limb), 0);
    CU_ASSERT_EQUAL(xsum_value(&a), xsum_value(&m));
    /* exact for values a double sum would round: 1e16 + 1 - 1e16 */
    sb_xsum e;
    xsum_zero(&e);
    xsum_add(&e, 1e16);
    xsum_add(&e, 1.0);
    xsum_add(&e, -1e16);
    CU_ASSERT_EQUAL(xsum_value(&e), 1.0);
    xsum_add(&e, NAN);
    CU_ASSERT_TRUE(isinf(xsum_value(&e)));
}

static void test_metric_values_and_twin(void)
{
    double y[4] = {1, 2, 3, NAN}, p[4] = {1.5, 2, 1, 9}, w[4] = {1, 3, 1, 1};
    sb_metric_part a;
    metric_part_zero(&a);
    metric_accumulate(SB_METRIC_MSE, y, w, 0, p, NULL, 4, &a);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(SB_METRIC_MSE, &a), (0.25 + 0 + 4) / 3, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(SB_METRIC_RMSE, &a), sqrt((0.25 + 4) / 3), 1e-15);
    metric_part_zero(&a);
    metric_accumulate(SB_METRIC_MAE, y, w, 1, p, NULL, 4, &a);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(SB_METRIC_MAE, &a), (0.5 + 0 + 2) / 5, 1e-15);
    uint8_t mask[4] = {1, 0, 1, 1};
    metric_part_zero(&a);
    metric_accumulate(SB_METRIC_MAE, y, NULL, 0, p, mask, 4, &a);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(SB_METRIC_MAE, &a), 2.5 / 2, 1e-15);
    enum { N = 5000 };
    static double yy[N], pp[N], ww[N];
    for (int i = 0; i < N; ++i)
        yy[i] = unif(), pp[i] = unif() * 0.98 + 0.01, ww[i] = i % 10 == 0 ? 3e13 : 1 + 100 * unif();
    for (int i = 0; i < N; i += 97) yy[i] = NAN;  /* skipped rows */
    for (int i = 5; i < N; i += 101) pp[i] = 3000; /* squared terms >= 2^20: general path */
    static uint8_t mm[N];
    for (int i = 0; i < N; ++i) mm[i] = i % 7 != 3;
    for (int k = 0; k < SB_METRIC_COUNT; ++k) {
        /* weighted and unweighted (specialized loops), with and without a mask */
        for (int v = 0; v < 4; ++v) {
            sb_metric_part f, r;
            metric_part_zero(&f);
            metric_part_zero(&r);
            metric_accumulate((sb_metric_kind)k, yy, ww, v & 1, pp, v & 2 ? mm : NULL, N, &f);
            metric_accumulate_ref((sb_metric_kind)k, yy, ww, v & 1, pp, v & 2 ? mm : NULL, N, &r);
            metric_part_normalize(&f);
            metric_part_normalize(&r);
            CU_ASSERT_EQUAL(memcmp(f.loss.limb, r.loss.limb, sizeof f.loss.limb), 0);
            CU_ASSERT_EQUAL(memcmp(f.wsum.limb, r.wsum.limb, sizeof f.wsum.limb), 0);
            CU_ASSERT_EQUAL(f.n, r.n);
        }
        sb_metric_kind back;
        CU_ASSERT_EQUAL(metric_parse(metric_name((sb_metric_kind)k), &back), 0);
        CU_ASSERT_EQUAL(back, k);
    }
    /* logloss and poisson-nloglik match XGBoost's formulas */
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss(SB_METRIC_LOGLOSS, 1, 0.8), -log(0.8), 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss(SB_METRIC_POISSON_NLOGLIK, 3, 2), lgamma(4) + 2 - 3 * log(2), 1e-12);
    /* error, mape, gamma-nloglik as XGBoost defines them */
    CU_ASSERT_EQUAL(metric_row_loss(SB_METRIC_ERROR, 1, 0.7), 0.0);
    CU_ASSERT_EQUAL(metric_row_loss(SB_METRIC_ERROR, 0, 0.7), 1.0);
    CU_ASSERT_EQUAL(metric_row_loss(SB_METRIC_ERROR, 1, 0.5), 1.0); /* 0.5 is called negative */
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss(SB_METRIC_MAPE, 4, 3), 0.25, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(metric_row_loss(SB_METRIC_GAMMA_NLOGLIK, 3, 2), 1.5 + log(2), 1e-15);
    const double ey[4] = {1, 0, 1, 0}, ep[4] = {0.9, 0.6, 0.2, 0.1}, ew[4] = {1, 2, 3, 4};
    metric_part_zero(&a);
    metric_accumulate(SB_METRIC_ERROR, ey, ew, 1, ep, NULL, 4, &a);
    CU_ASSERT_DOUBLE_EQUAL(metric_value(SB_METRIC_ERROR, &a), 5.0 / 10, 1e-15);
    sb_metric_kind k;
    CU_ASSERT_EQUAL(metric_parse("binary_error", &k), 0);
    CU_ASSERT_EQUAL(k, SB_METRIC_ERROR);
}

static const sb_test tests[] = {
    {"xsum exact, order and split invariant", test_xsum_order_free},
    {"metric values, fast path = twin, names", test_metric_values_and_twin},
};

SB_TEST_MAIN(NULL, SB_SUITE("metric", tests))
