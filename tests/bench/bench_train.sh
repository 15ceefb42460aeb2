#!/usr/bin/env bash
# bench_train.sh - training benchmark (make bench). Generates BENCH_ROWS forms rows
# (default 1,000,000; 47 features), holds out the last 20%, ingests both parts, then
# times, BENCH_REPEAT times each (default 3, medians reported):
#   shardboost train np=1 and np=2 (100 trees, depth 6, 256 bins, eta 0.1, lambda 1)
#   XGBoost 1.7 hist nthread=1 and 2 (same data, params and base score), and nthread=2
#   evaluating train + holdout every round as shardboost --valid does
# and prints seconds, ns per row*feature*tree, peak RSS per rank, holdout MSE, ratios.
# Shardboost seconds = bin + boost of the loaded table (XGBoost: DMatrix + train);
# the whole command's wall time (MPI start, HDF5 read, model write) is shown too.
set -eu
BIN=${BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
ROWS=${BENCH_ROWS:-1000000}
REPEAT=${BENCH_REPEAT:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SB="$ROOT/$BIN/shardboost"
OUT=${BENCH_OUT:-$ROOT/bench-out/train}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
mkdir -p "$OUT"
cd "$OUT"
NTR=$((ROWS * 4 / 5))
if [ ! -f tr.h5 ] || [ "$(cat rows 2>/dev/null)" != "$ROWS" ]; then
    echo "bench: generating $ROWS forms rows (seed 1), holding out the last 20%"
    "$ROOT/$BIN/gen_forms" --rows "$ROWS" --seed 1 -o all.csv
    head -n "$NTR" all.csv > tr.csv
    tail -n $((ROWS - NTR)) all.csv > te.csv
    rm -f all.csv
    timeout 600 mpirun -np 2 "$SB" ingest -q --layout forms -o tr.h5 tr.csv
    timeout 600 mpirun -np 2 "$SB" ingest -q --layout forms -o te.h5 te.csv
    echo "$ROWS" > rows
fi
PARAMS="--n_estimators 100 --max_depth 6 --max_bin 256 --eta 0.1 --lambda 1 --eval_metric mse --weighted_metric 0"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A SEC WALL RSS MSE XSEC XRSS XMSE
for np in 1 2; do
    : > "sb$np.log"
    for i in $(seq "$REPEAT"); do
        t0=$(date +%s.%N)
        timeout 900 mpirun -np "$np" "$SB" train --data tr.h5 --valid te.h5 --model "sb$np.json" $PARAMS --progress-every 100 >> "sb$np.log" 2>&1
        t1=$(date +%s.%N)
        echo "wall $(echo "$t1 - $t0" | bc)" >> "sb$np.log"
    done
    SEC[$np]=$(grep -o 'bin [0-9.]*s, boost [0-9.]*s' "sb$np.log" | awk '{gsub("s,","",$2); gsub("s","",$4); print $2+$4}' | median)
    WALL[$np]=$(grep '^wall' "sb$np.log" | awk '{print $2}' | median)
    RSS[$np]=$(grep -o 'peak RSS per rank [0-9]* MB max' "sb$np.log" | awk '{print $5}' | median)
    MSE[$np]=$($PYTHON -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["valid_metric"][-1])' "sb$np.json")
done
cmp -s sb1.json sb2.json && SAME="identical" || SAME="DIFFERENT"
for nt in 1 2; do
    line=$($PYTHON "$ROOT/tests/bench/xgb_train.py" --layout forms --train tr.csv --test te.csv --nthread "$nt" --repeat "$REPEAT")
    echo "$line" > "xgb$nt.log"
    XSEC[$nt]=$(sed 's/.*seconds=\([^ ]*\).*/\1/' <<<"$line"); XRSS[$nt]=$(sed 's/.*rss_mb=\([^ ]*\).*/\1/' <<<"$line")
    XMSE[$nt]=$(sed 's/.*mse=\([^ ]*\).*/\1/' <<<"$line"); NROWS=$(sed 's/.*rows=\([^ ]*\).*/\1/' <<<"$line")
done
# The same XGBoost run evaluating train and holdout every round (evals=[train, valid]), the
# work shardboost train --valid does each round (train + valid metrics, valid predictions).
line=$($PYTHON "$ROOT/tests/bench/xgb_train.py" --layout forms --train tr.csv --test te.csv --nthread 2 --repeat "$REPEAT" --evals)
echo "$line" > xgb2evals.log
XEVAL=$(sed 's/.*seconds=\([^ ]*\).*/\1/' <<<"$line")
ns() { echo "$1 * 1000000000 / ($NROWS * 47 * 100)" | bc -l | xargs printf '%.2f'; }
echo
echo "make bench: $NROWS training rows x 47 features, 100 trees depth 6, 256 bins, eta 0.1, lambda 1; medians of $REPEAT"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %9s %10s %14s %16s %12s\n' "run" "seconds" "wall" "ns/row*feat*tree" "peak RSS/rank MB" "holdout MSE"
for np in 1 2; do
    printf '%-26s %9.2f %10.2f %14s %16s %12.6g\n' "shardboost np=$np" "${SEC[$np]}" "${WALL[$np]}" "$(ns "${SEC[$np]}")" "${RSS[$np]}" "${MSE[$np]}"
done
for nt in 1 2; do
    printf '%-26s %9.2f %10s %14s %16s %12.6g\n' "xgboost hist nthread=$nt" "${XSEC[$nt]}" "-" "$(ns "${XSEC[$nt]}")" "${XRSS[$nt]}" "${XMSE[$nt]}"
done
printf '%-26s %9.2f %10s %14s %16s %12s\n' "xgboost nthread=2 +evals" "$XEVAL" "-" "$(ns "$XEVAL")" "-" "-"
share=$(echo "$NROWS / 2 * 47 * (4 + 1) + $NROWS / 2 * 8" | bc)
echo "ratios: shardboost np=2 / xgboost nthread=2 = $(echo "${SEC[2]} / ${XSEC[2]}" | bc -l | xargs printf '%.2f') (target <= 0.5);" \
     "np=1 / nthread=1 = $(echo "${SEC[1]} / ${XSEC[1]}" | bc -l | xargs printf '%.2f')"
echo "same per-round evaluation (train + holdout metric every round, as shardboost --valid): shardboost np=2 /" \
     "xgboost nthread=2 with evals = $(echo "${SEC[2]} / $XEVAL" | bc -l | xargs printf '%.2f')"
echo "peak RSS per rank (np=2) / its share of data+bins+gradients ($(echo "$share / 1048576" | bc) MB) =" \
     "$(echo "${RSS[2]} * 1048576 / $share" | bc -l | xargs printf '%.2f') (target <= 1.3)"
echo "holdout MSE shardboost/xgboost = $(echo "${MSE[2]} / ${XMSE[2]}" | bc -l | xargs printf '%.4f'); models np=1 vs np=2: $SAME"
