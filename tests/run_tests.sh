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

# Integration scripts run SB_TEST_JOBS at a time (default 2: most of a script's time is
# waiting on mpirun start-up, servers and Python, not on a CPU), except the ones that time
# signals, kills or servers' reactions: those run alone afterwards, on a quiet machine.
# Results are reported in the scripts' order whatever order they finish in.
ALONE=" signals slurm_cluster train_checkpoint predict_kill serve_registry monitoring faults "
run_script() { # name: runs tests/integration/name.sh into its log, rc and seconds files
    local name=$1 start rc
    start=$(date +%s)
    timeout 900 bash "tests/integration/$name.sh" >"$logdir/$name.log" 2>&1 </dev/null
    rc=$?
    echo "$rc $(( $(date +%s) - start ))" >"$logdir/$name.rc"
}
report_script() { # name: its line, and the counts
    local name=$1 log="$logdir/$1.log" rc secs np nf
    read -r rc secs <"$logdir/$name.rc"
    np=$(grep -c '^PASS:' "$log"); nf=$(grep -c '^FAIL:' "$log")
    if [ "$rc" -eq 77 ]; then
        skip=$((skip + 1)); echo "integration $name: SKIPPED: $(grep '^SKIP:' "$log" | head -1)"
        return
    fi
    [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ] && nf=1
    pass=$((pass + np)); fail=$((fail + nf))
    if [ "$rc" -ne 0 ]; then
        failed+=("$name"); echo "integration $name: FAILED (rc=$rc, ${secs}s)"; grep -E '^FAIL:' "$log" | head -20; tail -15 "$log"
    else
        echo "integration $name: $np passed (${secs}s)"
    fi
}
if [ "$unit_only" -eq 0 ]; then
    names=()
    for s in tests/integration/*.sh; do [ -f "$s" ] && names+=("$(basename "$s" .sh)"); done
    jobs_max=${SB_TEST_JOBS:-2}
    running=0
    for name in "${names[@]}"; do
        [[ "$ALONE" == *" $name "* ]] && continue
        if [ "$running" -ge "$jobs_max" ]; then wait -n; running=$((running - 1)); fi
        run_script "$name" &
        running=$((running + 1))
    done
    wait
    for name in "${names[@]}"; do [[ "$ALONE" == *" $name "* ]] && run_script "$name"; done
    for name in "${names[@]}"; do report_script "$name"; done
fi

[ "${#failed[@]}" -gt 0 ] && echo "failed: ${failed[*]} (logs in $logdir)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
