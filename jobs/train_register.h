/* train_register.h - `train --register REG/NAME`: the model just written
 * becomes the next version in a registry (io/registry.h). */
#ifndef SB_TRAIN_REGISTER_H
#define SB_TRAIN_REGISTER_H

#include "mpi/run.h"

/* train_register_check - Local, pure-ish: REG/NAME is a usable target
 * (a valid model name). Called while parsing options, before training. */
int train_register_check(run_ctx *run, const char *target);

/* train_register - Collective. Rank 0 stores model_path as the next version
 * of target with its metadata; the status is agreed; logs "registered
 * REG/NAME@vN". */
int train_register(run_ctx *run, const char *target, const char *model_path, const char *const *data, int n_data,
                   const char *valid);

#endif
