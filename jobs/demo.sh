#!/usr/bin/env bash
# demo.sh - what `make demo` runs: generate keyword-layout data, ingest it,
# train with 2 ranks, predict to csv.gz, and say where everything is.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
OUT=${DEMO_DIR:-demo}
ROWS=${DEMO_ROWS:-60000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
run2() { timeout -k 5 600 mpirun -np 2 "$BIN/shardboost" "$@"; }

rm -rf "$OUT" && mkdir -p "$OUT"
echo "== 1/5 generate $ROWS keyword rows (train) and 20000 (new batch)"
"$BIN/gen_keywords" --rows "$ROWS" --seed 1 -o "$OUT/keywords_train.csv.gz"
"$BIN/gen_keywords" --rows 20000 --seed 2 -o "$OUT/keywords_batch.csv.gz"

echo "== 2/5 ingest with 2 ranks"
run2 ingest --layout keywords -o "$OUT/train.h5" "$OUT/keywords_train.csv.gz"
run2 ingest --layout keywords -o "$OUT/batch.h5" "$OUT/keywords_batch.csv.gz"

echo "== 3/5 train reg:logistic on conversion rate (Clicks as weight), 2 ranks, early stopping"
run2 train --data "$OUT/train.h5" --valid "$OUT/batch.h5" --model "$OUT/model.json" \
    --objective reg:logistic --n_estimators 200 --max_depth 6 --learning_rate 0.1 \
    --early-stopping-rounds 20 --seed 7

echo "== 4/5 predict with 2 ranks to part files + one merged csv.gz"
run2 predict --model "$OUT/model.json" --data "$OUT/batch.h5" --out "$OUT/predictions" \
    --merge "$OUT/predictions.csv.gz" --overwrite

echo "== 5/5 evaluate the model on the new batch"
run2 evaluate --model "$OUT/model.json" --data "$OUT/batch.h5"

echo
echo "outputs:"
echo "  model:        $OUT/model.json   (bin/shardboost dump --model $OUT/model.json)"
echo "  part files:   $(ls "$OUT"/predictions/part-*.csv.gz | tr '\n' ' ')+ _SUCCESS"
echo "  merged:       $OUT/predictions.csv.gz"
echo "first rows of the merged predictions:"
zcat "$OUT/predictions.csv.gz" | sed -n 1,4p   # sed reads to the end: no SIGPIPE under pipefail
