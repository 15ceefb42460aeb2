/* run_ctx.c - accessors of the run context (see run_ctx.h). */
#include "base/run_ctx_impl.h"

int run_rank(const run_ctx *run) { return run->rank; }
int run_size(const run_ctx *run) { return run->size; }
int run_world_rank(const run_ctx *run) { return run->world_rank; }
