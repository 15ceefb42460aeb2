# bench_drift.mk - make bench-drift: predict with and without the drift report on the
# 1M-row forms bench data (tests/bench/bench_drift.sh), medians of 3 and the ratio; the
# summary goes to tests/bench/perf-log.md (tests/bench/perf_log.sh) like the other benchmarks.
.PHONY: bench-drift
bench-drift: deps $(BIN)/shardboost $(BIN)/gen_forms
	@mkdir -p $(BUILD); set -o pipefail; BIN=$(BIN) tests/bench/bench_drift.sh | tee $(BUILD)/$@.out
	@tests/bench/perf_log.sh $@ '^drift: [0-9]+ of' $(BUILD)/$@.out
