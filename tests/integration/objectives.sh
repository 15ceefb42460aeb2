#!/usr/bin/env bash
# objectives.sh - the objectives of issue 16 (binary:logistic, reg:pseudohubererror,
# reg:tweedie, reg:gamma, scale_pos_weight): holdout loss within 1% of XGBoost 1.7
# (Debian python3-xgboost, tree_method=hist, same parameters and base_score) on
# generated data, byte-identical models at np 1, 2, 3, and labels the objective
# cannot take refused with the row named.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
$PY -c 'import xgboost, numpy' 2>/dev/null || skip "python3-xgboost not installed (make deps)"
T=$SB_TMP
CHK="$SB_ROOT/tests/integration/objectives_check.py"
printf 'ids: [id]\nlabel: y\n' > "$T/s.yaml"
ROUNDS=60 DEPTH=4 ETA=0.1

case_of() { # what gen-kind shardboost-objective extra k=v...
    local what=$1 kind=$2 obj=$3; shift 3
    local d="$T/$kind" ok=1
    [ -d "$d" ] || { mkdir -p "$d" && $PY "$CHK" gen "$kind" "$d"; } || { fail "$what: data"; return; }
    for np in 1 2 3; do
        sb_mpirun "$np" train --data "$d/tr.csv" --layout csv --schema "$T/s.yaml" --model "$d/m$np.json" --quiet \
            objective="$obj" n_estimators=$ROUNDS max_depth=$DEPTH eta=$ETA max_bin=256 "$@" || { ok=0; echo "np=$np failed"; }
    done
    for np in 2 3; do cmp -s "$d/m1.json" "$d/m$np.json" || { ok=0; echo "np=$np differs"; }; done
    [ "$ok" = 1 ] && pass "$what: identical model bytes for np 1,2,3" || { fail "$what: np 1,2,3"; return; }
    rm -rf "$d/out" "$d/pred.csv.gz"
    sb_mpirun 2 predict --model "$d/m1.json" --data "$d/te.csv" --schema "$T/s.yaml" --out "$d/out" \
        --merge "$d/pred.csv.gz" -q || { fail "$what: predict"; return; }
    local line ours theirs
    line=$($PY "$CHK" compare "$kind" "$d" "$d/m1.json" "$d/pred.csv.gz" $ROUNDS $DEPTH $ETA "$@") \
        || { fail "$what: xgboost"; return; }
    read -r ours theirs <<<"$line"
    if $PY -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); sys.exit(0 if abs(a-b) <= 0.01*abs(b) else 1)' \
        "$ours" "$theirs"; then
        pass "$what: holdout loss shardboost $ours vs XGBoost $theirs (within 1%)"
    else fail "$what: holdout loss shardboost $ours vs XGBoost $theirs (more than 1% apart)"; fi
}

case_of "binary:logistic" binary binary:logistic
case_of "binary:logistic scale_pos_weight=3" binary binary:logistic scale_pos_weight=3
case_of "reg:pseudohubererror huber_slope=2" pseudohuber reg:pseudohubererror huber_slope=2
case_of "reg:tweedie tweedie_variance_power=1.3" tweedie reg:tweedie tweedie_variance_power=1.3
case_of "reg:gamma" gamma reg:gamma

# labels the objective cannot take: the row is named, nothing is written
bad() { # what objective label-substitution expected-text
    awk -F, -v OFS=, -v v="$3" 'NR == 3 { $7 = v } { print }' "$T/$4/tr.csv" > "$T/bad.csv"
    if sb_mpirun 2 train --data "$T/bad.csv" --layout csv --schema "$T/s.yaml" --model "$T/bad.json" -q \
        objective="$2" n_estimators=2 > "$T/bad.log" 2>&1; then fail "$1: accepted"
    elif grep -q "training row 2: label .* is not valid for $2" "$T/bad.log" && [ ! -e "$T/bad.json" ]; then pass "$1"
    else fail "$1: message"; cat "$T/bad.log"; fi
}
bad "binary:logistic refuses a 0.5 label" binary:logistic 0.5 binary
bad "reg:gamma refuses a 0 label" reg:gamma 0 gamma
bad "reg:tweedie refuses a negative label" reg:tweedie -1 tweedie
finish
