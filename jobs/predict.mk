# predict.mk - `make bench-predict`: predict rows/s vs XGBoost inplace_predict (jobs/predict_bench.sh).
.PHONY: bench-predict
bench-predict: $(BIN)/shardboost $(BIN)/gen_forms
	@BIN=$(BIN) PYTHON=$(PYTHON) jobs/predict_bench.sh
