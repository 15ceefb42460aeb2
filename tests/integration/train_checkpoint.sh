#!/usr/bin/env bash
# train_checkpoint.sh - checkpoint and resume (issue 6): --checkpoint-every writes
# the model so far atomically; SIGTERM to the ranks (what Slurm sends) makes all of
# them finish the round, checkpoint and exit 75; --resume continues (also at another
# rank count) and the final model is byte-identical to an uninterrupted run.
. "$(dirname "$0")/../lib.sh"
GEN=$(dirname "$SB")/gen_forms
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
T=$SB_TMP
"$GEN" --rows 60000 --seed 8 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
sb_mpirun 2 ingest -q --layout forms -o "$T/f.h5" "$T/f.csv" || { fail "ingest"; finish; }
ARGS="--data $T/f.h5 --quiet --n_estimators 400 --max_depth 6 --eta 0.05 --subsample 0.8 --seed 3"

sb_mpirun 2 train $ARGS --model "$T/ref.json" || { fail "uninterrupted run"; finish; }

# Interrupted run: wait for the first periodic checkpoint, then SIGTERM every rank.
mpirun --oversubscribe -np 2 "$SB" train $ARGS --model "$T/int.json" --checkpoint-every 10 --checkpoint "$T/ck.json" &
MPID=$!
for _ in $(seq 600); do [ -f "$T/ck.json" ] && break; sleep 0.1; done
if [ -f "$T/ck.json" ]; then
    pass "periodic checkpoint written while training"
    for pid in $(pgrep -P "$MPID"); do kill -TERM "$pid" 2>/dev/null; done
else fail "no checkpoint after 60 s"; fi
timeout 60 tail --pid="$MPID" -f /dev/null; wait "$MPID"; rc=$?
[ "$rc" = 75 ] && pass "SIGTERM: exit code 75 (checkpointed, resume later)" || fail "SIGTERM exit code $rc (want 75)"
[ ! -e "$T/int.json" ] && pass "no final model after the interrupt" || fail "a final model exists after the interrupt"
rounds=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["rounds"])' "$T/ck.json" 2>/dev/null)
[ -n "$rounds" ] && [ "$rounds" -lt 400 ] && pass "checkpoint is a valid model at round $rounds" || fail "checkpoint unreadable or complete ($rounds)"
sb_mpirun 1 dump --model "$T/ck.json" --no-trees >/dev/null && pass "dump reads the checkpoint" || fail "dump of the checkpoint"

# Resume at another rank count: same final bytes as the uninterrupted run.
sb_mpirun 3 train $ARGS --model "$T/int.json" --checkpoint-every 10 --checkpoint "$T/ck.json" --resume \
    && cmp -s "$T/ref.json" "$T/int.json" && pass "resume (np 3 after np 2) = uninterrupted model, byte for byte" \
    || fail "resumed model differs from the uninterrupted one"
[ ! -e "$T/ck.json" ] && pass "checkpoint removed after a finished run" || fail "stale checkpoint left"
# --resume without a checkpoint starts from round 1 (the same command works before and after a requeue)
sb_mpirun 2 train $ARGS --n_estimators 20 --model "$T/fresh.json" --checkpoint "$T/none.json" --resume \
    && pass "--resume without a checkpoint starts fresh" || fail "--resume without a checkpoint"
# a checkpoint from other parameters is refused
sb_mpirun 1 train $ARGS --n_estimators 20 --model "$T/p.json" --checkpoint-every 5 --checkpoint "$T/ck2.json" >/dev/null
cp "$T/p.json" "$T/ck2.json"
out=$(sb_mpirun 2 train $ARGS --n_estimators 20 --eta 0.3 --model "$T/q.json" --checkpoint "$T/ck2.json" --resume 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "different parameters" <<<"$out" && pass "resume with other parameters refused" \
    || { fail "resume with other parameters (rc=$rc)"; echo "$out" | tail -2; }
finish
