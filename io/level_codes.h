/* level_codes.h - whether a categorical feature's levels are integer codes.
 * Apart from io/cat_feature.c (which agrees codes across ranks) so that
 * MPI-free code (serve's request parser and its fuzz target) can link it. */
#ifndef SB_LEVEL_CODES_H
#define SB_LEVEL_CODES_H

#include "io/table.h" /* for sb_feature_info */

/* cat_feature_int_coded - 1 when f's levels are exactly "0".."n_levels-1"
 * (a model feature from categorical_feature). Local. */
int cat_feature_int_coded(const sb_feature_info *f);

#endif
