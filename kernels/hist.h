/* hist.h - gradient histograms on binned rows, in int64 fixed point.
 *
 * Bins are row-major uint8 (row r, feature f at bins[r * n_feat + f]);
 * feature f's bins occupy histogram cells [off[f], off[f] + nbins[f]).
 * A cell is two int64: sum of g and sum of h of the rows in that bin, in
 * fixed point (gradients scaled by 2^k and rounded once per row), so sums are
 * exact and histograms from several ranks add up to the same bits in any
 * order. */
#ifndef SB_HIST_H
#define SB_HIST_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

/* hist_build - hist += (g, h) of the rows in every feature's bin; gh holds
 * one pair per local row (indexed by row). The row data and pairs of later
 * rows are prefetched (rows ascend, so the reads are sparse but ordered; a
 * separate gather pass into leaf order measured slower). hist must hold
 * 2 * total_bins int64. Local. */
void hist_build(const uint8_t *bins, int32_t n_feat, const int32_t *off, const int32_t *rows, int64_t n,
                const int64_t *gh, int64_t *hist);
/* Plain twin: one cell at a time. */
void hist_build_ref(const uint8_t *bins, int32_t n_feat, const int32_t *off, const int32_t *rows, int64_t n,
                    const int64_t *gh, int64_t *hist);

/* ---- sparse rows: skip each feature's most frequent bin -----------------
 * Row r's cells other than the most frequent bin of their feature are
 * cells[ptr[r] .. ptr[r+1]) (global cell indices, off[f] + bin). The skipped
 * cells are filled afterwards from the node totals (hist_fill_skipped), which
 * is exact in integer arithmetic. Most features of real data have one dominant
 * value (zero, absent, the common level), so this cuts the scatter-adds. */

/* hist_build_sparse - hist += (g, h) of rows over their stored cells. Local. */
void hist_build_sparse(const int64_t *ptr, const uint16_t *cells, const int32_t *rows, int64_t n,
                       const int64_t *gh, int64_t *hist);

/* ---- fixed-width records: the sparse rows as one cache line each --------
 * Row r's record is rec[r * HIST_REC_WIDTH ..] (64 bytes; 64-byte aligned rec
 * puts each on one line): its slot count c, a multiple of 4, then its slots.
 * A slot is the int64 offset of a cell (2 * cell index); the slots past the
 * row's cells point at the sink cells (sink .. sink + HIST_REC_SINKS - 1),
 * which hist_build_fixed adds to but nobody reads. A fixed step of 4 slots
 * and offsets ready for addressing save instructions per cell and drop the
 * per-row exit of a remainder loop (tests/bench/perf-log.md). c <= HIST_REC_INLINE: all slots in
 * the record; otherwise its first HIST_REC_INLINE and the other c -
 * HIST_REC_INLINE continue at spill[o], o = rec[.. + 30] | rec[.. + 31] << 16. */
#define HIST_REC_WIDTH 32
#define HIST_REC_INLINE 28
#define HIST_REC_SINKS 4

/* hist_fixed_slots - the slots a row of c cells takes (c rounded up to a
 * multiple of 4). Local. */
static inline int64_t hist_fixed_slots(int64_t c) { return (c + 3) & ~(int64_t)3; }

/* hist_fixed_spill_len - spill slots that hist_fixed_encode writes for rows
 * [0, n) of the pointer format (ptr as in hist_build_sparse). Local. */
int64_t hist_fixed_spill_len(const int64_t *ptr, int64_t n);

/* hist_fixed_encode - rows [0, n) of the pointer format (ptr, cells) as
 * records rec (n * HIST_REC_WIDTH) and spill (hist_fixed_spill_len). Needs
 * every cell < sink, 2 * (sink + HIST_REC_SINKS) <= 65536 (offsets fit
 * uint16), spill < 2^32 and at most 65532 cells per row. Local. */
void hist_fixed_encode(const int64_t *ptr, const uint16_t *cells, int64_t n, int32_t sink, uint16_t *rec,
                       uint16_t *spill);

/* hist_build_fixed - hist += (g, h) of rows over their records: the sums of
 * hist_build_sparse on the rows the records encode. hist must hold 2 * (sink
 * + HIST_REC_SINKS) int64 (the sinks get garbage). Local. */
void hist_build_fixed(const uint16_t *rec, const uint16_t *spill, const int32_t *rows, int64_t n, const int64_t *gh,
                      int64_t *hist);

/* hist_fill_skipped - for every feature with skip[f] >= 0, set cell skip[f]
 * (global index) to the node totals (G, H) minus the feature's other cells.
 * Apply to a complete (reduced) histogram. Local. */
void hist_fill_skipped(int64_t *hist, int32_t n_feat, const int32_t *off, const int32_t *n_cells,
                       const int32_t *skip, int64_t G, int64_t H);

/* ---- bundles: several small features as one joint feature ---------------
 * A bundle of m features encodes a row's member bins d_0 .. d_{m-1}
 * (d_k < n_cells[k]) as one joint cell j = sum_k d_k * stride[k], with
 * stride[0] = 1 and stride[k + 1] = stride[k] * n_cells[k]; a sparse row then
 * holds one cell for the whole bundle instead of one per member, and none
 * when every member is in its skipped bin. Integer sums make the members'
 * histograms recovered from the joint one exact. */

#define HIST_BUNDLE_MAX_MEMBERS 16

/* hist_spread_bundle - hist += the members' cells summed out of the joint
 * histogram joint[0 .. 2 * J) (J = stride[m - 1] * n_cells[m - 1]): member
 * k's cell off[k] + d gets the (g, h) of every joint cell whose digit k is d,
 * except d == skip[k] (its skipped bin: left for hist_fill_skipped). m <=
 * HIST_BUNDLE_MAX_MEMBERS (a bundle of more members adds nothing). Local. */
void hist_spread_bundle(const int64_t *joint, int32_t m, const int32_t *n_cells, const int32_t *stride,
                        const int32_t *off, const int32_t *skip, int64_t *hist);

/* hist_subtract - out = parent - child over n int64 (out may alias parent). Local. */
void hist_subtract(const int64_t *parent, const int64_t *child, int64_t *out, int64_t n);

/* hist_fixed_scale - the exponent k for fixed point: the largest k with
 * n_rows * max_abs * 2^k < 2^62 (sums cannot overflow), capped at 60. Local. */
int hist_fixed_scale(double max_abs, int64_t n_rows);
/* hist_to_fixed - out[i] = round(gh[i] * 2^k) for n values. Local. */
void hist_to_fixed(const float *gh, int64_t n, int k, int64_t *out);

/* hist_to_fixed_rows - the same conversion for the pairs of rows[0..n) only
 * (other rows' pairs are left as they are), also returning their sums in
 * sums[0..1]: one pass instead of converting everything and summing. Local. */
void hist_to_fixed_rows(const float *gh, const int32_t *rows, int64_t n, int k, int64_t *ghf, int64_t *sums);

#endif
