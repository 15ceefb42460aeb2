/* level_codes.c - see level_codes.h. */
#include "io/level_codes.h"

#include <stdio.h>  /* for snprintf */
#include <string.h> /* for strcmp */

/* Longest decimal text of a level code (0..254) with its NUL. */
#define CODE_TEXT_LEN 12

int cat_feature_int_coded(const sb_feature_info *f)
{
    if (f->n_levels <= 0) return 0;
    for (int32_t k = 0; k < f->n_levels; ++k) {
        char buf[CODE_TEXT_LEN];
        snprintf(buf, sizeof buf, "%d", (int)k);
        if (strcmp(f->levels[k], buf) != 0) return 0;
    }
    return 1;
}
