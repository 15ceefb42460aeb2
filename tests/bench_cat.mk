# bench_cat.mk - make bench-cat: holdout accuracy of native categorical splits against
# ordinal codes and XGBoost 1.7 (tests/bench/cat_accuracy.sh); not part of make test. The
# summary goes to tests/bench/perf-log.md (tests/bench/perf_log.sh) like the benchmarks.
.PHONY: bench-cat
bench-cat: deps $(BIN)/shardboost
	@mkdir -p $(BUILD); set -o pipefail; BIN=$(BIN) tests/bench/cat_accuracy.sh | tee $(BUILD)/$@.out
	@tests/bench/perf_log.sh $@ '^. data .holdout' $(BUILD)/$@.out
