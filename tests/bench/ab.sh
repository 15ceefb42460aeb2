#!/usr/bin/env bash
# ab.sh OLD_SB NEW_SB - A/B speed of two builds, interleaved so the machine's drift hits both
# alike: AB_PAIRS (default 5) pairs of `train` (bench forms data, 100 trees depth 6, np 1 and 2)
# and `predict` (np 1, gzip 1), each pair run old then new (then new then old on odd pairs).
# Prints the medians and the median of the per-pair ratios new/old (1.00 = same speed).
# Uses the data of same_bytes.sh (SAME_DIR, default /tmp/same-bytes; generated if missing).
set -u
OLD=$(readlink -f "$1"); NEW=$(readlink -f "$2")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=${SAME_DIR:-/tmp/same-bytes}
PAIRS=${AB_PAIRS:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
[ -f "$T/tr.h5" ] || { echo "ab: no $T/tr.h5: run tests/bench/same_bytes.sh first (SAME_DIR=$T)" >&2; exit 2; }
cd "$T" || exit 2
BENCH="--n_estimators 100 --max_depth 6 --max_bin 256 --eta 0.1 --lambda 1 --eval_metric mse --weighted_metric 0"
secs() { local t0 t1; t0=$(date +%s.%N); timeout -k 5 900 mpirun -np "$@" > /dev/null 2>&1 || echo "FAILED: $*" >&2
         t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A R
for i in $(seq "$PAIRS"); do
    order="old new"; [ $((i % 2)) -eq 0 ] && order="new old"
    for who in $order; do
        sb=$OLD; [ "$who" = new ] && sb=$NEW
        R[train1_$who]+=" $(secs 1 "$sb" train -q --data tr.h5 --model ab-$who.json $BENCH)"
        R[train2_$who]+=" $(secs 2 "$sb" train -q --data tr.h5 --model ab-$who.json $BENCH)"
        rm -rf "ab-pred-$who"
        R[predict1_$who]+=" $(secs 1 "$sb" predict --model ab-old.json --data te.h5 --out ab-pred-$who --gzip-level 1)"
    done
done
for k in train1 train2 predict1; do
    o=$(tr ' ' '\n' <<<"${R[${k}_old]}" | grep . | median); n=$(tr ' ' '\n' <<<"${R[${k}_new]}" | grep . | median)
    ratios=$(paste -d' ' <(tr ' ' '\n' <<<"${R[${k}_old]}" | grep .) <(tr ' ' '\n' <<<"${R[${k}_new]}" | grep .) | awk '{print $2 / $1}')
    printf '%-9s old %.3f s  new %.3f s  new/old median of pairs %.3f (pairs: %s)\n' "$k" "$o" "$n" \
        "$(median <<<"$ratios")" "$(echo $ratios | xargs printf '%.2f ')"
done
