# hcase.sh - the hostile-case runner of tests/integration/hostile.sh and hostile_files.sh
# (sourced after tests/lib.sh, with T and SB_TIMEOUT set).
# sb_np NP args... : np 1 as an MPI singleton, else under mpirun; both under timeout.
sb_np() {
    local np=$1; shift
    if [ "$np" -eq 1 ]; then timeout -k 5 "$SB_TIMEOUT" "$SB" "$@"; else sb_mpirun "$np" "$@"; fi
}

# hcase "what" NP "frag1|frag2" "left1 left2" args... : one hostile run, one PASS/FAIL line.
# It must exit non-zero (not by a signal or timeout), without a crash or an unagreed abort;
# every |-separated fragment must be in its output; no path of `left` may exist after it.
hcase() {
    local what=$1 np=$2 frags=$3 left=$4; shift 4
    local log=$T/log.$BASHPID.$np rc f # BASHPID: $RANDOM repeats in forked cases
    sb_np "$np" "$@" </dev/null >"$log" 2>&1
    rc=$?
    what="$what np=$np"
    if [ "$rc" -eq 0 ]; then fail "$what: exit status 0"; return; fi
    if [ "$rc" -ge 124 ]; then fail "$what: timed out or killed by a signal (rc=$rc)"; tail -25 "$log"; return; fi
    if grep -qE 'MPI_ABORT|Segmentation|AddressSanitizer|runtime error' "$log"; then
        fail "$what: crash or unagreed abort"; grep -m2 -E 'MPI_ABORT|Segmentation|Sanitizer|runtime error' "$log"; return
    fi
    local IFS='|'
    for f in $frags; do
        grep -qF -- "$f" "$log" || { fail "$what: message lacks '$f': $(grep -m1 'error' "$log")"; return; }
    done
    IFS=' '
    for f in $left; do [ -e "$f" ] && { fail "$what: $f left behind"; return; }; done
    pass "$what (rc=$rc): $(grep -m1 -o 'error: .*' "$log" | sed 's/ (at .*//' | head -c 150)"
}

# bg CMD... : run a case in the background (6 at a time), its line kept in order and
# printed by collect.
SB_NCASE=0 SB_RUNNING=0
bg() {
    SB_NCASE=$((SB_NCASE + 1))
    "$@" >"$T/res.$(printf %04d $SB_NCASE)" &
    SB_RUNNING=$((SB_RUNNING + 1))
    if [ "$SB_RUNNING" -ge 6 ]; then wait -n; SB_RUNNING=$((SB_RUNNING - 1)); fi
}
collect() {
    wait; SB_RUNNING=0
    cat "$T"/res.* 2>/dev/null
    SB_FAILS=$((SB_FAILS + $(cat "$T"/res.* 2>/dev/null | grep -c '^FAIL:')))
    rm -f "$T"/res.*
}
