/* yaml_grid_fuzz.c - libFuzzer target for the cv grid reader (io/yaml_tree.c
 * and jobs/grid.c): any bytes as a grid file give a grid or an error with a
 * message, never a crash, leak or hang; a grid's every point has validated
 * parameters and at most one setting per key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "jobs/grid.h"

/* Grids past this many points are the reader's to refuse or build; walking them here would only slow the fuzzer. */
#define CHECK_POINTS 4096

static void check_point(const grid_point *p)
{
    for (int32_t i = 0; i < p->n_set; ++i)
        for (int32_t j = 0; j < i; ++j)
            if (strcmp(p->set[i].canon, p->set[j].canon) == 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_ctx *run = fuzz_run();
    sb_params base;
    params_default(&base);
    sb_grid g;
    int rc = grid_parse(run, "grid.yaml", (const char *)data, size, &base, &g);
    fuzz_check_refusal(run, rc);
    if (rc == SB_OK) {
        if (g.n_points < 1) abort(); /* an empty grid is an error, not zero runs */
        for (int64_t k = 0; k < g.n_points && k < CHECK_POINTS; ++k) check_point(&g.points[k]);
        grid_free(&g);
    }
    return 0;
}
