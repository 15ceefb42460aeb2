/* yaml_schema_fuzz.c - libFuzzer target for the generic layout's YAML schema
 * reader (io/ingest_schema.c, libyaml's document API): any bytes as a schema
 * file give a schema or an error with a message, never a crash, leak or hang;
 * a schema read has a label or a numerator/denominator pair, not both. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "io/ingest_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_ctx *run = fuzz_run();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    if (fd < 0) return 0;
    ingest_schema s;
    int rc = ingest_schema_load(run, path, &s);
    close(fd);
    fuzz_check_refusal(run, rc);
    if (rc == SB_OK) {
        if ((s.label != NULL) == (s.numerator != NULL)) abort(); /* exactly one kind of target */
        if (s.numerator != NULL && (s.denominator == NULL || strcmp(s.numerator, s.denominator) == 0)) abort();
        ingest_schema_free(&s);
    }
    return 0;
}
