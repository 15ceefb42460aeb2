# shardboost - histogram gradient-boosted trees over MPI ranks.
#   make demo    install missing Debian packages, build, generate data, ingest, train (np 2), predict
#   make test    install missing packages, build, run the lint, unit + MPI integration tests
#   make         build only (no CUnit needed); make tests / make unit: the test binaries / unit tests
#   make install PREFIX=/usr/local DESTDIR=...   binary, man page, sbatch scripts; make uninstall
#   make lint / format-check   layering rules / .clang-format report
#   make asan    unit tests under AddressSanitizer + UBSan (make asan-integration: the MPI jobs too)
#   make bench   training/prediction benchmark against XGBoost;  make bench-ingest, bench-import, bench-serve (all log to
#                tests/bench/perf-log.md)
# Several builds can live side by side: make BUILD=build-asan ...

SHELL   := /bin/bash
BUILD   ?= build
BIN     ?= bin
PYTHON  ?= /usr/bin/python3
# make install PREFIX=/usr/local DESTDIR=/tmp/stage: bin/, share/man/man1/, share/shardboost/slurm/.
PREFIX  ?= /usr/local
DESTDIR ?=
# CC from the environment or the command line wins; only make's built-in default (cc) is replaced.
ifeq ($(origin CC),default)
CC      := mpicc
endif
WERROR  ?= -Werror
# make V=1 prints whole compiler lines.
Q       := $(if $(filter 1,$(V)),,@)
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
# -ffp-contract=off: no FMA contraction, so float results do not depend on the build's -march.
SB_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Wshadow -Wvla $(WERROR) -ffp-contract=off -I. -I$(BUILD)/gen \
            $(PKG_CFLAGS)
# Every library with a .pc file goes through pkg-config (libcsv ships none), asked once per make
# run (:=), not once per compile. On a fresh machine pkg-config exists only after `make deps`:
# make test / demo run deps first and then build in a sub-make, which asks again.
# libmicrohttpd and jansson: the serve command, the registry's meta.json, the drift report;
# libcurl: the Pushgateway and webhook clients.
PKGS       := hdf5-openmpi libdeflate libisal liblz4 zlib yaml-0.1 libmicrohttpd jansson libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null)
LDLIBS      = $(PKG_LIBS) -lcsv -lm
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The sanitizer build (build-asan/, bin-asan/) that make asan and make asan-integration share.
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build-asan BIN=bin-asan OPT=-O1 CFLAGS="-O1 -g $(SAN_FLAGS)" \
            LDFLAGS="$(SAN_FLAGS)"

# The version: `git describe` of this checkout (a tag once there is one, else the commit, plus
# -dirty for uncommitted changes); SB_RELEASE outside a git checkout (a release tarball), or
# make SB_VERSION=x. It reaches the code only through base/version.h (--version, created_by).
SB_RELEASE := 0.1.0
ifeq ($(origin SB_VERSION),undefined)
SB_VERSION := $(shell [ -e .git ] && command -v git >/dev/null && git describe --tags --always --dirty 2>/dev/null || \
                echo $(SB_RELEASE))
endif

# Debian packages the build, tests and benchmark need (clang-format: make format-check only).
DEB_PKGS := build-essential pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools \
            libcsv-dev zlib1g-dev libdeflate-dev libisal-dev liblz4-dev hdf5-filter-plugin libcunit1-dev \
            libyaml-dev xz-utils python3 python3-numpy python3-xgboost procps bc clang-format \
            libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev curl wrk prometheus prometheus-pushgateway \
            clang libclang-rt-14-dev valgrind python3-h5py

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
# Test binaries: tests/test_<module>.c (one process) and tests/mpi_test_<what>.c (run under
# mpirun -np 3 by run_tests.sh); each links tests/helpers.c (SB_TEST_MAIN, shared fixtures).
TEST_SRCS := $(filter-out tests/helpers.c,$(wildcard tests/test_*.c tests/mpi_test_*.c))
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
TEST_HELPERS := $(BUILD)/tests/helpers.o
GEN_SRCS := $(wildcard data/gen_*.c)
GENS := $(patsubst data/%.c,$(BIN)/%,$(GEN_SRCS))
# Generated: the version header and the stamp of the flags every object was built with.
VERSION_H := $(BUILD)/gen/sb_version.h
FLAGS_STAMP := $(BUILD)/gen/flags

.PHONY: all tests deps demo test unit asan asan-integration lint format-check install uninstall \
        bench bench-ingest bench-import bench-serve clean FORCE
# A plain build needs no CUnit: the test binaries are built by make tests / unit / test.
all: $(BIN)/shardboost $(GENS)
tests: $(TESTS)

# Quiet and fast when everything is installed (one dpkg-query); apt-get only for what is missing.
deps:
	@installed=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(DEB_PKGS) 2>/dev/null | \
	  awk '$$NF == "installed" { sub(/:.*/, "", $$1); print $$1 }'); \
	missing=""; for p in $(DEB_PKGS); do grep -qx "$$p" <<<"$$installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "make deps: apt-get failed for:$$missing" >&2; exit 1; }; \
	fi

# write_if_changed FILE: move FILE.tmp over FILE only if the text differs, so the objects that
# depend on FILE rebuild only when it really changed.
write_if_changed = if cmp -s $(1).tmp $(1); then rm -f $(1).tmp; else mv -f $(1).tmp $(1); fi

$(VERSION_H): FORCE
	@mkdir -p $(@D)
	@printf '/* generated by the Makefile from git describe: do not edit */\n#define SB_VERSION "%s"\n' \
	  '$(SB_VERSION)' > $@.tmp; $(call write_if_changed,$@)

# A changed CC, OPT, CFLAGS or library flag rebuilds everything.
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@[ -n "$(PKG_LIBS)" ] || { echo "pkg-config found no $(PKGS): run make deps" >&2; exit 1; }
	@echo '$(CC) $(CFLAGS) $(SB_CFLAGS) $(LDFLAGS) $(LDLIBS)' > $@.tmp; $(call write_if_changed,$@)

$(BUILD)/%.o: %.c $(FLAGS_STAMP) | $(VERSION_H)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) $(SB_CFLAGS) -MMD -MP -c $< -o $@

define lib_rule
$(BUILD)/libsb_$(1).a: $(patsubst %.c,$(BUILD)/%.o,$(SRCS_$(1)))
	@rm -f $$@
	$(Q)ar rcs $$@ $$^
endef
$(foreach d,$(LIB_DIRS),$(eval $(call lib_rule,$(d))))

# Archives in dependency order, so an upward call fails at link time.
$(BIN)/shardboost: $(BUILD)/jobs/main.o $(LIBS) $(FLAGS_STAMP)
	@mkdir -p $(BIN)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS) $(LDLIBS)

$(BIN)/gen_%: $(BUILD)/data/gen_%.o $(FLAGS_STAMP)
	@mkdir -p $(BIN)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) -lz -lm

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_HELPERS) $(LIBS) $(FLAGS_STAMP)
	@echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS) $(LDLIBS) $(CUNIT_LIBS)

# Keep test objects between runs (make would delete them as intermediates).
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
# Each module may add its own targets (bench-ingest, bench, ...) in <dir>/<name>.mk.
-include $(wildcard */*.mk)

# The benchmarks need XGBoost and the tools too (their recipes live in */*.mk).
bench bench-train bench-predict bench-ingest bench-import: deps

demo: deps
	@$(MAKE) --no-print-directory all
	@BIN=$(BIN) jobs/demo.sh

unit: tests
	@SB=$(abspath $(BIN))/shardboost tests/run_tests.sh --unit-only $(BUILD)

# make test: the lint is the first check run_tests.sh counts, then unit, MPI unit, integration.
test: deps
	@$(MAKE) --no-print-directory all tests
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

# The C sources against .clang-format (clang-format --dry-run; changes nothing). Generated
# tables (*_table.h) keep their own layout.
FORMAT_SRCS = $(filter-out %_table.h,$(wildcard base/*.[ch] kernels/*.[ch] mpi/*.[ch] io/*.[ch] engine/*.[ch] \
                                                jobs/*.[ch] data/*.[ch] tests/*.[ch]))
format-check:
	@clang-format --dry-run $(FORMAT_SRCS) 2>&1 | grep -c 'warning:' | \
	  awk '{ print "format-check: " $$1 " places differ from .clang-format (clang-format --dry-run FILE shows them)"; exit ($$1 > 0) }'

# ---- install -------------------------------------------------------------------------------
BINDIR     := $(PREFIX)/bin
MAN1DIR    := $(PREFIX)/share/man/man1
SLURMDIR   := $(PREFIX)/share/shardboost/slurm
SLURM_SCRIPTS := $(wildcard slurm/*.sbatch slurm/*.sh)

# The man page is the program's own --help text (main and every subcommand), so it cannot drift.
$(BUILD)/shardboost.1: $(BIN)/shardboost
	@echo "  MAN   $@"
	@{ printf '.TH SHARDBOOST 1 "%s" "shardboost %s" "User Commands"\n' "$$(date -u +%Y-%m-%d)" '$(SB_VERSION)'; \
	   printf '.SH NAME\nshardboost \\- histogram gradient-boosted trees over MPI ranks\n'; \
	   printf '.SH SYNOPSIS\n.B mpirun\n\\-np\n.I N\n.B shardboost\n.I command\n[options]\n'; \
	   printf '.SH DESCRIPTION\n.nf\n'; $(BIN)/shardboost --help | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; printf '.fi\n'; \
	   printf '.SH COMMANDS\n'; \
	   for c in $$($(BIN)/shardboost --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { exit } on { print $$1 }'); do \
	     printf '.SS %s\n.nf\n' "$$c"; \
	     $(BIN)/shardboost $$c --help 2>&1 | sed 's/\\/\\e/g; s/^[.'"'"']/\\\&&/'; printf '.fi\n'; done; \
	   printf '.SH FILES\n%s\nsbatch scripts for training, cross-validation sweeps and scoring under Slurm.\n' '$(SLURMDIR)'; \
	 } > $@.tmp && mv $@.tmp $@

install: $(BIN)/shardboost $(BUILD)/shardboost.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(SLURMDIR)
	install -m 755 $(BIN)/shardboost $(DESTDIR)$(BINDIR)/shardboost
	install -m 644 $(BUILD)/shardboost.1 $(DESTDIR)$(MAN1DIR)/shardboost.1
	install -m 755 $(SLURM_SCRIPTS) $(DESTDIR)$(SLURMDIR)/
	install -m 644 slurm/README.md $(DESTDIR)$(SLURMDIR)/README.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/shardboost $(DESTDIR)$(MAN1DIR)/shardboost.1
	rm -rf $(DESTDIR)$(PREFIX)/share/shardboost

# clean removes this build (BUILD=, BIN= honoured) and the sanitizer build.
clean:
	rm -rf $(BUILD) $(BIN) build-asan bin-asan
