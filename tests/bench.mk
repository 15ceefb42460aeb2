# bench.mk - `make bench`: the training benchmark (shardboost train np 1 and 2 vs XGBoost hist
# nthread 1 and 2 on >= 1M generated forms rows, 20% held out; BENCH_ROWS / BENCH_REPEAT override),
# then the scoring benchmark (bench-predict, jobs/predict.mk). `make bench-ingest`: io/ingest.mk.
.PHONY: bench bench-train
bench: bench-train bench-predict

bench-train: $(BIN)/shardboost $(BIN)/gen_forms
	@BIN=$(BIN) PYTHON=$(PYTHON) tests/bench/bench_train.sh
