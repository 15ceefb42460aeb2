/* table_bin.c - booster_bin: quantile cuts agreed by all ranks, local bins.
 *
 * Cuts never depend on sharding: rows are sampled by a hash of their global
 * index, the sample is gathered in global row order, and a feature's cuts
 * are those of a stable sort of its sample by value (bin_cuts_sample), the
 * same code whichever rank runs it. The row layouts the histograms read are
 * chosen in binned_rows.c. */
#include <math.h>   /* for isnan */
#include <stdlib.h> /* for free, realloc */
#include <string.h> /* for memcpy */

#include "engine/booster_internal.h"
#include "kernels/bin_layout.h"
#include "kernels/binning.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/log.h"
#include "base/timer.h"
#include "mpi/run.h"

#define BIN_SAMPLE_ROWS 262144.0 /* rows sampled for the quantiles */
/* Features packed and gathered per block while cutting: the packed and the
 * gathered block are the peak while x is resident. One rank gathers nothing
 * (the packed block is the sample), so it takes twice the features. */
#define CUT_BLOCK_FEATS 4

enum { BIN_MISSING, BIN_CUTS, BIN_FINGERPRINT, BIN_ROWS, N_BIN_PHASES };
static const char *const bin_phase_names[N_BIN_PHASES] = {"missing", "sample+cuts", "fingerprint",
                                                          "bins+sparse rows"};

void booster_binned_free(sb_binned *b)
{
    if (!b) return;
    free(b->cut_start);
    free(b->cuts);
    free(b->cat_levels);
    free(b->has_missing);
    free(b->n_value);
    free(b->cell_off);
    free(b->bins_row);
    free(b->bins_col);
    free(b->n_cells);
    free(b->skip_cell);
    free(b->sparse_start);
    free(b->sparse_cells);
    free(b->sparse_records);
    free(b->sparse_spill);
    free(b->member_start);
    free(b->member_feat);
    free(b->member_stride);
    free(b->row_feat_base);
    free(b->row_feat_skip);
    free(b);
}

/* Which features have a NaN anywhere (allreduce max). Collective. */
static int find_missing(run_ctx *run, const sb_table *t, sb_binned *b)
{
    int rc = SB_OK;
    int64_t *any = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *any);
    SB_CHECK(run, run_agree_rc(run, any ? SB_OK : SB_ENOMEM));
    for (int64_t i = 0; i < t->n_rows; ++i)
        for (int32_t f = 0; f < t->n_feat; ++f) any[f] |= isnan(t->x[i * t->n_feat + f]);
    SB_CHECK(run, comm_max_i64(run, any, t->n_feat));
    for (int32_t f = 0; f < t->n_feat; ++f) b->has_missing[f] = (uint8_t)any[f];
out:
    free(any);
    return rc;
}

/* The local rows sampled for the quantiles: chosen by a hash of (seed,
 * global row index), so the sample does not depend on the sharding. Local. */
static int64_t sample_rows(const sb_table *t, uint64_t seed, int32_t *rows)
{
    const uint64_t cut = train_hash_cut(BIN_SAMPLE_ROWS / (double)(t->n_rows_global > 0 ? t->n_rows_global : 1));
    int64_t n = 0;
    for (int64_t i = 0; i < t->n_rows; ++i) {
        rows[n] = (int32_t)i;
        n += train_hash_sampled(train_hash(seed, STREAM_BIN_SAMPLE, (uint64_t)(t->row_start + i)), cut);
    }
    return n;
}

/* The blocks all ranks packed (width columns of their sampled rows each),
 * in rank order; rows_of[r]: rank r's rows. Collective (agreed inside). */
static int gather_sample(run_ctx *run, const float *mine, int64_t n, int32_t width, float **out, int64_t *rows_of)
{
    const int64_t row_bytes = (int64_t)width * (int64_t)sizeof(float);
    void *all = NULL;
    SB_TRY(run, comm_allgatherv_bytes(run, mine, n * row_bytes, &all, NULL, rows_of));
    for (int32_t r = 0; r < run_size(run); ++r) rows_of[r] /= row_bytes;
    *out = all;
    return SB_OK;
}

/* Column j of a gathered block: every rank's part of it, in rank order (so
 * in global row order), copied into v - or the column itself when one rank
 * holds every row. */
static const float *sample_column(const float *blk, const int64_t *rows_of, int32_t np, int32_t width, int32_t j,
                                  float *v)
{
    if (np == 1) return blk + j * rows_of[0];
    int64_t at = 0;
    for (int32_t r = 0; r < np; ++r) {
        memcpy(v + at, blk + at * width + j * rows_of[r], (size_t)rows_of[r] * sizeof *v);
        at += rows_of[r];
    }
    return v;
}

/* The sample and the scratch of make_cuts, allocated together. */
typedef struct {
    int32_t *rows;    /* this rank's sampled rows */
    int64_t n_rows;   /* their count */
    int64_t n_all;    /* all ranks' sampled rows */
    int weighted;     /* some rank has weights: all gather them alike */
    int64_t *rows_of; /* per rank: sampled rows */
    float *mine;      /* [count, cuts...] of this rank's features */
    int64_t used;     /* floats of mine used */
    float *pack;      /* one block of packed features, reused */
    float *weights;   /* every rank's sampled rows' weights (NULL: all 1) */
    float *column;    /* one gathered column (more than one rank) */
    uint64_t *scratch; /* bin_cuts_sample's */
} cut_work;

static void cut_work_free(cut_work *w)
{
    free(w->rows);
    free(w->rows_of);
    free(w->mine);
    free(w->pack);
    free(w->weights);
    free(w->column);
    free(w->scratch);
}

/* Sample this rank's rows, learn the global sample size and whether any rank
 * has weights (one collective), allocate everything the cuts need (one
 * agreement). Collective. */
static int cut_work_init(run_ctx *run, const sb_table *t, const sb_binned *b, cut_work *w)
{
    const int32_t me = run_rank(run), np = run_size(run), block = np == 1 ? 2 * CUT_BLOCK_FEATS : CUT_BLOCK_FEATS;
    const int32_t n_mine = (b->n_feat - me + np - 1) / np;
    w->rows = sb_alloc(run, (size_t)t->n_rows + 1, sizeof *w->rows);
    if (w->rows) w->n_rows = sample_rows(t, b->seed, w->rows);
    int64_t sums[2] = {w->n_rows, t->weight != NULL}; /* every rank calls this, failed or not */
    SB_TRY(run, comm_sum_i64(run, sums, 2));
    w->n_all = sums[0];
    w->weighted = sums[1] > 0;
    w->rows_of = sb_alloc(run, (size_t)np, sizeof *w->rows_of);
    w->mine = sb_alloc(run, (size_t)(n_mine > 0 ? n_mine : 1) * (1 + BINNED_MAX_BINS), sizeof *w->mine);
    w->pack = sb_alloc(run, (size_t)w->n_rows * block + 1, sizeof *w->pack);
    w->scratch = sb_alloc(run, 2 * (size_t)w->n_all + 1, sizeof *w->scratch);
    if (np > 1) w->column = sb_alloc(run, (size_t)w->n_all + 1, sizeof *w->column);
    const int ok = w->rows && w->rows_of && w->mine && w->pack && w->scratch && (np == 1 || w->column);
    SB_TRY(run, run_agree_rc(run, ok ? SB_OK : SB_ENOMEM));
    if (w->rows_of) w->rows_of[0] = w->n_rows; /* one rank; more ranks: set by each gather */
    return SB_OK;
}

/* The weights of the sampled rows of all ranks in global row order, as
 * floats like the features (the same for every feature: gathered once). A
 * rank without weights has all 1. Collective. */
static int sample_weights(run_ctx *run, const sb_table *t, cut_work *w)
{
    float *mine = w->pack; /* free until the first block */
    for (int64_t k = 0; k < w->n_rows; ++k) mine[k] = t->weight ? (float)t->weight[w->rows[k]] : 1.0f;
    if (run_size(run) > 1) return gather_sample(run, mine, w->n_rows, 1, &w->weights, w->rows_of);
    w->weights = sb_alloc(run, (size_t)w->n_rows + 1, sizeof *w->weights);
    SB_TRY(run, w->weights ? SB_OK : SB_ENOMEM); /* one rank: no one to agree with */
    memcpy(w->weights, mine, (size_t)w->n_rows * sizeof *mine);
    return SB_OK;
}

/* Cut one feature from its sample column (NaN included) and weights (NULL:
 * all 1); writes [count, cuts...], returns the floats written. */
static int64_t cut_feature(const sb_binned *b, int32_t f, const float *col, const cut_work *w, float *outp)
{
    /* uint8 bins: with a missing bin, at most BINNED_MAX_BINS - 1 value bins */
    const int32_t maxb = b->max_bin - (b->has_missing[f] && b->max_bin == BINNED_MAX_BINS ? 1 : 0);
    if (b->cat_levels && b->cat_levels[f] > 0) { /* native categorical: bin k = level k, whatever the sample */
        const int32_t nc = b->cat_levels[f] - 1;
        for (int32_t k = 0; k < nc; ++k) outp[1 + k] = (float)k + 0.5f;
        outp[0] = (float)nc;
        return 1 + nc;
    }
    const int32_t nc = bin_cuts_sample(col, w->weights, w->n_all, maxb, outp + 1, w->scratch);
    outp[0] = (float)nc;
    return 1 + nc;
}

/* Cut this rank's features among [f0, f1) (round-robin: f = me, me + np, ...)
 * from one packed and gathered block. Collective. */
static int cut_block(run_ctx *run, const sb_table *t, const sb_binned *b, int32_t f0, int32_t f1, cut_work *w)
{
    const int32_t me = run_rank(run), np = run_size(run), width = f1 - f0;
    float *sample = w->pack;
    layout_pack_columns(t->x, t->n_feat, w->rows, w->n_rows, f0, f1, w->pack);
    if (np > 1) SB_TRY(run, gather_sample(run, w->pack, w->n_rows, width, &sample, w->rows_of));
    for (int32_t f = f0 + ((me - f0 % np) % np + np) % np; f < f1; f += np) {
        const float *col = sample_column(sample, w->rows_of, np, width, f - f0, w->column);
        w->used += cut_feature(b, f, col, w, w->mine + w->used);
    }
    if (sample != w->pack) free(sample);
    return SB_OK;
}

/* Every rank's cuts (all[], counts[r] bytes from rank r) assembled in feature
 * order: rank r cut the features r, r + np, ... Local. */
static void assemble_cuts(sb_binned *b, const float *all, const int64_t *counts, int64_t *pos, int32_t np)
{
    const int32_t nf = b->n_feat;
    for (int32_t r = 0, at = 0; r < np; ++r) {
        pos[r] = at;
        at += (int32_t)(counts[r] / (int64_t)sizeof(float));
    }
    int64_t at = 0;
    for (int32_t f = 0; f < nf; ++f) {
        const float *blk = all + pos[f % np];
        const int32_t nc = (int32_t)blk[0];
        memcpy(b->cuts + at, blk + 1, (size_t)nc * sizeof(float));
        pos[f % np] += 1 + nc;
        b->cut_start[f] = at;
        at += nc;
        b->n_value[f] = nc + 1;
    }
    b->cut_start[nf] = at;
    int32_t cells = 0;
    for (int32_t f = 0; f < nf; ++f) {
        b->cell_off[f] = cells;
        cells += b->n_value[f] + b->has_missing[f];
    }
    b->hist_cells = cells;
}

/* Every rank's cuts to every rank, assembled in feature order. Collective. */
static int share_cuts(run_ctx *run, sb_binned *b, const cut_work *w)
{
    const int32_t np = run_size(run);
    int rc = SB_OK;
    float *all = NULL;
    int64_t total = 0;
    int64_t *counts = sb_alloc(run, (size_t)np, sizeof *counts), *pos = sb_alloc(run, (size_t)np, sizeof *pos);
    b->cuts = sb_alloc(run, (size_t)b->n_feat * BINNED_MAX_BINS + 1, sizeof *b->cuts);
    SB_CHECK(run, run_agree_rc(run, counts && pos && b->cuts ? SB_OK : SB_ENOMEM));
    SB_CHECK(run,
             comm_allgatherv_bytes(run, w->mine, w->used * (int64_t)sizeof *w->mine, (void **)&all, &total, counts));
    assemble_cuts(b, all, counts, pos, np);
out:
    free(all);
    free(pos);
    free(counts);
    return rc;
}

/* Cuts of every feature from the gathered sample. Features are shared out
 * round-robin, each rank cuts its own, and the cuts are gathered: the code
 * that cuts a feature is the same whichever rank runs it. The sample's
 * weights are gathered once, its features a block at a time. Collective. */
static int make_cuts(run_ctx *run, const sb_table *t, sb_binned *b)
{
    const int32_t block = run_size(run) == 1 ? 2 * CUT_BLOCK_FEATS : CUT_BLOCK_FEATS;
    cut_work w;
    memset(&w, 0, sizeof w);
    int rc = SB_OK;
    SB_CHECK(run, cut_work_init(run, t, b, &w));
    if (w.weighted) SB_CHECK(run, sample_weights(run, t, &w));
    for (int32_t f0 = 0; f0 < b->n_feat; f0 += block)
        SB_CHECK(run, cut_block(run, t, b, f0, f0 + block < b->n_feat ? f0 + block : b->n_feat, &w));
    free(w.pack); /* the peak is over: the cuts gather little */
    w.pack = NULL;
    SB_CHECK(run, share_cuts(run, b, &w));
out:
    cut_work_free(&w);
    return rc;
}

/* Row-major bins written over t->x (which this takes: t->x becomes NULL), the
 * block shrunk to them, and their column-major copy in b->bins_col: x and the
 * bins are never resident together. *rows: the row-major bins. Local. */
static int bin_over_x(run_ctx *run, sb_table *t, sb_binned *b, uint8_t **rows_out)
{
    const int64_t n = t->n_rows;
    const int32_t nf = t->n_feat;
    uint8_t *rows = bin_rows_inplace(t->x, n, nf, b->cut_start, b->cuts, b->has_missing);
    t->x = NULL;
    uint8_t *shrunk = realloc(rows, (size_t)(n * nf) + 1); /* glibc mremaps a large block: the tail goes back */
    if (shrunk) rows = shrunk;
    b->bins_col = sb_alloc(run, (size_t)(n * nf) + 1, 1);
    if (!b->bins_col) {
        free(rows);
        return SB_ENOMEM;
    }
    layout_transpose(rows, n, nf, b->bins_col);
    *rows_out = rows;
    return SB_OK;
}

/* The bins of the local rows, then the row layouts of the histograms. With
 * owner (owner == t), t->x is binned in place and taken. Collective. */
static int bin_rows_of(run_ctx *run, const sb_table *t, sb_table *owner, sb_binned *b)
{
    if (owner) {
        uint8_t *rows = NULL;
        SB_TRY(run, run_agree_rc(run, bin_over_x(run, owner, b, &rows)));
        return binned_rows_layout(run, b, rows);
    }
    b->bins_col = sb_alloc(run, (size_t)(t->n_rows * t->n_feat) + 1, 1);
    SB_TRY(run, run_agree_rc(run, b->bins_col ? SB_OK : SB_ENOMEM));
    bin_rows_col(t->x, t->n_rows, t->n_feat, b->cut_start, b->cuts, b->has_missing, b->bins_col);
    return binned_rows_layout(run, b, NULL);
}

/* What binning needs of the table and max_bin. Local. */
static int check_table(run_ctx *run, const sb_table *t, int32_t max_bin)
{
    if (t->n_rows_global <= 0) return SB_FAIL(run, SB_EDATA, "no training rows");
    if (t->n_rows >= INT32_MAX)
        return SB_FAIL(run, SB_EINVAL, "%lld rows on one rank: use more ranks (limit 2^31 per rank)",
                       (long long)t->n_rows);
    if (max_bin < 2 || max_bin > BINNED_MAX_BINS)
        return SB_FAIL(run, SB_EINVAL, "max_bin %d out of [2, %d]", max_bin, BINNED_MAX_BINS);
    return SB_OK;
}

/* An sb_binned with its per-feature arrays. Local. */
static int binned_alloc(run_ctx *run, const sb_table *t, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    sb_binned *b = sb_alloc(run, 1, sizeof *b);
    *out = b;
    if (!b) return SB_ENOMEM;
    b->n_feat = t->n_feat;
    b->n_rows = t->n_rows;
    b->row_start = t->row_start;
    b->n_rows_global = t->n_rows_global;
    b->max_bin = max_bin;
    b->seed = seed;
    b->cut_start = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->cut_start);
    b->has_missing = sb_alloc(run, (size_t)t->n_feat + 1, 1);
    b->n_value = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->n_value);
    b->cell_off = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->cell_off);
    return b->cut_start && b->has_missing && b->n_value && b->cell_off ? SB_OK : SB_ENOMEM;
}

/* Native categorical bins: the levels of every categorical feature, which
 * must fit one bin each. The same on every rank (the table's dictionaries
 * are). Local. */
static int native_levels(run_ctx *run, const sb_table *t, sb_binned *b)
{
    int has = 0;
    for (int32_t f = 0; f < t->n_feat; ++f) has |= t->feat[f].n_levels > 0;
    if (!has) return SB_OK; /* nothing categorical: the plain bins */
    b->cat_levels = sb_alloc(run, (size_t)t->n_feat, sizeof *b->cat_levels);
    if (!b->cat_levels) return SB_ENOMEM;
    for (int32_t f = 0; f < t->n_feat; ++f) {
        if (t->feat[f].n_levels > SPLIT_CAT_MAX_LEVELS)
            return SB_FAIL(run, SB_EINVAL,
                           "enable_categorical: feature '%s' has %d levels, native categorical splits take at most %d "
                           "(train it ordinally: enable_categorical=0)",
                           t->feat[f].name, t->feat[f].n_levels, SPLIT_CAT_MAX_LEVELS);
        b->cat_levels[f] = t->feat[f].n_levels;
    }
    return SB_OK;
}

/* The shared body of booster_bin (owner NULL: t untouched) and
 * booster_bin_consume (owner == t: t->x is binned in place and taken). Collective. */
static int bin_table(run_ctx *run, const sb_table *t, sb_table *owner, int32_t max_bin, uint64_t seed, int native_cat,
                     sb_binned **out)
{
    *out = NULL;
    SB_TRY(run, run_agree_rc(run, check_table(run, t, max_bin)));
    sb_binned *b = NULL;
    sb_timers tm;
    timer_init(&tm, bin_phase_names, N_BIN_PHASES);
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, binned_alloc(run, t, max_bin, seed, &b)));
    if (native_cat) SB_CHECK(run, run_agree_rc(run, native_levels(run, t, b)));
    timer_start(&tm, BIN_MISSING);
    SB_CHECK(run, find_missing(run, t, b));
    timer_stop(&tm, BIN_MISSING);
    timer_start(&tm, BIN_CUTS);
    SB_CHECK(run, make_cuts(run, t, b));
    timer_stop(&tm, BIN_CUTS);
    timer_start(&tm, BIN_FINGERPRINT);
    SB_CHECK(run, data_fingerprint(run, t, &b->fingerprint)); /* reads x: before it is binned over */
    timer_stop(&tm, BIN_FINGERPRINT);
    timer_start(&tm, BIN_ROWS);
    SB_CHECK(run, bin_rows_of(run, t, owner, b));
    timer_stop(&tm, BIN_ROWS);
    timer_report(run, &tm, "bin phases");
    *out = b;
    b = NULL;
out:
    booster_binned_free(b);
    return rc;
}

int booster_bin(run_ctx *run, const sb_table *t, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    return bin_table(run, t, NULL, max_bin, seed, 0, out);
}

int booster_bin_consume(run_ctx *run, sb_table *t, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    return bin_table(run, t, t, max_bin, seed, 0, out);
}

int booster_bin_cat(run_ctx *run, const sb_table *t, int32_t max_bin, uint64_t seed, int native_cat, sb_binned **out)
{
    return bin_table(run, t, NULL, max_bin, seed, native_cat, out);
}

int booster_bin_consume_cat(run_ctx *run, sb_table *t, int32_t max_bin, uint64_t seed, int native_cat, sb_binned **out)
{
    return bin_table(run, t, t, max_bin, seed, native_cat, out);
}
