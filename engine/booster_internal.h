/* booster_internal.h - shared between the booster's files (not a public API). */
#ifndef SB_TRAIN_INTERNAL_H
#define SB_TRAIN_INTERNAL_H

#include <math.h>   /* for ceil, ldexp */
#include <stdint.h> /* for int32_t, int64_t, uint8_t, uint64_t */

#include "base/hash.h" /* for sb_hash3: samples derive from (seed, tree, global row) */
#include "base/timer.h" /* for sb_timers */
#include "engine/booster.h"
#include "kernels/split.h"
#include "kernels/split_cat.h"
#include "kernels/split_mono.h" /* for split_bounds */

/* Bins are uint8: a feature has at most this many (value bins and missing bin). */
#define BINNED_MAX_BINS 256
/* Sparse rows store cells as uint16: every cell they index must be below this. */
#define SPARSE_MAX_CELLS 65536

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
    /* Native categorical features (enable_categorical): levels of feature f,
     * whose bin k is level k (cuts at k + 0.5), 0 for the others; NULL when
     * binned without native categoricals (every feature splits by threshold). */
    int32_t *cat_levels;
};

/* Deterministic hash of (seed, stream, index) to 64 bits (base/hash.h). Local. */
static inline uint64_t train_hash(uint64_t seed, uint64_t stream, uint64_t index)
{
    return sb_hash3(seed, stream, index);
}
/* A row is sampled with probability p when its 64-bit hash h has its top
 * TRAIN_HASH_BITS bits below train_hash_cut(p): p * 2^53 (exact: a power of
 * two), which for an integer is being below its ceiling; p >= 1 takes every
 * row. 53 bits: every such integer is a double, so the cut is exact. */
#define TRAIN_HASH_BITS 53
static inline uint64_t train_hash_cut(double p)
{
    return p >= 1.0 ? UINT64_MAX : (uint64_t)ceil(ldexp(p, TRAIN_HASH_BITS));
}
static inline int train_hash_sampled(uint64_t h, uint64_t cut) { return h >> (64 - TRAIN_HASH_BITS) < cut; }

/* Streams of train_hash, one per use, so samples are independent. */
enum { STREAM_BIN_SAMPLE = 1, STREAM_SUBSAMPLE = 2, STREAM_COLSAMPLE = 3 };

/* ---- row layouts of the histograms (binned_rows.c) ------------------ */
/* binned_rows_layout - from b->bins_col (and the row-major bins, owned and
 * taken, or NULL), the layout the histograms read: each feature's most
 * frequent bin from global counts, then dense row-major bins, or sparse rows
 * without those bins (with bundles, maybe as 64-byte records) when that saves
 * enough scatter-adds. Collective. */
int binned_rows_layout(run_ctx *run, sb_binned *b, uint8_t *rowmajor);

/* ---- bundles of small features (bundles.c) ------------------------ */
/* bundle_plan - the row features of b (sets n_row_feat .. row_cells) from
 * b->skip_cell, b->bins_col and the global count of rows in every cell (cnt,
 * hist_cells long): small features that together store fewer cells as one
 * joint cell are bundled. The same on every rank (global counts, fixed
 * order). Collective. */
int bundle_plan(run_ctx *run, sb_binned *b, const int64_t *cnt);

/* ---- phase timers of a training (base/timer.h; one sb_timers per training) ---- */
enum {
    PHASE_GRADIENTS,  /* gradients, sampling, fixed-point scale */
    PHASE_TREES,      /* growing (the next four) and the L1 refit */
    PHASE_PARTITION,  /* rows to the children */
    PHASE_HISTOGRAMS, /* local histograms */
    PHASE_REDUCE,     /* reduce-scatter and split agreement: the communication */
    PHASE_SPLITS,     /* subtraction, split search, slot bookkeeping */
    PHASE_MARGINS,    /* margins of train rows and valid rows */
    PHASE_METRICS,
    N_TRAIN_PHASES
};
/* Their names in the --verbose line, in enum order. */
extern const char *const train_phase_names[N_TRAIN_PHASES];

/* ---- one tree (tree_grow.c) ------------------------------------------- */
/* Without max_leaves a tree has at most 2^GROW_DEPTH_LIMIT leaves whatever
 * max_depth says (any depth is accepted): the node arrays are sized for the largest tree
 * once per training, and int32 node ids must stay small. */
#define GROW_DEPTH_LIMIT 20
/* Deeper max_depth (no max_leaves): the bytes of histograms one rank may hold
 * for a tree, which bounds its leaves (tree_grow.c: deep_leaf_cap). */
#define GROW_DEEP_HIST_BYTES ((int64_t)1 << 30)

typedef struct grow_node grow_node; /* a node while the tree grows (tree_grow.c) */

typedef struct {
    const sb_binned *binned;
    const sb_params *params;
    split_cfg cfg;
    split_layout layout;
    int32_t max_tree_leaves; /* leaves of the largest tree: max_leaves, else 2^min(max_depth, GROW_DEPTH_LIMIT) */
    /* work buffers, allocated once per training (so growing a tree allocates
     * nothing and cannot fail on one rank between collectives) */
    int32_t *rows, *scratch; /* local rows of the tree, partitioned by node */
    grow_node *nodes;        /* 2 * max_tree_leaves + 1 */
    int32_t *batch, *built;  /* as many: nodes split in one step, nodes whose histograms it builds */
    int32_t *emit_id;        /* as many: a node's index in the emitted tree */
    int64_t *pool;           /* histogram slots */
    int32_t n_slots, *free_slots, n_free;
    int64_t *stage;          /* one batch of child histograms, reduced together */
    int32_t stage_cap;
    int64_t *build;          /* with bundles or records: the histogram rows are added into (all row_cells,
                              * then the records' sinks), zero between builds; NULL: straight into the slot */
    /* Feature block of this rank: histograms are reduce-scattered so that it
     * holds (and searches) only features [feat_begin, feat_end), the int64s
     * [block[rank], block[rank + 1]) of each histogram; the ranks' best splits
     * are then agreed (LightGBM's data-parallel scheme). */
    int32_t feat_begin, feat_end;
    int64_t *block;          /* size + 1 offsets (int64 units) into one histogram */
    int64_t *pack;           /* reduce-scatter scratch for a full stage (2 * stage_cap * hist_len); NULL at np 1 */
    int *counts;             /* size ints, reduce-scatter scratch */
    split_info *cand, *cand_all; /* 2 * stage_cap proposals, and times size for the agreement */
    sb_timers *timers;       /* the training's: partition, histograms, reduce, splits */
    /* native categorical features (binned->cat_levels; else all NULL) */
    split_cat_cfg cat_cfg;
    uint8_t *num_mask;              /* n_feat: features the numeric search may take */
    split_cat_scratch *cat_scratch; /* the categorical search's work space */
    /* monotone/interaction constraints, level/node samples (grow_constraints.h);
     * NULL when none is set: then the nodes search with the tree's mask and
     * split_find exactly as before */
    struct grow_constraints_s *cons;
    int32_t round;           /* the tree being grown (the samples' hashes) */
    uint8_t *node_mask;      /* with cons: n_feat, the node's features */
    int32_t *path;           /* with cons: the features of a node's ancestors' splits */
} tree_grower;

/* A leaf of the grown tree with its local rows rows[begin, end). */
typedef struct {
    int32_t node; /* index in the tree's nodes */
    int64_t begin, end;
    split_bounds bounds; /* monotone constraints' bounds of its weight (+-inf without) */
} tree_leaf;

/* The gradients a tree is grown from. */
typedef struct {
    const int64_t *gh_fixed; /* fixed-point (g, h) per local row, scale 2^-scale_exp */
    int64_t n_rows;          /* the tree's local rows: grower->rows[0 .. n_rows) */
    int scale_exp;
    int64_t G, H;            /* global totals of the tree's rows */
} tree_gradients;

/* A grown tree: nodes (leaf values = eta * weight, not yet refit) and its leaves. */
typedef struct {
    sb_node *nodes;
    int32_t n_nodes;
    tree_leaf *leaves;
    int32_t n_leaves;
    uint64_t *cat_bits; /* n_cat level sets of its categorical nodes (SPLIT_CAT_WORDS each), or NULL */
    int32_t n_cat;
} tree_out;

/* grower_init - the work buffers of a training. Local: the caller agrees. */
int grower_init(run_ctx *run, tree_grower *grower, const sb_binned *b, const sb_params *p, sb_timers *timers);
void grower_free(tree_grower *grower);
/* grower_set_constraints - grow with cons (owned by the caller, outliving the
 * grower): its scratch allocated here. Local: the caller agrees. */
int grower_set_constraints(run_ctx *run, tree_grower *grower, struct grow_constraints_s *cons);

/* grow_tree - Collective. feat_mask: features allowed. On SB_OK out holds
 * the tree (the caller frees out->nodes and out->leaves: tree_out_free). A
 * failure after the last collective (emit) is local: the caller agrees. */
int grow_tree(run_ctx *run, tree_grower *grower, const tree_gradients *grad, const uint8_t *feat_mask, tree_out *out);
void tree_out_free(tree_out *t);

/* Leaf of local row i of a tree, walked by its bins (the same path the float thresholds take). Local. */
int32_t binned_leaf_of_row(const sb_binned *b, const sb_node *tree, const uint64_t *cats, int64_t i);

/* ---- weighted medians (median_refit.c) --------------------------------- */
/* weighted_median_groups - for each group l, the lower weighted median of
 * value[r] over the local rows r = rows[j] (rows NULL: r = j) for j in
 * [begin[l], end[l]) on all ranks, weights weight[wstride * r] (fixed point,
 * >= 0). Exact and identical on every rank. Groups with no weight give 0.
 * Collective; n_groups equal on all ranks. */
int weighted_median_groups(run_ctx *run, int32_t n_groups, const int64_t *begin, const int64_t *end,
                           const int32_t *rows, const double *value, const int64_t *weight, int64_t wstride,
                           double *out);
/* weighted_quantile_groups - the same for the lower weighted alpha-quantile,
 * alpha in (0, 1): the first value whose cumulative weight reaches
 * ceil(alpha * total) (see quantile_need; alpha 0.5 is the median above,
 * unchanged). reg:quantileerror's base score and leaves. Collective. */
int weighted_quantile_groups(run_ctx *run, double alpha, int32_t n_groups, const int64_t *begin, const int64_t *end,
                             const int32_t *rows, const double *value, const int64_t *weight, int64_t wstride,
                             double *out);

/* ---- the training records (train_record.c) -------------------------------- */
/* Trees and metrics collected while training. */
typedef struct {
    sb_node *nodes;
    int64_t n_nodes, cap_nodes;
    int64_t *tree_start; /* n_trees + 1 */
    int32_t n_trees, cap_trees;
    uint64_t *cat_bits; /* level sets of categorical nodes, SPLIT_CAT_WORDS each (NULL: none yet) */
    int64_t *cat_start; /* n_trees + 1 set offsets, allocated with the first set */
    int64_t n_cat, cap_cat;
    double *train_metric, *valid_metric; /* per round */
    int has_valid;
} train_record;

/* cats: the tree's n_cat level sets (node.cat k > 0 is set k - 1), or NULL. */
int record_add_tree(run_ctx *run, train_record *r, const sb_node *nodes, int32_t n, const uint64_t *cats, int64_t n_cat,
                    double train_m, double valid_m);
void record_free(train_record *r);

/* record_to_model - fill *m from the table's schema, the cuts, params, base
 * score, the first n_keep trees of rec and all recorded metrics. Local. */
int record_to_model(run_ctx *run, sb_model *m, const sb_table *t, const sb_binned *b, const sb_params *p,
                    double base_score, double base_margin, const train_record *rec, int32_t n_keep,
                    int32_t best_iteration, uint64_t fingerprint, double sum_weight);

/* data_fingerprint - rank-count invariant hash of the training rows
 * (features, label, weight, global index). Collective. */
int data_fingerprint(run_ctx *run, const sb_table *t, uint64_t *out);

/* ---- one training (booster.c, booster_resume.c, booster_progress.c) ------ */
typedef struct {
    run_ctx *run;
    const sb_binned *binned;
    const sb_table *train, *valid; /* valid may be NULL */
    const sb_params *params;
    const booster_opts *opts;      /* may be NULL */
    const uint8_t *row_mask;       /* NULL: every row trains */
    uint8_t *held_out;             /* with a row mask: its held-out rows, evaluated as validation */
    double max_delta_step;         /* as the objective uses it (params_effective_max_delta_step) */
    double *margin, *pred;         /* train rows */
    double *valid_margin, *valid_pred;
    uint8_t *valid_bins;           /* valid rows' bins (row-major), NULL: walk the floats */
    float *gh;                     /* gradient pair (g, h) of every local row */
    int64_t *gh_fixed;             /* the same in fixed point (the tree's rows only) */
    uint8_t *in_tree;              /* local row sampled into this round's tree */
    uint8_t *feat_mask;            /* features of this round's tree */
    tree_grower grower;
    struct grow_constraints_s *cons; /* NULL: no constraint or level/node sample set */
    train_record rec;
    double base_score, base_margin, sum_weight;
    uint64_t fingerprint;
    int32_t best_iter;
    double best_valid;
    int has_valid;
    sb_timers timers;              /* PHASE_* */
    double started;                /* run_wtime() at the start (progress line, report) */
} trainer;

/* trainer_track_best - early-stopping bookkeeping after a round; *stop 1 to
 * stop, the same on all ranks (the metric values are bit-identical
 * everywhere, and the flag is agreed anyway). Collective. */
int trainer_track_best(trainer *T, int32_t round, double valid_m, int *stop);
/* trainer_add_tree_by_bins - margin[r] += the leaf value of tree for local rows r =
 * rows[0 .. m) (NULL: 0 .. m-1), walked by the column-major bins. Local. */
void trainer_add_tree_by_bins(const sb_binned *b, const sb_node *tree, const uint64_t *cats, const int32_t *rows,
                              int64_t m, double *margin);

/* checkpoint_write - the model so far (all trees) to opts->checkpoint_path. Collective. */
int checkpoint_write(trainer *T);
/* checkpoint_resume - continue from a checkpoint: same data (fingerprint),
 * same params; margins recomputed from its trees (identical bits). Collective. */
int checkpoint_resume(trainer *T, const sb_model *r);

/* progress_line - rank 0's progress line on stdout after a round (when opts ask for it). Local. */
void progress_line(const trainer *T, int32_t round, double train_m, double valid_m);

#endif
