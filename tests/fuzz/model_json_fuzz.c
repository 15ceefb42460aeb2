/* model_json_fuzz.c - libFuzzer target for the model reader (io/model_read.c:
 * jansson, the typed key readers, validate and model_check). Input byte 0 bit 0
 * set: the rest is taken as the text before the crc32 line, and the line is
 * appended with the right CRC, so the fuzzer gets past the seal into the
 * parser; clear: the bytes as they are. A model read back must be usable: its
 * text (model_to_json) reads back again to the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_common.h"
#include "io/model.h"

/* data sealed with a crc32 line (malloc'd, *len bytes). */
static char *sealed(const uint8_t *data, size_t size, int64_t *len)
{
    char *t = malloc(size + 32);
    if (t == NULL) return NULL;
    memcpy(t, data, size);
    const uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)t, (uInt)size);
    *len = (int64_t)size + snprintf(t + size, 32, "  \"crc32\": \"%08x\"\n}\n", crc);
    return t;
}

static void round_trip(run_ctx *run, const sb_model *m)
{
    char *a = NULL, *b = NULL;
    int64_t la = 0, lb = 0;
    sb_model back;
    if (model_to_json(run, m, &a, &la) != SB_OK) fuzz_die(run, "model_to_json of a model read");
    if (model_from_json(run, a, la, "again", &back) != SB_OK) fuzz_die(run, "a model written does not read back");
    if (model_to_json(run, &back, &b, &lb) != SB_OK || la != lb || memcmp(a, b, (size_t)la) != 0)
        fuzz_die(run, "a model read back writes other bytes");
    model_free(&back);
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_ctx *run = fuzz_run();
    if (size < 1) return 0;
    int64_t len = (int64_t)size - 1;
    char *text = (data[0] & 1) ? sealed(data + 1, size - 1, &len) : malloc(size);
    if (text == NULL) return 0;
    if (!(data[0] & 1)) memcpy(text, data + 1, size - 1);
    sb_model m;
    int rc = model_from_json(run, text, len, "fuzz.json", &m);
    fuzz_check_refusal(run, rc);
    if (rc == SB_OK) {
        err_clear(run);
        round_trip(run, &m);
        model_free(&m);
    } else if (m.nodes != NULL || m.feat != NULL || m.n_trees != 0) {
        abort(); /* zeroed on error */
    }
    free(text);
    return 0;
}
