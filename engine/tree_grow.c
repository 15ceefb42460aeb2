/* tree_grow.c - grow one tree, data-parallel: local histograms, one integer
 * reduce-scatter per expansion batch (a whole level for depthwise, one leaf
 * for lossguide, the root alone first) that leaves each rank the global sums
 * of its own feature block, the sibling by subtraction within the block, each
 * rank's best split of its block, then one agreement on the best of all ranks
 * (a total order: gain, feature, bin), so every rank applies the same split.
 *
 * One step of growth reads as its phases (XGBoost's ExpandTree, LightGBM's
 * data-parallel hooks): partition_batch -> build_histograms -> reduce ->
 * subtract_and_propose -> agree -> assign_slots. */
#include <math.h>   /* for INFINITY, ldexp */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset, memcpy */

#include "engine/booster_internal.h"
#include "engine/grow_constraints.h"
#include "kernels/hist.h"
#include "kernels/partition.h"
#include "mpi/comm_hist.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/timer.h"
#include "mpi/run.h"

struct grow_node {
    int64_t begin, end; /* local rows */
    int64_t G, H;       /* global sums, fixed point */
    int32_t depth;
    int32_t slot;       /* histogram slot or -1 */
    int32_t parent;     /* -1: the root */
    int32_t left, right; /* children node ids, -1 while a leaf */
    split_info split;   /* best candidate (feat -1: cannot split) */
    split_bounds bounds; /* monotone constraints: bounds of the node's weight (+-inf without) */
};

static grow_node make_node(int64_t begin, int64_t end, int64_t G, int64_t H, int32_t depth, int32_t parent)
{
    grow_node n;
    memset(&n, 0, sizeof n);
    n.begin = begin;
    n.end = end;
    n.G = G;
    n.H = H;
    n.depth = depth;
    n.slot = -1;
    n.parent = parent;
    n.left = n.right = -1;
    n.split.feat = -1;
    n.split.gain = -INFINITY;
    n.bounds.lower = -INFINITY;
    n.bounds.upper = INFINITY;
    return n;
}

static int64_t hist_len(const tree_grower *grower) { return 2 * (int64_t)grower->binned->hist_cells; }

static int64_t *slot_ptr(tree_grower *grower, int32_t s) { return grower->pool + (int64_t)s * hist_len(grower); }

static int32_t take_slot(tree_grower *grower) { return grower->free_slots[--grower->n_free]; }

static void give_slot(tree_grower *grower, grow_node *n)
{
    grower->free_slots[grower->n_free++] = n->slot;
    n->slot = -1;
}

/* Contiguous feature blocks, one per rank, of about equal cell counts (the
 * work of subtraction and split search is proportional to cells). A rank may
 * get no feature (more ranks than features). Same on every rank. */
static void feature_blocks(run_ctx *run, tree_grower *grower)
{
    const sb_binned *b = grower->binned;
    const int P = run_size(run), me = run_rank(run);
    int32_t f = 0;
    for (int q = 0; q <= P; ++q) {
        const int64_t target = (int64_t)b->hist_cells * q / P; /* first cell of block q */
        while (q > 0 && f < b->n_feat && b->cell_off[f] < target) ++f;
        if (q == P) f = b->n_feat;
        if (q == me) grower->feat_begin = f;
        if (q == me + 1) grower->feat_end = f;
        grower->block[q] = 2 * (int64_t)(f < b->n_feat ? b->cell_off[f] : b->hist_cells);
    }
}

/* Leaves of a tree deeper than GROW_DEPTH_LIMIT without max_leaves: its open
 * leaves' histograms (slot, stage and twice the reduce scratch, counted at any
 * number of ranks so the limit is rank-invariant) stay within
 * GROW_DEEP_HIST_BYTES, and a leaf holds at least one row, so more leaves than
 * rows never happen. Equal on every rank: the tree stops at the same level. */
static int32_t deep_leaf_cap(const sb_binned *b)
{
    const int64_t per_leaf = 4 * 2 * (int64_t)b->hist_cells * (int64_t)sizeof(int64_t);
    int64_t cap = GROW_DEEP_HIST_BYTES / per_leaf;
    if (cap > b->n_rows_global) cap = b->n_rows_global;
    if (cap > (int64_t)1 << GROW_DEPTH_LIMIT) cap = (int64_t)1 << GROW_DEPTH_LIMIT;
    return cap < 2 ? 2 : (int32_t)cap;
}

/* The tree's size limits, computed once: the largest tree's leaves, and the
 * live histograms (at most the leaves that may still split). */
static void size_limits(tree_grower *grower, const sb_params *p)
{
    const int32_t depth = p->max_depth < GROW_DEPTH_LIMIT ? p->max_depth : GROW_DEPTH_LIMIT;
    grower->max_tree_leaves = p->max_leaves > 0 ? p->max_leaves : 1 << depth;
    if (p->max_leaves == 0 && p->max_depth > GROW_DEPTH_LIMIT) {
        grower->max_tree_leaves = deep_leaf_cap(grower->binned);
        grower->n_slots = grower->max_tree_leaves + 2; /* open leaves <= leaves */
        grower->stage_cap = p->grow_policy == SB_GROW_LOSSGUIDE ? 1 : grower->n_slots;
        return;
    }
    const int32_t open_by_depth = p->max_depth > 0 && p->max_depth <= GROW_DEPTH_LIMIT ? 1 << (p->max_depth - 1)
                                                                                        : 1 << GROW_DEPTH_LIMIT;
    const int32_t open_by_leaves = p->max_leaves > 0 ? p->max_leaves : 1 << GROW_DEPTH_LIMIT;
    grower->n_slots = (open_by_depth < open_by_leaves ? open_by_depth : open_by_leaves) + 2;
    grower->stage_cap = p->grow_policy == SB_GROW_LOSSGUIDE ? 1 : grower->n_slots;
}

static void split_config(tree_grower *grower, const sb_binned *b, const sb_params *p)
{
    grower->cfg.lambda = p->lambda;
    grower->cfg.alpha = p->alpha;
    grower->cfg.min_child_weight = p->min_child_weight;
    grower->cfg.max_delta_step = params_effective_max_delta_step(p);
    grower->cfg.min_gain = 1e-6; /* XGBoost's kRtEps */
    grower->layout.n_feat = b->n_feat;
    grower->layout.off = b->cell_off;
    grower->layout.n_value = b->n_value;
    grower->layout.has_missing = b->has_missing;
    grower->cat_cfg.max_cat_to_onehot = p->max_cat_to_onehot;
    grower->cat_cfg.max_cat_threshold = p->max_cat_threshold;
    grower->cat_cfg.cat_smooth = p->cat_smooth;
    grower->cat_cfg.cat_l2 = p->cat_l2;
    grower->cat_cfg.min_data_per_group = p->min_data_per_group;
}

int grower_init(run_ctx *run, tree_grower *grower, const sb_binned *b, const sb_params *p, sb_timers *timers)
{
    memset(grower, 0, sizeof *grower);
    grower->binned = b;
    grower->params = p;
    grower->timers = timers;
    split_config(grower, b, p);
    size_limits(grower, p);
    const size_t hl = (size_t)hist_len(grower), P = (size_t)run_size(run);
    const size_t n_nodes = 2 * (size_t)grower->max_tree_leaves + 1, cand = 2 * (size_t)grower->stage_cap;
    int rc = SB_OK;
    SB_ALLOC_OR_OUT(run, grower->rows, (size_t)b->n_rows + 1, sizeof *grower->rows);
    SB_ALLOC_OR_OUT(run, grower->scratch, (size_t)b->n_rows + 1, sizeof *grower->scratch);
    SB_ALLOC_OR_OUT(run, grower->nodes, n_nodes, sizeof *grower->nodes);
    SB_ALLOC_OR_OUT(run, grower->batch, n_nodes, sizeof *grower->batch);
    SB_ALLOC_OR_OUT(run, grower->built, n_nodes, sizeof *grower->built);
    SB_ALLOC_OR_OUT(run, grower->emit_id, n_nodes, sizeof *grower->emit_id);
    SB_ALLOC_OR_OUT(run, grower->pool, (size_t)grower->n_slots * hl, sizeof *grower->pool);
    SB_ALLOC_OR_OUT(run, grower->stage, (size_t)grower->stage_cap * hl, sizeof *grower->stage);
    SB_ALLOC_OR_OUT(run, grower->free_slots, (size_t)grower->n_slots, sizeof *grower->free_slots);
    if (b->row_cells > b->hist_cells || b->sparse_records)
        SB_ALLOC_OR_OUT(run, grower->build, 2 * ((size_t)b->row_cells + HIST_REC_SINKS), sizeof *grower->build);
    if (P > 1) /* zeroed lazily by the system: a deep level touches only what its batch needs */
        SB_ALLOC_OR_OUT(run, grower->pack, 2 * (size_t)grower->stage_cap * hl, sizeof *grower->pack);
    SB_ALLOC_OR_OUT(run, grower->block, P + 1, sizeof *grower->block);
    SB_ALLOC_OR_OUT(run, grower->cand, cand, sizeof *grower->cand);
    SB_ALLOC_OR_OUT(run, grower->cand_all, cand * P, sizeof *grower->cand_all);
    SB_ALLOC_OR_OUT(run, grower->counts, P, sizeof *grower->counts);
    if (b->cat_levels) {
        SB_ALLOC_OR_OUT(run, grower->num_mask, (size_t)b->n_feat, sizeof *grower->num_mask);
        SB_ALLOC_OR_OUT(run, grower->cat_scratch, 1, sizeof *grower->cat_scratch);
    }
    feature_blocks(run, grower);
out:
    return rc; /* on failure the caller's grower_free releases what was allocated */
}

void grower_free(tree_grower *grower)
{
    free(grower->rows);
    free(grower->scratch);
    free(grower->nodes);
    free(grower->batch);
    free(grower->built);
    free(grower->emit_id);
    free(grower->pool);
    free(grower->stage);
    free(grower->free_slots);
    free(grower->build);
    free(grower->block);
    free(grower->pack);
    free(grower->cand);
    free(grower->cand_all);
    free(grower->counts);
    free(grower->num_mask);
    free(grower->cat_scratch);
    free(grower->node_mask);
    free(grower->path);
    memset(grower, 0, sizeof *grower);
}

int grower_set_constraints(run_ctx *run, tree_grower *grower, struct grow_constraints_s *cons)
{
    grower->cons = cons;
    grower->node_mask = sb_alloc(run, (size_t)grower->binned->n_feat + 1, 1);
    grower->path = sb_alloc(run, 2 * (size_t)grower->max_tree_leaves + 2, sizeof *grower->path);
    return grower->node_mask && grower->path ? SB_OK : SB_ENOMEM;
}

static void reset_slots(tree_grower *grower)
{
    grower->n_free = grower->n_slots;
    for (int32_t i = 0; i < grower->n_slots; ++i) grower->free_slots[i] = grower->n_slots - 1 - i;
}

/* Can this node still be split (limits that do not need a histogram)? */
static int may_split(const tree_grower *grower, const grow_node *n)
{
    if (grower->params->max_depth > 0 && n->depth >= grower->params->max_depth) return 0;
    return (double)n->H * grower->cfg.inv_scale >= 2.0 * grower->params->min_child_weight;
}

/* Add the bundles' joint cells (joint: the cells from hist_cells on) into
 * their members' cells of dst. */
static void spread_bundles(const sb_binned *b, const int64_t *joint, int64_t *dst)
{
    int32_t nc[HIST_BUNDLE_MAX_MEMBERS], off[HIST_BUNDLE_MAX_MEMBERS], skip[HIST_BUNDLE_MAX_MEMBERS];
    for (int32_t v = b->n_row_feat - b->n_bundles; v < b->n_row_feat; ++v) {
        const int32_t m0 = b->member_start[v], m = b->member_start[v + 1] - m0;
        for (int32_t k = 0; k < m; ++k) {
            const int32_t f = b->member_feat[m0 + k];
            nc[k] = b->n_cells[f];
            off[k] = b->cell_off[f];
            skip[k] = b->skip_cell[f] - b->cell_off[f];
        }
        hist_spread_bundle(joint + 2 * (int64_t)(b->row_feat_base[v] - b->hist_cells), m, nc, b->member_stride + m0,
                           off, skip, dst);
    }
}

/* Local histogram of one node into dst (zeroed here). Bundles' joint cells
 * and the records' sinks run past dst: then the rows are added into
 * grower->build (kept zeroed), whose real cells are copied and spread. */
static void build_hist(tree_grower *grower, const int64_t *gh_fixed, const grow_node *n, int64_t *dst)
{
    const sb_binned *b = grower->binned;
    const size_t hl = (size_t)hist_len(grower);
    int64_t *h = grower->build ? grower->build : dst;
    const int32_t *rows = grower->rows + n->begin;
    const int64_t cnt = n->end - n->begin;
    if (h == dst) memset(dst, 0, hl * sizeof *dst);
    if (b->sparse_records) hist_build_fixed(b->sparse_records, b->sparse_spill, rows, cnt, gh_fixed, h);
    else if (b->sparse_start) hist_build_sparse(b->sparse_start, b->sparse_cells, rows, cnt, gh_fixed, h);
    else hist_build(b->bins_row, b->n_feat, b->cell_off, rows, cnt, gh_fixed, h);
    if (h == dst) return;
    memcpy(dst, h, hl * sizeof *dst);
    spread_bundles(b, h + hl, dst);
    memset(h, 0, (size_t)2 * ((size_t)b->row_cells + HIST_REC_SINKS) * sizeof *h);
}

/* Complete this rank's block of a reduced histogram built from sparse rows. */
static void fill_skipped(const tree_grower *grower, int64_t *h, const grow_node *n)
{
    const sb_binned *b = grower->binned;
    const int32_t f0 = grower->feat_begin;
    if (b->sparse_start || b->sparse_records)
        hist_fill_skipped(h, grower->feat_end - f0, b->cell_off + f0, b->n_cells + f0, b->skip_cell + f0, n->G, n->H);
}

/* With constraints: the features node n may split on (grow_constraints.h),
 * from its ancestors' split features, into grower->node_mask. */
static const uint8_t *node_mask(const tree_grower *grower, const uint8_t *tree_mask, const grow_node *n)
{
    int32_t np = 0;
    for (int32_t a = n->parent; a >= 0; a = grower->nodes[a].parent) grower->path[np++] = grower->nodes[a].split.feat;
    grow_node_mask(grower->cons, tree_mask, grower->round, n->depth, (int32_t)(n - grower->nodes), grower->path, np,
                   grower->node_mask);
    return grower->node_mask;
}

/* propose with native categorical features: the numeric search over the
 * others, then each categorical one's level-set search; the best by
 * split_better (categorical candidates carry their global feature). */
static void propose_cat(const tree_grower *grower, const uint8_t *mask, const int64_t *h, const grow_node *n,
                        const split_layout *mine, split_info *out)
{
    const int32_t f0 = grower->feat_begin, f1 = grower->feat_end;
    const int32_t *levels = grower->binned->cat_levels;
    for (int32_t f = f0; f < f1; ++f) grower->num_mask[f] = (uint8_t)((!mask || mask[f]) && levels[f] == 0);
    if (grower->cons && grower->cons->mono)
        split_find_mono(&grower->cfg, mine, grower->num_mask + f0, grower->cons->mono + f0, &n->bounds, h, n->G, n->H,
                        out);
    else
        split_find(&grower->cfg, mine, grower->num_mask + f0, h, n->G, n->H, out);
    if (out->feat >= 0) out->feat += f0;
    for (int32_t f = f0; f < f1; ++f)
        if (levels[f] > 0 && (!mask || mask[f]))
            split_cat_find(&grower->cfg, &grower->cat_cfg, h + 2 * (int64_t)grower->layout.off[f],
                           grower->layout.n_value[f], grower->layout.has_missing[f], n->G, n->H, f, grower->cat_scratch,
                           out);
}

/* This rank's best split of node n over its feature block (the agreement
 * picks the best of all ranks), or none when the node may not split. */
static void propose(const tree_grower *grower, const uint8_t *mask, const int64_t *h, const grow_node *n,
                    split_info *out)
{
    memset(out, 0, sizeof *out); /* padding too: the proposals travel as bytes */
    out->gain = -INFINITY;
    out->feat = out->bin = -1;
    const int32_t f0 = grower->feat_begin, f1 = grower->feat_end;
    if (!may_split(grower, n) || f1 <= f0) return;
    const split_layout *all = &grower->layout;
    const split_layout mine = {f1 - f0, all->off + f0, all->n_value + f0, all->has_missing + f0};
    const uint8_t *m = grower->cons ? node_mask(grower, mask, n) : mask;
    if (grower->binned->cat_levels) {
        propose_cat(grower, m, h, n, &mine, out);
        return;
    }
    if (grower->cons && grower->cons->mono)
        split_find_mono(&grower->cfg, &mine, m + f0, grower->cons->mono + f0, &n->bounds, h, n->G, n->H, out);
    else
        split_find(&grower->cfg, &mine, m ? m + f0 : NULL, h, n->G, n->H, out);
    if (out->feat >= 0) out->feat += f0;
}

/* Pick the batch to expand: depthwise = every splittable leaf of the lowest
 * open depth; lossguide = the single best leaf (ties: lower id). */
static int32_t choose_batch(const tree_grower *grower, int32_t n_nodes, int32_t n_leaves)
{
    const grow_node *nodes = grower->nodes;
    const int32_t max_leaves = grower->params->max_leaves;
    int32_t nb = 0;
    if (grower->params->grow_policy == SB_GROW_LOSSGUIDE) {
        int32_t best = -1;
        for (int32_t i = 0; i < n_nodes; ++i)
            if (nodes[i].left < 0 && nodes[i].split.feat >= 0 &&
                (best < 0 || split_better(&nodes[i].split, &nodes[best].split)))
                best = i;
        if (best >= 0 && (max_leaves == 0 || n_leaves < max_leaves)) grower->batch[nb++] = best;
        return nb;
    }
    int32_t depth = -1;
    for (int32_t i = 0; i < n_nodes; ++i)
        if (nodes[i].left < 0 && nodes[i].split.feat >= 0 && (depth < 0 || nodes[i].depth < depth))
            depth = nodes[i].depth;
    for (int32_t i = 0; i < n_nodes && depth >= 0; ++i) {
        if (nodes[i].left >= 0 || nodes[i].split.feat < 0 || nodes[i].depth != depth) continue;
        if (max_leaves > 0 && n_leaves + nb >= max_leaves) break; /* each split adds one leaf */
        grower->batch[nb++] = i;
    }
    return nb;
}

/* Post-prune as XGBoost's prune updater: an inner node whose children are
 * both leaves and whose gain is below gamma becomes a leaf, bottom-up. */
static void prune(grow_node *nodes, int32_t n_nodes, double gamma)
{
    if (!(gamma > 0)) return;
    for (int32_t i = n_nodes - 1; i >= 0; --i) {
        grow_node *n = &nodes[i];
        if (n->left < 0) continue;
        if (nodes[n->left].left < 0 && nodes[n->right].left < 0 && n->split.gain < gamma) n->left = n->right = -1;
    }
}

/* Number the nodes reachable from the root in creation order (children after
 * parents) into emit_id (-1: pruned away); returns the count, *n_leaves the leaves. */
static int32_t number_reachable(tree_grower *grower, int32_t n_nodes, int32_t *n_leaves)
{
    const grow_node *nodes = grower->nodes;
    int32_t *id = grower->emit_id;
    for (int32_t i = 0; i < n_nodes; ++i) id[i] = -1;
    id[0] = 0;
    int32_t cnt = 0, nl = 0;
    for (int32_t i = 0; i < n_nodes; ++i) {
        if (id[i] < 0) continue;
        id[i] = cnt++;
        if (nodes[i].left >= 0) id[nodes[i].left] = id[nodes[i].right] = 0; /* reachable, numbered when reached */
        else ++nl;
    }
    *n_leaves = nl;
    return cnt;
}

/* One grown node as an sb_node of the emitted tree; a categorical split
 * appends its level set to out's. */
static void emit_node(const tree_grower *grower, const grow_node *n, sb_node *d, tree_out *out)
{
    const sb_binned *b = grower->binned;
    const int32_t *id = grower->emit_id;
    const double G = (double)n->G * grower->cfg.inv_scale, H = (double)n->H * grower->cfg.inv_scale;
    d->cover = H;
    d->cat = 0;
    if (n->left >= 0) {
        const int32_t f = n->split.feat;
        d->feat = f;
        d->left = id[n->left];
        d->right = id[n->right];
        d->default_left = n->split.default_left;
        d->bin = n->split.bin;
        d->threshold = n->split.is_cat ? 0.5f : b->cuts[b->cut_start[f] + n->split.bin];
        d->gain = n->split.gain;
        d->value = 0.0;
        if (n->split.is_cat) { /* bin, threshold: unused; bin 0 and its cut 0.5 keep them valid */
            d->bin = 0;
            memcpy(out->cat_bits + SPLIT_CAT_WORDS * (int64_t)out->n_cat, n->split.cats, sizeof n->split.cats);
            d->cat = ++out->n_cat;
        }
    } else {
        d->feat = -1;
        d->left = d->right = -1;
        d->bin = -1;
        d->value = grower->cons && grower->cons->mono
                       ? grower->params->eta * split_mono_weight(&grower->cfg, &n->bounds, G, H)
                       : grower->params->eta * split_leaf_weight(&grower->cfg, G, H);
    }
}

/* Emit reachable nodes in creation order (children after parents) as sb_node. Local. */
static int emit(run_ctx *run, tree_grower *grower, int32_t n_nodes, tree_out *out)
{
    int rc = SB_OK;
    int32_t n_leaves = 0;
    const int32_t cnt = number_reachable(grower, n_nodes, &n_leaves);
    SB_ALLOC_OR_OUT(run, out->nodes, (size_t)cnt, sizeof *out->nodes);
    SB_ALLOC_OR_OUT(run, out->leaves, (size_t)n_leaves, sizeof *out->leaves);
    int32_t n_cat = 0;
    for (int32_t i = 0; i < n_nodes; ++i)
        n_cat += grower->emit_id[i] >= 0 && grower->nodes[i].left >= 0 && grower->nodes[i].split.is_cat;
    if (n_cat > 0) SB_ALLOC_OR_OUT(run, out->cat_bits, (size_t)n_cat * SPLIT_CAT_WORDS, sizeof *out->cat_bits);
    for (int32_t i = 0; i < n_nodes; ++i) {
        const grow_node *n = &grower->nodes[i];
        const int32_t id = grower->emit_id[i];
        if (id < 0) continue;
        emit_node(grower, n, &out->nodes[id], out);
        if (n->left < 0) out->leaves[out->n_leaves++] = (tree_leaf){id, n->begin, n->end, n->bounds};
    }
    out->n_nodes = cnt;
out:
    if (rc != SB_OK) tree_out_free(out);
    return rc;
}

void tree_out_free(tree_out *t)
{
    free(t->nodes);
    free(t->leaves);
    free(t->cat_bits);
    memset(t, 0, sizeof *t);
}

/* The sibling of a built child: its histogram comes from subtraction. */
static grow_node *sibling(grow_node *nodes, const grow_node *parent, int32_t child)
{
    return &nodes[child == parent->left ? parent->right : parent->left];
}

/* Monotone constraints: the children's bounds from the parent's and its split. */
static void child_bounds(const tree_grower *grower, const grow_node *p, grow_node *L, grow_node *R)
{
    const double s = grower->cfg.inv_scale;
    split_mono_children(&grower->cfg, &p->bounds, grower->cons->mono[p->split.feat], (double)L->G * s,
                        (double)L->H * s, (double)R->G * s, (double)R->H * s, &L->bounds, &R->bounds);
}

/* Phase 1: split the batch's rows into children. Each parent whose children
 * may split again names its smaller child (by global H: the same on every
 * rank) in built[]; the others release their slot. Returns how many. */
static int32_t partition_batch(tree_grower *grower, int32_t nb, int32_t *n_nodes, int32_t leaves_after)
{
    const sb_binned *b = grower->binned;
    grow_node *nodes = grower->nodes;
    const int32_t max_leaves = grower->params->max_leaves;
    int32_t n_built = 0;
    for (int32_t j = 0; j < nb; ++j) {
        const int32_t pi = grower->batch[j];
        grow_node *p = &nodes[pi];
        const split_info *s = &p->split;
        const int32_t missing_bin = b->has_missing[s->feat] ? b->n_value[s->feat] : -1;
        const uint8_t *col = b->bins_col + (int64_t)s->feat * b->n_rows;
        const int64_t n_left = s->is_cat ? split_cat_partition(grower->rows + p->begin, p->end - p->begin, col, s->cats,
                                                               missing_bin, s->default_left, grower->scratch)
                                         : partition_rows(grower->rows + p->begin, p->end - p->begin, col, s->bin,
                                                          missing_bin, s->default_left, grower->scratch);
        const int32_t li = (*n_nodes)++, ri = (*n_nodes)++;
        grow_node *L = &nodes[li], *R = &nodes[ri];
        *L = make_node(p->begin, p->begin + n_left, s->gl, s->hl, p->depth + 1, pi);
        *R = make_node(p->begin + n_left, p->end, p->G - s->gl, p->H - s->hl, p->depth + 1, pi);
        p->left = li;
        p->right = ri;
        if (grower->cons && grower->cons->mono) child_bounds(grower, p, L, R);
        const int more =
            (max_leaves == 0 || leaves_after < max_leaves) && may_split(grower, L) + may_split(grower, R) > 0;
        if (more && p->slot >= 0) grower->built[n_built++] = L->H <= R->H ? li : ri;
        else if (p->slot >= 0) give_slot(grower, p);
    }
    return n_built;
}

/* Phase 2: the local histograms of the built nodes, one stage slot each. */
static void build_histograms(tree_grower *grower, const int64_t *gh_fixed, int32_t n_built)
{
    for (int32_t k = 0; k < n_built; ++k)
        build_hist(grower, gh_fixed, &grower->nodes[grower->built[k]], grower->stage + k * hist_len(grower));
}

/* Phase 4: in this rank's block, complete each reduced histogram, turn the
 * parent's slot into the sibling's by subtraction, and propose splits: the
 * sibling's then the built node's (the root has no sibling). Returns the
 * number of proposals. */
static int32_t subtract_and_propose(tree_grower *grower, int me, const uint8_t *mask, int32_t n_built)
{
    grow_node *nodes = grower->nodes;
    const int64_t c0 = grower->block[me], cw = grower->block[me + 1] - c0; /* this rank's int64s */
    int32_t n_cand = 0;
    for (int32_t k = 0; k < n_built; ++k) {
        const grow_node *S = &nodes[grower->built[k]];
        int64_t *sh = grower->stage + k * hist_len(grower);
        fill_skipped(grower, sh, S);
        if (S->parent >= 0) {
            int64_t *ph = slot_ptr(grower, nodes[S->parent].slot);
            hist_subtract(ph + c0, sh + c0, ph + c0, cw); /* the parent's slot becomes the sibling's */
            propose(grower, mask, ph, sibling(nodes, &nodes[S->parent], grower->built[k]), &grower->cand[n_cand++]);
        }
        propose(grower, mask, sh, S, &grower->cand[n_cand++]);
    }
    return n_cand;
}

/* Phase 6: the agreed splits to their nodes; a node that will split keeps a
 * histogram slot (the sibling inherits its parent's, the built node takes a
 * free one and its block of the stage), the others give theirs back. */
static void assign_slots(tree_grower *grower, int me, int32_t n_built)
{
    grow_node *nodes = grower->nodes;
    const int64_t c0 = grower->block[me], cw = grower->block[me + 1] - c0;
    int32_t c = 0;
    for (int32_t k = 0; k < n_built; ++k) {
        grow_node *S = &nodes[grower->built[k]], *B = NULL;
        if (S->parent >= 0) {
            grow_node *P = &nodes[S->parent];
            B = sibling(nodes, P, grower->built[k]);
            B->split = grower->cand[c++];
            B->slot = P->slot;
            P->slot = -1;
        }
        S->split = grower->cand[c++];
        if (S->split.feat >= 0) {
            S->slot = take_slot(grower);
            memcpy(slot_ptr(grower, S->slot) + c0, grower->stage + k * hist_len(grower) + c0,
                   (size_t)cw * sizeof(int64_t));
        }
        if (B && B->split.feat < 0) give_slot(grower, B);
    }
}

/* Phases 2-6 for the nodes in built[0 .. n_built): build, reduce, subtract
 * and propose, agree, assign. Collective; n_built equal on all ranks. */
static int search_splits(run_ctx *run, tree_grower *grower, const tree_gradients *grad, const uint8_t *mask,
                         int32_t n_built)
{
    sb_timers *tm = grower->timers;
    const int me = run_rank(run);
    timer_start(tm, PHASE_HISTOGRAMS);
    build_histograms(grower, grad->gh_fixed, n_built);
    timer_stop(tm, PHASE_HISTOGRAMS);
    timer_start(tm, PHASE_REDUCE);
    SB_TRY(run, comm_hist_reduce_scatter(run, grower->stage, n_built, hist_len(grower), grower->block, grower->pack,
                                         grower->counts));
    timer_stop(tm, PHASE_REDUCE);
    timer_start(tm, PHASE_SPLITS);
    const int32_t n_cand = subtract_and_propose(grower, me, mask, n_built);
    timer_stop(tm, PHASE_SPLITS);
    timer_start(tm, PHASE_REDUCE); /* the agreement counts as communication */
    SB_TRY(run, comm_split_agree(run, grower->cand, n_cand, grower->cand_all));
    timer_stop(tm, PHASE_REDUCE);
    timer_start(tm, PHASE_SPLITS);
    assign_slots(grower, me, n_built);
    timer_stop(tm, PHASE_SPLITS);
    return SB_OK;
}

int grow_tree(run_ctx *run, tree_grower *grower, const tree_gradients *grad, const uint8_t *feat_mask, tree_out *out)
{
    const sb_params *p = grower->params;
    const int32_t cap = 2 * grower->max_tree_leaves + 1;
    grow_node *nodes = grower->nodes;
    memset(out, 0, sizeof *out);
    grower->cfg.inv_scale = ldexp(1.0, -grad->scale_exp);
    reset_slots(grower);
    int32_t n_nodes = 1, n_leaves = 1;
    nodes[0] = make_node(0, grad->n_rows, grad->G, grad->H, 0, -1);
    if (may_split(grower, &nodes[0]) && (p->max_leaves == 0 || p->max_leaves > 1)) { /* the root: a batch of one */
        grower->built[0] = 0;
        SB_TRY(run, search_splits(run, grower, grad, feat_mask, 1));
    }
    while (n_nodes + 2 <= cap) {
        const int32_t nb = choose_batch(grower, n_nodes, n_leaves);
        if (nb == 0 || n_nodes + 2 * nb > cap) break;
        n_leaves += nb;
        timer_start(grower->timers, PHASE_PARTITION);
        const int32_t n_built = partition_batch(grower, nb, &n_nodes, n_leaves);
        timer_stop(grower->timers, PHASE_PARTITION);
        if (n_built > 0) SB_TRY(run, search_splits(run, grower, grad, feat_mask, n_built));
    }
    prune(nodes, n_nodes, p->gamma);
    return emit(run, grower, n_nodes, out);
}

int32_t binned_leaf_of_row(const sb_binned *b, const sb_node *tree, const uint64_t *cats, int64_t i)
{
    int32_t node = 0;
    while (tree[node].feat >= 0) {
        const int32_t f = tree[node].feat;
        const int32_t missing_bin = b->has_missing[f] ? b->n_value[f] : -1;
        const int32_t bin = b->bins_col[(int64_t)f * b->n_rows + i];
        if (tree[node].cat > 0) {
            const uint64_t *set = cats + SPLIT_CAT_WORDS * (int64_t)(tree[node].cat - 1);
            node =
                split_cat_bin_left(bin, set, missing_bin, tree[node].default_left) ? tree[node].left : tree[node].right;
            continue;
        }
        node = partition_goes_left(bin, tree[node].bin, missing_bin, tree[node].default_left) ? tree[node].left
                                                                                               : tree[node].right;
    }
    return node;
}
