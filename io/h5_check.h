/* h5_check.h - what a table file must satisfy before any rank reads a row:
 * the format version this build writes, at least one row and one feature, and
 * /label, /weight and every /ids/<name> 1-D with exactly as many rows as
 * /features. A shorter dataset made the ranks' collective reads disagree (a hang
 * at np 2); a longer one trained silently on misaligned labels. Local (every rank
 * checks the same file; the result is agreed before the first collective read). */
#ifndef SB_H5_CHECK_H
#define SB_H5_CHECK_H

#include <hdf5.h>
#include <stdint.h> /* for int64_t */

#include "base/run_ctx.h"

/* h5_check_table - SB_OK, or SB_EDATA naming the file and the dataset or attribute. */
int h5_check_table(run_ctx *run, const char *path, hid_t f, int64_t rows, int64_t feats);

#endif
