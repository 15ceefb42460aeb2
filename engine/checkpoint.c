/* checkpoint.c - writing the model so far while training, and continuing
 * from such a checkpoint (train --resume). */
#include <math.h> /* for NAN */

#include "engine/booster_internal.h"
#include "kernels/tree_predict.h"
#include "base/error.h"
#include "base/log.h"
#include "mpi/run.h"

int checkpoint_write(trainer *T)
{
    int rc = SB_OK;
    sb_model m; /* record_to_model clears it first, so model_free below is always safe */
    SB_CHECK(T->run, run_agree_rc(T->run, record_to_model(T->run, &m, T->train, T->binned, T->params, T->base_score,
                                                          T->base_margin, &T->rec, T->rec.n_trees, T->best_iter,
                                                          T->fingerprint, T->sum_weight)));
    SB_CHECK(T->run, model_write(T->run, &m, T->opts->checkpoint_path));
    sb_verbose(T->run, "checkpoint: %d rounds -> %s\n", T->rec.n_trees, T->opts->checkpoint_path);
out:
    model_free(&m); /* also this rank's model when another rank's assembly failed */
    return rc;
}

/* The checkpoint was trained on this data with these parameters. Local. */
static int check_same_training(trainer *T, const sb_model *r)
{
    if (r->fingerprint != T->fingerprint || r->n_rows != T->train->n_rows_global)
        return SB_FAIL(T->run, SB_EINVAL,
                       "--resume: the checkpoint was trained on different data (fingerprint %016llx, "
                       "this data %016llx)",
                       (unsigned long long)r->fingerprint, (unsigned long long)T->fingerprint);
    if (!params_equal(&r->params, T->params) || r->base_margin != T->base_margin)
        return SB_FAIL(T->run, SB_EINVAL, "--resume: the checkpoint was trained with different parameters");
    if ((r->valid_metric != NULL) != (T->has_valid != 0))
        return SB_FAIL(T->run, SB_EINVAL, "--resume: the checkpoint was trained %s a validation set",
                       r->valid_metric ? "with" : "without");
    if (r->n_trees != r->n_rounds_done)
        return SB_FAIL(T->run, SB_EINVAL, "--resume: the model is a final (truncated) model, not a checkpoint");
    return SB_OK;
}

/* The checkpoint's trees and metrics into the training record. Local. */
static int record_trees(trainer *T, const sb_model *r)
{
    for (int32_t i = 0; i < r->n_trees; ++i)
        SB_TRY(T->run, record_add_tree(T->run, &T->rec, r->nodes + r->tree_start[i],
                                       (int32_t)(r->tree_start[i + 1] - r->tree_start[i]), model_tree_cats(r, i),
                                       r->cat_start ? r->cat_start[i + 1] - r->cat_start[i] : 0, r->train_metric[i],
                                       r->valid_metric ? r->valid_metric[i] : NAN));
    return SB_OK;
}

int checkpoint_resume(trainer *T, const sb_model *r)
{
    SB_TRY(T->run, run_agree_rc(T->run, check_same_training(T, r)));
    const sb_forest f = model_forest(r);
    for (int32_t tr = 0; tr < r->n_trees; ++tr) /* by bins: the training features may be freed already */
        trainer_add_tree_by_bins(T->binned, r->nodes + r->tree_start[tr], model_tree_cats(r, tr), NULL,
                                 T->binned->n_rows, T->margin);
    if (T->valid) tree_predict_add(&f, 0, r->n_trees, T->valid->x, T->valid->n_rows, T->valid->n_feat, T->valid_margin);
    SB_TRY(T->run, run_agree_rc(T->run, record_trees(T, r))); /* local: agreed before the collectives below */
    for (int32_t i = 0; i < r->n_trees; ++i) {
        int stop = 0;
        SB_TRY(T->run, trainer_track_best(T, i, r->valid_metric ? r->valid_metric[i] : NAN, &stop));
    }
    return SB_OK;
}
