#!/usr/bin/env bash
# serve_fuzz.sh - libFuzzer (clang) on serve's request parser for a bounded
# time (SB_FUZZ_SECONDS, default 20) under AddressSanitizer and UBSan, from
# the seed bodies in tests/fuzz/corpus: no crash, leak, hang or 2xx/4xx
# contract breach (tests/fuzz/fuzz_serve_request.c). Skipped without clang.
source "$(dirname "$0")/../lib.sh"
command -v clang >/dev/null || skip "clang missing (make deps installs it)"
cd "$SB_ROOT"
F=$SB_TMP/fuzz_serve_request
if ! clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        tests/fuzz/fuzz_serve_request.c jobs/serve_request.c io/csvrow.c io/numparse.c io/level_codes.c kernels/fmt_ryu.c \
        -lcsv -ljansson -lm -o "$F" 2>"$SB_TMP/cc.log"; then
    grep -q 'fuzzer' "$SB_TMP/cc.log" && skip "clang has no libFuzzer runtime (libclang-rt-14-dev)"
    cat "$SB_TMP/cc.log"
    fail "the fuzz target builds"
    finish
fi
pass "the fuzz target builds with -fsanitize=fuzzer,address,undefined"
mkdir -p "$SB_TMP/corpus"
cp tests/fuzz/corpus/* "$SB_TMP/corpus/"
secs=${SB_FUZZ_SECONDS:-20}
timeout -k 5 $((secs + 60)) "$F" -max_total_time="$secs" -max_len=8192 -timeout=5 -rss_limit_mb=1024 \
    "$SB_TMP/corpus" >"$SB_TMP/fuzz.log" 2>&1
rc=$?
tail -3 "$SB_TMP/fuzz.log"
check "libFuzzer ${secs}s on the request parser: no crash, leak, hang or contract breach" [ $rc -eq 0 ]
[ $rc -eq 0 ] || grep -E 'ERROR|SUMMARY|runtime error' "$SB_TMP/fuzz.log" | head -5
finish
