# bench.mk - the benchmarks (scripts in tests/bench/); each prints medians of 3 runs and,
# where XGBoost has an equivalent, its figure from the same run and the ratio.
#   make bench          training (bench-train) then scoring (bench-predict)
#   make bench-train    shardboost train np 1 and 2 vs XGBoost hist nthread 1 and 2 on >= 1M
#                       generated forms rows, 20% held out (BENCH_ROWS / BENCH_REPEAT override)
#   make bench-predict  predict rows/s per rank (np 1/2, gzip 1/6, stages) vs XGBoost inplace_predict
#   make bench-ingest   ingest MB/s per rank at np 1 and 2, parse vs HDF5 write
# Each appends its summary, dated, with `git describe` and the machine, to tests/bench/perf-log.md
# (tests/bench/perf_log.sh); the full output stays in $(BUILD)/bench-*.out.
.PHONY: bench bench-train bench-predict bench-ingest
bench: bench-train bench-predict

bench-train: $(BIN)/shardboost $(BIN)/gen_forms
	@mkdir -p $(BUILD); set -o pipefail; BIN=$(BIN) PYTHON=$(PYTHON) tests/bench/bench_train.sh | tee $(BUILD)/$@.out
	@tests/bench/perf_log.sh $@ '^make bench:' $(BUILD)/$@.out

bench-predict: $(BIN)/shardboost $(BIN)/gen_forms
	@mkdir -p $(BUILD); set -o pipefail; BIN=$(BIN) PYTHON=$(PYTHON) tests/bench/bench_predict.sh | tee $(BUILD)/$@.out
	@tests/bench/perf_log.sh $@ '^== ' $(BUILD)/$@.out

bench-ingest: $(BIN)/shardboost $(BIN)/gen_forms
	@mkdir -p $(BUILD); set -o pipefail; BIN=$(BIN) tests/bench/bench_ingest.sh | tee $(BUILD)/$@.out
	@tests/bench/perf_log.sh $@ '^bench-ingest:' $(BUILD)/$@.out
