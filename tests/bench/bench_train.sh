#!/usr/bin/env bash
# bench_train.sh - training benchmark (make bench). Generates BENCH_ROWS forms rows
# (default 1,000,000; 47 features), holds out the last 20%, ingests both parts, then
# runs BENCH_REPEAT rounds (default 3) of, back to back:
#   shardboost train np=1, XGBoost 1.7 hist nthread=1, shardboost np=2, XGBoost nthread=2,
#   XGBoost nthread=2 evaluating train + holdout every round as shardboost --valid does
# (100 trees, depth 6, 256 bins, eta 0.1, lambda 1; same data, params and base score)
# and prints seconds (medians), ns per row*feature*tree, peak RSS per rank, holdout MSE,
# and the ratios as medians of each round's ratio.
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

declare -A SEC WALL RSS MSE XSEC XRSS XMSE RUNS
# XGBoost loads the CSVs once and then fits on request (xgb_train.py --serve), so each
# shardboost run is followed at once by the XGBoost fit it is compared with: the machine's
# speed drifts by 20-30% over minutes, and a ratio of two runs made seconds apart moves less
# than a ratio of medians taken minutes apart.
coproc XGB { exec "$PYTHON" "$ROOT/tests/bench/xgb_train.py" --layout forms --train tr.csv --test te.csv --serve; }
xgb_fit() {
    local line=""
    echo "$1" >&"${XGB[1]}"
    read -r line <&"${XGB[0]}" || true
    [[ $line == seconds=* ]] || { echo "bench: xgb_train.py --serve gave no result for '$1'" >&2; exit 1; }
    echo "$line"
}
field() { sed "s/.*$1=\([^ ]*\).*/\1/" <<<"$2"; }
sb_run() { # np -> seconds (bin + boost) of one run; its log appended to sb$np.log
    local t0 t1
    t0=$(date +%s.%N)
    timeout 900 mpirun -np "$1" "$SB" train --data tr.h5 --valid te.h5 --model "sb$1.json" $PARAMS --progress-every 100 > "sb$1.last" 2>&1
    t1=$(date +%s.%N)
    echo "wall $(echo "$t1 - $t0" | bc)" >> "sb$1.last"
    cat "sb$1.last" >> "sb$1.log"
    grep -o 'bin [0-9.]*s, boost [0-9.]*s' "sb$1.last" | awk '{gsub("s,","",$2); gsub("s","",$4); print $2+$4}'
}
: > sb1.log; : > sb2.log; : > xgb.log
declare -a R1 R2 RE
for i in $(seq "$REPEAT"); do
    s1=$(sb_run 1); x1=$(xgb_fit 1); s2=$(sb_run 2); x2=$(xgb_fit 2); xe=$(xgb_fit "2 evals")
    printf 'run %d: nthread=1 %s\nrun %d: nthread=2 %s\nrun %d: nthread=2 evals %s\n' "$i" "$x1" "$i" "$x2" "$i" "$xe" >> xgb.log
    RUNS[sb1]+=" $s1"; RUNS[sb2]+=" $s2"
    RUNS[x1]+=" $(field seconds "$x1")"; RUNS[x2]+=" $(field seconds "$x2")"; RUNS[xe]+=" $(field seconds "$xe")"
    R1+=("$(echo "$s1 / $(field seconds "$x1")" | bc -l)")
    R2+=("$(echo "$s2 / $(field seconds "$x2")" | bc -l)")
    RE+=("$(echo "$s2 / $(field seconds "$xe")" | bc -l)")
    XRSS[1]=$(field rss_mb "$x1"); XMSE[1]=$(field mse "$x1"); XRSS[2]=$(field rss_mb "$x2"); XMSE[2]=$(field mse "$x2")
    NROWS=$(field rows "$x2")
done
eval "exec ${XGB[1]}>&-" # end of input: the server exits
wait "$XGB_PID" 2>/dev/null || true
for np in 1 2; do
    SEC[$np]=$(tr ' ' '\n' <<<"${RUNS[sb$np]}" | grep . | median)
    WALL[$np]=$(grep '^wall' "sb$np.log" | awk '{print $2}' | median)
    RSS[$np]=$(grep -o 'peak RSS per rank [0-9]* MB max' "sb$np.log" | awk '{print $5}' | median)
    MSE[$np]=$($PYTHON -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["valid_metric"][-1])' "sb$np.json")
    XSEC[$np]=$(tr ' ' '\n' <<<"${RUNS[x$np]}" | grep . | median)
done
cmp -s sb1.json sb2.json && SAME="identical" || SAME="DIFFERENT"
XEVAL=$(tr ' ' '\n' <<<"${RUNS[xe]}" | grep . | median)
fmt_list() { for v in "$@"; do printf '%.2f ' "$v"; done; }
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
P2=$(printf '%s\n' "${R2[@]}" | median); P1=$(printf '%s\n' "${R1[@]}" | median); PE=$(printf '%s\n' "${RE[@]}" | median)
echo "seconds by round (a round runs its five back to back): shardboost np=1:${RUNS[sb1]};" \
     "np=2:${RUNS[sb2]}; xgboost nthread=1:${RUNS[x1]}; nthread=2:${RUNS[x2]}; nthread=2 +evals:${RUNS[xe]}"
echo "ratios (medians of the rounds' ratios): shardboost np=2 / xgboost nthread=2 = $(printf '%.2f' "$P2") (target <= 0.5;" \
     "rounds: $(fmt_list "${R2[@]}" | sed 's/ $//'); ratio of the medians: $(echo "${SEC[2]} / ${XSEC[2]}" | bc -l | xargs printf '%.2f'));" \
     "np=1 / nthread=1 = $(printf '%.2f' "$P1") (rounds: $(fmt_list "${R1[@]}"| sed 's/ $//'))"
echo "same per-round evaluation (train + holdout metric every round, as shardboost --valid): shardboost np=2 /" \
     "xgboost nthread=2 with evals = $(printf '%.2f' "$PE") (rounds: $(fmt_list "${RE[@]}" | sed 's/ $//'))"
echo "peak RSS per rank (np=2) / its share of data+bins+gradients ($(echo "$share / 1048576" | bc) MB) =" \
     "$(echo "${RSS[2]} * 1048576 / $share" | bc -l | xargs printf '%.2f') (target <= 1.3)"
echo "holdout MSE shardboost/xgboost = $(echo "${MSE[2]} / ${XMSE[2]}" | bc -l | xargs printf '%.4f'); models np=1 vs np=2: $SAME"
