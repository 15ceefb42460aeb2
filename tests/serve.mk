# serve.mk - the online service's benchmark (tests/bench/bench_serve.sh):
#   make bench-serve   wrk against shardboost serve on 127.0.0.1: requests/s, rows/s and
#                      p50/p99/p99.9 for 1-, 100- and 1,000-row bodies on the keyword model
#                      (300 trees) and the forms model (100 trees, depth 6), --threads 2;
#                      peak RSS (BENCH_SECONDS, BENCH_REPEAT, BENCH_CONNECTIONS, BENCH_DIR override)
# Like the other benchmarks it appends its summary to tests/bench/perf-log.md (tests/bench/perf_log.sh);
# the full output stays in $(BUILD)/bench-serve.out.
.PHONY: bench-serve
bench-serve: deps
	@$(MAKE) --no-print-directory $(BIN)/shardboost $(BIN)/gen_keywords $(BIN)/gen_forms
	@mkdir -p $(BUILD); set -o pipefail; BIN=$(BIN) PYTHON=$(PYTHON) tests/bench/bench_serve.sh | tee $(BUILD)/$@.out
	@tests/bench/perf_log.sh $@ '^bench-serve:' $(BUILD)/$@.out
