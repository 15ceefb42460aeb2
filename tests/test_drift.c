/* test_drift.c - drift monitoring: the counting kernels against their plain
 * twins, exact sums that do not depend on order or sharding, PSI / JS known
 * values, decile groups, the model's reference section read back exactly and
 * rejected when inconsistent, the Prometheus text, the Pushgateway URL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "io/drift_ref.h"
#include "io/drift_ref_read.h"
#include "io/prom_text.h"
#include "jobs/monitor_send.h"
#include "kernels/drift_hist.h"
#include "base/error.h"
#include "base/run_ctx.h"

static run_ctx *run;
static uint64_t st = 4242;
static double unif(void)
{
    uint64_t z = (st += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

enum { NF = 5, NX = 7, NR = 3000, NB = 40 };

static float xval(void)
{
    double u = unif();
    return u < 0.1    ? NAN
           : u < 0.15 ? INFINITY
           : u < 0.3  ? (float)((int)(unif() * 20) * 1.5 - 3)
                      : (float)(unif() * 50 - 10);
}

/* Model-like cuts (NB - 2 per feature), a skewed reference over them, the
 * groups, and a value's group found two ways: by its bin among all cuts
 * (plain) and by the group bounds (what scoring does). */
static void test_groups_match_bins(void)
{
    float cuts[NB - 2], bounds[DRIFT_MAX_GROUPS];
    int64_t ref[NB];
    int32_t first[DRIFT_MAX_GROUPS];
    for (int k = 0; k < NB - 2; ++k) cuts[k] = (float)(k * 1.5 - 3);
    for (int b = 0; b < NB; ++b) ref[b] = b < 5 ? 1000 : b % 3 ? 7 : 0;
    ref[NB - 2] = 0; /* the top bin never seen in training */
    const int32_t ng = drift_groups(ref, NB, 10, first);
    CU_ASSERT(ng >= 5 && ng <= 10);
    CU_ASSERT_EQUAL(first[0], 0);
    for (int g = 1; g < ng; ++g) CU_ASSERT(first[g] > first[g - 1] && first[g] <= NB - 2);
    for (int k = 0; k < DRIFT_MAX_GROUPS; ++k) bounds[k] = k < ng - 1 ? cuts[first[k + 1] - 1] : INFINITY;
    const int32_t nbound = ng - 1;
    const float lo = -100, hi = 100;
    for (int i = 0; i < 2000; ++i) {
        const float v = xval();
        int64_t cnt[DRIFT_GROUP_SLOTS] = {0}, out = 0;
        drift_group_counts(&v, 1, NULL, 1, 1, NULL, bounds, &nbound, &lo, &hi, cnt, &out);
        int b = 0, g = 0;
        if (isnan(v)) g = DRIFT_GROUP_SLOTS - 1;
        else {
            while (b < NB - 2 && cuts[b] <= v) ++b;
            while (g + 1 < ng && first[g + 1] <= b) ++g;
        }
        CU_ASSERT_EQUAL(cnt[g], 1);
    }
    int64_t sums[DRIFT_GROUP_SLOTS], tot = 0;
    drift_group_sums(ref, NB, first, ng, sums);
    for (int g = 0; g < DRIFT_GROUP_SLOTS; ++g) tot += sums[g];
    int64_t want = 0;
    for (int b = 0; b < NB; ++b) want += ref[b];
    CU_ASSERT_EQUAL(tot, want);
    CU_ASSERT_EQUAL(sums[DRIFT_GROUP_SLOTS - 1], ref[NB - 1]);
    const int64_t none[3] = {0, 0, 4}; /* no value seen: one group */
    CU_ASSERT_EQUAL(drift_groups(none, 3, 10, first), 1);
}

static void test_group_counts_equal_twin(void)
{
    float bounds[NF * DRIFT_MAX_GROUPS], lo[NF], hi[NF];
    int32_t nb[NF];
    for (int f = 0; f < NF; ++f) {
        nb[f] = f * 3; /* feature 0: no bounds */
        for (int k = 0; k < DRIFT_MAX_GROUPS; ++k)
            bounds[f * DRIFT_MAX_GROUPS + k] = k < nb[f] ? (float)(k * 4.5 - 3) : INFINITY;
        lo[f] = -5, hi[f] = 30;
    }
    lo[4] = hi[4] = NAN; /* no training value: nothing is outside */
    static float x[NR * NX];
    for (int i = 0; i < NR * NX; ++i) x[i] = xval();
    const int32_t col[NF] = {6, 0, 3, 2, 5};
    int32_t rows[NR / 2];
    for (int j = 0; j < NR / 2; ++j) rows[j] = 2 * j + 1;
    for (int pass = 0; pass < 2; ++pass) {
        int64_t a[NF * DRIFT_GROUP_SLOTS] = {0}, b[NF * DRIFT_GROUP_SLOTS] = {0}, oa[NF] = {0}, ob[NF] = {0};
        const int32_t *rl = pass ? rows : NULL;
        const int64_t m = pass ? NR / 2 : NR;
        drift_group_counts(x, NX, rl, m, NF, col, bounds, nb, lo, hi, a, oa);
        drift_group_counts_ref(x, NX, rl, m, NF, col, bounds, nb, lo, hi, b, ob);
        CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
        CU_ASSERT_EQUAL(memcmp(oa, ob, sizeof oa), 0);
        int64_t tot = 0;
        for (int k = 0; k < DRIFT_GROUP_SLOTS; ++k) tot += a[2 * DRIFT_GROUP_SLOTS + k];
        CU_ASSERT_EQUAL(tot, m); /* every row lands in one group of each feature */
        CU_ASSERT_EQUAL(oa[4], 0);
        CU_ASSERT(oa[0] > 0);
    }
}

static void test_bins_col_counts(void)
{
    /* 2 features, 4 rows, column-major; feature 1 has 1 cut (bins 0,1) + missing (2) */
    const uint8_t cols[8] = {0, 0, 1, 0, 2, 1, 0, 2};
    const int32_t nv[2] = {1, 2};
    const int64_t bs[3] = {0, 2, 5};
    const int64_t w[4] = {1, 2, 3, 4};
    int64_t c[5] = {0}, cw[5] = {0};
    drift_bins_col_counts(cols, 4, 2, nv, bs, NULL, c);
    drift_bins_col_counts(cols, 4, 2, nv, bs, w, cw);
    const int64_t ec[5] = {3, 1, 1, 1, 2}, ecw[5] = {7, 3, 3, 2, 5};
    CU_ASSERT_EQUAL(memcmp(c, ec, sizeof c), 0);
    CU_ASSERT_EQUAL(memcmp(cw, ecw, sizeof cw), 0);
}

static void test_score_counts_equal_twin(void)
{
    const double edges[6] = {0.1, 0.2, 0.2, 0.2, 0.5, 0.9}; /* repeats: many rows with one prediction */
    enum { N = 5000 };
    static double p[N];
    static int64_t w[N];
    for (int i = 0; i < N; ++i) {
        double u = unif();
        p[i] = u < 0.2 ? 0.2 : u < 0.25 ? NAN : unif();
        w[i] = (int64_t)(unif() * 100);
    }
    for (int ne = 0; ne <= 6; ++ne)
        for (int wt = 0; wt < 2; ++wt) {
            int64_t a[7] = {0}, b[7] = {0};
            drift_score_counts(p, wt ? w : NULL, N, edges, ne, a);
            drift_score_counts_ref(p, wt ? w : NULL, N, edges, ne, b);
            CU_ASSERT_EQUAL(memcmp(a, b, sizeof a), 0);
        }
    int64_t c[7] = {0};
    const double q[3] = {0.2, 0.19999999999999998, 0.9};
    drift_score_counts(q, NULL, 3, edges, 6, c);
    CU_ASSERT_EQUAL(c[4], 1); /* 0.2 is at the last of the repeated edges */
    CU_ASSERT_EQUAL(c[1], 1);
    CU_ASSERT_EQUAL(c[6], 1);
}

static void test_fixed_sum_order_free(void)
{
    enum { N = 10000 };
    static double p[N];
    static int64_t w[N];
    for (int i = 0; i < N; ++i) p[i] = (unif() - 0.4) * 1000, w[i] = (int64_t)(unif() * 65536 * 3);
    int64_t all[3] = {0, 0, 0}, parts[3] = {0, 0, 0}, rev[3] = {0, 0, 0};
    drift_fixed_sum(p, w, N, all);
    drift_fixed_sum(p, w, 3333, parts);                   /* "rank 0" */
    drift_fixed_sum(p + 3333, w + 3333, N - 3333, parts); /* "rank 1", limbs added as int64 */
    for (int i = N - 1; i >= 0; --i) drift_fixed_sum(p + i, w + i, 1, rev);
    CU_ASSERT_EQUAL(drift_fixed_value(all), drift_fixed_value(parts));
    CU_ASSERT_EQUAL(drift_fixed_value(all), drift_fixed_value(rev));
    double s = 0;
    for (int i = 0; i < N; ++i) s += p[i] * (double)w[i];
    CU_ASSERT(fabs(drift_fixed_value(all) - s) <= 1e-6 * fabs(s) + 1e-3);
    int64_t neg[3] = {0, 0, 0};
    const double m[2] = {-2.5, 1.0};
    drift_fixed_sum(m, NULL, 2, neg);
    CU_ASSERT_EQUAL(drift_fixed_value(neg), -1.5);
}

static void test_double_key(void)
{
    const double v[] = {-INFINITY, -1e300, -2.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 3.0, 1e300, INFINITY};
    for (size_t i = 0; i + 1 < sizeof v / sizeof v[0]; ++i) {
        CU_ASSERT(drift_double_key(v[i]) <= drift_double_key(v[i + 1]));
        CU_ASSERT_EQUAL(drift_key_double(drift_double_key(v[i])), v[i]);
    }
    CU_ASSERT_EQUAL(drift_double_key(-0.0), drift_double_key(0.0));
}

static void test_psi_js_values(void)
{
    const int64_t a[4] = {10, 20, 30, 40}, b[4] = {20, 40, 60, 80}, c[4] = {40, 30, 20, 10}, z[4] = {0};
    CU_ASSERT_DOUBLE_EQUAL(drift_psi(a, b, 4), 0.0, 1e-15); /* shares, not counts */
    CU_ASSERT_DOUBLE_EQUAL(drift_js(a, b, 4), 0.0, 1e-15);
    /* sum (a - e) ln(a / e) by hand */
    const double want =
        (0.4 - 0.1) * log(4.0) + (0.3 - 0.2) * log(1.5) + (0.2 - 0.3) * log(2.0 / 3) + (0.1 - 0.4) * log(0.25);
    CU_ASSERT_DOUBLE_EQUAL(drift_psi(a, c, 4), want, 1e-12);
    CU_ASSERT(isnan(drift_psi(a, z, 4)));
    const int64_t d1[2] = {5, 0}, d2[2] = {0, 7};
    CU_ASSERT_DOUBLE_EQUAL(drift_js(d1, d2, 2), sqrt(log(2.0)), 1e-12); /* disjoint: the maximum */
    CU_ASSERT(drift_psi(d1, d2, 2) > 10); /* empty bins count as DRIFT_EPS, not infinity */
}

/* A reference for 2 features with 1 and 3 cuts. */
static drift_ref *small_ref(int weighted)
{
    const int64_t nb[2] = {3, 5};
    drift_ref *r = NULL;
    if (drift_ref_alloc(run, 2, nb, 3, weighted, &r) != SB_OK) return NULL;
    for (int64_t k = 0; k < 8; ++k) r->count[k] = k * 3 + 1;
    if (weighted)
        for (int64_t k = 0; k < 8; ++k) r->wcount[k] = k * 65536 + 7;
    r->weight_scale = weighted ? 65536 : 1;
    r->rows = 123;
    r->lo[0] = -1.5;
    r->hi[0] = 0.1; /* not exact in binary: %.17g must bring it back */
    r->edges[0] = 0.1;
    r->edges[1] = 0.1;
    r->edges[2] = 1.0 / 3;
    for (int k = 0; k < 4; ++k) r->score_count[k] = 10 + k;
    r->score_mean = 2.0 / 3;
    return r;
}

static int read_back(const char *text, const int64_t *cut_start, drift_ref **out)
{
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (v == NULL) return SB_EDATA;
    int rc = drift_ref_read(run, v, "m.json", 2, cut_start, out);
    json_decref(v);
    return rc;
}

static void test_ref_round_trip(void)
{
    const int64_t cut_start[3] = {0, 1, 4};
    for (int weighted = 0; weighted < 2; ++weighted) {
        drift_ref *r = small_ref(weighted), *b = NULL;
        char *text = NULL, *again = NULL;
        CU_ASSERT_FATAL(r != NULL);
        CU_ASSERT_EQUAL_FATAL(drift_ref_to_json(run, r, &text), SB_OK);
        CU_ASSERT_EQUAL_FATAL(read_back(text, cut_start, &b), SB_OK);
        CU_ASSERT_EQUAL(memcmp(b->count, r->count, 8 * sizeof(int64_t)), 0);
        CU_ASSERT_EQUAL(b->wcount != NULL, weighted);
        CU_ASSERT_EQUAL(b->hi[0], 0.1);
        CU_ASSERT(isnan(b->lo[1]) && isnan(b->hi[1]));
        CU_ASSERT_EQUAL(b->edges[2], 1.0 / 3);
        CU_ASSERT_EQUAL(b->score_mean, 2.0 / 3);
        CU_ASSERT_EQUAL_FATAL(drift_ref_to_json(run, b, &again), SB_OK);
        CU_ASSERT_STRING_EQUAL(again, text); /* the same bytes: model files stay rank-count invariant */
        free(text);
        free(again);
        drift_ref_free(r);
        drift_ref_free(b);
    }
}

static void test_ref_rejects_mismatch(void)
{
    const int64_t other_cuts[3] = {0, 2, 4}; /* feature 0 with 2 cuts needs 4 counts, the text has 3 */
    drift_ref *r = small_ref(0), *b = NULL;
    char *text = NULL;
    CU_ASSERT_EQUAL_FATAL(drift_ref_to_json(run, r, &text), SB_OK);
    CU_ASSERT_EQUAL(read_back(text, other_cuts, &b), SB_EDATA);
    CU_ASSERT_PTR_NULL(b);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "m.json: reference: feature 1 has 3 counts"));
    err_clear(run);
    CU_ASSERT_EQUAL(read_back(text, NULL, &b), SB_EDATA); /* before "features" */
    err_clear(run);
    free(text);
    drift_ref_free(r);
}

static void test_prom_text(void)
{
    char esc[64];
    CU_ASSERT_EQUAL(prom_escape(esc, sizeof esc, "a\"b\\c\nd"), 10);
    CU_ASSERT_STRING_EQUAL(esc, "a\\\"b\\\\c\\nd");
    const prom_sample s[4] = {{"x_psi", "PSI.", "feature=\"f1\"", 0.5},
                              {"x_rows", "Rows.", "", 10},
                              {"x_psi", "PSI.", "feature=\"f2\"", NAN},
                              {"x_inf", "Inf.", "", INFINITY}};
    char *text = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(prom_text_format(run, s, 4, "job=\"predict\"", &text, &len), SB_OK);
    const char *want =
        "# HELP x_psi PSI.\n# TYPE x_psi gauge\nx_psi{job=\"predict\",feature=\"f1\"} 0.5\n"
        "x_psi{job=\"predict\",feature=\"f2\"} NaN\n# HELP x_rows Rows.\n# TYPE x_rows gauge\n"
        "x_rows{job=\"predict\"} 10\n# HELP x_inf Inf.\n# TYPE x_inf gauge\nx_inf{job=\"predict\"} +Inf\n";
    CU_ASSERT_STRING_EQUAL(text, want);
    CU_ASSERT_EQUAL(len, strlen(want));
    free(text);
}

static void test_group_url(void)
{
    char url[256];
    monitor_group_url("http://127.0.0.1:9091/", "predict", "forms-v2.1", url, sizeof url);
    CU_ASSERT_STRING_EQUAL(url, "http://127.0.0.1:9091/metrics/job/predict/model/forms-v2.1");
    monitor_group_url("http://h:1", "train", "reg/m@v1", url, sizeof url);
    CU_ASSERT_STRING_EQUAL(url, "http://h:1/metrics/job/train/model@base64/cmVnL21AdjE=");
    monitor_group_url("http://h:1", "cv", "", url, sizeof url);
    CU_ASSERT_STRING_EQUAL(url, "http://h:1/metrics/job/cv");
}

static const sb_test tests[] = {
    {"a value's group by bounds == by its bin among all cuts", test_groups_match_bins},
    {"group counts == plain twin (NaN, inf, columns, row lists, range)", test_group_counts_equal_twin},
    {"training counts from column-major bins, weighted", test_bins_col_counts},
    {"score counts == plain twin (repeated edges, NaN, weights)", test_score_counts_equal_twin},
    {"fixed-point sums: order and split free", test_fixed_sum_order_free},
    {"double keys keep order and come back", test_double_key},
    {"PSI and Jensen-Shannon known values", test_psi_js_values},
    {"reference section: round trip, same bytes", test_ref_round_trip},
    {"reference section: counts that do not fit the cuts are refused", test_ref_rejects_mismatch},
    {"Prometheus text: grouping, escaping, NaN/Inf", test_prom_text},
    {"Pushgateway grouping URL (base64 for odd names)", test_group_url},
};

SB_TEST_MAIN(&run, SB_SUITE("drift", tests))
