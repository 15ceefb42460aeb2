/* booster.h - training as a library: `train` and `cv` both call this.
 *
 * booster_bin turns a table into binned data (quantile cuts agreed by all
 * ranks, independent of sharding) once - after it the table's features (x)
 * are no longer read by training and may be freed to save memory; booster_train_binned then trains any
 * number of models on it (cv folds via row_mask, grid points with the same
 * max_bin). booster_train does both for one-off training. */
#ifndef SB_BOOSTER_H
#define SB_BOOSTER_H

#include <stdint.h> /* for uint8_t, int32_t */

#include "io/model.h"
#include "io/table.h"
#include "io/params.h"
#include "base/run_ctx.h"

typedef struct sb_binned sb_binned; /* opaque: cuts + uint8/uint16 bins of the local rows */

typedef struct {
    int32_t rounds_done;    /* rounds trained */
    int32_t best_iteration; /* 0-based */
    double best_valid;      /* valid metric at best_iteration (NaN without validation) */
    double final_train;     /* train metric of the last round */
    int stopped_early;
    int interrupted;        /* SIGTERM: checkpoint written, returned SB_EINTR */
    double seconds_bin, seconds_train, seconds_hist, seconds_reduce, seconds_split;
} train_report;

typedef struct {
    int progress;                /* 1: rank 0 prints a progress line */
    int32_t progress_every;      /* lines every N rounds when not a TTY (0: auto) */
    const char *checkpoint_path; /* NULL: no checkpoints */
    int32_t checkpoint_every;    /* rounds between checkpoints (0: only on SIGTERM) */
    const sb_model *resume;      /* continue from this model (same data/params), or NULL */
} booster_opts;

/* booster_bin - Collective; max_bin and seed equal on all ranks. Quantile
 * cuts from a sample of rows chosen by a hash of (seed, global row index),
 * gathered on every rank, cut identically; features with few distinct values
 * get exact cuts; NaN has its own bin. */
int booster_bin(run_ctx *run, const sb_table *train, int32_t max_bin, uint64_t seed, sb_binned **out);
/* booster_bin_consume - booster_bin that takes the table's features: the
 * bins are written over t->x (set to NULL, its memory reused and shrunk), so
 * the floats and the bins are never resident together (train's peak memory).
 * Same cuts, bins and fingerprint as booster_bin. Collective. */
int booster_bin_consume(run_ctx *run, sb_table *train, int32_t max_bin, uint64_t seed, sb_binned **out);
void booster_binned_free(sb_binned *b);
/* The same with native categorical bins when native_cat (enable_categorical):
 * a categorical feature gets one bin per level, so trees may split it by
 * level sets; more than SPLIT_CAT_MAX_LEVELS levels is an error naming the
 * feature. native_cat 0 is booster_bin / booster_bin_consume. Collective. */
int booster_bin_cat(run_ctx *run, const sb_table *train, int32_t max_bin, uint64_t seed, int native_cat,
                    sb_binned **out);
int booster_bin_consume_cat(run_ctx *run, sb_table *train, int32_t max_bin, uint64_t seed, int native_cat,
                            sb_binned **out);

/* booster_train_binned - Collective; params, opts and row_mask semantics
 * equal on all ranks. train must be the table b was binned from. valid may be
 * NULL. row_mask (NULL = all rows train): per local row, 1 = train, 0 = held
 * out and evaluated as validation (then valid must be NULL).
 * out receives a complete model (identical on every rank, byte-identical
 * for any rank count); rep (may be NULL) the report. Returns SB_OK,
 * SB_EINTR after a SIGTERM checkpoint, or an agreed error. */
int booster_train_binned(run_ctx *run, const sb_binned *b, const sb_table *train, const sb_table *valid,
                         const sb_params *params, const uint8_t *row_mask, const booster_opts *opts,
                         sb_model *out, train_report *rep);

/* booster_train - booster_bin + booster_train_binned without progress output. Collective. */
int booster_train(run_ctx *run, const sb_table *train, const sb_table *valid, const sb_params *params,
                  const uint8_t *row_mask, sb_model *out, train_report *rep);

#endif
