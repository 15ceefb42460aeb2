# bench.mk - `make bench`: shardboost train (np 1 and 2) vs XGBoost hist (nthread 1 and 2)
# on >= 1M generated forms rows (20% held out). BENCH_ROWS / BENCH_REPEAT override.
.PHONY: bench
bench: $(BIN)/shardboost $(BIN)/gen_forms
	@BIN=$(BIN) PYTHON=$(PYTHON) tests/bench/bench_train.sh
