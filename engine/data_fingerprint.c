/* data_fingerprint.c - a rank-count invariant hash of the training rows, so a
 * checkpoint is resumed only on the data it was trained on. */
#include <string.h> /* for memcpy */

#include "engine/booster_internal.h"
#include "mpi/comm.h"
#include "base/error.h"

/* FNV-1a over 32-bit words (n a multiple of 4): four times fewer steps than bytes. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i + 4 <= n; i += 4) {
        uint32_t w;
        memcpy(&w, c + i, sizeof w);
        h = (h ^ w) * 0x100000001B3ULL;
    }
    return h;
}

int data_fingerprint(run_ctx *run, const sb_table *t, uint64_t *out)
{
    /* Sum of per-row hashes mod 2^64, split in 32-bit halves so the int64 sum cannot overflow. */
    int64_t acc[2] = {0, 0};
    for (int64_t i = 0; i < t->n_rows; ++i) {
        uint64_t gi = (uint64_t)(t->row_start + i);
        uint64_t h = fnv1a(0xCBF29CE484222325ULL, &gi, sizeof gi);
        h = fnv1a(h, t->x + i * t->n_feat, (size_t)t->n_feat * sizeof(float));
        if (t->label) h = fnv1a(h, &t->label[i], sizeof(double));
        if (t->weight) h = fnv1a(h, &t->weight[i], sizeof(double));
        h = train_hash(h, 0, gi);
        acc[0] += (int64_t)(h & 0xFFFFFFFFu);
        acc[1] += (int64_t)(h >> 32);
    }
    SB_TRY(run, comm_sum_i64(run, acc, 2));
    *out = (uint64_t)acc[0] + ((uint64_t)acc[1] << 32);
    return SB_OK;
}
