#!/usr/bin/env bash
# bench_import.sh - what `make bench-import` runs: scoring speed of an imported
# XGBoost model. XGBoost (Debian's 1.7, tree_method hist, 100 trees of depth 6)
# is trained on generated forms rows and saved as JSON; `shardboost predict
# --model xgb.json` scores BENCH_ROWS rows of an ingested file at np 1 (the
# model is read, converted and laid out for the vector walk on the way), next
# to XGBoost's inplace_predict (1 thread) on the same rows and model, and to
# shardboost predict on the same file with the model converted once by
# `shardboost import`. Medians of 3, same run; rows/s per rank "score only" is
# the tree walk, "end to end" includes reading, formatting, gzip and commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
D=${BENCH_DIR:-bench-out/import}
ROWS=${BENCH_ROWS:-300000}
RUNS=${BENCH_RUNS:-3}
XM=tests/integration/xgb_models.py
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
sb() { local np=$1; shift; timeout -k 5 1200 mpirun -np "$np" "$BIN/shardboost" "$@"; }
mkdir -p "$D"

if [ ! -s "$D/xgb.json" ] || [ ! -s "$D/forms.h5" ] || [ "$(cat "$D/rows" 2>/dev/null)" != "$ROWS" ]; then
    echo "== data: $ROWS forms rows to score, 50000 to train XGBoost on"
    "$BIN/gen_forms" --rows "$ROWS" --seed 11 -o "$D/forms.csv"
    "$BIN/gen_forms" --rows 50000 --seed 12 -o "$D/train.csv"
    sb 2 ingest --layout forms --quiet -o "$D/forms.h5" "$D/forms.csv"
    echo "== model: XGBoost, 100 trees, depth 6, reg:squarederror"
    "$PYTHON" "$XM" train --layout forms --data "$D/train.csv" --rounds 100 --depth 6 --out "$D/xgb.json"
    echo "$ROWS" > "$D/rows"
fi
"$BIN/shardboost" import --from "$D/xgb.json" --data "$D/forms.h5" -o "$D/imported.json" --quiet

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run_predict() { # label model
    local score=() e2e=() log line
    for ((i = 0; i < RUNS; ++i)); do
        log=$(sb 1 predict --model "$2" --data "$D/forms.h5" --out "$D/out" --gzip-level 1 --overwrite 2>&1)
        line=$(grep 'rows/s per rank' <<<"$log")
        score+=("$(sed -n 's/.*rank: \([0-9]*\) score only.*/\1/p' <<<"$line")")
        e2e+=("$(sed -n 's/.* \([0-9]*\) end to end.*/\1/p' <<<"$line")")
    done
    S=$(printf '%s\n' "${score[@]}" | median)
    E=$(printf '%s\n' "${e2e[@]}" | median)
    echo "shardboost predict np=1 gzip=1, $1: score only $S rows/s, end to end $E rows/s" \
        "(medians of $RUNS; score runs ${score[*]})"
}
run_predict "--model xgb.json (XGBoost JSON, converted at load)" "$D/xgb.json"
S_XGB=$S
run_predict "--model imported.json (converted once by shardboost import)" "$D/imported.json"
line=$("$PYTHON" "$XM" speed --layout forms --data "$D/forms.csv" --model "$D/xgb.json" --threads 1)
echo "xgboost inplace_predict nthread=1: $line"
X=$(sed -n 's/.*xgboost_rows_per_s=\([0-9]*\).*/\1/p' <<<"$line")
echo "ratio: shardboost score-only on the XGBoost model / XGBoost inplace_predict = $(echo "scale=2; $S_XGB / $X" | bc)"
