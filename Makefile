# shardboost - histogram gradient-boosted trees over MPI ranks.
#   make demo    install missing Debian packages, build, generate data, ingest, train (np 2), predict
#   make test    install missing packages, build, run unit + MPI integration tests
#   make asan    unit tests under AddressSanitizer + UBSan (make asan-integration: the MPI jobs too)
#   make bench   training/prediction benchmark against XGBoost;  make bench-ingest
# Several builds can live side by side: make BUILD=build-asan ...

SHELL   := /bin/bash
BUILD   ?= build
BIN     ?= bin
PYTHON  ?= /usr/bin/python3
CC      := mpicc
WERROR  ?= -Werror
# make V=1 prints whole compiler lines.
Q       := $(if $(filter 1,$(V)),,@)
OPT     ?= -O2
# -ffp-contract=off: no FMA contraction, so float results do not depend on the build's -march.
CFLAGS  ?= $(OPT) -g
SB_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic $(WERROR) -ffp-contract=off -I.
# Evaluated lazily (=): on a fresh machine pkg-config exists only after `make deps`.
HDF5_CFLAGS = $(shell pkg-config --cflags hdf5-openmpi)
HDF5_LIBS   = $(shell pkg-config --libs hdf5-openmpi)
LDLIBS   = $(HDF5_LIBS) -lcsv -ldeflate -lisal -llz4 -lz -lyaml -ljansson -lcurl -lm
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The sanitizer build (build-asan/, bin-asan/) that make asan and make asan-integration share.
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build-asan BIN=bin-asan OPT=-O1 CFLAGS="-O1 -g $(SAN_FLAGS)" \
            LDFLAGS="$(SAN_FLAGS)"

# Debian packages the build, tests and benchmark need.
DEB_PKGS := build-essential pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools \
            libcsv-dev zlib1g-dev libdeflate-dev libisal-dev liblz4-dev hdf5-filter-plugin libcunit1-dev libyaml-dev xz-utils python3 python3-numpy python3-xgboost \
            procps bc libjansson-dev libcurl4-openssl-dev curl prometheus prometheus-pushgateway

# Open MPI as root, more ranks than cores, and quiet shared-memory transport.
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_rmaps_base_oversubscribe := 1
export OMPI_MCA_btl := self,vader
export OMPI_MCA_pml := ob1

# Layers, top to bottom: jobs (subcommands) -> engine (training) -> io (formats) ->
# mpi (lifecycle, agreement, collectives) -> kernels (pure loops) and base (errors,
# allocation, logging, timers, hash). `make lint` checks that includes only point down.
LIB_DIRS := base kernels mpi io engine jobs
SRCS_base    := $(wildcard base/*.c)
SRCS_kernels := $(wildcard kernels/*.c)
SRCS_mpi     := $(wildcard mpi/*.c)
SRCS_io      := $(wildcard io/*.c)
SRCS_engine  := $(wildcard engine/*.c)
SRCS_jobs    := $(filter-out jobs/main.c,$(wildcard jobs/*.c))
LIBS := $(BUILD)/libsb_jobs.a $(BUILD)/libsb_engine.a $(BUILD)/libsb_io.a $(BUILD)/libsb_mpi.a \
        $(BUILD)/libsb_kernels.a $(BUILD)/libsb_base.a
TEST_SRCS := $(wildcard tests/test_*.c)
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
GEN_SRCS := $(wildcard data/gen_*.c)
GENS := $(patsubst data/%.c,$(BIN)/%,$(GEN_SRCS))

.PHONY: all deps demo test unit asan asan-integration lint bench bench-ingest clean
all: $(BIN)/shardboost $(GENS) $(TESTS)

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "make deps: apt-get failed for:$$missing" >&2; exit 1; }; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) $(SB_CFLAGS) $(HDF5_CFLAGS) -MMD -MP -c $< -o $@

define lib_rule
$(BUILD)/libsb_$(1).a: $(patsubst %.c,$(BUILD)/%.o,$(SRCS_$(1)))
	@rm -f $$@
	$(Q)ar rcs $$@ $$^
endef
$(foreach d,$(LIB_DIRS),$(eval $(call lib_rule,$(d))))

# Archives in dependency order, so an upward call fails at link time.
$(BIN)/shardboost: $(BUILD)/jobs/main.o $(LIBS)
	@mkdir -p $(BIN)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(LIBS) $(LDLIBS)

$(BIN)/gen_%: $(BUILD)/data/gen_%.o
	@mkdir -p $(BIN)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lz -lm

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBS)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) $(LIBS) $(LDLIBS) -lcunit

# Keep test objects between runs (make would delete them as intermediates).
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
# Each module may add its own targets (bench-ingest, bench, ...) in <dir>/<name>.mk.
-include $(wildcard */*.mk)

# The benchmarks need XGBoost and the tools too (their recipes live in */*.mk).
bench bench-train bench-predict bench-ingest: deps

demo: deps
	@$(MAKE) --no-print-directory all
	@BIN=$(BIN) jobs/demo.sh

unit: all
	@SB=$(abspath $(BIN))/shardboost tests/run_tests.sh --unit-only $(BUILD)

test: deps
	@$(MAKE) --no-print-directory all
	@SB=$(abspath $(BIN))/shardboost tests/run_tests.sh $(BUILD)

asan: deps
	@$(ASAN_MAKE) build-asan/libsb_kernels.a $(patsubst $(BUILD)/%,build-asan/%,$(TESTS))
	@ASAN_OPTIONS=detect_leaks=0 tests/run_tests.sh --unit-only build-asan

# The MPI jobs themselves under the sanitizers: an instrumented binary
# (bin-asan/) through the integration scripts that cover ingest, train,
# predict (streaming HDF5, raw chunks, merge) and cv at np 1-4.
ASAN_IT := ingest_basic train_invariance predict_outputs h5_raw_chunks cv_groups
asan-integration: deps
	@$(ASAN_MAKE) bin-asan/shardboost $(patsubst data/%.c,bin-asan/%,$(GEN_SRCS))
	@fails=0; for s in $(ASAN_IT); do \
	  ASAN_OPTIONS=detect_leaks=0 SB=$(CURDIR)/bin-asan/shardboost SB_BUILD=build-asan SB_TIMEOUT=300 \
	    timeout 900 bash tests/integration/$$s.sh > build-asan/$$s.log 2>&1; rc=$$?; \
	  san=$$(grep -c 'ERROR: AddressSanitizer\|runtime error' build-asan/$$s.log); \
	  echo "asan $$s: rc=$$rc, $$(grep -c '^PASS' build-asan/$$s.log) passed, $$(grep -c '^FAIL' build-asan/$$s.log) failed, $$san sanitizer reports"; \
	  [ $$rc -eq 0 ] && [ $$san -eq 0 ] || fails=$$((fails + 1)); done; \
	[ $$fails -eq 0 ] || { echo "asan-integration: $$fails script(s) failed (logs in build-asan/)"; exit 1; }

# Layering, MPI confinement, pure kernels, no module circles, function length (tests/tools/lint.py).
lint:
	@$(PYTHON) tests/tools/lint.py .

clean:
	rm -rf build build-* $(BIN)
