#!/usr/bin/env bash
# categorical.sh - native categorical splits (enable_categorical=1, issue 16 s.1):
#   identical model bytes at np 1, 2, 3 (generated high-cardinality data and the keyword
#   layout's device); the model file carries per-tree "categories" only when it has such
#   splits; predict from the file = training's valid metric; dump shows `city in {..}`;
#   the unseen-level policy (an unseen level scores as missing); XGBoost 1.7 parity of the
#   XGBoost JSON export; LightGBM text export refused; hostile "categories" refused.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
T=$SB_TMP
$PY -c 'import numpy' 2>/dev/null || skip "python3-numpy not installed (make deps)"
$PY "$SB_ROOT/data/gen_highcard.py" --rows 6000 --seed 1 --levels 120 -o "$T/tr.csv" --schema "$T/s.yaml" &&
    $PY "$SB_ROOT/data/gen_highcard.py" --rows 2000 --seed 2 --levels 120 -o "$T/te.csv" || { fail "generate"; finish; }
D="--layout csv --schema $T/s.yaml"
P="--n_estimators 12 --max_depth 5 --eta 0.3 --quiet --min_data_per_group 20 --cat_smooth 5"

ok=1
for np in 1 2 3; do
    sb_mpirun "$np" train --data "$T/tr.csv" $D --valid "$T/te.csv" $P --enable_categorical 1 --subsample 0.8 \
        --colsample_bytree 0.8 --model "$T/n$np.json" || { ok=0; echo "np=$np failed"; }
done
cmp -s "$T/n1.json" "$T/n2.json" && cmp -s "$T/n1.json" "$T/n3.json" || ok=0
check "native categorical: identical model bytes for np 1, 2, 3" [ "$ok" = 1 ]
check "the model stores level sets (\"categories\")" grep -q '"categories": \[\[' "$T/n1.json"
sb_mpirun 2 train --data "$T/tr.csv" $D --valid "$T/te.csv" $P --model "$T/o.json" || fail "ordinal train"
check "ordinal (default): no \"categories\", no enable_categorical in params" \
    bash -c "! grep -q -e categories -e enable_categorical '$T/o.json'"

# predict from the file = the valid metric training recorded; native beats ordinal here
rmse() { sb_mpirun 2 evaluate --model "$1" --data "$T/te.csv" $D 2>/dev/null | sed -n 's/.*"rmse":\([0-9.e-]*\).*/\1/p' | head -1; }
rn=$(rmse "$T/n1.json"); ro=$(rmse "$T/o.json")
last=$($PY -c "import json; print(repr(json.load(open('$T/n1.json'))['training']['valid_metric'][-1]))")
check "evaluate from the file ($rn) = training's last valid rmse ($last)" \
    $PY -c "import sys; sys.exit(abs(float('$rn') - float('$last')) > 1e-12)"
check "native rmse $rn < ordinal rmse $ro on 120 levels" $PY -c "import sys; sys.exit(not float('$rn') < float('$ro'))"

check "dump shows the level set" bash -c "'$SB' dump --model '$T/n1.json' --tree 0 | grep -q 'city in {c'"

# unseen level policy: a level not in training scores as a missing value (default direction)
head -n 1 "$T/te.csv" > "$T/u.csv"
sed -n '2,21p' "$T/te.csv" | awk -F, 'BEGIN{OFS=","} { $2 = ""; print; $1 = $1 + 100000; $2 = "never_seen"; print }' >> "$T/u.csv"
sb_mpirun 1 predict --model "$T/n1.json" --data "$T/u.csv" $D --out "$T/up" --merge "$T/up.csv.gz" --quiet --overwrite ||
    fail "predict unseen"
check "an unseen level scores as missing (20 row pairs)" $PY -c "
import gzip, csv, sys
r = list(csv.DictReader(gzip.open('$T/up.csv.gz', 'rt')))
p = [float(x['prediction']) for x in r]
sys.exit(len(p) != 40 or any(p[i] != p[i + 1] for i in range(0, 40, 2)))"

# XGBoost 1.7 scores the export as shardboost predict does
if $PY -c 'import xgboost' 2>/dev/null; then
    sb_mpirun 2 predict --model "$T/n1.json" --data "$T/te.csv" $D --out "$T/p" --merge "$T/p.csv.gz" --quiet --overwrite &&
        "$SB" export --model "$T/n1.json" --format xgboost-json -o "$T/x.json" --quiet || fail "predict/export"
    out=$($PY "$SB_ROOT/tests/integration/cat_check.py" xgb-parity --data "$T/te.csv" --model "$T/x.json" \
        --pred "$T/p.csv.gz" --levels-from "$T/tr.csv" --cat city,channel 2>&1) && pass "XGBoost export parity: $out" ||
        fail "XGBoost export parity: $out"
else echo "note: python3-xgboost missing: export parity skipped"; fi
out=$("$SB" export --model "$T/n1.json" --format lightgbm-text -o "$T/l.txt" 2>&1)
check "LightGBM text export refuses categorical splits, writes nothing" \
    bash -c "[ ! -e '$T/l.txt' ] && grep -q 'native categorical splits' <<< '$out'"

# hostile "categories": on a numeric feature, a code beyond the levels, a leaf
reseal() { # file python-expr-on-t: rewrite, recompute crc32
    $PY - "$1" "$2" "$3" <<'PYEOF'
import sys, zlib
t = open(sys.argv[1]).read()
t = eval(sys.argv[3])
body = t[:t.rfind('\n  "crc32": "') + 1]
open(sys.argv[2], "w").write(body + '  "crc32": "%08x"\n}\n' % zlib.crc32(body.encode()))
PYEOF
}
bad() { # what, model, message
    local out; out=$("$SB" dump --model "$2" --no-trees 2>&1)
    if [ $? -ne 0 ] && grep -q "$3" <<< "$out"; then pass "bad model: $1"; else fail "bad model: $1: $out"; fi
}
reseal "$T/n1.json" "$T/b1.json" "t.replace('\"categories\": [[0, [', '\"categories\": [[0, [200, ', 1)"
bad "code beyond the feature's levels" "$T/b1.json" "category code 200 but"
reseal "$T/n1.json" "$T/b2.json" "t.replace('\"categories\": [[', '\"categories\": [[99999, [1]], [', 1)"
bad "set on a node that does not exist" "$T/b2.json" "not a split node\|out of order"
reseal "$T/n1.json" "$T/b3.json" "t.replace('\"categories\": [[0, [', '\"categories\": [[0, [1000, ', 1)"
bad "code out of range" "$T/b3.json" "out of \[0, 256)"

# the keyword layout's device (3 fixed levels: one vs the rest) at np 1 and 3
KW="$SB_ROOT/tests/fixtures/keywords_small.csv"
if [ -f "$SB_DATA/sellics_keywords.csv.xz" ]; then xz -dc "$SB_DATA/sellics_keywords.csv.xz" | head -n 6001 > "$T/kw.csv"; KW="$T/kw.csv"; fi
sb_mpirun 1 train --data "$KW" --layout keywords --objective reg:squarederror $P --enable_categorical 1 --model "$T/k1.json" &&
    sb_mpirun 3 train --data "$KW" --layout keywords --objective reg:squarederror $P --enable_categorical 1 --model "$T/k3.json" ||
    fail "keywords train"
check "keywords, native device: identical bytes np 1 and 3" cmp -s "$T/k1.json" "$T/k3.json"
finish
