/* cv_record.c - cv results as records for gathering (see cv_record.h). */
#include "jobs/cv_record.h"

int64_t cv_record_len(int32_t k) { return 2 + 2 * (int64_t)k; }

void cv_record_pack(const cv_results *r, int64_t p, double *rec)
{
    rec[0] = (double)p;
    rec[1] = r->seconds[p];
    for (int32_t f = 0; f < r->k; ++f) {
        rec[2 + f] = r->metric[p * r->k + f];
        rec[2 + r->k + f] = r->rounds[p * r->k + f];
    }
}

int cv_record_unpack(cv_results *r, const double *rec)
{
    if (!(rec[0] >= 0 && rec[0] < (double)r->n)) return -1;
    int64_t p = (int64_t)rec[0];
    r->seconds[p] = rec[1];
    for (int32_t f = 0; f < r->k; ++f) {
        r->metric[p * r->k + f] = rec[2 + f];
        r->rounds[p * r->k + f] = (int32_t)rec[2 + r->k + f];
    }
    r->done[p] = 1;
    return 0;
}
