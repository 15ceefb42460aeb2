/* fuzz_serve_request.c - libFuzzer target for serve's request parser
 * (jobs/serve_request.c): any bytes, as JSON or CSV, strict or not, must be
 * parsed or refused with a 4xx and a message, never crash, hang or leak.
 * Built and run for a bounded time by tests/integration/serve_fuzz.sh
 * (clang -fsanitize=fuzzer,address,undefined). Input byte 0 picks the body
 * kind and the schema; the rest is the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/serve_request.h"

static char *levels[] = {"Computer", "Smartphone", "Tablet"};
static sb_feature_info feat[40];
static char names[40][16];
static char *ids[] = {"entity_id", "device"};
static serve_schema schema[2];

static void setup(void)
{
    for (int f = 0; f < 40; ++f) {
        snprintf(names[f], sizeof names[f], f == 38 ? "device" : f == 39 ? "week" : "att%d", f + 1);
        feat[f] = (sb_feature_info){names[f], f == 38 ? 3 : 0, f == 38 ? levels : NULL};
    }
    for (int s = 0; s < 2; ++s)
        if (serve_schema_init(&schema[s], 40, feat, 2, ids, s) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready = 0;
    if (!ready) setup(), ready = 1;
    if (size == 0) return 0;
    int kind = data[0] & 1 ? SERVE_BODY_CSV : SERVE_BODY_JSON;
    const serve_schema *s = &schema[(data[0] >> 1) & 1];
    serve_batch b;
    int rc = serve_parse(s, kind, (const char *)data + 1, size - 1, 64, &b);
    if (rc == 0) {
        if (b.n_rows < 0 || b.n_rows > 64 || (b.n_rows > 0 && b.x == NULL)) abort();
        if ((int64_t)json_array_size(b.ids) != b.n_rows) abort(); /* one ids entry per row */
        double pred[64];
        for (int64_t i = 0; i < b.n_rows; ++i) pred[i] = b.x[i * 40];
        size_t len = 0;
        char *out = serve_answer("m", "v1", pred, b.n_rows, b.ids, &len);
        if (out == NULL || strlen(out) != len) abort();
        free(out);
    } else if (b.status < 400 || b.status > 499 || b.err[0] == '\0') {
        abort(); /* a refusal is a 4xx with a message */
    }
    serve_batch_free(&b);
    return 0;
}
