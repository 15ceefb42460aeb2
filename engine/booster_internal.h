/* booster_internal.h - shared between the booster's files (not a public API). */
#ifndef SB_TRAIN_INTERNAL_H
#define SB_TRAIN_INTERNAL_H

#include <math.h>   /* for ceil */
#include <stdint.h> /* for int32_t, int64_t, uint8_t, uint64_t */

#include "base/hash.h" /* for sb_hash3: samples derive from (seed, tree, global row) */
#include "engine/booster.h"
#include "kernels/split.h"

/* Binned local rows plus the cuts they came from (equal on all ranks). */
struct sb_binned {
    int32_t n_feat;
    int64_t n_rows;        /* local */
    int64_t row_start;     /* global index of local row 0 */
    int64_t n_rows_global;
    int32_t max_bin;
    uint64_t seed;
    int64_t *cut_start;    /* n_feat + 1 */
    float *cuts;
    uint8_t *has_missing;  /* n_feat */
    int32_t *n_value;      /* value bins per feature = cuts + 1 */
    int32_t *cell_off;     /* first histogram cell of each feature */
    int32_t hist_cells;    /* cells in one histogram (every feature's value bins and missing bin) */
    uint8_t *bins_row;     /* n_rows x n_feat, row-major (dense histograms); NULL when sparse */
    uint8_t *bins_col;     /* n_feat x n_rows, column-major (partitions, leaf lookup) */
    int32_t *n_cells;      /* histogram cells per feature (value bins + missing bin) */
    int32_t *skip_cell;    /* per feature: global cell of its most frequent bin, or -1 */
    /* Sparse rows: row i's cells are sparse_cells[sparse_start[i] .. sparse_start[i + 1])
     * (hist_build_sparse); NULL when dense or stored as records. */
    int64_t *sparse_start;
    uint16_t *sparse_cells;
    uint16_t *sparse_records; /* the sparse rows as 64-byte records (hist_build_fixed), or NULL */
    uint16_t *sparse_spill;   /* cells of the rows too wide for their record */
    /* Sparse rows hold one cell per "row feature": a feature of its own, or a
     * bundle of small features as one joint feature (bundles.c). Row feature
     * v has the member features member_feat[member_start[v] ..
     * member_start[v + 1]) with strides member_stride[..]; a row's cell is
     * row_feat_base[v] + sum of member bin * stride, left out when it equals
     * row_feat_skip[v]. The single features come first, then the bundles. */
    int32_t n_row_feat;
    int32_t *member_start, *member_feat, *member_stride, *row_feat_base, *row_feat_skip;
    int32_t n_bundles;     /* row features of more than one member (after the single ones) */
    int32_t row_cells;     /* cells the sparse rows index: hist_cells, then the bundles' joint cells */
    uint64_t fingerprint;  /* data_fingerprint of the table (rank-count invariant) */
};

/* Deterministic hash of (seed, stream, index) to 64 bits (base/hash.h). Local. */
static inline uint64_t train_hash(uint64_t seed, uint64_t stream, uint64_t index) { return sb_hash3(seed, stream, index); }
/* A row is sampled with probability p when its hash h has h >> 11 <
 * train_hash_cut(p): h's top 53 bits below p * 2^53 (exact: a power of two),
 * which for an integer is being below its ceiling; p >= 1 takes every row. */
static inline uint64_t train_hash_cut(double p)
{
    return p >= 1.0 ? UINT64_MAX : (uint64_t)ceil(p * 9007199254740992.0);
}

/* Streams of train_hash, one per use, so samples are independent. */
enum { STREAM_BIN_SAMPLE = 1, STREAM_SUBSAMPLE = 2, STREAM_COLSAMPLE = 3 };

/* ---- bundles of small features (bundles.c) ------------------------ */
/* bundle_plan - the row features of b (sets n_row_feat .. row_cells) from
 * b->skip_cell, b->bins_col and the global count of rows in every cell (cnt,
 * hist_cells long): small features that together store fewer cells as one
 * joint cell are bundled. The same on every rank (global counts, fixed
 * order). Collective. */
int bundle_plan(run_ctx *run, sb_binned *b, const int64_t *cnt);

/* ---- one tree (tree_grow.c) ------------------------------------------- */
typedef struct {
    const sb_binned *b;
    const sb_params *p;
    split_cfg cfg;
    split_layout layout;
    /* work buffers, allocated once per training */
    int32_t *rows, *scratch; /* local rows of the tree, partitioned by node */
    int64_t *pool;           /* histogram slots */
    int32_t n_slots, *free_slots, n_free;
    int64_t *stage;          /* one batch of child histograms, reduced together */
    int32_t stage_cap;
    int64_t *build;          /* with bundles or records: the histogram rows are added into (all row_cells,
                              * then the records' sinks), zero between builds; NULL: straight into the slot */
    /* Feature block of this rank: histograms are reduce-scattered so that it
     * holds (and searches) only features [f0, f1), the int64s [block[rank],
     * block[rank + 1]) of each histogram; the ranks' best splits are then
     * agreed (LightGBM's data-parallel scheme). */
    int32_t f0, f1;
    int64_t *block;          /* size + 1 offsets (int64 units) into one histogram */
    int64_t *pack;           /* reduce-scatter scratch (2 * histograms * hist_len), grown on demand */
    int64_t pack_len;
    int *counts;             /* size ints, reduce-scatter scratch */
    split_info *cand, *cand_all; /* 2 * stage_cap proposals, and times size for the agreement */
    double t_hist, t_reduce, t_split, t_part;
} tree_grower;

/* A leaf of the grown tree with its local rows rows[begin, end). */
typedef struct {
    int32_t node; /* index in the tree's nodes */
    int64_t begin, end;
} tree_leaf;

int grower_init(run_ctx *run, tree_grower *g, const sb_binned *b, const sb_params *p);
void grower_free(tree_grower *g);

/* grow_tree - Collective. ghf: fixed-point (g,h) per local row (scale 2^-k);
 * rows/n_rows: the local rows of this tree in g->rows[0..n_rows); G, H the
 * global totals; mask: features allowed. Appends the tree's nodes to
 * *nodes (leaf values = eta * weight, not yet refit), and its leaves to
 * *leaves. */
int grow_tree(run_ctx *run, tree_grower *g, const int64_t *ghf, int64_t n_rows, int k, int64_t G, int64_t H,
              const uint8_t *mask, sb_node **nodes, int32_t *n_nodes, tree_leaf **leaves, int32_t *n_leaves);

/* Leaf of local row i by its bins (the same path the float thresholds take). Local. */
int32_t tree_leaf_by_bins(const sb_node *tree, int64_t i, const sb_binned *b);

/* ---- weighted medians (median_refit.c) --------------------------------- */
/* weighted_median_groups - for each group l, the lower weighted median of
 * value[r] over the local rows r = rows[j] (rows NULL: r = j) for j in
 * [begin[l], end[l]) on all ranks, weights weight[wstride * r] (fixed point,
 * >= 0). Exact and identical on every rank. Groups with no weight give 0.
 * Collective; n_groups equal on all ranks. */
int weighted_median_groups(run_ctx *run, int32_t n_groups, const int64_t *begin, const int64_t *end, const int32_t *rows,
                           const double *value, const int64_t *weight, int64_t wstride, double *out);

/* ---- model assembly (model_assemble.c) ------------------------------------ */
/* Trees and metrics collected while training. */
typedef struct {
    sb_node *nodes;
    int64_t n_nodes, cap_nodes;
    int64_t *tree_start; /* n_trees + 1 */
    int32_t n_trees, cap_trees;
    double *train_metric, *valid_metric; /* per round */
    int has_valid;
} train_record;

int record_add_tree(run_ctx *run, train_record *r, const sb_node *nodes, int32_t n, double train_m, double valid_m);
void record_free(train_record *r);

/* model_assemble - fill *m from the table's schema, the cuts, params, base
 * score, the first n_keep trees of rec and all recorded metrics. Local. */
int model_assemble(run_ctx *run, sb_model *m, const sb_table *t, const sb_binned *b, const sb_params *p,
                   double base_score, double base_margin, const train_record *rec, int32_t n_keep,
                   int32_t best_iteration, uint64_t fingerprint, double sum_weight);

/* data_fingerprint - rank-count invariant hash of the training rows
 * (features, label, weight, global index). Collective. */
int data_fingerprint(run_ctx *run, const sb_table *t, uint64_t *out);

#endif
