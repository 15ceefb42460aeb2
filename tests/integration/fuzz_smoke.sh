#!/usr/bin/env bash
# fuzz_smoke.sh - make test's short run of every parser's libFuzzer target
# (tests/fuzz/<name>_fuzz.c, built by make fuzz-build into build-fuzz/ with clang,
# ASan and UBSan): each target's regression inputs (tests/fuzz/regress/<name>/, the
# inputs the fuzzers once failed on) replayed, then SB_FUZZ_SMOKE_SECONDS (default 3)
# of fuzzing from its seeds. `make fuzz` is the long run (FUZZ_SECONDS, 60 s each).
# Skipped without clang or its libFuzzer runtime.
source "$(dirname "$0")/../lib.sh"
command -v clang >/dev/null || skip "clang missing (make deps installs it)"
cd "$SB_ROOT" || exit 2
if ! make --no-print-directory fuzz-build >"$SB_TMP/build.log" 2>&1; then
    grep -q 'fuzzer' "$SB_TMP/build.log" && grep -q 'cannot find\|not found' "$SB_TMP/build.log" &&
        skip "clang has no libFuzzer runtime (libclang-rt-14-dev)"
    tail -20 "$SB_TMP/build.log"
    fail "make fuzz-build"
    finish
fi
pass "make fuzz-build: the fuzz targets build with -fsanitize=fuzzer,address,undefined"
names=$(ls tests/fuzz/*_fuzz.c | sed 's|tests/fuzz/\(.*\)_fuzz.c|\1|')
out=$(tests/fuzz/run.sh "${SB_FUZZ_SMOKE_SECONDS:-3}" $names)
echo "$out"
SB_FAILS=$(grep -c '^FAIL:' <<<"$out")
finish
