#!/usr/bin/env bash
# train_parity.sh - accuracy parity with XGBoost 1.7 (Debian python3-xgboost,
# tree_method=hist) on the same data and parameters: holdout MSE (unweighted,
# per row) within 1%, on generated forms data and on the real keyword data.
. "$(dirname "$0")/../lib.sh"
GEN=$(dirname "$SB")/gen_forms
PY=/usr/bin/python3
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
$PY -c 'import xgboost, numpy' 2>/dev/null || skip "python3-xgboost not installed (make deps)"
T=$SB_TMP
XGB="$SB_ROOT/tests/bench/xgb_train.py"

parity() { # what layout train test rounds
    local what=$1 layout=$2 tr=$3 te=$4 rounds=$5
    sb_mpirun 2 train --data "$tr" --valid "$te" --layout "$layout" --model "$T/p.json" --quiet \
        --n_estimators "$rounds" --max_depth 6 --eta 0.1 --lambda 1 --max_bin 256 --eval_metric mse --weighted_metric 0 \
        || { fail "$what: shardboost train"; return; }
    local ours xgbline theirs
    ours=$($PY -c 'import json,sys; m=json.load(open(sys.argv[1])); print(repr(m["training"]["valid_metric"][-1]))' "$T/p.json")
    xgbline=$($PY "$XGB" --layout "$layout" --train "$tr" --test "$te" --rounds "$rounds") || { fail "$what: xgboost"; return; }
    theirs=$(sed 's/.*mse=\([^ ]*\).*/\1/' <<<"$xgbline")
    if $PY -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if abs(a-b) <= 0.01*b else 1)' "$ours" "$theirs"; then
        pass "$what: holdout MSE shardboost $ours vs XGBoost $theirs (within 1%)"
    else fail "$what: holdout MSE shardboost $ours vs XGBoost $theirs (more than 1% apart)"; fi
}

"$GEN" --rows 40000 --seed 21 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
head -n 32000 "$T/f.csv" > "$T/ftr.csv"; tail -n 8000 "$T/f.csv" > "$T/fte.csv"
parity "forms 32k/8k, 100 trees depth 6" forms "$T/ftr.csv" "$T/fte.csv" 100

if [ -f "$SB_DATA/sellics_keywords.csv.xz" ]; then
    xz -dc "$SB_DATA/sellics_keywords.csv.xz" > "$T/kw.csv"
    # every 5th row held out (rows are grouped by entity; a tail split would hold out other entities only)
    awk 'NR==1 || (NR-2)%5!=0' "$T/kw.csv" > "$T/kwtr.csv"; awk 'NR==1 || (NR-2)%5==0' "$T/kw.csv" > "$T/kwte.csv"
    parity "keywords (real) 45k/11k, 50 trees" keywords "$T/kwtr.csv" "$T/kwte.csv" 50
fi
finish
