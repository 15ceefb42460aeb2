# ingest.mk - make bench-ingest: ingest throughput at np 1 and 2 (median of 3 runs),
# parse vs HDF5-write split. See io/bench_ingest.sh. Data goes to bench-out/ingest.
bench-ingest: $(BIN)/shardboost $(BIN)/gen_forms
	@BIN=$(BIN) io/bench_ingest.sh
