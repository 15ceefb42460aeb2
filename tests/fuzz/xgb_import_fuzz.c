/* xgb_import_fuzz.c - libFuzzer target for model import (io/foreign_model.c's
 * model_read_any: XGBoost JSON through jansson, XGBoost UBJSON through
 * io/ubjson.c, both converted by io/xgb_import.c; a shardboost model by
 * io/model_read.c): any bytes as a model file give a model or an error with a
 * message, never a crash, leak or hang. An imported model passes model_check
 * and its shardboost text reads back. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "io/foreign_model.h"
#include "io/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_ctx *run = fuzz_run();
    char path[64];
    int fd = fuzz_file(data, size, path, sizeof path);
    if (fd < 0) return 0;
    sb_model m;
    int rc = model_read_any(run, path, &m);
    close(fd);
    fuzz_check_refusal(run, rc);
    if (rc != SB_OK) return 0;
    if (model_check(run, &m, "imported") != SB_OK) fuzz_die(run, "an imported model fails model_check");
    char *text = NULL;
    int64_t len = 0;
    sb_model back;
    if (model_to_json(run, &m, &text, &len) != SB_OK) fuzz_die(run, "model_to_json of an imported model");
    if (model_from_json(run, text, len, "again", &back) != SB_OK) fuzz_die(run, "an imported model does not read back");
    model_free(&back);
    free(text);
    model_free(&m);
    return 0;
}
