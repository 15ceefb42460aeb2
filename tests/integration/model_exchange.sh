#!/usr/bin/env bash
# model_exchange.sh - models that travel, against Debian's python3-xgboost 1.7:
#   export: a shardboost model written as XGBoost JSON scores every row in XGBoost as
#           shardboost predict does (float32 precision; the max abs difference is printed):
#           real keyword data (reg:logistic), forms data with NaNs (squarederror),
#           count:poisson, reg:absoluteerror, reg:tweedie, reg:pseudohubererror;
#   import: XGBoost-trained models (depthwise, lossguide, missing values, with and without
#           feature names) score in shardboost predict at np 1 and 3 as in XGBoost;
#   UBJSON: an XGBoost .ubj model predicts exactly as its .json;
#   bad input: truncated file (JSON, UBJSON), num_trees > trees, node index out of range,
#           feature index beyond the data, dart, multi-class, unknown objective: error naming
#           file and field, non-zero exit, nothing written.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
$PY -c 'import xgboost, numpy' 2>/dev/null || skip "python3-xgboost not installed (make deps)"
GEN=$(dirname "$SB")/gen_forms
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
XM="$SB_ROOT/tests/integration/xgb_models.py"
T=$SB_TMP

# compare WHAT LAYOUT CSV XGB_MODEL PRED [--names]: XGBoost's predictions vs shardboost's
compare() {
    local what=$1 layout=$2 csv=$3 model=$4 pred=$5; shift 5
    local out
    if out=$($PY "$XM" compare --layout "$layout" --data "$csv" --model "$model" --pred "$pred" "$@" 2>&1); then
        pass "$what: $out"
    else fail "$what: $out"; fi
}

# predict_to NP MODEL DATA OUT [args]: merged predictions in OUT.csv.gz
predict_to() {
    local np=$1 model=$2 data=$3 out=$4; shift 4
    sb_mpirun "$np" predict --model "$model" --data "$data" --out "$out" --merge "$out.csv.gz" --quiet "$@"
}

# ---- data: the real keyword file (an 8k-row slice keeps the test fast), forms with NaNs
if [ -f "$SB_DATA/sellics_keywords.csv.xz" ]; then
    xz -dc "$SB_DATA/sellics_keywords.csv.xz" | head -n 8001 > "$T/kw.csv"
    KW=1
else
    echo "note: $SB_DATA/sellics_keywords.csv.xz missing: keyword cases skipped"
    KW=0
fi
"$GEN" --rows 6000 --seed 5 -o "$T/f0.csv" >/dev/null || { fail "gen_forms"; finish; }
# every 7th row loses feature 3, every 11th feature 20, every 13th feature 45 (NaN)
awk -F'-' 'BEGIN{OFS="-"} { if (NR%7==0) $4="NA"; if (NR%11==0) $21="nan"; if (NR%13==0) $46="NA"; print }' \
    "$T/f0.csv" > "$T/f.csv"
sb_mpirun 2 ingest --layout forms --quiet -o "$T/f.h5" "$T/f.csv" || fail "ingest forms with NaNs"
[ "$KW" = 1 ] && { sb_mpirun 2 ingest --layout keywords --cap-rate --quiet -o "$T/kw.h5" "$T/kw.csv" || fail "ingest keywords"; }

# ---- export round trips
export_case() { # what layout csv h5 objective
    local what=$1 layout=$2 csv=$3 h5=$4 obj=$5
    sb_mpirun 2 train --data "$h5" --model "$T/e.json" --objective "$obj" --n_estimators 15 --max_depth 5 \
        --learning_rate 0.3 --quiet || { fail "$what: train"; return; }
    predict_to 2 "$T/e.json" "$h5" "$T/ep" --overwrite || { fail "$what: predict"; return; }
    "$SB" export --model "$T/e.json" --format xgboost-json -o "$T/e_xgb.json" --quiet || { fail "$what: export"; return; }
    compare "export $what, feature names" "$layout" "$csv" "$T/e_xgb.json" "$T/ep.csv.gz" --names
    "$SB" export --model "$T/e.json" --format xgboost-json -o "$T/e_xgb_nn.json" --no-feature-names --quiet &&
        compare "export $what, --no-feature-names" "$layout" "$csv" "$T/e_xgb_nn.json" "$T/ep.csv.gz"
    [ "${6:-}" = no-lightgbm ] && return # objectives the LightGBM export refuses (not mapped yet)
    # LightGBM is not in Debian: its text model is read by LightGBM's rules in Python
    local out
    if "$SB" export --model "$T/e.json" --format lightgbm-text -o "$T/e_lgbm.txt" --quiet &&
        out=$($PY "$XM" lgbm-compare --layout "$layout" --data "$csv" --model "$T/e_lgbm.txt" --pred "$T/ep.csv.gz" 2>&1)
    then pass "export $what, lightgbm-text: $out"; else fail "export $what, lightgbm-text: ${out:-export failed}"; fi
}
[ "$KW" = 1 ] && export_case "keywords (real) reg:logistic" keywords "$T/kw.csv" "$T/kw.h5" reg:logistic
export_case "forms with NaNs reg:squarederror" forms "$T/f.csv" "$T/f.h5" reg:squarederror
export_case "forms count:poisson" forms "$T/f.csv" "$T/f.h5" count:poisson
export_case "forms reg:absoluteerror" forms "$T/f.csv" "$T/f.h5" reg:absoluteerror
export_case "forms reg:tweedie" forms "$T/f.csv" "$T/f.h5" reg:tweedie no-lightgbm
export_case "forms reg:pseudohubererror" forms "$T/f.csv" "$T/f.h5" reg:pseudohubererror no-lightgbm

# ---- import: XGBoost-trained models scored by shardboost predict at np 1 and 3
import_case() { # what layout csv data objective grow [--names]
    local what=$1 layout=$2 csv=$3 data=$4 obj=$5 grow=$6; shift 6
    $PY "$XM" train --layout "$layout" --data "$csv" --objective "$obj" --grow "$grow" --rounds 15 \
        --out "$T/x.json" "$@" || { fail "$what: xgboost train"; return; }
    for np in 1 3; do
        local lay=()
        [[ $data == *.csv ]] && lay=(--layout "$layout") # CSV input: an imported model has no layout yet
        predict_to "$np" "$T/x.json" "$data" "$T/ip$np" --overwrite "${lay[@]}" || { fail "$what: predict np $np"; continue; }
        compare "import $what, predict np $np" "$layout" "$csv" "$T/x.json" "$T/ip$np.csv.gz" "$@"
    done
}
[ "$KW" = 1 ] && import_case "keywords reg:logistic depthwise (no names: by position)" keywords "$T/kw.csv" "$T/kw.h5" reg:logistic depthwise
[ "$KW" = 1 ] && import_case "keywords reg:logistic lossguide, named, CSV input" keywords "$T/kw.csv" "$T/kw.csv" reg:logistic lossguide --names
import_case "forms with NaNs squarederror lossguide" forms "$T/f.csv" "$T/f.h5" reg:squarederror lossguide
import_case "forms with NaNs squarederror depthwise, named" forms "$T/f.csv" "$T/f.h5" reg:squarederror depthwise --names

# shardboost import --data: a bound model file that predict, evaluate and dump read
if sb_mpirun 2 import --from "$T/x.json" --data "$T/f.h5" -o "$T/imp.json" --quiet; then
    predict_to 3 "$T/imp.json" "$T/f.h5" "$T/imp" --overwrite &&
        compare "import --data then predict np 3" forms "$T/f.csv" "$T/x.json" "$T/imp.csv.gz" --names
    evaluate_quietly() { sb_mpirun 2 evaluate --model "$1" --data "$2" >/dev/null; }
    check "evaluate reads the imported model" evaluate_quietly "$T/imp.json" "$T/f.h5"
    check "dump reads the imported model" bash -c '"$0" dump --model "$1" --no-trees >/dev/null' "$SB" "$T/imp.json"
else fail "shardboost import --data"; fi

# ---- bad input: error naming file and field, non-zero exit, nothing written
bad_case() { # what file expected-text...
    local what=$1 file=$2; shift 2
    rm -rf "$T/bad" "$T/bad.json"
    local err rc=0
    err=$(predict_to "$BAD_NP" "$file" "$T/f.h5" "$T/bad" 2>&1) || rc=$?
    local ok=1
    [ "$rc" -ne 0 ] || ok=0
    for want in "$(basename "$file")" "$@"; do grep -qF -- "$want" <<<"$err" || ok=0; done
    [ ! -e "$T/bad/_SUCCESS" ] && [ ! -e "$T/bad.csv.gz" ] || ok=0
    "$SB" import --from "$file" --data "$T/f.h5" -o "$T/bad.json" --quiet >/dev/null 2>&1 && ok=0
    [ ! -e "$T/bad.json" ] || ok=0
    if [ "$ok" = 1 ]; then pass "bad input $what: rc $rc, $(grep -m1 'error' <<<"$err" | sed 's/.*error: //')"
    else fail "bad input $what: rc $rc, wanted '$*' in: $(grep -m1 error <<<"$err")"; fi
}
$PY "$XM" train --layout forms --data "$T/f.csv" --rounds 3 --out "$T/g.json" || fail "xgboost train (bad cases)"
head -c 3000 "$T/g.json" > "$T/trunc.json"
BAD_NP=2 # every rank reads the model; they agree on the error (no rank left waiting)
bad_case "truncated file" "$T/trunc.json" "line 1"
mut() { # out python-expression-on-j
    $PY -c 'import json,sys; j=json.load(open(sys.argv[1])); m=j["learner"]["gradient_booster"]["model"]; t=m["trees"]; exec(sys.argv[3]); json.dump(j, open(sys.argv[2],"w"))' \
        "$T/g.json" "$1" "$2"
}
mut "$T/nt.json" 'm["gbtree_model_param"]["num_trees"] = "9"'
BAD_NP=1
bad_case "num_trees larger than the trees" "$T/nt.json" "num_trees"
mut "$T/ni.json" 't[1]["left_children"][0] = 999; t[1]["right_children"][0] = 1000'
bad_case "node index out of range" "$T/ni.json" "left_children"
mut "$T/fi.json" 'j["learner"]["learner_model_param"]["num_feature"] = "60"; t[0]["split_indices"][0] = 55'
bad_case "feature index beyond the data" "$T/fi.json" "split_indices" "47 feature columns"
mut "$T/dart.json" 'j["learner"]["gradient_booster"]["name"] = "dart"'
bad_case "dart booster" "$T/dart.json" "gradient_booster/name"
mut "$T/mc.json" 'j["learner"]["learner_model_param"]["num_class"] = "3"'
bad_case "multi-class" "$T/mc.json" "num_class"
mut "$T/obj.json" 'j["learner"]["objective"]["name"] = "reg:tweedie"'
bad_case "unknown objective" "$T/obj.json" "objective/name"
# UBJSON (XGBoost's default from 2.1; 1.7 writes it for a .ubj name): the same predictions, byte for byte
$PY -c 'import sys, xgboost; xgboost.Booster(model_file=sys.argv[1]).save_model(sys.argv[2])' "$T/x.json" "$T/x.ubj" ||
    fail "xgboost save_model .ubj"
if predict_to 3 "$T/x.ubj" "$T/f.h5" "$T/ubj" --overwrite && predict_to 3 "$T/x.json" "$T/f.h5" "$T/ubjref" --overwrite &&
    cmp -s <(zcat "$T/ubj.csv.gz") <(zcat "$T/ubjref.csv.gz"); then
    pass "import UBJSON: predict np 3 on x.ubj gives the bytes of x.json's predictions"
else fail "import UBJSON: predictions differ from the JSON model's"; fi
head -c 5000 "$T/x.ubj" > "$T/trunc.ubj"
bad_case "truncated UBJSON" "$T/trunc.ubj" "UBJSON at byte"
finish
