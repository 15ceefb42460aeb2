#!/usr/bin/env bash
# predict_kill.sh - a predict run killed with SIGKILL mid-write (mpirun and its ranks,
# as when a node dies) leaves no _SUCCESS, no part-*.csv.gz and no merged file under
# its final name: only hidden temporary names. A rerun without --overwrite refuses
# (the leftovers are named); with --overwrite it completes and removes them.
. "$(dirname "$0")/../lib.sh"
GEN=${GEN_BIN:-$(dirname "$SB")}
T=$SB_TMP
[ -x "$GEN/gen_forms" ] || { fail "gen_forms not built"; finish; }
"$SB" train --help >/dev/null 2>&1 || { fail "train --help fails"; finish; }
ROWS=${KILL_ROWS:-400000}

"$GEN/gen_forms" --rows 5000 --seed 21 -o "$T/train.csv.gz"
"$GEN/gen_forms" --rows "$ROWS" --seed 22 -o "$T/big.csv.gz"
sb_mpirun 2 ingest --layout forms -o "$T/train.h5" "$T/train.csv.gz" >/dev/null &&
    sb_mpirun 2 ingest --layout forms -o "$T/big.h5" "$T/big.csv.gz" >/dev/null &&
    sb_mpirun 2 train --data "$T/train.h5" --model "$T/model.json" --n_estimators 30 --max_depth 6 >/dev/null ||
    { fail "setup: ingest/train failed"; finish; }

out=$T/out merge=$T/all.csv.gz
# gzip 9 keeps the ranks writing long enough to be caught mid-file.
setsid mpirun --oversubscribe -np 2 "$SB" predict --model "$T/model.json" --data "$T/big.h5" --out "$out" \
    --merge "$merge" --gzip-level 9 >"$T/run.log" 2>&1 &
mpid=$!
seen=0
for ((i = 0; i < 600; ++i)); do # up to 60 s for a temporary part with some bytes in it
    if [ -s "$out/.part-00000.csv.gz.tmp" ] || [ -s "$out/.part-00001.csv.gz.tmp" ]; then seen=1; break; fi
    kill -0 "$mpid" 2>/dev/null || break
    sleep 0.1
done
ranks=$(ps -o pid= --ppid "$mpid" | tr '\n' ' ')
kill -KILL "$mpid" $ranks 2>/dev/null
wait "$mpid" 2>/dev/null
for ((i = 0; i < 50; ++i)); do # the ranks are gone before we look
    alive=0
    for p in $ranks; do # a zombie waiting to be reaped counts as gone
        st=$(ps -o stat= -p "$p" 2>/dev/null) && [ "${st#Z}" = "$st" ] && alive=1
    done
    [ $alive -eq 0 ] && break
    sleep 0.1
done
check "the run was caught while writing a temporary part file" [ $seen -eq 1 ]
check "killed run: no _SUCCESS" [ ! -e "$out/_SUCCESS" ]
check "killed run: no part-*.csv.gz under a final name" bash -c "! ls '$out'/part-*.csv.gz >/dev/null 2>&1"
check "killed run: no merged file under its final name" [ ! -e "$merge" ]
echo "    left behind: $(ls -A "$out" 2>/dev/null | tr '\n' ' ')"

sb_mpirun 2 predict --model "$T/model.json" --data "$T/big.h5" --out "$out" --merge "$merge" >"$T/rerun.log" 2>&1
check "rerun without --overwrite is refused, naming the leftover" \
    bash -c "[ $? -ne 0 ] && grep -q 'part-0000.*tmp\|--overwrite' '$T/rerun.log'"
sb_mpirun 2 predict --model "$T/model.json" --data "$T/big.h5" --out "$out" --merge "$merge" \
    --gzip-level 1 --overwrite >/dev/null 2>&1
check "rerun with --overwrite completes: _SUCCESS, 2 parts, no leftovers" \
    bash -c "[ -f '$out/_SUCCESS' ] && [ \$(ls '$out'/part-*.csv.gz | wc -l) -eq 2 ] && ! ls -A '$out' | grep -q tmp"
parts_rows=$(for p in "$out"/part-*.csv.gz; do zcat "$p" | tail -n +2; done | wc -l)
check "merged file = header + every part's rows ($parts_rows)" [ "$(zcat "$merge" | wc -l)" -eq $((parts_rows + 1)) ]
finish
