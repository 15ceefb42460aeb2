#!/usr/bin/env bash
# cat_accuracy.sh - `make bench-cat`: holdout accuracy of native categorical splits
# (enable_categorical=1) against ordinal level codes, and against XGBoost 1.7 hist with and
# without enable_categorical, on the same train/holdout files:
#   keywords: the real keyword file (every 5th row held out), reg:logistic on the conversion
#             rate with clicks as weight (ingest --cap-rate), weighted logloss; device has 3
#             levels (one vs the rest);
#   highcard: data/gen_highcard.py, 200 city levels with real effects + a 3-level channel +
#             2 numeric columns, reg:squarederror, rmse.
# 200 rounds, depth 6, eta 0.1, np 2; prints a markdown table and "cat-accuracy: ..." lines.
set -u
BIN=${BIN:-bin}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${SB_DATA:-$ROOT/../shared/data}
PY=/usr/bin/python3
T=${CAT_DIR:-$(mktemp -d /tmp/cat-acc.XXXXXX)}
HROWS=${CAT_ROWS:-100000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
run() { timeout -k 5 900 mpirun -np 2 "$BIN/shardboost" "$@"; }
P="--n_estimators 200 --max_depth 6 --eta 0.1 --quiet"
metric() { # model data layout-args... metric-name weighted|unweighted
    local m=$1 d=$2 name=$3 w=$4; shift 4
    run evaluate --model "$m" --data "$d" "$@" 2>/dev/null | head -1 |
        $PY -c "import json, sys; print('%.6f' % json.load(sys.stdin)['$w']['$name'])"
}
xz -dc "$DATA/sellics_keywords.csv.xz" > "$T/kw.csv"
awk -v tr="$T/kw_tr.csv" -v te="$T/kw_te.csv" 'NR == 1 { print > tr; print > te; next }
    NR % 5 == 0 { print > te; next } { print > tr }' "$T/kw.csv"
run ingest -q --layout keywords --cap-rate -o "$T/kw_tr.h5" "$T/kw_tr.csv" &&
    run ingest -q --layout keywords --cap-rate -o "$T/kw_te.h5" "$T/kw_te.csv" || exit 1
$PY "$ROOT/data/gen_highcard.py" --rows "$HROWS" --seed 1 --levels 200 -o "$T/hc_tr.csv" --schema "$T/hc.yaml" &&
    $PY "$ROOT/data/gen_highcard.py" --rows $((HROWS * 3 / 10)) --seed 2 --levels 200 -o "$T/hc_te.csv" || exit 1
run ingest -q --layout csv --schema "$T/hc.yaml" -o "$T/hc_tr.h5" "$T/hc_tr.csv" &&
    run ingest -q --layout csv --schema "$T/hc.yaml" -o "$T/hc_te.h5" "$T/hc_te.csv" || exit 1
declare -A R
for ec in 0 1; do
    run train --data "$T/kw_tr.h5" --objective reg:logistic $P --enable_categorical $ec --model "$T/kw$ec.json" || exit 1
    R[kw$ec]=$(metric "$T/kw$ec.json" "$T/kw_te.h5" logloss weighted)
    run train --data "$T/hc_tr.h5" $P --enable_categorical $ec --model "$T/hc$ec.json" || exit 1
    R[hc$ec]=$(metric "$T/hc$ec.json" "$T/hc_te.h5" rmse unweighted)
    R[xkw$ec]=$($PY "$ROOT/tests/bench/cat_accuracy.py" --layout keywords --train "$T/kw_tr.csv" --test "$T/kw_te.csv" \
        --native $ec | sed 's/.*metric=//')
    R[xhc$ec]=$($PY "$ROOT/tests/bench/cat_accuracy.py" --layout highcard --train "$T/hc_tr.csv" --test "$T/hc_te.csv" \
        --native $ec | sed 's/.*metric=//')
done
echo "| data (holdout metric, lower is better) | shardboost ordinal | shardboost native | XGBoost 1.7 codes | XGBoost 1.7 enable_categorical |"
echo "|---|---|---|---|---|"
echo "| keywords, device 3 levels (weighted logloss) | ${R[kw0]} | ${R[kw1]} | ${R[xkw0]} | ${R[xkw1]} |"
echo "| gen_highcard, city 200 levels, $HROWS rows (rmse) | ${R[hc0]} | ${R[hc1]} | ${R[xhc0]} | ${R[xhc1]} |"
echo "cat-accuracy: keywords logloss ordinal ${R[kw0]} native ${R[kw1]} xgboost ${R[xkw0]} xgboost-native ${R[xkw1]}"
echo "cat-accuracy: highcard rmse ordinal ${R[hc0]} native ${R[hc1]} xgboost ${R[xhc0]} xgboost-native ${R[xhc1]}"
[ -z "${CAT_DIR:-}" ] && rm -rf "$T"
exit 0
