/* train_bin.c - booster_bin: quantile cuts agreed by all ranks, local bins.
 *
 * Cuts never depend on sharding: rows are sampled by a hash of their global
 * index, every rank gathers the same sample in global row order, sorts it
 * with a total order and cuts it with the same code. */
#include <math.h>   /* for isnan */
#include <stdlib.h> /* for free */
#include <string.h> /* for memcpy */

#include "jobs/train_internal.h"
#include "kernels/binning.h"
#include "mpi/comm.h"

#define BIN_SAMPLE_ROWS 262144.0 /* rows sampled for the quantiles */

void booster_binned_free(sb_binned *b)
{
    if (!b) return;
    free(b->cut_start);
    free(b->cuts);
    free(b->has_missing);
    free(b->n_value);
    free(b->off);
    free(b->bins);
    free(b->bins_col);
    free(b->n_cells);
    free(b->skip);
    free(b->sp_ptr);
    free(b->sp_cells);
    free(b);
}

int32_t booster_binned_max_bin(const sb_binned *b) { return b ? b->max_bin : 0; }

/* Which features have a NaN anywhere (allreduce max). */
static int find_missing(run_ctx *run, const sb_table *t, sb_binned *b)
{
    int64_t *any = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *any);
    int rc = any ? SB_OK : SB_ENOMEM;
    for (int64_t i = 0; rc == SB_OK && i < t->n_rows; ++i)
        for (int32_t f = 0; f < t->n_feat; ++f) any[f] |= isnan(t->x[i * t->n_feat + f]);
    rc = run_agree_rc(run, rc);
    if (rc == SB_OK) rc = comm_max_i64(run, any, t->n_feat);
    for (int32_t f = 0; rc == SB_OK && f < t->n_feat; ++f) b->has_missing[f] = (uint8_t)any[f];
    free(any);
    return rc;
}

/* Gather the hash-sampled rows (features + weight) of all ranks, in global order. */
static int gather_sample(run_ctx *run, const sb_table *t, uint64_t seed, float **out, int64_t *n_out)
{
    const int32_t nf = t->n_feat;
    const size_t row_bytes = (size_t)(nf + 1) * sizeof(float);
    double p = BIN_SAMPLE_ROWS / (double)(t->n_rows_global > 0 ? t->n_rows_global : 1);
    int64_t n = 0;
    for (int64_t i = 0; i < t->n_rows; ++i) n += train_hash_below(train_hash(seed, STREAM_BIN_SAMPLE, (uint64_t)(t->row_start + i)), p);
    float *mine = sb_alloc(run, (size_t)n * (nf + 1) + 1, sizeof *mine);
    int rc = run_agree_rc(run, mine ? SB_OK : SB_ENOMEM);
    if (rc != SB_OK) { free(mine); return rc; }
    int64_t k = 0;
    for (int64_t i = 0; i < t->n_rows; ++i) {
        if (!train_hash_below(train_hash(seed, STREAM_BIN_SAMPLE, (uint64_t)(t->row_start + i)), p)) continue;
        memcpy(mine + k * (nf + 1), t->x + i * nf, (size_t)nf * sizeof(float));
        mine[k * (nf + 1) + nf] = t->weight ? (float)t->weight[i] : 1.0f;
        ++k;
    }
    void *all = NULL;
    int64_t total = 0;
    rc = comm_allgatherv_bytes(run, mine, (int64_t)((size_t)n * row_bytes), &all, &total, NULL);
    free(mine);
    SB_TRY(run, run_agree_rc(run, rc));
    *out = all;
    *n_out = total / (int64_t)row_bytes;
    return SB_OK;
}

/* Cuts of every feature from the gathered sample. Features are shared out
 * round-robin, each rank cuts its own, and the cuts are gathered: the code
 * that cuts a feature is the same whichever rank runs it. Collective. */
static int make_cuts(run_ctx *run, const float *sample, int64_t ns, sb_binned *b)
{
    const int32_t nf = b->n_feat, me = run_rank(run), np = run_size(run);
    float *v = sb_alloc(run, (size_t)ns + 1, sizeof *v), *tv = sb_alloc(run, (size_t)ns + 1, sizeof *tv);
    double *w = sb_alloc(run, (size_t)ns + 1, sizeof *w), *tw = sb_alloc(run, (size_t)ns + 1, sizeof *tw);
    int32_t n_mine = (nf - me + np - 1) / np;
    float *mine = sb_alloc(run, (size_t)(n_mine > 0 ? n_mine : 1) * 257, sizeof *mine); /* [count, cuts...] per feature */
    int rc = (v && tv && w && tw && mine) ? SB_OK : SB_ENOMEM;
    int64_t used = 0;
    for (int32_t f = me; rc == SB_OK && f < nf; f += np) {
        int64_t n = 0;
        for (int64_t i = 0; i < ns; ++i) {
            float x = sample[i * (nf + 1) + f];
            if (isnan(x)) continue;
            v[n] = x;
            w[n++] = sample[i * (nf + 1) + nf];
        }
        if (n > 0) bin_sort(v, w, n, tv, tw);
        /* uint8 bins: with a missing bin, at most 255 value bins */
        int32_t maxb = b->max_bin - (b->has_missing[f] && b->max_bin == 256 ? 1 : 0);
        int32_t nc = bin_cuts(v, w, n, maxb, mine + used + 1);
        mine[used] = (float)nc;
        used += 1 + nc;
    }
    free(v); free(tv); free(w); free(tw);
    SB_TRY(run, run_agree_rc(run, rc));
    float *all = NULL;
    int64_t total = 0;
    int64_t *counts = sb_alloc(run, (size_t)np, sizeof *counts);
    rc = counts ? SB_OK : SB_ENOMEM;
    rc = run_agree_rc(run, rc);
    if (rc == SB_OK) rc = comm_allgatherv_bytes(run, mine, used * (int64_t)sizeof *mine, (void **)&all, &total, counts);
    free(mine);
    rc = run_agree_rc(run, rc);
    b->cuts = rc == SB_OK ? sb_alloc(run, (size_t)nf * 256 + 1, sizeof *b->cuts) : NULL;
    if (rc == SB_OK && !b->cuts) rc = SB_ENOMEM;
    /* Walk each rank's block in feature order f = r, r + np, ... */
    int64_t *pos = sb_alloc(run, (size_t)np, sizeof *pos);
    if (rc == SB_OK && !pos) rc = SB_ENOMEM;
    for (int32_t r = 0, at = 0; rc == SB_OK && r < np; ++r) {
        pos[r] = at;
        at += (int32_t)(counts[r] / (int64_t)sizeof(float));
    }
    int64_t at = 0;
    for (int32_t f = 0; rc == SB_OK && f < nf; ++f) {
        const float *blk = all + pos[f % np];
        int32_t nc = (int32_t)blk[0];
        memcpy(b->cuts + at, blk + 1, (size_t)nc * sizeof(float));
        pos[f % np] += 1 + nc;
        b->cut_start[f] = at;
        at += nc;
        b->n_value[f] = nc + 1;
    }
    free(all);
    free(pos);
    free(counts);
    SB_TRY(run, run_agree_rc(run, rc));
    b->cut_start[nf] = at;
    int32_t cells = 0;
    for (int32_t f = 0; f < nf; ++f) {
        b->off[f] = cells;
        cells += b->n_value[f] + b->has_missing[f];
    }
    b->total_bins = cells;
    return SB_OK;
}

/* Most frequent bin of each feature from global counts (ties: lower bin), and
 * the sparse rows without those bins when that saves enough scatter-adds.
 * Collective. */
static int make_sparse(run_ctx *run, sb_binned *b)
{
    const int32_t nf = b->n_feat;
    const int64_t n = b->n_rows;
    b->n_cells = sb_alloc(run, (size_t)nf, sizeof *b->n_cells);
    b->skip = sb_alloc(run, (size_t)nf, sizeof *b->skip);
    int64_t *cnt = sb_alloc(run, (size_t)b->total_bins + 1, sizeof *cnt);
    int rc = (b->n_cells && b->skip && cnt) ? SB_OK : SB_ENOMEM;
    SB_TRY(run, run_agree_rc(run, rc));
    for (int32_t f = 0; f < nf; ++f) {
        b->n_cells[f] = b->n_value[f] + b->has_missing[f];
        const uint8_t *col = b->bins_col + (int64_t)f * n;
        int64_t *c = cnt + b->off[f];
        for (int64_t i = 0; i < n; ++i) c[col[i]]++;
    }
    rc = comm_sum_i64(run, cnt, b->total_bins);
    int64_t kept = 0;
    for (int32_t f = 0; rc == SB_OK && f < nf; ++f) {
        int32_t best = 0;
        for (int32_t k = 1; k < b->n_cells[f]; ++k)
            if (cnt[b->off[f] + k] > cnt[b->off[f] + best]) best = k;
        b->skip[f] = b->off[f] + best;
        kept += b->n_rows_global - cnt[b->off[f] + best];
    }
    free(cnt);
    SB_TRY(run, run_agree_rc(run, rc));
    /* Sparse only pays when it drops a quarter of the adds; cells must fit uint16. */
    int use = b->total_bins <= 65536 && (double)kept <= 0.75 * (double)b->n_rows_global * nf;
    if (!use) {
        for (int32_t f = 0; f < nf; ++f) b->skip[f] = -1;
        return SB_OK;
    }
    b->sp_ptr = sb_alloc(run, (size_t)n + 1, sizeof *b->sp_ptr);
    rc = b->sp_ptr ? SB_OK : SB_ENOMEM;
    int64_t total = 0;
    for (int64_t i = 0; rc == SB_OK && i < n; ++i) {
        b->sp_ptr[i] = total;
        const uint8_t *row = b->bins + i * nf;
        for (int32_t f = 0; f < nf; ++f) total += b->off[f] + row[f] != b->skip[f];
    }
    if (rc == SB_OK) {
        b->sp_ptr[n] = total;
        b->sp_cells = sb_alloc(run, (size_t)total + 1, sizeof *b->sp_cells);
        if (!b->sp_cells) rc = SB_ENOMEM;
    }
    SB_TRY(run, run_agree_rc(run, rc));
    int64_t at = 0;
    for (int64_t i = 0; i < n; ++i) {
        const uint8_t *row = b->bins + i * nf;
        for (int32_t f = 0; f < nf; ++f) {
            int32_t c = b->off[f] + row[f];
            if (c != b->skip[f]) b->sp_cells[at++] = (uint16_t)c;
        }
    }
    free(b->bins); /* the sparse rows replace the dense ones */
    b->bins = NULL;
    return SB_OK;
}

int booster_bin(run_ctx *run, const sb_table *t, int32_t max_bin, uint64_t seed, sb_binned **out)
{
    *out = NULL;
    if (t->n_rows_global <= 0) return run_agree_rc(run, SB_FAIL(run, SB_EDATA, "no training rows"));
    if (t->n_rows >= INT32_MAX) return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "%lld rows on one rank: use more ranks (limit 2^31 per rank)", (long long)t->n_rows));
    if (max_bin < 2 || max_bin > 256) return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "max_bin %d out of [2, 256]", max_bin));
    sb_binned *b = sb_alloc(run, 1, sizeof *b);
    int rc = b ? SB_OK : SB_ENOMEM;
    if (rc == SB_OK) {
        b->n_feat = t->n_feat;
        b->n_rows = t->n_rows;
        b->row_start = t->row_start;
        b->n_rows_global = t->n_rows_global;
        b->max_bin = max_bin;
        b->seed = seed;
        b->cut_start = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->cut_start);
        b->has_missing = sb_alloc(run, (size_t)t->n_feat + 1, 1);
        b->n_value = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->n_value);
        b->off = sb_alloc(run, (size_t)t->n_feat + 1, sizeof *b->off);
        b->bins = sb_alloc(run, (size_t)(t->n_rows * t->n_feat) + 1, 1);
        b->bins_col = sb_alloc(run, (size_t)(t->n_rows * t->n_feat) + 1, 1);
        if (!b->cut_start || !b->has_missing || !b->n_value || !b->off || !b->bins || !b->bins_col) rc = SB_ENOMEM;
    }
    rc = run_agree_rc(run, rc);
    if (rc == SB_OK) rc = find_missing(run, t, b);
    float *sample = NULL;
    int64_t ns = 0;
    if (rc == SB_OK) rc = gather_sample(run, t, seed, &sample, &ns);
    if (rc == SB_OK) rc = make_cuts(run, sample, ns, b);
    free(sample);
    if (rc == SB_OK) {
        bin_rows(t->x, t->n_rows, t->n_feat, b->cut_start, b->cuts, b->has_missing, b->bins);
        for (int64_t i = 0; i < t->n_rows; ++i) /* the transposed copy partitions read */
            for (int32_t f = 0; f < t->n_feat; ++f) b->bins_col[(int64_t)f * t->n_rows + i] = b->bins[i * t->n_feat + f];
        rc = make_sparse(run, b);
    }
    if (rc != SB_OK) {
        booster_binned_free(b);
        return rc;
    }
    *out = b;
    return SB_OK;
}
