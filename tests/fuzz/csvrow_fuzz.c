/* csvrow_fuzz.c - libFuzzer target for the CSV row splitter (io/csvrow.c): any
 * line (no '\n': lines.c never hands one over) splits without a crash, and the
 * in-place fast path agrees with its libcsv twin, csvrow_split_ref, on the
 * status, the field count and every field's bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static csvrow *fast = NULL, *ref = NULL;
    if (fast == NULL && ((fast = csvrow_new()) == NULL || (ref = csvrow_new()) == NULL)) abort();
    if (memchr(data, '\n', size) != NULL) return 0;
    /* the splitter reads only line[0 .. len): a copy of exactly that size lets ASan see overreads */
    char *line = malloc(size ? size : 1);
    if (line == NULL) return 0;
    memcpy(line, data, size);
    const csv_field *ff = NULL, *rf = NULL;
    int32_t nff = 0, nrf = 0;
    int a = csvrow_split(fast, line, size, &ff, &nff);
    int b = csvrow_split_ref(ref, line, size, &rf, &nrf);
    if (a != b) abort();
    if (a == CSVROW_OK) {
        if (nff != nrf || nff < 1) abort();
        for (int32_t i = 0; i < nff; ++i)
            if (ff[i].n != rf[i].n || (ff[i].n && memcmp(ff[i].p, rf[i].p, ff[i].n) != 0)) abort();
    }
    free(line);
    return 0;
}
