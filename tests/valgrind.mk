# make valgrind: every subcommand end to end at np 1 under valgrind's memcheck
# (tests/valgrind/run.sh; minutes, so not part of make test).
.PHONY: valgrind
valgrind: deps
	@$(MAKE) --no-print-directory all
	@SB=$(abspath $(BIN))/shardboost tests/valgrind/run.sh
