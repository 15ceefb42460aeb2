#!/usr/bin/env bash
# categorical.sh - native categorical splits (enable_categorical=1, issue 16 s.1):
#   identical model bytes at np 1, 2, 3 (generated high-cardinality data and the keyword
#   layout's device); the model file carries per-tree "categories" only when it has such
#   splits; predict from the file = training's valid metric; dump shows `city in {..}`;
#   the unseen-level policy (an unseen level scores as missing); XGBoost 1.7 parity of the
#   XGBoost JSON export; LightGBM text export refused; hostile "categories" refused;
#   categorical_feature (integer codes made categorical: np 1/3 bytes, CSV vs HDF5 predict, bad codes refused).
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

# categorical_feature: a numeric column of integer codes made categorical at training
cat > "$T/gen_codes.py" <<'PYEOF'
import sys
import numpy as np
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
eff = np.random.default_rng(7).normal(0, 1, 30)  # code effects, unrelated to the codes' order
r = np.random.default_rng(seed)
code, x1 = r.integers(0, 30, n), r.uniform(-2, 2, n)
y = eff[code] + 0.5 * np.sin(2 * x1) + r.normal(0, 0.3, n)
miss = r.random(n) < 0.03
with open(out, "w") as f:
    f.write("id,code,x1,y\n")
    for i in range(n):
        f.write("%d,%s,%.5f,%.5f\n" % (i, "" if miss[i] else str(code[i]), x1[i], y[i]))
PYEOF
$PY "$T/gen_codes.py" 3000 1 "$T/ctr.csv" && $PY "$T/gen_codes.py" 1000 2 "$T/cte.csv" || fail "generate codes"
printf 'ids: [id]\nlabel: y\n' > "$T/c.yaml"
C="--layout csv --schema $T/c.yaml"
Q="--n_estimators 10 --max_depth 4 --quiet --min_data_per_group 20 --cat_smooth 5"
ok=1
for np in 1 3; do
    sb_mpirun "$np" train --data "$T/ctr.csv" $C --valid "$T/cte.csv" $Q categorical_feature=code --model "$T/cf$np.json" ||
        { ok=0; echo "np=$np failed"; }
done
check "categorical_feature=code: identical model bytes np 1 and 3" bash -c "[ $ok = 1 ] && cmp -s '$T/cf1.json' '$T/cf3.json'"
check "categorical_feature: levels \"0\"..\"29\", level sets, enable_categorical implied" bash -c \
    "grep -q '\"levels\": \[\"0\", \"1\", \"2\",' '$T/cf1.json' && grep -q '\"categories\": \[\[' '$T/cf1.json' &&
     grep -q '\"enable_categorical\": \"1\", \"categorical_feature\": \"code\"' '$T/cf1.json'"
check "dump shows code sets" bash -c "'$SB' dump --model '$T/cf1.json' --tree 0 | grep -q 'code in {[0-9]'"
sb_mpirun 2 ingest $C -o "$T/ctr.h5" "$T/ctr.csv" >/dev/null && sb_mpirun 2 ingest $C -o "$T/cte.h5" "$T/cte.csv" >/dev/null ||
    fail "ingest codes"
sb_mpirun 3 train --data "$T/ctr.h5" --valid "$T/cte.h5" $Q cat_feature=0 --model "$T/cfh.json" || fail "train h5 by index"
check "from the ingested file by index (alias cat_feature): the same trees" $PY -c "
import json, sys
a, b = (json.load(open(p)) for p in ('$T/cf1.json', '$T/cfh.json'))
sys.exit(a['features'] != b['features'] or a['trees'] != b['trees'])"
for d in cte.csv cte.h5; do
    sb_mpirun 2 predict --model "$T/cf1.json" --data "$T/$d" $C --out "$T/cp_$d" --merge "$T/cp_$d.csv.gz" --quiet \
        --overwrite || fail "predict $d"
done
check "predict on the CSV = predict on the ingested HDF5 (numeric column, codes as values)" \
    cmp -s <(zcat "$T/cp_cte.csv.csv.gz") <(zcat "$T/cp_cte.h5.csv.gz")
re=$(sb_mpirun 2 evaluate --model "$T/cf1.json" --data "$T/cte.h5" 2>/dev/null | sed -n 's/.*"rmse":\([0-9.e-]*\).*/\1/p' | head -1)
last=$($PY -c "import json; print(repr(json.load(open('$T/cf1.json'))['training']['valid_metric'][-1]))")
check "evaluate on the HDF5 ($re) = training's last valid rmse ($last)" \
    $PY -c "import sys; sys.exit(abs(float('$re') - float('$last')) > 1e-12)"
if $PY -c 'import xgboost' 2>/dev/null; then # the export: XGBoost 1.7 scores the codes as categories
    "$SB" export --model "$T/cf1.json" --format xgboost-json -o "$T/cfx.json" --quiet || fail "export codes"
    out=$($PY - "$T/cte.csv" "$T/cfx.json" "$T/cp_cte.csv.csv.gz" 2>&1 <<'PYEOF'
import csv, gzip, sys
import numpy as np
import xgboost as xgb
rows = list(csv.DictReader(open(sys.argv[1])))
X = np.array([[float(r["code"]) if r["code"] else np.nan, float(r["x1"])] for r in rows], dtype=np.float32)
d = xgb.DMatrix(X, feature_names=["code", "x1"], feature_types=["c", "q"], enable_categorical=True)
p = xgb.Booster(model_file=sys.argv[2]).predict(d)
q = np.array([float(r["prediction"]) for r in csv.DictReader(gzip.open(sys.argv[3], "rt"))])
diff = float(np.abs(p - q).max())
print("%d rows, max abs diff %.3g" % (len(p), diff))
sys.exit(not (len(p) == len(q) and diff < 1e-5))
PYEOF
) && pass "categorical_feature: XGBoost export parity: $out" || fail "categorical_feature: XGBoost export parity: $out"
fi
# a code beyond the model's levels (40) and 2.5 score as missing
head -n 1 "$T/cte.csv" > "$T/cu.csv"
sed -n '2,11p' "$T/cte.csv" | awk -F, 'BEGIN{OFS=","} { $2 = ""; print; $2 = "40"; print; $2 = "2.5"; print }' >> "$T/cu.csv"
sb_mpirun 1 predict --model "$T/cf1.json" --data "$T/cu.csv" $C --out "$T/cup" --merge "$T/cup.csv.gz" --quiet --overwrite ||
    fail "predict unseen codes"
check "a value that is no code of the model (40, 2.5) scores as missing" $PY -c "
import gzip, csv, sys
p = [float(x['prediction']) for x in csv.DictReader(gzip.open('$T/cup.csv.gz', 'rt'))]
sys.exit(len(p) != 30 or any(p[i] != p[i + 1] or p[i] != p[i + 2] for i in range(0, 30, 3)))"
refused() { # np, what, message, train args...
    local np=$1 what=$2 msg=$3; shift 3
    rm -f "$T/cbad.json"
    local out; out=$(sb_mpirun "$np" train $C $Q --model "$T/cbad.json" "$@" 2>&1)
    if [ $? -ne 0 ] && [ ! -e "$T/cbad.json" ] && grep -q "$msg" <<< "$out"; then pass "refused: $what"
    else fail "refused: $what: $out"; fi
}
for v in 2.5:3 -1:1 300:2; do # value:np
    awk -F, -v v="${v%:*}" 'BEGIN{OFS=","} NR == 2001 { $2 = v } { print }' "$T/ctr.csv" > "$T/cbad.csv"
    refused "${v#*:}" "code ${v%:*} (naming column and row)" "feature 'code' has a value that is no category code at data row 2000" \
        --data "$T/cbad.csv" categorical_feature=code
done
refused 1 "unknown name" "parameter 'categorical_feature': no feature named 'nope'" --data "$T/ctr.csv" categorical_column=nope
# an index out of range and a column categorical already: tests/test_cat_feature.c

# the keyword layout's device (3 fixed levels: one vs the rest) at np 1 and 3
KW="$SB_ROOT/tests/fixtures/keywords_small.csv"
if [ -f "$SB_DATA/sellics_keywords.csv.xz" ]; then xz -dc "$SB_DATA/sellics_keywords.csv.xz" | head -n 6001 > "$T/kw.csv"; KW="$T/kw.csv"; fi
sb_mpirun 1 train --data "$KW" --layout keywords --objective reg:squarederror $P --enable_categorical 1 --model "$T/k1.json" &&
    sb_mpirun 3 train --data "$KW" --layout keywords --objective reg:squarederror $P --enable_categorical 1 --model "$T/k3.json" ||
    fail "keywords train"
check "keywords, native device: identical bytes np 1 and 3" cmp -s "$T/k1.json" "$T/k3.json"
finish
