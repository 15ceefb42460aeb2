/* partition.h - split a node's rows in place into left and right children. */
#ifndef SB_PARTITION_H
#define SB_PARTITION_H

#include <stdint.h> /* for int32_t, int64_t, uint8_t */

#include "kernels/partition_table.h" /* for partition_by_table */
#include "kernels/tree_predict.h"     /* for sb_node */

/* partition_rows - reorder rows[0..n) so the rows going left come first,
 * both sides keeping their order (stable, so later passes read bins in
 * increasing row order). col is the split feature's bin column (col[r] =
 * bin of local row r: column-major, so the reads are nearly sequential). A
 * row goes left iff col[r] == missing_bin ? default_left : col[r] <= split_bin
 * (missing_bin -1: none). scratch holds n values. Returns the number of left
 * rows. Local. */
int64_t partition_rows(int32_t *rows, int64_t n, const uint8_t *col, int32_t split_bin, int32_t missing_bin,
                       int32_t default_left, int32_t *scratch);
/* Plain twin: two passes over a copy. */
int64_t partition_rows_ref(int32_t *rows, int64_t n, const uint8_t *col, int32_t split_bin, int32_t missing_bin,
                           int32_t default_left, int32_t *scratch);

/* partition_goes_left - the rule above for one bin value. Local. */
static inline int partition_goes_left(int32_t bin, int32_t split_bin, int32_t missing_bin, int32_t default_left)
{
    return bin == missing_bin ? default_left : bin <= split_bin;
}

/* Deepest tree partition_tree_add lays out complete (2^D leaf slots on the stack). */
#define PARTITION_WALK_MAX_DEPTH 8

/* What a complete walk did: walked, or refused a tree deeper than
 * PARTITION_WALK_MAX_DEPTH (margins untouched: the caller walks node by node). */
typedef enum { PARTITION_WALKED = 0, PARTITION_TOO_DEEP = -1 } partition_walk_rc;

/* partition_tree_add - margin[i] += the value of the leaf row i reaches in
 * one tree, walking its row-major bins (bins[i * n_feat + f]) with the rule
 * above (missing bin of f: n_value[f] when has_missing[f], else none); the
 * same leaf as the float thresholds (x < cut after `bin` <=> bin <= `bin`).
 * Branch-free over a complete copy of the tree; with AVX-512 (F/BW/VL, chosen
 * at run time) 16 rows per vector, 4 groups of 16 interleaved, the bins
 * gathered 32 bits at a time (the rows whose 4-byte reads could pass
 * bins[n * n_feat - 1] are walked scalar, so bins needs no padding). Same
 * margins bit for bit as the twin: one add per row. Returns PARTITION_WALKED,
 * or PARTITION_TOO_DEEP (margin untouched). Local. */
partition_walk_rc partition_tree_add(const sb_node *tree, const uint8_t *bins, int64_t n, int32_t n_feat,
                                     const int32_t *n_value, const uint8_t *has_missing, double *margin);

/* The variants partition_tree_add picks from: the scalar complete walk (any
 * CPU) and the AVX-512 one (x86-64; call it only when partition_walk_isa()
 * says the CPU has it; n_feat above PARTITION_AVX512_MAX_FEAT walks scalar,
 * the gather offsets being 32-bit). Same contract and bits. Local. */
enum { PARTITION_ISA_SCALAR = 0, PARTITION_ISA_AVX512 = 1 };
#define PARTITION_AVX512_MAX_FEAT (1 << 26)
int partition_walk_isa(void);
partition_walk_rc partition_tree_add_isa(int isa, const sb_node *tree, const uint8_t *bins, int64_t n, int32_t n_feat,
                           const int32_t *n_value, const uint8_t *has_missing, double *margin);
/* partition_tree_add_cols - the same for column-major bins (row r's bin of
 * feature f at cols[f * n + r], n local rows) and the rows listed in
 * rows[0 .. m) (NULL: rows 0 .. m-1): margin[r] += the value of the leaf row
 * r reaches. Scalar and branch-free: per slot the rule is (bin <= split) XOR
 * (bin == flip), flip the missing bin when its default direction differs from
 * its comparison. Returns PARTITION_WALKED, or PARTITION_TOO_DEEP (margins
 * untouched). Local. */
partition_walk_rc partition_tree_add_cols(const sb_node *tree, const uint8_t *cols, int64_t n, const int32_t *rows,
                                          int64_t m, const int32_t *n_value, const uint8_t *has_missing,
                                          double *margin);
/* Plain twin: node by node, any depth. */
void partition_tree_add_cols_ref(const sb_node *tree, const uint8_t *cols, int64_t n, const int32_t *rows, int64_t m,
                                 const int32_t *n_value, const uint8_t *has_missing, double *margin);

/* Plain twin: node by node, any depth. */
void partition_tree_add_ref(const sb_node *tree, const uint8_t *bins, int64_t n, int32_t n_feat,
                            const int32_t *n_value, const uint8_t *has_missing, double *margin);

#endif
