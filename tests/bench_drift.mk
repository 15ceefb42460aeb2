# bench_drift.mk - make bench-drift: predict with and without the drift report on the
# 1M-row forms bench data (tests/bench/bench_drift.sh), medians of 3 and the ratio.
.PHONY: bench-drift
bench-drift: deps $(BIN)/shardboost $(BIN)/gen_forms
	@BIN=$(BIN) tests/bench/bench_drift.sh
