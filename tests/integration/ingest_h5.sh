#!/usr/bin/env bash
# ingest_h5.sh - the HDF5 table round trip (tests/test_h5.c) under mpirun at np 2
# and 3: uneven collective writes with an empty rank, shard reads, agreed failures.
. "$(dirname "$0")/../lib.sh"
T=$SB_ROOT/${SB_BUILD:-build}/tests/test_h5
[ -x "$T" ] || skip "no $T (build the unit tests first)"
for np in 2 3; do
    timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" "$T" </dev/null >"$SB_TMP/h5.$np.log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && [ "$(grep -c 'asserts .* 0 *n/a' "$SB_TMP/h5.$np.log")" -eq "$np" ]; then
        pass "test_h5 at np=$np (every rank: all asserts passed)"
    else
        fail "test_h5 at np=$np (rc=$rc): $(grep -m3 -E 'FAILED|[0-9]+\. ' "$SB_TMP/h5.$np.log" | tr '\n' ' ')"
    fi
done
finish
