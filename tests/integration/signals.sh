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
finish
