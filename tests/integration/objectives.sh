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
printf 'ids: [id]\nlabel: y\nignore: [w]\n' > "$T/s.yaml"
printf 'ids: [id]\nlabel: y\nweight: w\n' > "$T/sw.yaml"
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

# reg:quantileerror (XGBoost 1.7 has none to compare with): base score and leaves are exact
# distributed weighted quantiles, so the bytes agree at np 1, 2, 3; the holdout coverage is near alpha
d="$T/pseudohuber" ok=1
for np in 1 2 3; do
    sb_mpirun "$np" train --data "$d/tr.csv" --layout csv --schema "$T/s.yaml" --model "$d/q$np.json" --quiet \
        objective=reg:quantileerror quantile_alpha=0.9 n_estimators=40 max_depth=4 eta=0.3 || { ok=0; echo "np=$np failed"; }
done
for np in 2 3; do cmp -s "$d/q1.json" "$d/q$np.json" || { ok=0; echo "np=$np differs"; }; done
[ "$ok" = 1 ] && pass "reg:quantileerror: identical model bytes for np 1,2,3" || fail "reg:quantileerror: np 1,2,3"
$PY - "$d/q1.json" "$d/tr.csv" <<'PYEOF' && pass "reg:quantileerror: base_score = the 0.9 lower quantile of the labels" \
    || fail "quantile base_score"
import csv, json, math, sys
y = sorted(float(r[6]) for r in list(csv.reader(open(sys.argv[2])))[1:])
sys.exit(0 if json.load(open(sys.argv[1]))["base_score"] == y[math.ceil(0.9 * len(y)) - 1] else 1)
PYEOF
rm -rf "$d/qout" "$d/qpred.csv.gz"
if sb_mpirun 2 predict --model "$d/q1.json" --data "$d/te.csv" --schema "$T/s.yaml" --out "$d/qout" \
    --merge "$d/qpred.csv.gz" -q; then
    cover=$($PY -c '
import csv, gzip, sys
p = {r[0]: float(r[1]) for r in list(csv.reader(gzip.open(sys.argv[1], "rt")))[1:]}
y = [(r[0], float(r[6])) for r in list(csv.reader(open(sys.argv[2])))[1:]]
print(sum(v <= p[i] for i, v in y) / len(y))' "$d/qpred.csv.gz" "$d/te.csv")
    $PY -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - 0.9) < 0.04 else 1)' "$cover" \
        && pass "reg:quantileerror alpha 0.9: holdout coverage $cover" || fail "quantile coverage $cover not near 0.9"
else fail "reg:quantileerror: predict"; fi

# metrics with a parameter: the model's valid metric (exact, identical bytes at np 1 and 3)
# equals XGBoost 1.7's value on the same holdout predictions (XGBoost prints 6 digits):
# tweedie-nloglik@rho, and quantile (pinball at quantile_alpha; XGBoost 2's formula)
metric_case() { # what data objective xgb-objective metric-as-xgboost-names-it k=v...
    local what=$1 d="$T/$2" obj=$3 xobj=$4 xname=$5 ok=1 ours theirs; shift 5
    for np in 1 3; do
        sb_mpirun "$np" train --data "$d/tr.csv" --valid "$d/te.csv" --layout csv --schema "$T/s.yaml" --quiet \
            --model "$d/mm$np.json" objective="$obj" n_estimators=20 max_depth=4 "$@" || { ok=0; echo "np=$np failed"; }
    done
    cmp -s "$d/mm1.json" "$d/mm3.json" || ok=0
    [ "$ok" = 1 ] && pass "$what: identical model bytes for np 1,3" || { fail "$what: np 1,3"; return; }
    rm -rf "$d/mout" "$d/mpred.csv.gz"
    sb_mpirun 2 predict --model "$d/mm1.json" --data "$d/te.csv" --schema "$T/s.yaml" --out "$d/mout" \
        --merge "$d/mpred.csv.gz" -q || { fail "$what: predict"; return; }
    ours=$($PY -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["training"]["valid_metric"][-1]))' "$d/mm1.json")
    theirs=$($PY "$CHK" metric "$d" "$d/mpred.csv.gz" "$xobj" "$xname") || { fail "$what: xgboost"; return; }
    $PY -c 'import sys; a,b=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= 1e-5*abs(b) else 1)' "$ours" "$theirs" \
        && pass "$what: valid metric $ours = XGBoost's $theirs" || fail "$what: valid metric $ours vs XGBoost's $theirs"
}
metric_case "eval_metric=tweedie-nloglik@1.3" tweedie reg:tweedie reg:tweedie tweedie-nloglik@1.3 \
    tweedie_variance_power=1.3 eval_metric=tweedie-nloglik@1.3
metric_case "eval_metric=tweedie-nloglik@1.6 (objective's power 1.3)" tweedie reg:tweedie reg:tweedie \
    tweedie-nloglik@1.6 tweedie_variance_power=1.3 eval_metric=tweedie-nloglik@1.6
metric_case "eval_metric=quantile quantile_alpha=0.8" pseudohuber reg:quantileerror reg:squarederror quantile@0.8 \
    quantile_alpha=0.8 eval_metric=quantile

# auc (exact, weighted, a global sort): the valid metric of the model equals XGBoost's auc of
# the same predictions; identical model bytes (valid_metric included) at np 1, 2, 3
auc_case() { # what schema weighted
    local d="$T/binary" ok=1 ours theirs
    for np in 1 2 3; do
        sb_mpirun "$np" train --data "$d/tr.csv" --valid "$d/te.csv" --layout csv --schema "$T/$2" --quiet \
            --model "$d/a$np.json" objective=binary:logistic eval_metric=auc n_estimators=20 max_depth=3 \
            || { ok=0; echo "np=$np failed"; }
    done
    for np in 2 3; do cmp -s "$d/a1.json" "$d/a$np.json" || { ok=0; echo "np=$np differs"; }; done
    [ "$ok" = 1 ] && pass "$1: identical model bytes for np 1,2,3" || { fail "$1: np 1,2,3"; return; }
    rm -rf "$d/aout" "$d/apred.csv.gz"
    sb_mpirun 3 predict --model "$d/a1.json" --data "$d/te.csv" --schema "$T/$2" --out "$d/aout" \
        --merge "$d/apred.csv.gz" -q || { fail "$1: predict"; return; }
    ours=$($PY -c 'import json,sys; print(repr(json.load(open(sys.argv[1]))["training"]["valid_metric"][-1]))' "$d/a1.json")
    theirs=$($PY "$CHK" auc "$d" "$d/apred.csv.gz" "$3") || { fail "$1: xgboost auc"; return; }
    $PY -c 'import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) <= 1e-6 else 1)' "$ours" "$theirs" \
        && pass "$1: valid auc $ours = XGBoost's $theirs" || fail "$1: valid auc $ours vs XGBoost's $theirs"
}
auc_case "auc" s.yaml 0
auc_case "auc weighted" sw.yaml 1

# cv and early stopping with auc: higher is better (the leaderboard's first row has the largest mean)
printf 'objective: binary:logistic\nn_estimators: 30\nmax_depth: [1, 3]\neta: [0.05, 0.5]\n' > "$T/g.yaml"
ok=1
for np in 1 3; do
    sb_mpirun "$np" cv --data "$T/binary/tr.csv" --layout csv --schema "$T/s.yaml" --grid "$T/g.yaml" --folds 3 \
        --metric auc --early-stopping-rounds 3 --out "$T/cv$np" -q || { ok=0; echo "cv np=$np failed"; }
done
board() { sed 's/,[^,]*$//' "$1/leaderboard.csv"; }
[ "$ok" = 1 ] && [ "$(board "$T/cv1")" = "$(board "$T/cv3")" ] && pass "cv --metric auc: same leaderboard at np 1 and 3" \
    || fail "cv --metric auc np 1, 3"
$PY - "$T/cv1/leaderboard.csv" <<'PYEOF' && pass "cv --metric auc: best (largest) auc first" || fail "cv auc order"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
m = [float(r["mean_auc"]) for r in rows]
sys.exit(0 if len(m) == 4 and m == sorted(m, reverse=True) and 0.6 < m[0] < 1 else 1)
PYEOF

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
