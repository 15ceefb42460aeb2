#!/usr/bin/env bash
# ingest_bad.sh - every file of the malformed-input corpus (tests/bad/EXPECTED) at
# np 1 and 2 (and 3 for the late-error cases and a few more): exit status != 0,
# the message names file:line and has the expected fragment, no .h5 nor .h5.tmp
# is left, the error was agreed (no MPI_Abort), no hang (timeout).
# np 1 runs as an MPI singleton (mpirun adds ~2 s of teardown to a failing job);
# cases run 4 at a time because that teardown is idle waiting.
. "$(dirname "$0")/../lib.sh"
[ -x "$SB" ] || { fail "no binary at $SB"; finish; }
BAD=$SB_ROOT/tests/bad
SB_TIMEOUT=${SB_BAD_TIMEOUT:-60}

run_case() { # name layout line fragment np -> prints one PASS:/FAIL: line
    local name=$1 layout=$2 line=$3 frag=$4 np=$5
    local out=$SB_TMP/$name.np$np.h5 log=$SB_TMP/$name.np$np.log
    local args=(ingest --layout "${layout%%:*}")
    [ "${layout#*:}" != "$layout" ] && args+=(--schema "$BAD/${layout#*:}")
    args+=(-o "$out" "$BAD/$name")
    local start=$SECONDS rc
    if [ "$np" -eq 1 ]; then timeout -k 5 "$SB_TIMEOUT" "$SB" "${args[@]}" </dev/null >"$log" 2>&1
    else sb_mpirun "$np" "${args[@]}" </dev/null >"$log" 2>&1; fi
    rc=$?
    local secs=$((SECONDS - start)) where="$name:$line:" what="$name np=$np"
    [ "$line" = "-" ] && where="$name"
    [ "${line#@}" != "$line" ] && where=${line#@}
    if [ "$rc" -eq 0 ]; then fail "$what: exit status 0"
    elif [ "$rc" -ge 124 ]; then fail "$what: timed out or killed (rc=$rc)"
    elif ! grep -qF -- "$where" "$log"; then fail "$what: message lacks '$where': $(grep -m1 error "$log")"
    elif ! grep -qF -- "$frag" "$log"; then fail "$what: message lacks '$frag': $(grep -m1 error "$log")"
    elif [ -e "$out" ] || [ -e "$out.tmp" ]; then fail "$what: output or temp file left behind"
    elif grep -q 'MPI_ABORT' "$log"; then fail "$what: error not agreed (MPI_Abort)"
    else pass "$what (${secs}s): $(grep -m1 -o 'error: .*' "$log" | sed 's/ (at .*//' | head -c 160)"
    fi
}

n=0 jobs_running=0
while IFS='|' read -r name layout line frag; do
    case "$name" in ''|\#*) continue ;; esac
    n=$((n + 1))
    nps="1 2"
    case "$name" in *late*|kw_ragged.csv|forms_ragged.csv|kw_truncated.csv.gz|kw_header_only.csv|kw_1mb_field.csv) nps="1 2 3" ;; esac
    for np in $nps; do
        run_case "$name" "$layout" "$line" "$frag" "$np" >"$SB_TMP/result.$n.$np" &
        jobs_running=$((jobs_running + 1))
        if [ "$jobs_running" -ge 4 ]; then wait -n; jobs_running=$((jobs_running - 1)); fi
    done
done <"$BAD/EXPECTED"
wait
cat "$SB_TMP"/result.* | sort -t. -k2 -n
SB_FAILS=$(cat "$SB_TMP"/result.* | grep -c '^FAIL:')
[ "$n" -ge 20 ] && pass "corpus has $n cases (>= 20)" || fail "corpus has only $n cases"
finish
