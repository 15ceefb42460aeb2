#!/usr/bin/env bash
# run_tests.sh [--unit-only] [BUILD] - the lint (one check; not with --unit-only), the CUnit
# binaries (test_* in one process; mpi_test_* under mpirun at np 1 and 3), then the MPI
# integration scripts, and one closing line "N passed, N failed, N skipped".
# Unit counts come from each binary's CUnit summary (its last "tests" row: for mpi_test_*
# rank 0's row over all ranks; the exit code comes from CU_get_number_of_failures, agreed
# over ranks); an integration script prints "PASS: x" / "FAIL: x" per check and exits 0,
# 77 (skipped) or non-zero.
set -u
unit_only=0
if [ "${1:-}" = "--unit-only" ]; then unit_only=1; shift; fi
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 2
export SB_BUILD=$BUILD
pass=0 fail=0 skip=0
failed=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/sb-tests.XXXXXX")

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1

if [ "$unit_only" -eq 0 ]; then
    if "${PYTHON:-python3}" tests/tools/lint.py . >"$logdir/lint.log" 2>&1; then
        pass=$((pass + 1)); echo "lint: ok"
    else
        fail=$((fail + 1)); failed+=(lint); echo "lint: FAILED"; tail -30 "$logdir/lint.log"
    fi
fi

# unit_binaries: "NAME NP PATH" for each test binary (NP 0: no mpirun).
unit_binaries() {
    local t
    for t in "$BUILD"/tests/test_* "$BUILD"/tests/mpi_test_*; do
        [ -x "$t" ] && [ -f "$t" ] || continue
        case "$t" in *.o|*.d) continue ;; esac
        case "$(basename "$t")" in
            mpi_test_*) echo "$(basename "$t")-np1 1 $t"; echo "$(basename "$t")-np3 3 $t" ;;
            *) echo "$(basename "$t") 0 $t" ;;
        esac
    done
}

while read -r name np t; do
    log="$logdir/$name.log"
    if [ "$np" -eq 0 ]; then
        timeout 300 "$t" >"$log" 2>&1 </dev/null
    else
        timeout -k 5 120 mpirun --oversubscribe -np "$np" "$t" >"$log" 2>&1 </dev/null
    fi
    rc=$?
    # CUnit "tests" row: Total Ran Passed Failed Inactive
    read -r _ total ran passed nfail _ < <(grep -E '^ +tests ' "$log" | tail -1)
    if [ -z "${passed:-}" ]; then passed=0; nfail=1; fi
    [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ] && nfail=1
    pass=$((pass + passed)); fail=$((fail + nfail))
    if [ "$rc" -ne 0 ]; then
        failed+=("$name"); echo "unit $name: FAILED (rc=$rc)"; grep -E 'FAILED|^ +[0-9]+\. |ERROR|Assert' "$log" | head -20; tail -5 "$log"
    else
        echo "unit $name: $passed passed"
    fi
done < <(unit_binaries)

if [ "$unit_only" -eq 0 ]; then
    for s in tests/integration/*.sh; do
        [ -f "$s" ] || continue
        name=$(basename "$s" .sh)
        log="$logdir/$name.log"
        start=$(date +%s)
        timeout 900 bash "$s" >"$log" 2>&1
        rc=$?
        secs=$(( $(date +%s) - start ))
        np=$(grep -c '^PASS:' "$log"); nf=$(grep -c '^FAIL:' "$log")
        if [ "$rc" -eq 77 ]; then
            skip=$((skip + 1)); echo "integration $name: SKIPPED: $(grep '^SKIP:' "$log" | head -1)"
            continue
        fi
        [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ] && nf=1
        pass=$((pass + np)); fail=$((fail + nf))
        if [ "$rc" -ne 0 ]; then
            failed+=("$name"); echo "integration $name: FAILED (rc=$rc, ${secs}s)"; grep -E '^FAIL:' "$log" | head -20; tail -15 "$log"
        else
            echo "integration $name: $np passed (${secs}s)"
        fi
    done
fi

[ "${#failed[@]}" -gt 0 ] && echo "failed: ${failed[*]} (logs in $logdir)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
