#!/usr/bin/env bash
# ingest_h5.sh - MPI unit tests under mpirun at np 2 and 3: the HDF5 table round trip
# (tests/test_h5.c: uneven collective writes with an empty rank, shard reads, agreed
# failures) and ingest's failure notices (tests/test_ingest_flag.c).
. "$(dirname "$0")/../lib.sh"
for name in test_h5 test_ingest_flag; do
    T=$SB_ROOT/${SB_BUILD:-build}/tests/$name
    [ -x "$T" ] || { fail "no $T (build the unit tests first)"; finish; }
    for np in 2 3; do
        timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" "$T" </dev/null >"$SB_TMP/$name.$np.log" 2>&1
        rc=$?
        # SB_TEST_MAIN: rank 0 prints a tests row over all ranks (a test fails if it failed on
        # any rank) after "All N ranks"; the other ranks print only their failures.
        all=$(grep -A1 "^All $np ranks" "$SB_TMP/$name.$np.log" | grep -E '^ +tests ')
        read -r _ total _ passed nfail _ <<<"${all:-x 0 0 0 1 0}"
        if [ "$rc" -eq 0 ] && [ "$nfail" -eq 0 ] && [ "$passed" -eq "$total" ] && [ "$total" -gt 0 ]; then
            pass "$name at np=$np ($passed tests passed on every rank)"
        else
            fail "$name at np=$np (rc=$rc): $(grep -m3 -E 'FAILED|[0-9]+\. ' "$SB_TMP/$name.$np.log" | tr '\n' ' ')"
        fi
    done
done
finish
