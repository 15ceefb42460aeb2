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
        if [ "$rc" -eq 0 ] && [ "$(grep -c 'asserts .* 0 *n/a' "$SB_TMP/$name.$np.log")" -eq "$np" ]; then
            pass "$name at np=$np (every rank: all asserts passed)"
        else
            fail "$name at np=$np (rc=$rc): $(grep -m3 -E 'FAILED|[0-9]+\. ' "$SB_TMP/$name.$np.log" | tr '\n' ' ')"
        fi
    done
done
finish
