#!/usr/bin/env bash
# constraints.sh - issue 16 section 3 and the column samples of section 4:
#   monotone_constraints: identical model bytes at np 1, 2, 3; the by-name form builds the
#     same trees as the positional one; every tree alone and the forest never decrease in x0
#     (+1) / never increase in x1 (-1) along every cut the model uses, for 300 held-out rows
#     (also with lossguide and with reg:absoluteerror's median refit); holdout rmse within
#     3% of XGBoost 1.7 with the same constraint;
#   interaction_constraints: identical bytes at np 1, 3; every root-to-leaf path within one
#     allowed set; holdout rmse near XGBoost's;
#   colsample_bylevel / colsample_bynode: identical bytes at np 1, 3;
#   a cv grid with constraints; bad values refused naming the key, nothing written.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
$PY -c 'import xgboost, numpy' 2>/dev/null || skip "python3-xgboost not installed (make deps)"
T=$SB_TMP
CHK="$SB_ROOT/tests/integration/constraints_check.py"
printf 'ids: [id]\nlabel: y\nignore: [w]\n' > "$T/s.yaml"
$PY "$CHK" gen "$T" || { fail "data"; finish; }
COMMON=(n_estimators=40 max_depth=5 eta=0.3)

train() { # np model k=v...
    local np=$1 model=$2; shift 2
    sb_mpirun "$np" train --data "$T/tr.csv" --layout csv --schema "$T/s.yaml" --model "$model" --quiet "$@"
}
same_np() { # what nps k=v...: identical model bytes at every np; leaves $T/<first np>.json
    local what=$1 nps=$2 ok=1 first=""; shift 2
    for np in $nps; do
        train "$np" "$T/np$np.json" "$@" || { ok=0; echo "np=$np failed"; }
        [ -z "$first" ] && first=$np
        [ "$np" = "$first" ] || cmp -s "$T/np$first.json" "$T/np$np.json" || { ok=0; echo "np=$np differs"; }
    done
    [ "$ok" = 1 ] && pass "$what: identical model bytes for np ${nps// /,}" || fail "$what: np ${nps// /,}"
    cp "$T/np$first.json" "$T/last.json"
}
predict() { # model -> $T/pred.csv.gz
    rm -rf "$T/out" "$T/pred.csv.gz"
    sb_mpirun 2 predict --model "$1" --data "$T/te.csv" --schema "$T/s.yaml" --out "$T/out" --merge "$T/pred.csv.gz" -q
}
monotone() { # what model
    local out
    out=$($PY "$CHK" mono "$2" "$T/te.csv" 0 1 && $PY "$CHK" mono "$2" "$T/te.csv" 1 -1) \
        && pass "$1: every tree and the forest rise in x0, fall in x1 (${out//$'\n'/; })" || fail "$1: $out"
}
within() { # what ours theirs pct
    if $PY -c 'import sys; a,b,p=map(float,sys.argv[1:]); sys.exit(0 if abs(a-b) <= p/100*abs(b) else 1)' "$2" "$3" "$4"
    then pass "$1: holdout rmse shardboost $2 vs XGBoost $3 (within $4%)"
    else fail "$1: holdout rmse shardboost $2 vs XGBoost $3 (more than $4% apart)"; fi
}

# ---- monotone
MC='(1,-1,0,0,0)'
same_np "monotone_constraints=$MC" "1 2 3" "${COMMON[@]}" monotone_constraints="$MC"
cp "$T/last.json" "$T/mono.json"
monotone "monotone depthwise" "$T/mono.json"
train 1 "$T/byname.json" "${COMMON[@]}" 'monotone_constraints={"x0": 1, "x1": -1}' &&
    $PY -c 'import json,sys; t=[json.load(open(p))["trees"] for p in sys.argv[1:]]; sys.exit(0 if t[0]==t[1] else 1)' \
        "$T/mono.json" "$T/byname.json" && pass "monotone by name {\"x0\": 1, \"x1\": -1}: the same trees" \
    || fail "monotone by name"
train 1 "$T/free.json" "${COMMON[@]}" && ! $PY "$CHK" mono "$T/free.json" "$T/te.csv" 0 1 >/dev/null \
    && pass "the check sees a violation in an unconstrained model" || fail "unconstrained model looks monotone"
predict "$T/mono.json" && line=$($PY "$CHK" xgb "$T" "$T/pred.csv.gz" "${COMMON[@]}" "monotone_constraints=$MC") \
    && within "monotone vs XGBoost" $line 3 || fail "monotone: xgboost"
train 2 "$T/lg.json" "${COMMON[@]}" grow_policy=lossguide max_leaves=24 max_depth=0 mc=1,-1,0,0,0 &&
    monotone "monotone lossguide" "$T/lg.json" || fail "monotone lossguide: train"
train 2 "$T/l1.json" n_estimators=20 max_depth=4 objective=reg:absoluteerror monotone_constraint=x0:1,x1:-1 &&
    monotone "monotone reg:absoluteerror (median refit clipped to the bounds)" "$T/l1.json" \
    || fail "monotone absoluteerror: train"

# ---- interaction
IC='[["x0","x1"],[2,3,4]]'
same_np "interaction_constraints=$IC" "1 3" "${COMMON[@]}" interaction_constraints="$IC"
cp "$T/last.json" "$T/inter.json"
out=$($PY "$CHK" inter "$T/inter.json" '[[0,1],[2,3,4]]') && pass "interaction: every path in one set ($out)" \
    || fail "interaction: $out"
predict "$T/inter.json" && line=$($PY "$CHK" xgb "$T" "$T/pred.csv.gz" "${COMMON[@]}" \
    'interaction_constraints=[[0,1],[2,3,4]]') && within "interaction vs XGBoost" $line 3 || fail "interaction: xgboost"

# ---- level and node samples
same_np "colsample_bylevel=0.7 colsample_bynode=0.6" "1 3" n_estimators=20 max_depth=5 colsample_bytree=0.8 \
    colsample_bylevel=0.7 colsample_bynode=0.6

# ---- cv grid: the YAML list is the grid's axis; its items are texts or lists (sklearn's grids)
printf 'n_estimators: 10\nmax_depth: 3\nmonotone_constraints: [[1, -1, 0, 0, 0], "x0:1"]\n%s\n' \
    'interaction_constraints: [[[0, 1], [2, 3, 4]], [[x0, x1, x2]]]' > "$T/g.yaml"
sb_mpirun 2 cv --data "$T/tr.csv" --layout csv --schema "$T/s.yaml" --grid "$T/g.yaml" --folds 2 --out "$T/cv" -q >/dev/null \
    && [ "$(wc -l < "$T/cv/leaderboard.csv")" = 5 ] && grep -qF '"[1,-1,0,0,0]","[[0,1],[2,3,4]]"' "$T/cv/leaderboard.csv" \
    && pass "cv grid over monotone_constraints x interaction_constraints (lists in YAML)" || fail "cv grid"

# ---- refused, naming the key, nothing written
printf 'ids: [id]\nlabel: y\nignore: [w]\ncategorical: [x4]\n' > "$T/sc.yaml"
bad() { # what expected-text k=v... (schema via SCHEMA; NP ranks, default 2)
    local what=$1 want=$2; shift 2
    rm -f "$T/bad.json"
    if sb_mpirun "${NP:-2}" train --data "$T/tr.csv" --layout csv --schema "${SCHEMA:-$T/s.yaml}" --model "$T/bad.json" -q \
        n_estimators=2 "$@" > "$T/bad.log" 2>&1; then fail "$what: accepted"
    elif grep -qF -- "$want" "$T/bad.log" && [ ! -e "$T/bad.json" ]; then pass "$what"
    else fail "$what: message"; cat "$T/bad.log"; fi
}
bad "monotone: too few values" "'monotone_constraints': 2 values for 5 features" monotone_constraints='(1,0)'
NP=1 bad "monotone: value 2" "'monotone_constraints': values must be -1, 0 or 1" monotone_constraints=1,0,2,0,0
bad "monotone: unknown name" "'monotone_constraints': no feature named 'price'" monotone_constraints=price:1
NP=1 bad "monotone: bad syntax" "'monotone_constraints': cannot read" 'monotone_constraints=[[1,0'
SCHEMA=$T/sc.yaml bad "monotone: categorical feature" "'monotone_constraints': feature 'x4' is categorical" \
    monotone_constraints=x4:1
bad "interaction: index out of range" "'interaction_constraints': feature index 7 out of range" \
    'interaction_constraints=[[0,7]]'
NP=1 bad "interaction: not a list of lists" "'interaction_constraints': expected a list of lists" \
    'interaction_constraints=[[0,1],2]'
NP=1 bad "colsample_bynode 0" "'colsample_bynode' = 0 out of range" colsample_bynode=0
finish
