#!/usr/bin/env bash
# bench_predict.sh - what `make bench-predict` runs: rows/s of `shardboost predict`
# end to end (HDF5 read, 100 trees of depth 6, shortest round-trip formatting,
# gzip, _SUCCESS) on the 1M-row forms data, next to XGBoost's inplace_predict
# on the same data and model size. Medians of 3 runs; stages printed. The
# file is ingested with the defaults (LZ4 chunks). More lines at np 1 gzip 1:
# the rank given 2 CPUs (mpirun --bind-to none, so --read-ahead auto decodes
# the next block in a thread), and the same rows ingested with --codec
# deflate (the default before LZ4: smaller, slower to decode) and --codec none.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
D=${BENCH_DIR:-bench-out/predict}
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
sb() { local np=$1; shift; timeout -k 5 1200 mpirun -np "$np" "$BIN/shardboost" "$@"; }
mkdir -p "$D"

# forms.h5 from before LZ4 was the default (deflate) is rebuilt.
if [ -s "$D/forms.h5" ] && ! h5ls -v "$D/forms.h5/features" 2>/dev/null | grep -q lz4; then rm -f "$D/forms.h5"; fi
if [ ! -s "$D/forms.csv.gz" ] || [ ! -s "$D/model.json" ]; then
    echo "== data: $ROWS forms rows to score, 100000 to train on"
    "$BIN/gen_forms" --rows "$ROWS" --seed 11 -o "$D/forms.csv.gz"
    "$BIN/gen_forms" --rows 100000 --seed 12 -o "$D/forms_train.csv.gz"
    sb 2 ingest --layout forms -o "$D/forms_train.h5" "$D/forms_train.csv.gz"
    echo "== model: 100 trees, depth 6"
    sb 2 train --data "$D/forms_train.h5" --model "$D/model.json" --objective reg:squarederror \
        --n_estimators 100 --max_depth 6 --learning_rate 0.1 --seed 1 >/dev/null
fi
for codec in lz4 deflate none; do
    f=$D/forms-$codec.h5
    [ "$codec" = lz4 ] && f=$D/forms.h5
    if [ ! -s "$f" ]; then
        echo "== data: the rows to score ingested with --codec $codec"
        sb 2 ingest --layout forms --codec "$codec" -o "$f" "$D/forms.csv.gz"
    fi
done
rm -f "$D/forms-d0.h5" # the --deflate 0 file of earlier versions of this script
echo "== input file sizes: $(for f in "$D"/forms.h5 "$D"/forms-deflate.h5 "$D"/forms-none.h5; do
    printf '%s %s MB  ' "$(basename "$f")" "$(($(stat -c %s "$f") / 1000000))"; done)"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A RATE SCORE WRITE
for np in 1 2; do
    for level in 1 6; do
        e2e=() score=() write=()
        for ((i = 0; i < RUNS; ++i)); do
            log=$(sb "$np" predict --model "$D/model.json" --data "$D/forms.h5" --out "$D/out-np$np" \
                --gzip-level "$level" --overwrite 2>&1)
            line=$(grep 'rows/s per rank' <<<"$log")
            score+=("$(sed -n 's/.*rank: \([0-9]*\) score only.*/\1/p' <<<"$line")")
            write+=("$(sed -n 's/.* \([0-9]*\) score+format+gzip.*/\1/p' <<<"$line")")
            e2e+=("$(sed -n 's/.* \([0-9]*\) end to end.*/\1/p' <<<"$line")")
        done
        RATE[$np,$level]=$(printf '%s\n' "${e2e[@]}" | median)
        SCORE[$np,$level]=$(printf '%s\n' "${score[@]}" | median)
        WRITE[$np,$level]=$(printf '%s\n' "${write[@]}" | median)
        echo "np=$np gzip=$level rows/s per rank, medians of $RUNS: score only ${SCORE[$np,$level]}," \
            "score+format+gzip ${WRITE[$np,$level]}, end to end ${RATE[$np,$level]} (end-to-end runs: ${e2e[*]})"
        grep 'stages' <<<"$log" | sed 's/^/    last run /'
    done
done
e2e=()
for ((i = 0; i < RUNS; ++i)); do
    log=$(timeout -k 5 1200 mpirun -np 1 --bind-to none "$BIN/shardboost" predict --model "$D/model.json" \
        --data "$D/forms.h5" --out "$D/out-ahead" --gzip-level 1 --overwrite --verbose 2>&1)
    e2e+=("$(sed -n 's/.* \([0-9]*\) end to end.*/\1/p' <<<"$(grep 'rows/s per rank' <<<"$log")")")
done
RATE_AHEAD=$(printf '%s\n' "${e2e[@]}" | median)
echo "np=1 gzip=1, the rank on $(nproc) CPUs (mpirun --bind-to none): end to end ${RATE_AHEAD} rows/s, median of $RUNS" \
    "(runs: ${e2e[*]})"
grep -E 'read-ahead thread|stages' <<<"$log" | sed 's/^/    last run /'
declare -A RATE_CODEC
for codec in deflate none; do
    e2e=()
    for ((i = 0; i < RUNS; ++i)); do
        log=$(sb 1 predict --model "$D/model.json" --data "$D/forms-$codec.h5" --out "$D/out-$codec" --gzip-level 1 \
            --overwrite --verbose 2>&1)
        e2e+=("$(sed -n 's/.* \([0-9]*\) end to end.*/\1/p' <<<"$(grep 'rows/s per rank' <<<"$log")")")
    done
    RATE_CODEC[$codec]=$(printf '%s\n' "${e2e[@]}" | median)
    echo "np=1 gzip=1 input ingested --codec $codec: end to end ${RATE_CODEC[$codec]} rows/s per rank, median of $RUNS" \
        "(runs: ${e2e[*]})"
    grep 'stages' <<<"$log" | sed 's/^/    last run /'
done
echo "== XGBoost $("$PYTHON" -c 'import xgboost; print(xgboost.__version__)') inplace_predict, 1 thread, same data and model size"
xgb_line=$("$PYTHON" tests/bench/xgb_predict.py "$D/forms.csv.gz" 1)
echo "    $xgb_line"
xgb=$(sed -n 's/.*xgboost_rows_per_s=\([0-9]*\).*/\1/p' <<<"$xgb_line")
awk -v a="${RATE[1,1]}" -v b="${RATE[2,1]}" -v s="${SCORE[1,1]}" -v w="${WRITE[1,1]}" -v x="$xgb" -v r="$RATE_AHEAD" 'BEGIN {
    printf "bench-predict: shardboost per rank (np 1, gzip 1): %.0f rows/s scoring only, %.0f scoring+csv+gzip,", s, w;
    printf " %.0f end to end incl. HDF5 read (np 2: %.0f)\n", a, b;
    printf "bench-predict: xgboost inplace_predict (scoring only, nothing written): %.0f rows/s on 1 thread;", x;
    printf " ratios vs xgboost: scoring only %.2f, scoring+csv+gzip %.2f, end to end %.2f\n", s / x, w / x, a / x;
    printf "bench-predict: goal >= 2000000 rows/s per rank end to end (default LZ4 file, gzip 1): with one CPU per rank %s;", (a >= 2000000 ? "met" : "NOT met");
    printf " with two (read-ahead thread) %s\n", (r >= 2000000 ? "met" : "NOT met") }'
awk -v a="${RATE[1,1]}" -v d="${RATE_CODEC[deflate]}" -v n="${RATE_CODEC[none]}" -v r="$RATE_AHEAD" 'BEGIN {
    printf "bench-predict: np 1 gzip 1 end to end by input codec: LZ4 (default) %.0f rows/s, %.0f with 2 CPUs;", a, r;
    printf " deflate %.0f (LZ4 / deflate %.2f); none %.0f\n", d, a / d, n }'
