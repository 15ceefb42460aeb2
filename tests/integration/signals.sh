#!/usr/bin/env bash
# signals.sh - SIGTERM (what scancel and Slurm's preemption send) ends ingest and
# predict at once and leaves no complete-looking output; train catches it instead
# (finish the round, checkpoint, exit 75: tests/integration/train_checkpoint.sh).
. "$(dirname "$0")/../lib.sh"
T=$SB_TMP
GEN=$(dirname "$SB")/gen_forms
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
"$GEN" --rows 1500000 --seed 5 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }

# A singleton run (no mpirun) so the signal reaches shardboost itself.
start=$(date +%s%N)
timeout -s TERM 0.5 "$SB" ingest --layout forms -q -o "$T/out.h5" "$T/f.csv"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "ingest killed by SIGTERM (rc $rc, 124 = timeout's TERM)" test "$rc" -eq 124
check "ingest ended within 3 s of start (${ms} ms)" test "$ms" -lt 3000
check "no out.h5 left" test ! -e "$T/out.h5"

sb_mpirun 2 ingest --layout forms -q -o "$T/f.h5" "$T/f.csv" || fail "ingest for predict"
sb_mpirun 1 train --data "$T/f.h5" --model "$T/m.json" --quiet --n_estimators 5 --max_depth 4 --max_bin 32 || fail "train for predict"
start=$(date +%s%N)
timeout -s TERM 0.3 "$SB" predict --model "$T/m.json" --data "$T/f.h5" --out "$T/pred" --quiet
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "predict killed by SIGTERM (rc $rc)" test "$rc" -eq 124
check "predict ended within 3 s of start (${ms} ms)" test "$ms" -lt 3000
check "no _SUCCESS and no final part file" test ! -e "$T/pred/_SUCCESS" -a ! -e "$T/pred/part-00000.csv.gz"

# ---- under mpirun at np 2: SIGTERM / SIGINT to mpirun and kill -9 of one rank, during
# every long subcommand: all ranks out within 10 s, nothing complete-looking left ----
run_bg() { # run_bg LOG args... : mpirun -np 2 in its own session; MPID, its pid
    local log=$1; shift
    setsid mpirun --oversubscribe -np 2 "$SB" "$@" >"$log" 2>&1 &
    MPID=$!
}
ranks_of() { ps -o pid= --ppid "$1" | tr '\n' ' '; }
# gone_within S PIDS... : 0 when every pid is gone (zombies count as gone) within S seconds.
gone_within() {
    local s=$1 p st alive; shift
    for ((i = 0; i < s * 10; ++i)); do
        alive=0
        for p in "$@"; do st=$(ps -o stat= -p "$p" 2>/dev/null) && [ "${st#Z}" = "$st" ] && alive=1; done
        [ $alive -eq 0 ] && return 0
        sleep 0.1
    done
    return 1
}
# sig_case "what" SIG WHO WAIT_FILE "absent paths" args... : start, wait until WAIT_FILE exists
# (or 1 s when it is -), send SIG to mpirun (WHO=mpirun) or SIGKILL to rank 1 (WHO=rank1).
sig_case() {
    local what=$1 sig=$2 who=$3 wf=$4 absent=$5 f; shift 5
    local log=$T/sig.$BASHPID.log
    run_bg "$log" "$@"
    for ((i = 0; i < 300; ++i)); do
        [ "$wf" = - ] && [ $i -ge 10 ] && [ -n "$(ranks_of $MPID)" ] && break
        [ "$wf" != - ] && [ -e "$wf" ] && break
        kill -0 $MPID 2>/dev/null || break
        sleep 0.1
    done
    local ranks; ranks=$(ranks_of $MPID)
    [ "$(echo $ranks | wc -w)" -lt 2 ] && sleep 1 && ranks=$(ranks_of $MPID)
    if ! kill -0 $MPID 2>/dev/null || [ -z "$ranks" ]; then fail "$what: ended before the signal"; grep -m3 error "$log"; return; fi
    local t0; t0=$(date +%s%N)
    if [ "$who" = mpirun ]; then kill -"$sig" $MPID; else kill -KILL $(echo $ranks | awk '{print $2}'); fi
    if gone_within 10 $MPID $ranks; then
        pass "$what: every rank out in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
    else
        fail "$what: ranks still running 10 s after the signal"; kill -KILL $MPID $ranks 2>/dev/null
    fi
    wait $MPID 2>/dev/null
    local rc=$?
    [ $rc -ne 0 ] || { fail "$what: mpirun exit status 0 (finished before the signal?)"; return; }
    for f in $absent; do [ -e "$f" ] && { fail "$what: $f left behind"; return; }; done
    pass "$what: none of $absent left"
}
printf 'max_depth: [4, 5, 6, 7]\nn_estimators: [200]\n' >"$T/g.yaml"
TR="train --data $T/f.h5 --quiet --n_estimators 3000 --max_depth 6 --max_bin 32"
EV="--data $T/f.csv --layout forms" # CSV: parsed for seconds
# The cases of one subcommand run side by side (each in its own session and files).
for s in TERM INT; do
    sig_case "ingest, SIG$s to mpirun" $s mpirun - "$T/o$s.h5 $T/o$s.h5.tmp" ingest --layout forms -q -o "$T/o$s.h5" "$T/f.csv" >"$T/res.i$s" &
    sig_case "train, SIG$s to mpirun" $s mpirun "$T/ck$s.json" "$T/t$s.json" $TR --model "$T/t$s.json" --checkpoint "$T/ck$s.json" --checkpoint-every 1 >"$T/res.t$s" &
    sig_case "cv, SIG$s to mpirun" $s mpirun - "$T/cv$s/leaderboard.csv $T/cv$s/summary.json" cv --data "$T/f.h5" --grid "$T/g.yaml" --folds 2 --out "$T/cv$s" -q >"$T/res.c$s" &
    sig_case "predict, SIG$s to mpirun" $s mpirun - "$T/p$s/_SUCCESS $T/p$s/part-00000.csv.gz" predict --model "$T/m.json" --data "$T/f.h5" --out "$T/p$s" -q >"$T/res.p$s" &
    sig_case "evaluate, SIG$s to mpirun" $s mpirun - "" evaluate --model "$T/m.json" $EV >"$T/res.e$s" &
    wait
done
sig_case "ingest, kill -9 of rank 1" KILL rank1 - "$T/ok.h5" ingest --layout forms -q -o "$T/ok.h5" "$T/f.csv" >"$T/res.iK" &
sig_case "train, kill -9 of rank 1" KILL rank1 - "$T/tk.json" $TR --model "$T/tk.json" >"$T/res.tK" &
sig_case "cv, kill -9 of rank 1" KILL rank1 - "$T/cvK/leaderboard.csv" cv --data "$T/f.h5" --grid "$T/g.yaml" --folds 2 --out "$T/cvK" -q >"$T/res.cK" &
sig_case "predict, kill -9 of rank 1" KILL rank1 - "$T/pK/_SUCCESS" predict --model "$T/m.json" --data "$T/f.h5" --out "$T/pK" -q >"$T/res.pK" &
sig_case "evaluate, kill -9 of rank 1" KILL rank1 - "" evaluate --model "$T/m.json" $EV >"$T/res.eK" &
wait
cat "$T"/res.*
SB_FAILS=$((SB_FAILS + $(cat "$T"/res.* | grep -c '^FAIL:')))
for s in TERM INT; do
    [ ! -e "$T/ck$s.json" ] || "$SB" dump --model "$T/ck$s.json" >/dev/null 2>&1 && pass "train, SIG$s: checkpoint whole" || fail "train, SIG$s: checkpoint does not load"
    ls "$T"/ck$s.json.tmp* >/dev/null 2>&1 && fail "train, SIG$s: checkpoint temporary left" || pass "train, SIG$s: no checkpoint temporary"
done

# ---- the grace timer (what Slurm needs when a rank is gone: it sends SIGTERM to all, and
# the rest would wait in a collective until KillWait): rank 1 stopped, rank 0 gets SIGTERM ----
SHARDBOOST_TERM_GRACE=2 setsid mpirun --oversubscribe -np 2 -x SHARDBOOST_TERM_GRACE "$SB" $TR --model "$T/g.json" \
    --checkpoint "$T/gck.json" --checkpoint-every 1 >"$T/grace.log" 2>&1 &
MPID=$!
for ((i = 0; i < 300; ++i)); do [ -e "$T/gck.json" ] && break; sleep 0.1; done # training is under way
ranks=$(ranks_of $MPID); r0=$(echo $ranks | awk '{print $1}'); r1=$(echo $ranks | awk '{print $2}')
kill -STOP "$r1"; kill -TERM "$r0"
t0=$(date +%s%N)
gone_within 10 "$r0" && pass "grace: rank 0 out $(( ($(date +%s%N) - t0) / 1000000 )) ms after SIGTERM (grace 2 s)" ||
    fail "grace: rank 0 still waiting 10 s after SIGTERM"
kill -KILL "$r1" 2>/dev/null; kill -CONT "$r1" 2>/dev/null
gone_within 10 $MPID; wait $MPID 2>/dev/null
grep -q "still running 2 s after SIGTERM" "$T/grace.log" && pass "grace: rank 0 said why" || { fail "grace: no message"; tail -5 "$T/grace.log"; }
[ ! -e "$T/g.json" ] && pass "grace: no model" || fail "grace: a model was written"
finish
