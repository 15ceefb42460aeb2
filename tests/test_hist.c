/* test_hist.c - the histogram kernels (kernels/hist.h) against their _ref twins: dense and
 * sparse rows, fixed-width records, bundles, fixed-point scaling. Inputs come from a
 * fixed-seed generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "helpers.h"
#include "kernels/hist.h"

enum { NR = 3000, NF = 7 };
static const int32_t nbins[NF] = {2, 5, 256, 17, 1, 64, 3};

static void make_data(uint8_t *bins, int32_t *off, int64_t *gh, int32_t *total)
{
    int32_t c = 0;
    for (int32_t f = 0; f < NF; ++f) {
        off[f] = c;
        c += nbins[f];
    }
    *total = c;
    for (int64_t r = 0; r < NR; ++r) {
        for (int32_t f = 0; f < NF; ++f) /* skewed: bin 0 dominant for some features */
            bins[r * NF + f] = (uint8_t)((f % 2 && sb_test_unif() < 0.7) ? 0 : sb_test_rnd() % (uint64_t)nbins[f]);
        gh[2 * r] = (int64_t)(sb_test_rnd() % 2000001) - 1000000;
        gh[2 * r + 1] = (int64_t)(sb_test_rnd() % 1000000) + 1;
    }
}

static void test_hist_dense_and_sparse_match_ref(void)
{
    static uint8_t bins[NR * NF];
    static int64_t gh[2 * NR], h_ref[2 * 600], h_opt[2 * 600], h_sp[2 * 600];
    static int32_t rows[NR];
    static int64_t ptr[NR + 1];
    static uint16_t cells[NR * NF];
    int32_t off[NF], total = 0, n_cells[NF], skip[NF];
    make_data(bins, off, gh, &total);
    int64_t n = 0;
    for (int32_t r = 0; r < NR; ++r)
        if (sb_test_rnd() % 3) rows[n++] = r; /* a node: an ascending subset */
    memset(h_ref, 0, sizeof h_ref);
    memset(h_opt, 0, sizeof h_opt);
    memset(h_sp, 0, sizeof h_sp);
    hist_build_ref(bins, NF, off, rows, n, gh, h_ref);
    hist_build(bins, NF, off, rows, n, gh, h_opt);
    CU_ASSERT_EQUAL(memcmp(h_ref, h_opt, sizeof(int64_t) * 2 * (size_t)total), 0);
    /* sparse: skip bin 0 of odd features, the last bin of feature 2, nothing elsewhere */
    for (int32_t f = 0; f < NF; ++f) {
        n_cells[f] = nbins[f];
        skip[f] = f % 2 ? off[f] : (f == 2 ? off[f] + 255 : -1);
    }
    int64_t k = 0;
    for (int32_t r = 0; r < NR; ++r) {
        ptr[r] = k;
        for (int32_t f = 0; f < NF; ++f)
            if (off[f] + bins[r * NF + f] != skip[f]) cells[k++] = (uint16_t)(off[f] + bins[r * NF + f]);
    }
    ptr[NR] = k;
    hist_build_sparse(ptr, cells, rows, n, gh, h_sp);
    int64_t G = 0, H = 0;
    for (int64_t i = 0; i < n; ++i) G += gh[2 * rows[i]], H += gh[2 * rows[i] + 1];
    hist_fill_skipped(h_sp, NF, off, n_cells, skip, G, H);
    CU_ASSERT_EQUAL(memcmp(h_ref, h_sp, sizeof(int64_t) * 2 * (size_t)total), 0);
    /* invariant: every feature's bins sum to the node totals */
    for (int32_t f = 0; f < NF; ++f) {
        int64_t g = 0, h = 0;
        for (int32_t b = 0; b < nbins[f]; ++b) g += h_opt[2 * (off[f] + b)], h += h_opt[2 * (off[f] + b) + 1];
        CU_ASSERT_EQUAL(g, G);
        CU_ASSERT_EQUAL(h, H);
    }
    /* parent - child = sibling */
    static int64_t h_l[2 * 600], h_r[2 * 600], h_s[2 * 600];
    memset(h_l, 0, sizeof h_l);
    memset(h_r, 0, sizeof h_r);
    hist_build_ref(bins, NF, off, rows, n / 3, gh, h_l);
    hist_build_ref(bins, NF, off, rows + n / 3, n - n / 3, gh, h_r);
    hist_subtract(h_ref, h_l, h_s, 2 * total);
    CU_ASSERT_EQUAL(memcmp(h_s, h_r, sizeof(int64_t) * 2 * (size_t)total), 0);
}

/* Features 0, 1, 4, 6 (2, 5, 1, 3 bins) bundled into one joint cell per row:
 * the spread joint histogram plus the single features' cells equals the
 * reference histogram on every cell but the skipped ones, and after
 * hist_fill_skipped on all of them. Member skips mix bin 0, a middle bin and
 * the only bin of a one-bin feature; some rows sit in the all-skipped joint
 * cell and store nothing for the bundle. */
static void test_hist_bundle_spread(void)
{
    static uint8_t bins[NR * NF];
    static int64_t gh[2 * NR], h_ref[2 * 600], h_b[2 * 700];
    static int32_t rows[NR];
    static int64_t ptr[NR + 1];
    static uint16_t cells[NR * NF];
    int32_t off[NF], total = 0, n_cells[NF], skip[NF];
    make_data(bins, off, gh, &total);
    for (int32_t f = 0; f < NF; ++f) n_cells[f] = nbins[f], skip[f] = off[f] + (f == 1 ? 2 : 0);
    const int32_t mem[4] = {0, 1, 4, 6};
    int32_t nc[4], moff[4], mskip[4], stride[4], joint = 1, skip_joint = 0;
    for (int32_t k = 0; k < 4; ++k) {
        nc[k] = n_cells[mem[k]], moff[k] = off[mem[k]], mskip[k] = skip[mem[k]] - off[mem[k]];
        stride[k] = joint;
        skip_joint += mskip[k] * joint;
        joint *= nc[k];
    }
    CU_ASSERT_EQUAL(joint, 30);
    int64_t k = 0, n = 0, empty = 0;
    for (int32_t r = 0; r < NR; ++r) {
        ptr[r] = k;
        for (int32_t f = 2; f < NF; f += f == 2 ? 1 : 2) /* the single features 2, 3, 5 */
            if (off[f] + bins[r * NF + f] != skip[f]) cells[k++] = (uint16_t)(off[f] + bins[r * NF + f]);
        int32_t j = 0;
        for (int32_t q = 0; q < 4; ++q) j += bins[r * NF + mem[q]] * stride[q];
        if (j != skip_joint) cells[k++] = (uint16_t)(total + j);
        else ++empty;
        if (sb_test_rnd() % 3) rows[n++] = r;
    }
    ptr[NR] = k;
    CU_ASSERT(empty > 0);
    memset(h_ref, 0, sizeof h_ref);
    memset(h_b, 0, sizeof h_b);
    hist_build_ref(bins, NF, off, rows, n, gh, h_ref);
    hist_build_sparse(ptr, cells, rows, n, gh, h_b);
    static int64_t h_s[2 * 600];
    memcpy(h_s, h_b, sizeof(int64_t) * 2 * (size_t)total);
    hist_spread_bundle(h_b + 2 * total, 4, nc, stride, moff, mskip, h_s);
    for (int32_t f = 0; f < NF; ++f)
        for (int32_t c = off[f]; c < off[f] + n_cells[f]; ++c)
            if (c != skip[f]) {
                CU_ASSERT_EQUAL(h_s[2 * c], h_ref[2 * c]);
                CU_ASSERT_EQUAL(h_s[2 * c + 1], h_ref[2 * c + 1]);
            } else {
                CU_ASSERT_EQUAL(h_s[2 * c], 0); /* left for hist_fill_skipped */
            }
    int64_t G = 0, H = 0;
    for (int64_t i = 0; i < n; ++i) G += gh[2 * rows[i]], H += gh[2 * rows[i] + 1];
    hist_fill_skipped(h_s, NF, off, n_cells, skip, G, H);
    CU_ASSERT_EQUAL(memcmp(h_ref, h_s, sizeof(int64_t) * 2 * (size_t)total), 0);
}

/* Fixed-width records (rows of 0..90 cells: padded, exactly full, spilled)
 * give the same histogram as the pointer format on every real cell. */
static void test_hist_fixed_matches_sparse(void)
{
    enum { R = 700, CELLS = 400 };
    static int64_t ptr[R + 1], gh[2 * R], h_sp[2 * CELLS], h_fx[2 * (CELLS + HIST_REC_SINKS)];
    static uint16_t cells[R * 90], rec[R * HIST_REC_WIDTH], spill[R * 92];
    static int32_t rows[R];
    int64_t k = 0, n = 0;
    for (int32_t r = 0; r < R; ++r) {
        int32_t c =
            r % 5 == 0 ? 28 + (int32_t)(sb_test_rnd() % 63) : (int32_t)(sb_test_rnd() % 32); /* 0..31 or 28..90 */
        if (r < 4) c = 27 + r; /* the edges: 27, 28 (full), 29, 30 (spill) */
        ptr[r] = k;
        for (int32_t j = 0; j < c; ++j) cells[k + j] = (uint16_t)(sb_test_rnd() % CELLS);
        k += c;
        gh[2 * r] = (int64_t)(sb_test_rnd() % 2001) - 1000;
        gh[2 * r + 1] = (int64_t)(sb_test_rnd() % 1000) + 1;
        if (r < 4 || sb_test_rnd() % 4) rows[n++] = r;
    }
    ptr[R] = k;
    CU_ASSERT_TRUE_FATAL(hist_fixed_spill_len(ptr, R) <= R * 92);
    hist_fixed_encode(ptr, cells, R, CELLS, rec, spill);
    for (int32_t r = 0; r < R; ++r) { /* slot counts are the cells rounded up to 4; pads go to the sinks */
        const int64_t c = ptr[r + 1] - ptr[r], s = rec[(int64_t)r * HIST_REC_WIDTH];
        CU_ASSERT_EQUAL(s, (c + 3) / 4 * 4);
        if (s <= HIST_REC_INLINE && s > c) CU_ASSERT_TRUE(rec[(int64_t)r * HIST_REC_WIDTH + s] >= 2 * CELLS);
    }
    memset(h_sp, 0, sizeof h_sp);
    memset(h_fx, 0, sizeof h_fx);
    hist_build_sparse(ptr, cells, rows, n, gh, h_sp);
    hist_build_fixed(rec, spill, rows, n, gh, h_fx);
    CU_ASSERT_EQUAL(memcmp(h_sp, h_fx, sizeof h_sp), 0);
    memset(h_fx, 0, sizeof h_fx);
    hist_build_fixed(rec, spill, rows, 0, gh, h_fx); /* no rows: nothing added */
    for (int32_t c = 0; c < 2 * (CELLS + HIST_REC_SINKS); ++c) CU_ASSERT_EQUAL_FATAL(h_fx[c], 0);
}

static void test_fixed_scale_headroom(void)
{
    int k = hist_fixed_scale(3.5, 1000000);
    CU_ASSERT_TRUE(ldexp(3.5, k) * 1000001.0 < ldexp(1.0, 62));
    CU_ASSERT_TRUE(ldexp(3.5, k + 1) * 1000001.0 >= ldexp(1.0, 61)); /* not wastefully small */
    float g[4] = {1.5f, -0.25f, 3e-5f, -7.0f};
    int64_t o[4];
    hist_to_fixed(g, 4, 20, o);
    CU_ASSERT_EQUAL(o[0], 1572864);
    CU_ASSERT_EQUAL(o[1], -262144);
    CU_ASSERT_EQUAL(o[2], llrint(3e-5f * 1048576.0));
    CU_ASSERT_EQUAL(o[3], -7340032);
    /* the inline rounding equals llrint (half to even) everywhere, ties included */
    float t[8] = {0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 3.75f, 1e-20f, -6.5e7f};
    int64_t q[8];
    for (int kk = 0; kk <= 60; kk += 3) {
        hist_to_fixed(t, 8, kk, q);
        for (int i = 0; i < 8; ++i) CU_ASSERT_EQUAL(q[i], llrint(ldexp((double)t[i], kk)));
    }
    /* only the listed rows (pairs), with their sums */
    int32_t sel[3] = {0, 2, 3};
    int64_t q2[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, sums[2];
    hist_to_fixed(t, 8, 20, q);
    hist_to_fixed_rows(t, sel, 3, 20, q2, sums);
    CU_ASSERT_EQUAL(q2[2], -1); /* row 1 untouched */
    CU_ASSERT_EQUAL(q2[3], -1);
    for (int i = 0; i < 3; ++i) {
        CU_ASSERT_EQUAL(q2[2 * sel[i]], q[2 * sel[i]]);
        CU_ASSERT_EQUAL(q2[2 * sel[i] + 1], q[2 * sel[i] + 1]);
    }
    CU_ASSERT_EQUAL(sums[0], q[0] + q[4] + q[6]);
    CU_ASSERT_EQUAL(sums[1], q[1] + q[5] + q[7]);
    hist_to_fixed(t, 8, 0, q);
    CU_ASSERT_EQUAL(q[0], 0); /* ties to even */
    CU_ASSERT_EQUAL(q[1], 2);
    CU_ASSERT_EQUAL(q[2], 2);
    CU_ASSERT_EQUAL(q[4], -2);
}

static const sb_test tests[] = {
    {"hist dense/sparse vs ref, totals, subtraction", test_hist_dense_and_sparse_match_ref},
    {"hist fixed-width records (with spilled rows) vs sparse", test_hist_fixed_matches_sparse},
    {"hist bundle: joint cells spread to members vs ref", test_hist_bundle_spread},
    {"fixed-point scale and rounding", test_fixed_scale_headroom},
};

SB_TEST_MAIN(NULL, SB_SUITE("hist", tests))
