/* ubjson_fuzz.c - libFuzzer target for the UBJSON reader (io/ubjson.c) alone:
 * any bytes give one jansson value or an error naming the byte offset, never a
 * crash, leak, hang or an allocation the input's size cannot justify (the
 * run's -rss_limit_mb / -malloc_limit_mb catch those). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "io/ubjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_ctx *run = fuzz_run();
    json_t *v = NULL;
    int rc = ubjson_parse(run, "fuzz.ubj", data, size, &v);
    fuzz_check_refusal(run, rc);
    if (rc == SB_OK) {
        if (v == NULL) abort();
        char *text = json_dumps(v, JSON_ENCODE_ANY); /* a value jansson can write back */
        free(text);
        json_decref(v);
    } else if (v != NULL) {
        abort();
    }
    return 0;
}
