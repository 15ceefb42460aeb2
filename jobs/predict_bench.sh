#!/usr/bin/env bash
# predict_bench.sh - what `make bench-predict` runs: rows/s of `shardboost predict`
# end to end (HDF5 read, 100 trees of depth 6, shortest round-trip formatting,
# gzip, _SUCCESS) on the 1M-row forms data, next to XGBoost's inplace_predict
# on the same data and model size. Medians of 3 runs; stages printed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
D=${BENCH_DIR:-bench-out/predict}
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
sb() { local np=$1; shift; timeout -k 5 1200 mpirun -np "$np" "$BIN/shardboost" "$@"; }
mkdir -p "$D"

if [ ! -s "$D/forms.h5" ] || [ ! -s "$D/model.json" ]; then
    echo "== data: $ROWS forms rows to score, 100000 to train on"
    "$BIN/gen_forms" --rows "$ROWS" --seed 11 -o "$D/forms.csv.gz"
    "$BIN/gen_forms" --rows 100000 --seed 12 -o "$D/forms_train.csv.gz"
    sb 2 ingest --layout forms -o "$D/forms.h5" "$D/forms.csv.gz"
    sb 2 ingest --layout forms -o "$D/forms_train.h5" "$D/forms_train.csv.gz"
    echo "== model: 100 trees, depth 6"
    sb 2 train --data "$D/forms_train.h5" --model "$D/model.json" --objective reg:squarederror \
        --n_estimators 100 --max_depth 6 --learning_rate 0.1 --seed 1 >/dev/null
fi

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A RATE
for np in 1 2; do
    for level in 1 6; do
        rates=()
        for ((i = 0; i < RUNS; ++i)); do
            log=$(sb "$np" predict --model "$D/model.json" --data "$D/forms.h5" --out "$D/out-np$np" \
                --gzip-level "$level" --overwrite 2>&1)
            rates+=("$(sed -n 's/.*rows\/s per rank: [0-9]* score+format+gzip, \([0-9]*\) end to end.*/\1/p' <<<"$log")")
        done
        RATE[$np,$level]=$(printf '%s\n' "${rates[@]}" | median)
        echo "np=$np gzip=$level: end-to-end rows/s per rank, runs: ${rates[*]} -> median ${RATE[$np,$level]}"
        grep 'stages' <<<"$log" | sed 's/^/    last run /'
    done
done
echo "== XGBoost $("$PYTHON" -c 'import xgboost; print(xgboost.__version__)') inplace_predict, 1 thread, same data and model size"
xgb_line=$("$PYTHON" jobs/predict_bench_xgb.py "$D/forms.csv.gz" 1)
echo "    $xgb_line"
xgb=$(sed -n 's/.*xgboost_rows_per_s=\([0-9]*\).*/\1/p' <<<"$xgb_line")
awk -v a="${RATE[1,1]}" -v b="${RATE[2,1]}" -v x="$xgb" 'BEGIN {
    printf "bench-predict: shardboost %.0f rows/s per rank (np 1, gzip 1), %.0f (np 2, gzip 1);", a, b;
    printf " xgboost inplace_predict (no output written) %.0f rows/s per thread; ratio np1/xgb %.2f\n", x, a / x;
    printf "bench-predict: goal >= 2000000 rows/s per rank: %s\n", (a >= 2000000 ? "met" : "NOT met") }'
