/* cv_record.h - one grid point's cv results as a fixed-size record of
 * doubles, [point, seconds, metric[k], rounds[k]], so that the points
 * finished on different groups can be gathered with one collective. */
#ifndef SB_CV_RECORD_H
#define SB_CV_RECORD_H

#include <stdint.h> /* for int32_t, int64_t */

#include "io/cv_results.h"

/* Doubles in one record for k folds. Local. */
int64_t cv_record_len(int32_t k);
/* Point p of r into rec[0..cv_record_len). Local. */
void cv_record_pack(const cv_results *r, int64_t p, double *rec);
/* A record into r (its point marked done). Returns -1 when the record's
 * point index is out of range. Local. */
int cv_record_unpack(cv_results *r, const double *rec);

#endif
