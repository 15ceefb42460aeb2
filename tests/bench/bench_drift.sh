#!/usr/bin/env bash
# bench_drift.sh - what `make bench-drift` runs: the cost of the drift report on
# predict's end-to-end time, on bench_predict.sh's data (1M generated forms
# rows ingested as .h5, a 100-tree depth-6 model trained on 100k other rows,
# so the model carries a training reference). The same predict with and
# without --no-drift, alternated, RUNS times each in the same run; prints the
# medians of predict's own end-to-end time ("total") and of the wall time of
# the whole mpirun, and the ratio (drift / no drift), and the median of the
# drift's own timers (predict --verbose) as a share of predict: on a busy
# machine the difference of two end-to-end medians is mostly noise.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
D=${BENCH_DIR:-bench-out/drift}
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
NP=${BENCH_NP:-1}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
sb() { local np=$1; shift; timeout -k 5 1200 mpirun -np "$np" "$BIN/shardboost" "$@"; }
mkdir -p "$D"
if [ ! -s "$D/forms.h5" ] || [ ! -s "$D/model.json" ] || ! grep -q '"reference"' "$D/model.json"; then
    echo "== data: $ROWS forms rows to score, 100000 to train on; model: 100 trees, depth 6"
    "$BIN/gen_forms" --rows "$ROWS" --seed 11 -o "$D/forms.csv.gz"
    "$BIN/gen_forms" --rows 100000 --seed 12 -o "$D/forms_train.csv.gz"
    sb 2 ingest --layout forms -o "$D/forms.h5" "$D/forms.csv.gz" >/dev/null
    sb 2 ingest --layout forms -o "$D/forms_train.h5" "$D/forms_train.csv.gz" >/dev/null
    sb 2 train --data "$D/forms_train.h5" --model "$D/model.json" --objective reg:squarederror \
        --n_estimators 100 --max_depth 6 --learning_rate 0.1 --seed 1 -q >/dev/null
fi
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >"$D/on.total"; : >"$D/off.total"; : >"$D/on.wall"; : >"$D/off.wall"; : >"$D/on.own"
for r in $(seq "$RUNS"); do
    for mode in on off; do
        flag=(); [ "$mode" = off ] && flag=(--no-drift)
        t0=$(date +%s.%N)
        sb "$NP" predict --model "$D/model.json" --data "$D/forms.h5" --out "$D/out-$mode" --overwrite \
            --gzip-level 1 --verbose "${flag[@]}" >"$D/log-$mode" 2>&1
        t1=$(date +%s.%N)
        echo "$t1 - $t0" | bc -l >>"$D/$mode.wall"
        sed -n 's/.* total \([0-9.]*\)$/\1/p' "$D/log-$mode" >>"$D/$mode.total"
    done
    grep '^drift: counting' "$D/log-on" || true
    sed -n 's/^drift: counting \([0-9.]*\)s.* report \([0-9.]*\)s$/\1 + \2/p' "$D/log-on" | bc -l >>"$D/on.own"
done
on_t=$(median <"$D/on.total"); off_t=$(median <"$D/off.total")
on_w=$(median <"$D/on.wall"); off_w=$(median <"$D/off.wall")
grep '^drift: [0-9]* of' "$D/log-on"
printf "predict np %s, %s rows, gzip 1, medians of %s:\n" "$NP" "$ROWS" "$RUNS"
printf "  end to end (predict's total): drift %.3fs  --no-drift %.3fs  ratio %.3f\n" "$on_t" "$off_t" \
    "$(echo "$on_t / $off_t" | bc -l)"
own=$(median <"$D/on.own")
printf "  drift's own time (counting + report, max over ranks): %.3fs = %.1f%% of predict --no-drift\n" "$own" \
    "$(echo "100 * $own / $off_t" | bc -l)"
printf "  wall (mpirun):                drift %.3fs  --no-drift %.3fs  ratio %.3f\n" "$on_w" "$off_w" \
    "$(echo "$on_w / $off_w" | bc -l)"
