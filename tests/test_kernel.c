/* test_kernel.c - optimized training kernels against their _ref twins:
 * histograms (dense and sparse rows), partition, split search, sorting and
 * cuts, forest traversal. Inputs come from a fixed-seed generator. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cunit_main.h"
#include "kernels/binning.h"
#include "kernels/hist.h"
#include "kernels/partition.h"
#include "kernels/split.h"
#include "kernels/tree_predict.h"

static uint64_t rng_state = 12345;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

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
            bins[r * NF + f] = (uint8_t)((f % 2 && unif() < 0.7) ? 0 : rnd() % (uint64_t)nbins[f]);
        gh[2 * r] = (int64_t)(rnd() % 2000001) - 1000000;
        gh[2 * r + 1] = (int64_t)(rnd() % 1000000) + 1;
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
        if (rnd() % 3) rows[n++] = r; /* a node: an ascending subset */
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
        if (rnd() % 3) rows[n++] = r;
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
        int32_t c = r % 5 == 0 ? 28 + (int32_t)(rnd() % 63) : (int32_t)(rnd() % 32); /* 0..31 or 28..90 */
        if (r < 4) c = 27 + r; /* the edges: 27, 28 (full), 29, 30 (spill) */
        ptr[r] = k;
        for (int32_t j = 0; j < c; ++j) cells[k + j] = (uint16_t)(rnd() % CELLS);
        k += c;
        gh[2 * r] = (int64_t)(rnd() % 2001) - 1000;
        gh[2 * r + 1] = (int64_t)(rnd() % 1000) + 1;
        if (r < 4 || rnd() % 4) rows[n++] = r;
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

static void test_partition_matches_ref(void)
{
    static uint8_t col[NR];
    static int32_t a[NR], b[NR], s1[NR], s2[NR];
    for (int32_t r = 0; r < NR; ++r) col[r] = (uint8_t)(rnd() % 9); /* bin 8 = missing */
    col[NR - 1] = 255; /* a high bin */
    const int64_t lens[] = {0, 1, 15, 16, 17, 33, NR};
    for (int dl = 0; dl <= 1; ++dl)
        for (int32_t sb = 0; sb < 8; sb += 3)
            for (int32_t mb = -1; mb <= 8; mb += 9) /* no missing bin, bin 8 missing */
                for (unsigned li = 0; li < sizeof lens / sizeof lens[0]; ++li) {
                    int64_t n = 0;
                    for (int32_t r = 0; r < NR && n < lens[li]; ++r)
                        if (lens[li] == NR ? rnd() % 2 : r >= NR - 40 || rnd() % 7 == 0) a[n] = b[n] = r, ++n;
                    int64_t nl = partition_rows(a, n, col, sb, mb, dl, s1);
                    int64_t nl2 = partition_rows_ref(b, n, col, sb, mb, dl, s2);
                    CU_ASSERT_EQUAL(nl, nl2);
                    CU_ASSERT_EQUAL(memcmp(a, b, (size_t)n * sizeof *a), 0);
                    for (int64_t i = 0; i < n; ++i) {
                        int left = col[a[i]] == mb ? dl : col[a[i]] <= sb;
                        CU_ASSERT_EQUAL(left, i < nl);
                        if (i > 0 && i != nl) CU_ASSERT_TRUE(a[i] > a[i - 1]); /* stable */
                    }
                }
}

/* Random histograms with a missing bin: split_find agrees with the re-summing twin
 * for several lambda/alpha/min_child_weight/max_delta_step settings. */
static void test_split_matches_ref(void)
{
    const int32_t nv[3] = {6, 1, 40};
    const uint8_t miss[3] = {1, 0, 1};
    int32_t off[3] = {0, 7, 8};
    static int64_t hist[2 * 49];
    const split_cfg cfgs[4] = {{1.0, 0.0, 1.0, 0.0, 1e-6, 1.0 / 1024},
                               {0.0, 0.5, 0.0, 0.0, 1e-6, 1.0 / 1024},
                               {5.0, 2.0, 30.0, 0.0, 1e-6, 1.0 / 1024},
                               {1.0, 0.0, 1.0, 0.3, 1e-6, 1.0 / 1024}};
    split_layout L = {3, off, nv, miss};
    for (int trial = 0; trial < 200; ++trial) {
        int64_t G = 0, H = 0;
        for (int i = 0; i < 49; ++i) {
            hist[2 * i] = (int64_t)(rnd() % 200001) - 100000;
            hist[2 * i + 1] = (int64_t)(rnd() % 50000) + (trial % 5 == 0 && i % 3 == 0 ? -50000 + 50000 : 0);
        }
        for (int i = 0; i < 7; ++i) G += hist[2 * i], H += hist[2 * i + 1];
        /* feature totals must agree: rescale features 1 and 2 to the same totals */
        hist[14] = G, hist[15] = H;
        int64_t g2 = 0, h2 = 0;
        for (int i = 8; i < 48; ++i) g2 += hist[2 * i], h2 += hist[2 * i + 1];
        hist[96] = G - g2, hist[97] = H - h2;
        if (hist[97] < 0) continue;
        for (int c = 0; c < 4; ++c) {
            split_info a, b;
            split_find(&cfgs[c], &L, NULL, hist, G, H, &a);
            split_find_ref(&cfgs[c], &L, NULL, hist, G, H, &b);
            CU_ASSERT_EQUAL(a.feat, b.feat);
            CU_ASSERT_EQUAL(a.bin, b.bin);
            CU_ASSERT_EQUAL(a.default_left, b.default_left);
            CU_ASSERT_TRUE(a.gain == b.gain || (a.feat < 0 && b.feat < 0));
            CU_ASSERT_EQUAL(a.gl, b.gl);
        }
    }
}

/* Gain by hand: G_L=-4, H_L=2, G_R=6, H_R=3, lambda 1: 16/3 + 36/4 - 4/6. */
static void test_split_gain_by_hand(void)
{
    split_cfg c = {1.0, 0.0, 0.0, 0.0, 1e-6, 1.0};
    int32_t off[1] = {0}, nv[1] = {2};
    uint8_t miss[1] = {0};
    split_layout L = {1, off, nv, miss};
    int64_t hist[4] = {-4, 2, 6, 3};
    split_info s;
    split_find(&c, &L, NULL, hist, 2, 5, &s);
    CU_ASSERT_EQUAL(s.feat, 0);
    CU_ASSERT_EQUAL(s.bin, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.gain, 16.0 / 3 + 36.0 / 4 - 4.0 / 6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(split_leaf_weight(&c, -4, 2), 4.0 / 3, 1e-15);
    /* alpha soft-thresholds G; max_delta_step clips the weight */
    split_cfg a = {1.0, 1.0, 0.0, 0.0, 1e-6, 1.0};
    CU_ASSERT_DOUBLE_EQUAL(split_leaf_weight(&a, -4, 2), 1.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(split_node_gain(&a, -4, 2), 9.0 / 3, 1e-15);
    split_cfg m = {1.0, 0.0, 0.0, 0.5, 1e-6, 1.0};
    CU_ASSERT_DOUBLE_EQUAL(split_leaf_weight(&m, -4, 2), 0.5, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(split_node_gain(&m, -4, 2), -(2.0 * -4 * 0.5 + 3 * 0.25), 1e-15);
    /* min_child_weight 2.5 forbids the left child (H_L = 2) */
    split_cfg w = {1.0, 0.0, 2.5, 0.0, 1e-6, 1.0};
    split_find(&w, &L, NULL, hist, 2, 5, &s);
    CU_ASSERT_EQUAL(s.feat, -1);
}

/* bin_cuts_sample against its twin on v[0..n) with weights w (or none): the
 * same cut count, the same cut bits, cuts increasing. */
static int cuts_match(const float *v, const float *w, int64_t n, int32_t max_bins)
{
    float want[600], got[600];
    uint64_t *scratch = malloc((size_t)(4 * n + 1) * sizeof *scratch);
    if (!scratch) return 0;
    memset(want, 0x5A, sizeof want);
    memset(got, 0x5A, sizeof got);
    int32_t nw = bin_cuts_sample_ref(v, w, n, max_bins, want, scratch);
    int32_t ng = bin_cuts_sample(v, w, n, max_bins, got, scratch);
    free(scratch);
    int ok = nw == ng && nw >= 0 && nw < (max_bins > 0 ? max_bins : 1) && memcmp(want, got, sizeof want) == 0;
    for (int32_t i = 1; ok && i < nw; ++i) ok = want[i - 1] < want[i];
    return ok;
}

static void test_sort_and_cuts(void)
{
    enum { M = 40000 };
    float *v = malloc(M * sizeof *v), *w = malloc(M * sizeof *w);
    if (!v || !w) {
        CU_FAIL("out of memory");
        free(v);
        free(w);
        return;
    }
    static const int32_t mb[] = {2, 3, 16, 255, 256, 511, 512, 513, 600};
    static const int64_t ns[] = {0, 1, 2, 3, 17, 255, 256, 257, 1000, 5000, M};
    /* value sets: d distinct values (d around max_bins), ties, -0/+0 mixed,
     * +-inf, denormals, any bits; a fifth NaN (all-ones bits too) or none;
     * weights integer, fractional, tiny, none */
    for (int kind = 0; kind < 18; ++kind)
        for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
            for (size_t b = 0; b < sizeof mb / sizeof mb[0]; ++b) {
                const int64_t n = ns[a];
                const int32_t maxb = mb[b];
                const int64_t d = kind % 9 == 0 ? 1 : kind % 9 == 1 ? maxb : kind % 9 == 2 ? maxb + 1 : kind % 9 == 3 ? maxb - 1 : 0;
                for (int64_t i = 0; i < n; ++i) {
                    uint32_t u = (uint32_t)rnd();
                    float x;
                    switch (kind % 9) {
                    case 0: case 1: case 2: case 3: x = (float)((int64_t)(rnd() % (uint64_t)d) - d / 2) * 0.25f; break;
                    case 4: x = (float)((int)(rnd() % 300) - 150) * 0.37f; break;             /* ~300 distinct */
                    case 5: x = (rnd() % 2) ? 0.0f : -0.0f; if (rnd() % 3 == 0) x = (float)(rnd() % 4); break;
                    case 6: memcpy(&x, &u, sizeof x); if (isnan(x)) x = INFINITY; break;      /* any bits */
                    case 7: x = (float)(rnd() % 5) * 1e-40f; if (rnd() % 2) x = -x; break; /* denormals, -0/+0 */
                    default: x = (float)unif(); break;                                        /* all distinct */
                    }
                    if (kind % 9 == 6 && i % 101 == 7) x = (i % 2) ? -INFINITY : -0.0f;
                    if (kind >= 9 && rnd() % 5 == 0) {
                        const uint32_t nan_bits = (rnd() % 2) ? 0xFFFFFFFFu : 0x7FC00000u;
                        memcpy(&x, &nan_bits, sizeof x);
                    }
                    v[i] = x;
                    w[i] = kind % 3 == 0 ? (float)(rnd() % 1000 + 1) : kind % 3 == 1 ? (float)unif() * 3.0f + 1e-7f
                                                                                       : 1.0f / (float)(i % 7 + 1);
                }
                if (!cuts_match(v, w, n, maxb) || !cuts_match(v, NULL, n, maxb)) {
                    CU_FAIL("bin_cuts_sample differs from its twin");
                    printf("  kind %d n %lld max_bins %d\n", kind, (long long)n, maxb);
                }
            }
    /* zero's cut is the first -0 or +0 of the input, in either order */
    float z[5] = {-1.0f, -0.0f, 0.0f, 2.0f, -0.0f}, c[8];
    uint64_t scr[32];
    CU_ASSERT_EQUAL(bin_cuts_sample(z, NULL, 5, 256, c, scr), 2);
    CU_ASSERT_TRUE(signbit(c[0]) && c[0] == 0.0f && c[1] == 2.0f);
    z[1] = 0.0f, z[2] = -0.0f;
    CU_ASSERT_EQUAL(bin_cuts_sample(z, NULL, 5, 256, c, scr), 2);
    CU_ASSERT_TRUE(!signbit(c[0]) && c[0] == 0.0f);
    const float zw[5] = {4, 1, 1, 1, 1}; /* quantile path, half the weight below zero: the same zero */
    CU_ASSERT_EQUAL(bin_cuts_sample(z, zw, 5, 2, c, scr), 1);
    CU_ASSERT_TRUE(!signbit(c[0]) && c[0] == 0.0f);
    CU_ASSERT_TRUE(cuts_match(z, zw, 5, 2) && cuts_match(z, NULL, 5, 2) && cuts_match(z, NULL, 5, 3));
    CU_ASSERT_EQUAL(bin_cuts_sample(z, NULL, 1, 256, c, scr), 0); /* n = 1: no cut */
    const float nan4[4] = {NAN, NAN, NAN, NAN}, zw1[4] = {1, 2, 3, 4}; /* only NaN: no cut */
    CU_ASSERT_EQUAL(bin_cuts_sample(nan4, zw1, 4, 256, c, scr), 0);
    CU_ASSERT_EQUAL(bin_cuts_sample(nan4, zw1, 4, 600, c, scr), 0);
    CU_ASSERT_TRUE(cuts_match(nan4, zw1, 4, 2));
    free(v);
    free(w);
    float cuts[300];
    int32_t nc;
    /* few distinct values: one bin per value, cut = the value */
    float s[6] = {1, 1, 2, 5, 5, 5};
    nc = bin_cuts(s, NULL, 6, 256, cuts);
    CU_ASSERT_EQUAL(nc, 2);
    CU_ASSERT_EQUAL(cuts[0], 2.0f);
    CU_ASSERT_EQUAL(cuts[1], 5.0f);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 1.0f), 0);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 2.0f), 1);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 4.9f), 1);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 5.0f), 2);
    CU_ASSERT_EQUAL(bin_of(cuts, nc, 99.0f), 2);
    /* branch-free bin_of = counting cuts <= x, for every cut count 0..259 */
    static float cc[260];
    for (int m = 0; m < 260; ++m) {
        for (int i = 0; i < m; ++i) cc[i] = (float)(2 * i);
        for (float xx = -3; xx < 2 * m + 3; xx += 0.5f) {
            int want = 0;
            while (want < m && cc[want] <= xx) ++want;
            if (bin_of(cc, m, xx) != want) CU_FAIL("bin_of differs from counting");
        }
    }
    /* quantiles: 1000 distinct equal-weight values in 4 bins -> cuts near 250, 500, 750 */
    static float q[1000];
    for (int i = 0; i < 1000; ++i) q[i] = (float)i;
    nc = bin_cuts(q, NULL, 1000, 4, cuts);
    CU_ASSERT_EQUAL(nc, 3);
    CU_ASSERT_EQUAL(cuts[0], 250.0f);
    CU_ASSERT_EQUAL(cuts[1], 500.0f);
    CU_ASSERT_EQUAL(cuts[2], 750.0f);
}

/* bin_rows (AVX-512 blocks where the CPU has them) and the in-place binning
 * (bins written over the floats) equal the plain twin bin_rows_ref, and so
 * does the column-major bin_rows_col: NaN, values on a cut, -0, 255 cuts. */
static void test_bin_rows_inplace(void)
{
    enum { N = 509, F = 11 }; /* N: 31 blocks of 16 and a tail */
    static float x[N * F], y[N * F];
    static uint8_t want[N * F], fast[N * F], col[N * F];
    static float cuts[F * 255];
    int64_t cs[F + 1];
    uint8_t miss[F];
    for (int32_t f = 0, at = 0; f <= F; ++f) {
        cs[f] = at;
        if (f == F) break;
        int32_t nc = f == 3 ? 0 : f == 9 ? 255 : f == 10 ? 128 : 1 + f * 2; /* 3: no cuts (one bin); 9: 255 cuts */
        for (int32_t j = 0; j < nc; ++j) cuts[at + j] = (float)j * (f >= 9 ? 0.05f : 0.5f) - 1.0f;
        at += nc;
        miss[f] = (uint8_t)(f % 2);
    }
    for (int i = 0; i < N * F; ++i) {
        const int f = i % F;
        const int64_t c0 = cs[f], nc = cs[f + 1] - cs[f];
        x[i] = (miss[f] && rnd() % 7 == 0) ? NAN : (float)unif() * 12.0f - 3.0f;
        if (nc > 0 && rnd() % 4 == 0) x[i] = cuts[c0 + (int64_t)(rnd() % (uint64_t)nc)]; /* exactly on a cut */
        if (rnd() % 50 == 0) x[i] = rnd() % 2 ? -0.0f : 0.0f;
    }
    memcpy(y, x, sizeof x);
    bin_rows_ref(x, N, F, cs, cuts, miss, want);
    bin_rows(x, N, F, cs, cuts, miss, fast);
    CU_ASSERT_EQUAL(memcmp(fast, want, sizeof want), 0);
    for (int64_t n = 0; n <= 40; n += 5) { /* short inputs: all tail, one block, block + tail */
        memset(fast, 0xAA, sizeof fast);
        bin_rows(x, n, F, cs, cuts, miss, fast);
        CU_ASSERT_EQUAL(memcmp(fast, want, (size_t)(n * F)), 0);
        CU_ASSERT_EQUAL(fast[n * F], 0xAA); /* nothing written past the rows */
    }
    bin_rows_col(x, N, F, cs, cuts, miss, col);
    uint8_t *got = bin_rows_inplace(y, N, F, cs, cuts, miss);
    CU_ASSERT_PTR_EQUAL(got, (uint8_t *)y);
    CU_ASSERT_EQUAL(memcmp(got, want, sizeof want), 0);
    for (int i = 0; i < N; ++i)
        for (int f = 0; f < F; ++f)
            if (col[f * N + i] != want[i * F + f]) CU_FAIL("bin_rows_col differs from bin_rows");
}

/* Random tree over features with cuts: split bins inside the cut range,
 * thresholds = the cut after the bin (as training emits them). */
static int32_t grow_random(sb_node *t, int32_t *cnt, int32_t depth, int32_t max_depth, int32_t nf,
                           const int64_t *cs, const float *cuts)
{
    const int32_t k = (*cnt)++;
    memset(&t[k], 0, sizeof t[k]);
    int32_t f = (int32_t)(rnd() % (uint64_t)nf);
    const int32_t nc = (int32_t)(cs[f + 1] - cs[f]);
    if (depth == max_depth || nc == 0 || (depth > 0 && rnd() % 5 == 0)) {
        t[k].feat = t[k].left = t[k].right = t[k].bin = -1;
        t[k].value = unif() - 0.5;
        return k;
    }
    t[k].feat = f;
    t[k].bin = (int32_t)(rnd() % (uint64_t)nc);
    t[k].threshold = cuts[cs[f] + t[k].bin];
    t[k].default_left = (int32_t)(rnd() % 2);
    const int32_t l = grow_random(t, cnt, depth + 1, max_depth, nf, cs, cuts);
    const int32_t r = grow_random(t, cnt, depth + 1, max_depth, nf, cs, cuts);
    t[k].left = l;
    t[k].right = r;
    return k;
}

/* Bin walk = twin = float walk (tree_predict_add) bit for bit; too deep -> -1.
 * The column-major walk (all rows, a list of rows) = its twin = the row-major one. */
static void test_partition_tree_add(void)
{
    enum { N = 700, F = 6 };
    static float x[N * F], cuts[F * 40];
    static uint8_t bins[N * F];
    static double m_opt[N], m_ref[N], m_flt[N];
    static sb_node t[2100];
    int64_t cs[F + 1];
    int32_t n_value[F];
    uint8_t miss[F];
    for (int32_t f = 0, at = 0; f <= F; ++f) {
        cs[f] = at;
        if (f == F) break;
        const int32_t nc = f == 2 ? 1 : 3 + f * 6;
        for (int32_t j = 0; j < nc; ++j) cuts[at + j] = (float)j * 0.25f - 2.0f;
        at += nc;
        n_value[f] = nc + 1;
        miss[f] = (uint8_t)(f % 2);
    }
    for (int i = 0; i < N * F; ++i) {
        const int f = i % F;
        x[i] = (miss[f] && rnd() % 5 == 0) ? NAN : (rnd() % 4 == 0 ? cuts[cs[f] + (int64_t)(rnd() % (uint64_t)(cs[f + 1] - cs[f]))]
                                                                    : (float)unif() * 12.0f - 4.0f);
    }
    bin_rows(x, N, F, cs, cuts, miss, bins);
    for (int rep = 0; rep < 20; ++rep) {
        int32_t cnt = 0;
        const int32_t max_depth = rep == 19 ? 10 : 1 + rep % 8;
        grow_random(t, &cnt, 0, max_depth, F, cs, cuts);
        for (int i = 0; i < N; ++i) m_opt[i] = m_ref[i] = m_flt[i] = 0.125 * i;
        int64_t one[2] = {0, cnt};
        sb_forest fo = {t, one, 1};
        tree_predict_add(&fo, 0, 1, x, N, F, m_flt);
        partition_tree_add_ref(t, bins, N, F, n_value, miss, m_ref);
        const int rc = partition_tree_add(t, bins, N, F, n_value, miss, m_opt);
        CU_ASSERT_EQUAL(memcmp(m_ref, m_flt, sizeof m_ref), 0);
        if (rc == 0) CU_ASSERT_EQUAL(memcmp(m_opt, m_ref, sizeof m_ref), 0);
        /* column-major: every row, and a list of rows (every third, backwards) */
        static uint8_t cols[N * F];
        static double c_opt[N], c_ref[N];
        static int32_t list[N];
        for (int i = 0; i < N; ++i)
            for (int f = 0; f < F; ++f) cols[f * N + i] = bins[i * F + f];
        int32_t nl = 0;
        for (int i = N - 1; i >= 0; i -= 3) list[nl++] = i;
        for (int pass = 0; pass < 2; ++pass) {
            const int32_t *rw = pass ? list : NULL;
            const int64_t m = pass ? nl : N;
            for (int i = 0; i < N; ++i) c_opt[i] = c_ref[i] = 0.125 * i;
            partition_tree_add_cols_ref(t, cols, N, rw, m, n_value, miss, c_ref);
            const int rcc = partition_tree_add_cols(t, cols, N, rw, m, n_value, miss, c_opt);
            CU_ASSERT_EQUAL(rcc, rc);
            if (rcc == 0) CU_ASSERT_EQUAL(memcmp(c_opt, c_ref, sizeof c_ref), 0);
            if (pass == 0) CU_ASSERT_EQUAL(memcmp(c_ref, m_ref, sizeof m_ref), 0); /* = the row-major twin */
        }
        if (rc != 0) { /* only a tree deeper than the cap is refused, and untouched */
            int32_t deep = 0;
            for (int i = 0; i < N; ++i) deep |= m_opt[i] != 0.125 * i;
            CU_ASSERT_EQUAL(deep, 0);
            CU_ASSERT_TRUE(max_depth > PARTITION_WALK_MAX_DEPTH);
        }
    }
}

/* Random tree over bins: split bins anywhere in 0..n_value[f] (so the
 * missing bin may sit at or below the split too), random default directions,
 * leaves above the bottom; the left spine goes down to max_depth. */
static int32_t grow_bins(sb_node *t, int32_t *cnt, int32_t depth, int32_t max_depth, int32_t spine, int32_t nf,
                         const int32_t *n_value)
{
    const int32_t k = (*cnt)++;
    memset(&t[k], 0, sizeof t[k]);
    if (depth == max_depth || (!spine && rnd() % 6 == 0)) {
        t[k].feat = t[k].left = t[k].right = t[k].bin = -1;
        t[k].value = unif() - 0.5;
        return k;
    }
    t[k].feat = (int32_t)(rnd() % (uint64_t)nf);
    t[k].bin = (int32_t)(rnd() % (uint64_t)(n_value[t[k].feat] + 1));
    t[k].default_left = (int32_t)(rnd() % 2);
    const int32_t l = grow_bins(t, cnt, depth + 1, max_depth, spine, nf, n_value);
    const int32_t r = grow_bins(t, cnt, depth + 1, max_depth, 0, nf, n_value);
    t[k].left = l;
    t[k].right = r;
    return k;
}

/* Every walk variant = the twin, memcmp of the margins: depths 0..8 (9:
 * refused, margins untouched), missing bins with default left and right, the
 * missing bin above and below the split, leaves above the bottom, n_feat 1 / 2
 * / 47, n around the 16- and 64-row groups. bins ends right before a page the
 * test makes unreadable, so a gather reading past the last row would fault. */
static void test_partition_tree_add_variants(void)
{
    enum { MAXN = 1000, MAXF = 47 };
    static sb_node t[1100];
    static double m_ref[MAXN + 1], m_var[MAXN + 1];
    const long page = sysconf(_SC_PAGESIZE);
    const size_t span = ((size_t)MAXN * MAXF + (size_t)page - 1) / (size_t)page * (size_t)page;
    uint8_t *map = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CU_ASSERT_FATAL(map != MAP_FAILED);
    CU_ASSERT_FATAL(mprotect(map + span, (size_t)page, PROT_NONE) == 0);
    int isas[2] = {PARTITION_ISA_SCALAR, PARTITION_ISA_SCALAR};
    const int n_isa = partition_walk_isa() == PARTITION_ISA_AVX512 ? 2 : 1;
    isas[1] = PARTITION_ISA_AVX512;
    static const int64_t ns[] = {0, 1, 2, 3, 15, 16, 17, 19, 20, 63, 64, 65, 79, 80, 81, 1000};
    static const int32_t nfs[] = {1, 2, 47};
    int32_t n_value[MAXF];
    uint8_t miss[MAXF];
    for (size_t a = 0; a < sizeof nfs / sizeof nfs[0]; ++a) {
        const int32_t F = nfs[a];
        for (int32_t f = 0; f < F; ++f) {
            n_value[f] = f % 5 == 0 ? 255 : 1 + (int32_t)(rnd() % 60);
            miss[f] = (uint8_t)(rnd() % 3 != 0);
        }
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; ++b) {
            const int64_t N = ns[b];
            uint8_t *bins = map + span - (size_t)(N * F);
            for (int64_t i = 0; i < N * F; ++i) { /* a tenth missing, a few stray bytes */
                const int32_t f = (int32_t)(i % F);
                const uint64_t r = rnd() % 20;
                bins[i] = (uint8_t)(r < 2 ? (uint64_t)n_value[f] : r == 2 ? rnd() % 256 : rnd() % (uint64_t)n_value[f]);
            }
            for (int32_t depth = 0; depth <= PARTITION_WALK_MAX_DEPTH + 1; ++depth) {
                int32_t cnt = 0;
                grow_bins(t, &cnt, 0, depth, 1, F, n_value);
                for (int64_t i = 0; i <= N; ++i) m_ref[i] = 0.1 * (double)i - 3.0;
                partition_tree_add_ref(t, bins, N, F, n_value, miss, m_ref);
                for (int v = 0; v < n_isa; ++v) {
                    for (int64_t i = 0; i <= N; ++i) m_var[i] = 0.1 * (double)i - 3.0;
                    const int rc = partition_tree_add_isa(isas[v], t, bins, N, F, n_value, miss, m_var);
                    if (depth > PARTITION_WALK_MAX_DEPTH) {
                        CU_ASSERT_EQUAL(rc, -1);
                        for (int64_t i = 0; i <= N; ++i) m_ref[i] = 0.1 * (double)i - 3.0;
                    } else
                        CU_ASSERT_EQUAL(rc, 0);
                    if (memcmp(m_var, m_ref, (size_t)(N + 1) * sizeof *m_ref) != 0) {
                        CU_FAIL("partition_tree_add variant differs from the twin");
                        fprintf(stderr, "isa %d n_feat %d n %lld depth %d\n", isas[v], F, (long long)N, depth);
                    }
                }
                if (depth <= PARTITION_WALK_MAX_DEPTH) { /* the dispatching entry point too */
                    for (int64_t i = 0; i <= N; ++i) m_var[i] = 0.1 * (double)i - 3.0;
                    CU_ASSERT_EQUAL(partition_tree_add(t, bins, N, F, n_value, miss, m_var), 0);
                    CU_ASSERT_EQUAL(memcmp(m_var, m_ref, (size_t)(N + 1) * sizeof *m_ref), 0);
                }
                /* the column-major walk over the same bins: its twin, and the row-major twin */
                static uint8_t cols[MAXN * MAXF];
                static double c_ref[MAXN + 1];
                for (int64_t i = 0; i < N; ++i)
                    for (int32_t f = 0; f < F; ++f) cols[f * N + i] = bins[i * F + f];
                for (int64_t i = 0; i <= N; ++i) m_var[i] = c_ref[i] = 0.1 * (double)i - 3.0;
                partition_tree_add_cols_ref(t, cols, N, NULL, N, n_value, miss, c_ref);
                const int rcc = partition_tree_add_cols(t, cols, N, NULL, N, n_value, miss, m_var);
                CU_ASSERT_EQUAL(rcc, depth > PARTITION_WALK_MAX_DEPTH ? -1 : 0);
                if (rcc == 0 && (memcmp(m_var, c_ref, (size_t)(N + 1) * sizeof *m_var) != 0 ||
                                 memcmp(m_var, m_ref, (size_t)(N + 1) * sizeof *m_var) != 0))
                    CU_FAIL("partition_tree_add_cols differs from its twin or the row-major walk");
            }
        }
    }
    munmap(map, span + (size_t)page);
}

static void test_predict_matches_ref_and_nan(void)
{
    /* tree 0: x0 < 0.5 ? (x1 < 2 ? -1 : 2) : 3, NaN on x0 goes left; tree 1: a single leaf 0.25 */
    sb_node nodes[6];
    memset(nodes, 0, sizeof nodes);
    nodes[0] = (sb_node){0, 1, 2, 1, 0, 0.5f, 0.0, 1.0, 4.0};
    nodes[1] = (sb_node){1, 3, 4, 0, 0, 2.0f, 0.0, 1.0, 2.0};
    nodes[2] = (sb_node){-1, -1, -1, 0, -1, 0.0f, 3.0, 0.0, 2.0};
    nodes[3] = (sb_node){-1, -1, -1, 0, -1, 0.0f, -1.0, 0.0, 1.0};
    nodes[4] = (sb_node){-1, -1, -1, 0, -1, 0.0f, 2.0, 0.0, 1.0};
    nodes[5] = (sb_node){-1, -1, -1, 0, -1, 0.0f, 0.25, 0.0, 1.0};
    int64_t ts[3] = {0, 5, 6};
    sb_forest f = {nodes, ts, 2};
    float x[5 * 2] = {0.0f, 1.0f, 0.0f, 3.0f, 1.0f, 0.0f, NAN, 1.0f, NAN, NAN};
    double m[5], e[5] = {-0.75, 2.25, 3.25, -0.75, 2.25}; /* NaN x1 goes right (default_left 0) */
    tree_predict_margin(&f, 0.0, x, 5, 2, m);
    for (int i = 0; i < 5; ++i) CU_ASSERT_EQUAL(m[i], e[i]);
    static float big[1000 * 2];
    static double m1[1000], m2[1000];
    for (int i = 0; i < 2000; ++i) big[i] = (rnd() % 10 == 0) ? NAN : (float)unif() * 4;
    for (int i = 0; i < 1000; ++i) m1[i] = m2[i] = 0.1 * i;
    tree_predict_add(&f, 0, 2, big, 1000, 2, m1);
    tree_predict_add_ref(&f, 0, 2, big, 1000, 2, m2);
    CU_ASSERT_EQUAL(memcmp(m1, m2, sizeof m1), 0);
    CU_ASSERT_EQUAL(tree_leaf_of(&f, 0, x + 2), 4);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    static const sb_test tests[] = {
        {"hist dense/sparse vs ref, totals, subtraction", test_hist_dense_and_sparse_match_ref},
        {"hist fixed-width records (with spilled rows) vs sparse", test_hist_fixed_matches_sparse},
        {"hist bundle: joint cells spread to members vs ref", test_hist_bundle_spread},
        {"fixed-point scale and rounding", test_fixed_scale_headroom},
        {"partition vs ref, stable", test_partition_matches_ref},
        {"split_find vs ref (lambda/alpha/mcw/mds)", test_split_matches_ref},
        {"split gain and leaf weight by hand", test_split_gain_by_hand},
        {"cuts of a sample vs ref (distinct/radix paths, -0/+0, NaN), bin_of", test_sort_and_cuts},
        {"forest traversal vs ref, NaN default", test_predict_matches_ref_and_nan},
        {"in-place binning vs bin_rows and bin_rows_col", test_bin_rows_inplace},
        {"bin walk of a tree vs twin and float walk", test_partition_tree_add},
        {"bin walk variants (scalar, AVX-512) vs twin", test_partition_tree_add_variants},
    };
    if (SB_SUITE("kernel", tests)) return 1;
    return sb_run_all();
}
