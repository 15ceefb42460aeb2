/* tree_grow.c - grow one tree, data-parallel: local histograms, one integer
 * reduce-scatter per expansion batch (a whole level for depthwise, one leaf
 * for lossguide) that leaves each rank the global sums of its own feature
 * block, the sibling by subtraction within the block, each rank's best split
 * of its block, then one agreement on the best of all ranks (a total order:
 * gain, feature, bin), so every rank applies the same split. */
#include <math.h>   /* for INFINITY */
#include <stdlib.h> /* for free */
#include <string.h> /* for memset, memcpy */

#include "engine/booster_internal.h"
#include "kernels/hist.h"
#include "kernels/partition.h"
#include "mpi/comm_hist.h"
#include "base/error.h"
#include "base/alloc.h"
#include "base/timer.h"
#include "mpi/run.h"

typedef struct {
    int64_t begin, end; /* local rows */
    int64_t G, H;       /* global sums, fixed point */
    int32_t depth;
    int32_t slot;       /* histogram slot or -1 */
    int32_t parent;
    int32_t left, right; /* children node ids, -1 while a leaf */
    split_info split;   /* best candidate (feat -1: cannot split) */
} gnode;

static gnode make_node(int64_t begin, int64_t end, int64_t G, int64_t H, int32_t depth, int32_t parent)
{
    gnode n;
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
    return n;
}

/* Scratch for reducing n_hist histograms (grown on demand: a deep level's
 * batch may be large, most are small). Collective: all ranks agree. */
static int reserve_pack(run_ctx *run, tree_grower *g, int64_t n_hist)
{
    const int64_t need = 2 * n_hist * 2 * (int64_t)g->b->hist_cells;
    int rc = SB_OK;
    if (run_size(run) > 1 && need > g->pack_len) {
        int64_t *p = sb_realloc(run, g->pack, (size_t)need, sizeof *p);
        if (p) g->pack = p, g->pack_len = need;
        else rc = SB_ENOMEM;
    }
    return run_agree_rc(run, rc);
}

static int64_t *slot_ptr(tree_grower *g, int32_t s) { return g->pool + (int64_t)s * 2 * g->b->hist_cells; }

/* Contiguous feature blocks, one per rank, of about equal cell counts (the
 * work of subtraction and split search is proportional to cells). A rank may
 * get no feature (more ranks than features). Same on every rank. */
static int feature_blocks(run_ctx *run, tree_grower *g)
{
    const sb_binned *b = g->b;
    const int P = run_size(run), me = run_rank(run);
    const size_t cap = (size_t)2 * (size_t)g->stage_cap;
    g->block = sb_alloc(run, (size_t)P + 1, sizeof *g->block);
    g->cand = sb_alloc(run, cap, sizeof *g->cand);
    g->cand_all = sb_alloc(run, cap * (size_t)P, sizeof *g->cand_all);
    g->counts = sb_alloc(run, (size_t)P, sizeof *g->counts);
    if (!g->block || !g->cand || !g->cand_all || !g->counts) return SB_ENOMEM;
    int32_t f = 0;
    for (int q = 0; q <= P; ++q) {
        const int64_t target = (int64_t)b->hist_cells * q / P; /* first cell of block q */
        while (q > 0 && f < b->n_feat && b->cell_off[f] < target) ++f;
        if (q == P) f = b->n_feat;
        if (q == me) g->f0 = f;
        if (q == me + 1) g->f1 = f;
        g->block[q] = 2 * (int64_t)(f < b->n_feat ? b->cell_off[f] : b->hist_cells);
    }
    return SB_OK;
}

int grower_init(run_ctx *run, tree_grower *g, const sb_binned *b, const sb_params *p)
{
    memset(g, 0, sizeof *g);
    g->b = b;
    g->p = p;
    g->cfg.lambda = p->lambda;
    g->cfg.alpha = p->alpha;
    g->cfg.min_child_weight = p->min_child_weight;
    g->cfg.max_delta_step = params_effective_max_delta_step(p);
    g->cfg.min_gain = 1e-6; /* XGBoost's kRtEps */
    g->layout.n_feat = b->n_feat;
    g->layout.off = b->cell_off;
    g->layout.n_value = b->n_value;
    g->layout.has_missing = b->has_missing;
    /* Live histograms: at most the leaves that may still split. */
    int32_t depth_cap = p->max_depth > 0 ? (p->max_depth > 20 ? 1 << 20 : 1 << (p->max_depth - 1)) : 1 << 20;
    int32_t leaf_cap = p->max_leaves > 0 ? p->max_leaves : 1 << 20;
    g->n_slots = (depth_cap < leaf_cap ? depth_cap : leaf_cap) + 2;
    g->stage_cap = p->grow_policy == SB_GROW_LOSSGUIDE ? 1 : g->n_slots;
    size_t hist_len = (size_t)2 * (size_t)b->hist_cells;
    g->rows = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *g->rows);
    g->scratch = sb_alloc(run, (size_t)b->n_rows + 1, sizeof *g->scratch);
    g->pool = sb_alloc(run, (size_t)g->n_slots * hist_len, sizeof *g->pool);
    g->stage = sb_alloc(run, (size_t)g->stage_cap * hist_len, sizeof *g->stage);
    g->free_slots = sb_alloc(run, (size_t)g->n_slots, sizeof *g->free_slots);
    const int wide = b->row_cells > b->hist_cells || b->sparse_records;
    if (wide) g->build = sb_alloc(run, (size_t)2 * ((size_t)b->row_cells + HIST_REC_SINKS), sizeof *g->build);
    if (!g->rows || !g->scratch || !g->pool || !g->stage || !g->free_slots || (wide && !g->build)) return SB_ENOMEM;
    return feature_blocks(run, g);
}

void grower_free(tree_grower *g)
{
    free(g->rows);
    free(g->scratch);
    free(g->pool);
    free(g->stage);
    free(g->free_slots);
    free(g->build);
    free(g->block);
    free(g->pack);
    free(g->cand);
    free(g->cand_all);
    free(g->counts);
    memset(g, 0, sizeof *g);
}

static void reset_slots(tree_grower *g)
{
    g->n_free = g->n_slots;
    for (int32_t i = 0; i < g->n_slots; ++i) g->free_slots[i] = g->n_slots - 1 - i;
}

/* Can this node still be split (limits that do not need a histogram)? */
static int may_split(const tree_grower *g, const gnode *n, double inv_scale)
{
    if (g->p->max_depth > 0 && n->depth >= g->p->max_depth) return 0;
    return (double)n->H * inv_scale >= 2.0 * g->p->min_child_weight;
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
        hist_spread_bundle(joint + 2 * (int64_t)(b->row_feat_base[v] - b->hist_cells), m, nc, b->member_stride + m0, off, skip, dst);
    }
}

/* Local histogram of one node into dst (zeroed here). Bundles' joint cells
 * and the records' sinks run past dst: then the rows are added into g->build
 * (kept zeroed), whose real cells are copied and spread. */
static void build_hist(tree_grower *g, const int64_t *ghf, const gnode *n, int64_t *dst)
{
    const sb_binned *b = g->b;
    const size_t hl = (size_t)2 * (size_t)b->hist_cells;
    int64_t *h = g->build ? g->build : dst;
    if (h == dst) memset(dst, 0, hl * sizeof *dst);
    int64_t cnt = n->end - n->begin;
    if (b->sparse_records) hist_build_fixed(b->sparse_records, b->sparse_spill, g->rows + n->begin, cnt, ghf, h);
    else if (b->sparse_start) hist_build_sparse(b->sparse_start, b->sparse_cells, g->rows + n->begin, cnt, ghf, h);
    else hist_build(b->bins_row, b->n_feat, b->cell_off, g->rows + n->begin, cnt, ghf, h);
    if (h == dst) return;
    memcpy(dst, h, hl * sizeof *dst);
    spread_bundles(b, h + hl, dst);
    memset(h, 0, (size_t)2 * ((size_t)b->row_cells + HIST_REC_SINKS) * sizeof *h);
}

/* Complete this rank's block of a reduced histogram built from sparse rows. */
static void fill_skipped(const tree_grower *g, int64_t *h, const gnode *n)
{
    const sb_binned *b = g->b;
    const int32_t f0 = g->f0;
    if (b->sparse_start || b->sparse_records) hist_fill_skipped(h, g->f1 - f0, b->cell_off + f0, b->n_cells + f0, b->skip_cell + f0, n->G, n->H);
}

/* This rank's best split of node n over its feature block (the agreement
 * picks the best of all ranks), or none when the node may not split. */
static void propose(const tree_grower *g, const uint8_t *mask, const int64_t *h, const gnode *n, double inv,
                    split_info *out)
{
    memset(out, 0, sizeof *out); /* padding too: the proposals travel as bytes */
    out->gain = -INFINITY;
    out->feat = out->bin = -1;
    if (!may_split(g, n, inv) || g->f1 <= g->f0) return;
    const int32_t f0 = g->f0;
    const split_layout L = {g->f1 - f0, g->layout.off + f0, g->layout.n_value + f0, g->layout.has_missing + f0};
    split_find(&g->cfg, &L, mask ? mask + f0 : NULL, h, n->G, n->H, out);
    if (out->feat >= 0) out->feat += f0;
}

/* Pick the batch to expand: depthwise = every splittable leaf of the lowest
 * open depth; lossguide = the single best leaf (ties: lower id). */
static int32_t choose_batch(const tree_grower *g, const gnode *nodes, int32_t n_nodes, int32_t n_leaves,
                            int32_t *batch)
{
    int32_t nb = 0;
    int32_t max_leaves = g->p->max_leaves;
    if (g->p->grow_policy == SB_GROW_LOSSGUIDE) {
        int32_t best = -1;
        for (int32_t i = 0; i < n_nodes; ++i)
            if (nodes[i].left < 0 && nodes[i].split.feat >= 0 && (best < 0 || split_better(&nodes[i].split, &nodes[best].split)))
                best = i;
        if (best >= 0 && (max_leaves == 0 || n_leaves < max_leaves)) batch[nb++] = best;
        return nb;
    }
    int32_t depth = -1;
    for (int32_t i = 0; i < n_nodes; ++i)
        if (nodes[i].left < 0 && nodes[i].split.feat >= 0 && (depth < 0 || nodes[i].depth < depth)) depth = nodes[i].depth;
    for (int32_t i = 0; i < n_nodes && depth >= 0; ++i) {
        if (nodes[i].left >= 0 || nodes[i].split.feat < 0 || nodes[i].depth != depth) continue;
        if (max_leaves > 0 && n_leaves + nb >= max_leaves) break; /* each split adds one leaf */
        batch[nb++] = i;
    }
    return nb;
}

/* Post-prune as XGBoost's prune updater: an inner node whose children are
 * both leaves and whose gain is below gamma becomes a leaf, bottom-up. */
static void prune(gnode *nodes, int32_t n_nodes, double gamma)
{
    if (!(gamma > 0)) return;
    for (int32_t i = n_nodes - 1; i >= 0; --i) {
        gnode *n = &nodes[i];
        if (n->left < 0) continue;
        if (nodes[n->left].left < 0 && nodes[n->right].left < 0 && n->split.gain < gamma) n->left = n->right = -1;
    }
}

/* Emit reachable nodes in creation order (children after parents) as sb_node. */
static int emit(run_ctx *run, const tree_grower *g, const gnode *nodes, int32_t n_nodes, double inv_scale,
                sb_node **out, int32_t *n_out, tree_leaf **leaves, int32_t *n_leaves)
{
    int32_t *newid = sb_alloc(run, (size_t)n_nodes, sizeof *newid);
    uint8_t *live = sb_alloc(run, (size_t)n_nodes, 1);
    if (!newid || !live) { free(newid); free(live); return SB_ENOMEM; }
    live[0] = 1;
    int32_t cnt = 0, nl = 0;
    for (int32_t i = 0; i < n_nodes; ++i) {
        if (!live[i]) continue;
        newid[i] = cnt++;
        if (nodes[i].left >= 0) live[nodes[i].left] = live[nodes[i].right] = 1;
        else ++nl;
    }
    sb_node *o = sb_alloc(run, (size_t)cnt, sizeof *o);
    tree_leaf *lv = sb_alloc(run, (size_t)nl, sizeof *lv);
    if (!o || !lv) { free(newid); free(live); free(o); free(lv); return SB_ENOMEM; }
    nl = 0;
    const sb_binned *b = g->b;
    for (int32_t i = 0; i < n_nodes; ++i) {
        if (!live[i]) continue;
        const gnode *n = &nodes[i];
        sb_node *d = &o[newid[i]];
        double G = (double)n->G * inv_scale, H = (double)n->H * inv_scale;
        d->cover = H;
        if (n->left >= 0) {
            int32_t f = n->split.feat;
            d->feat = f;
            d->left = newid[n->left];
            d->right = newid[n->right];
            d->default_left = n->split.default_left;
            d->bin = n->split.bin;
            d->threshold = b->cuts[b->cut_start[f] + n->split.bin];
            d->gain = n->split.gain;
            d->value = 0.0;
        } else {
            d->feat = -1;
            d->left = d->right = -1;
            d->bin = -1;
            d->value = g->p->eta * split_leaf_weight(&g->cfg, G, H);
            lv[nl].node = newid[i];
            lv[nl].begin = n->begin;
            lv[nl].end = n->end;
            ++nl;
        }
    }
    free(newid);
    free(live);
    *out = o;
    *n_out = cnt;
    *leaves = lv;
    *n_leaves = nl;
    return SB_OK;
}

/* The child of p that is not `small` (the one whose histogram comes from subtraction). */
static gnode *larger_child(gnode *nodes, const gnode *p, int32_t small)
{
    return &nodes[small == p->left ? p->right : p->left];
}

/* Split the batch's nodes: partition, create children, build the smaller
 * child's histogram of each (one reduce-scatter for all), subtract for the larger. */
static int expand(run_ctx *run, tree_grower *g, const int64_t *ghf, gnode *nodes, int32_t *n_nodes,
                  const int32_t *batch, int32_t nb, int32_t leaves_after, const uint8_t *mask)
{
    const sb_binned *b = g->b;
    const int64_t hl = 2 * (int64_t)b->hist_cells;
    const double inv = g->cfg.inv_scale;
    int32_t small_of[nb > 0 ? nb : 1];
    int32_t n_small = 0;
    double t0 = run_wtime();
    for (int32_t j = 0; j < nb; ++j) {
        gnode *p = &nodes[batch[j]];
        const split_info *s = &p->split;
        int32_t mb = b->has_missing[s->feat] ? b->n_value[s->feat] : -1;
        int64_t nl = partition_rows(g->rows + p->begin, p->end - p->begin, b->bins_col + (int64_t)s->feat * b->n_rows,
                                    s->bin, mb, s->default_left, g->scratch);
        int32_t li = (*n_nodes)++, ri = (*n_nodes)++;
        gnode *L = &nodes[li], *R = &nodes[ri];
        p = &nodes[batch[j]];
        *L = make_node(p->begin, p->begin + nl, s->gl, s->hl, p->depth + 1, batch[j]);
        *R = make_node(p->begin + nl, p->end, p->G - s->gl, p->H - s->hl, p->depth + 1, batch[j]);
        p->left = li;
        p->right = ri;
        small_of[j] = -1;
        int need = (g->p->max_leaves == 0 || leaves_after < g->p->max_leaves) && may_split(g, L, inv) + may_split(g, R, inv) > 0;
        if (need && p->slot >= 0) small_of[j] = L->H <= R->H ? li : ri, ++n_small; /* same choice on every rank: global H */
        else if (p->slot >= 0) g->free_slots[g->n_free++] = p->slot, p->slot = -1;
    }
    double t1 = run_wtime();
    int32_t k = 0;
    for (int32_t j = 0; j < nb; ++j)
        if (small_of[j] >= 0) build_hist(g, ghf, &nodes[small_of[j]], g->stage + (int64_t)(k++) * hl);
    double t2 = run_wtime();
    SB_TRY(run, reserve_pack(run, g, n_small));
    SB_TRY(run, comm_hist_reduce_scatter(run, g->stage, n_small, hl, g->block, g->pack, g->counts));
    double t3 = run_wtime();
    /* This rank's block: complete, subtract, propose both children's splits. */
    const int me = run_rank(run);
    const int64_t c0 = g->block[me], cw = g->block[me + 1] - g->block[me]; /* this rank's int64s */
    k = 0;
    for (int32_t j = 0; j < nb; ++j) {
        if (small_of[j] < 0) continue;
        gnode *p = &nodes[batch[j]];
        gnode *S = &nodes[small_of[j]], *B = larger_child(nodes, p, small_of[j]);
        int64_t *sh = g->stage + (int64_t)k * hl;
        fill_skipped(g, sh, S);
        int64_t *ph = slot_ptr(g, p->slot);
        hist_subtract(ph + c0, sh + c0, ph + c0, cw); /* the parent's slot becomes the larger child's */
        propose(g, mask, ph, B, inv, &g->cand[2 * k]);
        propose(g, mask, sh, S, inv, &g->cand[2 * k + 1]);
        ++k;
    }
    double t4 = run_wtime();
    SB_TRY(run, comm_split_agree(run, g->cand, 2 * k, g->cand_all));
    double t5 = run_wtime();
    k = 0;
    for (int32_t j = 0; j < nb; ++j) {
        if (small_of[j] < 0) continue;
        gnode *p = &nodes[batch[j]];
        gnode *S = &nodes[small_of[j]], *B = larger_child(nodes, p, small_of[j]);
        int64_t *sh = g->stage + (int64_t)k * hl;
        B->split = g->cand[2 * k];
        S->split = g->cand[2 * k + 1];
        B->slot = p->slot;
        p->slot = -1;
        if (S->split.feat >= 0) {
            S->slot = g->free_slots[--g->n_free];
            memcpy(slot_ptr(g, S->slot) + c0, sh + c0, (size_t)cw * sizeof *sh);
        }
        if (B->split.feat < 0) g->free_slots[g->n_free++] = B->slot, B->slot = -1;
        ++k;
    }
    double t6 = run_wtime();
    g->t_part += t1 - t0;
    g->t_hist += t2 - t1;
    g->t_reduce += (t3 - t2) + (t5 - t4); /* the agreement counts as communication */
    g->t_split += (t4 - t3) + (t6 - t5);
    return SB_OK;
}

int grow_tree(run_ctx *run, tree_grower *g, const int64_t *ghf, int64_t n_rows, int k, int64_t G, int64_t H,
              const uint8_t *mask, sb_node **out, int32_t *n_out, tree_leaf **leaves, int32_t *n_leaves)
{
    const sb_params *p = g->p;
    g->cfg.inv_scale = ldexp(1.0, -k);
    int32_t cap_leaves = p->max_leaves > 0 ? p->max_leaves : (1 << (p->max_depth < 20 ? p->max_depth : 20));
    int32_t cap = 2 * cap_leaves + 1;
    gnode *nodes = sb_alloc(run, (size_t)cap, sizeof *nodes);
    int32_t *batch = sb_alloc(run, (size_t)cap, sizeof *batch);
    if (!nodes || !batch) { free(nodes); free(batch); return SB_ENOMEM; }
    reset_slots(g);
    int32_t n_nodes = 1, n_lv = 1;
    nodes[0] = make_node(0, n_rows, G, H, 0, -1);
    int rc = SB_OK;
    if (may_split(g, &nodes[0], g->cfg.inv_scale) && (p->max_leaves == 0 || p->max_leaves > 1)) {
        nodes[0].slot = g->free_slots[--g->n_free];
        int64_t *h = slot_ptr(g, nodes[0].slot);
        double t0 = run_wtime();
        build_hist(g, ghf, &nodes[0], h);
        double t1 = run_wtime();
        rc = reserve_pack(run, g, 1);
        if (rc == SB_OK)
            rc = comm_hist_reduce_scatter(run, h, 1, 2 * (int64_t)g->b->hist_cells, g->block, g->pack, g->counts);
        if (rc == SB_OK) {
            fill_skipped(g, h, &nodes[0]);
            propose(g, mask, h, &nodes[0], g->cfg.inv_scale, &g->cand[0]);
            rc = comm_split_agree(run, g->cand, 1, g->cand_all);
            nodes[0].split = g->cand[0];
        }
        double t2 = run_wtime();
        g->t_hist += t1 - t0;
        g->t_reduce += t2 - t1;
    }
    while (rc == SB_OK && n_nodes + 2 <= cap) {
        int32_t nb = choose_batch(g, nodes, n_nodes, n_lv, batch);
        if (nb == 0 || n_nodes + 2 * nb > cap) break;
        n_lv += nb;
        rc = expand(run, g, ghf, nodes, &n_nodes, batch, nb, n_lv, mask);
    }
    if (rc == SB_OK) {
        prune(nodes, n_nodes, p->gamma);
        rc = emit(run, g, nodes, n_nodes, g->cfg.inv_scale, out, n_out, leaves, n_leaves);
    }
    free(nodes);
    free(batch);
    return rc;
}

int32_t tree_leaf_by_bins(const sb_node *tree, int64_t i, const sb_binned *b)
{
    int32_t k = 0;
    while (tree[k].feat >= 0) {
        int32_t f = tree[k].feat;
        int32_t mb = b->has_missing[f] ? b->n_value[f] : -1;
        int32_t bin = b->bins_col[(int64_t)f * b->n_rows + i];
        k = partition_goes_left(bin, tree[k].bin, mb, tree[k].default_left) ? tree[k].left : tree[k].right;
    }
    return k;
}
