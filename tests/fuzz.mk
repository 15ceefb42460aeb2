# make fuzz: every libFuzzer target tests/fuzz/<name>_fuzz.c for FUZZ_SECONDS (default 60)
# each, from its seeds (tests/fuzz/seeds/<name>/) after replaying its regression inputs
# (tests/fuzz/regress/<name>/: each input a fuzzer once crashed on). A crash, leak,
# timeout or broken invariant fails it and leaves the input in build-fuzz/artifacts/.
# make fuzz-build: the targets only. make test runs a short smoke of the same
# (tests/integration/fuzz_smoke.sh).
# The libraries are built again with clang in build-fuzz/ (coverage-instrumented, ASan,
# UBSan); jobs/grid.c and grid_json.c are the files above io/ a target needs, so jobs/ is not built.
FUZZ_SECONDS ?= 60
FUZZ_NAMES := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_LIBS := build-fuzz/jobs/grid.o build-fuzz/jobs/grid_json.o build-fuzz/libsb_io.a build-fuzz/libsb_mpi.a build-fuzz/libsb_kernels.a \
             build-fuzz/libsb_base.a
FUZZ_MAKE = $(MAKE) --no-print-directory BUILD=build-fuzz BIN=bin-fuzz CC=clang WERROR= OPT=-O1 \
            CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)"

.PHONY: fuzz fuzz-build fuzz-libs
fuzz-libs:
	@$(FUZZ_MAKE) $(FUZZ_LIBS)

build-fuzz/fuzz/%: tests/fuzz/%_fuzz.c tests/fuzz/fuzz_common.h $(FUZZ_LIBS)
	@mkdir -p $(@D)
	@echo "  FUZZ  $@"
	$(Q)clang -std=c11 -D_GNU_SOURCE -O1 -g -I. $(PKG_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) $< $(FUZZ_LIBS) \
	  $(PKG_LIBS) -lcsv -lm -o $@

fuzz-build: deps fuzz-libs
	@$(MAKE) --no-print-directory $(patsubst %,build-fuzz/fuzz/%,$(FUZZ_NAMES))

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)
