#!/usr/bin/env bash
# run.sh SECONDS NAME... - each fuzz target (build-fuzz/fuzz/NAME, make fuzz-build):
# first its regression inputs (tests/fuzz/regress/NAME/*, each once), then SECONDS of
# fuzzing from its seeds (tests/fuzz/seeds/NAME/, copied: the repository's seeds stay
# as they are). Prints one PASS:/FAIL: line per step (tests/lib.sh's format) and exits
# non-zero if any failed; a failing input is kept under build-fuzz/artifacts/NAME/.
set -u
secs=$1; shift
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/sb-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Leaks are reported per input; MPI/HDF5 set-up in h5_meta is once, before the first.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
fails=0
for n in "$@"; do
    bin=build-fuzz/fuzz/$n
    art=build-fuzz/artifacts/$n
    mkdir -p "$art" "$work/$n"
    [ -x "$bin" ] || { echo "FAIL: fuzz $n: no $bin (make fuzz-build)"; fails=$((fails + 1)); continue; }
    opts=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 -artifact_prefix="$art/")
    reg=(tests/fuzz/regress/"$n"/*)
    if [ -e "${reg[0]}" ]; then
        if timeout -k 5 300 "$bin" "${opts[@]}" "${reg[@]}" >"$work/$n.replay.log" 2>&1; then
            echo "PASS: fuzz $n: ${#reg[@]} regression inputs replayed"
        else
            echo "FAIL: fuzz $n: a regression input fails again"; grep -E 'ERROR|SUMMARY|Running:|runtime error' "$work/$n.replay.log" | tail -6
            fails=$((fails + 1))
        fi
    fi
    timeout -k 5 $((secs + 120)) "$bin" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1 \
        "$work/$n" tests/fuzz/seeds/"$n" >"$work/$n.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$n.log")
    if [ $rc -eq 0 ]; then
        echo "PASS: fuzz $n: ${secs}s, ${runs:-?} runs, no crash, leak, timeout or broken invariant"
    else
        echo "FAIL: fuzz $n (rc=$rc): $(grep -m1 -E 'ERROR|runtime error|Test unit written|out-of-memory|timeout' "$work/$n.log")"
        grep -E '^    #[0-9]+ .* in ' "$work/$n.log" | head -8
        grep 'Test unit written' "$work/$n.log"
        fails=$((fails + 1))
    fi
done
exit $((fails > 0))
