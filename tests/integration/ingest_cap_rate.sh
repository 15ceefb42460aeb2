#!/usr/bin/env bash
# ingest_cap_rate.sh - --cap-rate turns numerator > denominator into rate 1 (so
# reg:logistic can train on the real keyword file, whose 307 rows with
# Conversions > Clicks it otherwise refuses), and leaves every other row alone.
. "$(dirname "$0")/../lib.sh"
T=$SB_TMP
atts=$(for i in $(seq 1 160); do printf '"att%d",' "$i"; done)
zeros=$(for i in $(seq 1 160); do printf '0,'; done)
{ echo "\"entity_id\",${atts}\"device\",\"week\",\"Clicks\",\"Conversions\""
  echo "1,${zeros}\"Computer\",30,4,1"
  echo "2,${zeros}\"Tablet\",30,2,6"
  echo "3,${zeros}\"Smartphone\",31,5,5"; } > "$T/k.csv"

sb_mpirun 2 ingest --layout keywords -o "$T/plain.h5" "$T/k.csv" > "$T/plain.log" 2>&1
check "without --cap-rate the summary points to the option" grep -q -- "--cap-rate caps it at 1" "$T/plain.log"
sb_mpirun 2 ingest --layout keywords --cap-rate -o "$T/cap.h5" "$T/k.csv" > "$T/cap.log" 2>&1
check "with --cap-rate the summary says the rate was capped" grep -q "rate capped at 1 by --cap-rate" "$T/cap.log"
labels() { h5dump -d /label -y -w 0 "$1" | sed -n '/DATA {/,/}/p' | grep -oE '[0-9.e+-]+' | tr '\n' ' '; }
check "labels without --cap-rate: 0.25 3 1" test "$(labels "$T/plain.h5")" = "0.25 3 1 "
check "labels with --cap-rate: 0.25 1 1" test "$(labels "$T/cap.h5")" = "0.25 1 1 "
sb_mpirun 1 train --data "$T/plain.h5" --model "$T/m.json" --objective reg:logistic --n_estimators 2 --quiet > "$T/t.log" 2>&1
check "reg:logistic refuses a rate above 1" test $? -ne 0
sb_mpirun 1 train --data "$T/cap.h5" --model "$T/m.json" --objective reg:logistic --n_estimators 2 --quiet
check "reg:logistic trains on capped rates" test $? -eq 0
finish
