#!/usr/bin/env bash
# predict_outputs.sh - `shardboost predict` / `evaluate` end to end on keyword data:
# part files + merged file for np 1, 2, 3 decompress to the same bytes; _SUCCESS last;
# the keyword contract header, device names and input order; printed numbers are
# shortest round-trip (Python repr); refuse / --overwrite; model/data mismatch errors
# leave no output; evaluate equals training's own metric bit for bit on any np.
. "$(dirname "$0")/../lib.sh"
GEN=${GEN_BIN:-$(dirname "$SB")}
PY=${PYTHON:-/usr/bin/python3}
T=$SB_TMP
[ -x "$GEN/gen_keywords" ] || { fail "gen_keywords not built"; finish; }
"$SB" train --help >/dev/null 2>&1 || { fail "train --help fails"; finish; }

"$GEN/gen_keywords" --rows 4000 --seed 3 -o "$T/kw_train.csv.gz"
"$GEN/gen_keywords" --rows 3001 --seed 4 --zero-clicks 0.01 -o "$T/kw_batch.csv.gz"
sb_mpirun 2 ingest --layout keywords -o "$T/train.h5" "$T/kw_train.csv.gz" >/dev/null &&
    sb_mpirun 2 ingest --layout keywords -o "$T/batch.h5" "$T/kw_batch.csv.gz" >/dev/null &&
    sb_mpirun 2 train --data "$T/train.h5" --model "$T/model.json" --objective reg:logistic \
        --n_estimators 15 --max_depth 4 --learning_rate 0.3 --seed 5 >/dev/null ||
    { fail "setup: ingest/train failed"; finish; }

# Rows of a part file without its header line.
body() { zcat "$1" | tail -n +2; }

for np in 1 2 3; do
    sb_mpirun "$np" predict --model "$T/model.json" --data "$T/batch.h5" --out "$T/p$np" \
        --merge "$T/m$np.csv.gz" --gzip-level $((np * 3 - 2)) >"$T/log$np" 2>&1
    check "np $np: predict exits 0" [ $? -eq 0 ]
    check "np $np: $np part files and a _SUCCESS naming the model and its crc32" \
        bash -c "[ \$(ls '$T/p$np'/part-*.csv.gz | wc -l) -eq $np ] && grep -q '^model_crc32=[0-9a-f]\{8\}\$' '$T/p$np/_SUCCESS' && grep -q '^model=' '$T/p$np/_SUCCESS'"
    check "np $np: no temporary names left" bash -c "! ls -A '$T/p$np' | grep -q tmp && [ ! -e '$T/m$np.csv.gz.tmp' ]"
    ok=1
    for p in "$T/p$np"/part-*.csv.gz; do [ "$(zcat "$p" | head -1)" = "entity_id,device,cr" ] || ok=0; done
    check "np $np: every part starts with the header entity_id,device,cr" [ $ok -eq 1 ]
    { echo "entity_id,device,cr"; for p in "$T/p$np"/part-*.csv.gz; do body "$p"; done; } >"$T/cat$np.csv"
    check "np $np: merged file is valid gzip" gzip -t "$T/m$np.csv.gz"
    check "np $np: merged file = header + parts in rank order" cmp -s <(zcat "$T/m$np.csv.gz") "$T/cat$np.csv"
done
check "parts of np 2 = parts of np 1 (bit-identical predictions)" cmp -s "$T/cat2.csv" "$T/cat1.csv"
check "parts of np 3 = parts of np 1 (bit-identical predictions)" cmp -s "$T/cat3.csv" "$T/cat1.csv"

# Straight from the csv.gz (rows with Clicks == 0 are scored too: no label needed).
sb_mpirun 2 predict --model "$T/model.json" --data "$T/kw_batch.csv.gz" --out "$T/pcsv" >/dev/null 2>&1
check "predict from csv.gz exits 0" [ -f "$T/pcsv/_SUCCESS" ]
{ for p in "$T/pcsv"/part-*.csv.gz; do body "$p"; done; } >"$T/csv_rows.csv"
check "csv input: one line per input row, in input order (entity_id, device)" \
    cmp -s <(cut -d, -f1,2 "$T/csv_rows.csv") <(zcat "$T/kw_batch.csv.gz" | tail -n +2 | cut -d, -f1,162 | tr -d '"')
check "predictions of the same rows from .h5 and from csv.gz agree" "$PY" - "$T/cat1.csv" "$T/csv_rows.csv" <<'PYEOF'
import sys
h5 = [l.rstrip("\n") for l in open(sys.argv[1])][1:]
csv = {}
for l in open(sys.argv[2]):
    csv.setdefault(l.rsplit(",", 1)[0], set()).add(l.rstrip("\n"))
sys.exit(0 if all(l in csv.get(l.rsplit(",", 1)[0], ()) for l in h5) and len(h5) > 2900 else 1)
PYEOF
check "device names are Computer/Smartphone/Tablet; cr in [0,1]; numbers are Python's repr" "$PY" - "$T/csv_rows.csv" <<'PYEOF'
import sys
for line in open(sys.argv[1]):
    e, d, cr = line.rstrip("\n").split(",")
    int(e)
    v = float(cr)
    if d not in ("Computer", "Smartphone", "Tablet") or not 0 <= v <= 1 or repr(v) != cr:
        print("bad line:", line); sys.exit(1)
PYEOF

# Refuse an existing output; --overwrite replaces exactly our files.
before=$(md5sum "$T/p2"/part-* | md5sum)
sb_mpirun 2 predict --model "$T/model.json" --data "$T/batch.h5" --out "$T/p2" >"$T/refuse.log" 2>&1
rc=$?
check "existing output without --overwrite is refused (rc != 0, names --overwrite)" \
    bash -c "[ $rc -ne 0 ] && grep -q -- '--overwrite' '$T/refuse.log'"
check "refused run left the old output untouched" [ "$(md5sum "$T/p2"/part-* | md5sum)" = "$before" ]
touch "$T/p3/keep.txt"
sb_mpirun 2 predict --model "$T/model.json" --data "$T/batch.h5" --out "$T/p3" --overwrite >/dev/null 2>&1
check "--overwrite from np 3 to np 2: 2 parts, stale part-00002 gone, other files kept" \
    bash -c "[ \$(ls '$T/p3'/part-*.csv.gz | wc -l) -eq 2 ] && [ -f '$T/p3/_SUCCESS' ] && [ -f '$T/p3/keep.txt' ]"

# Model/data mismatch: a clear error, and no output at all.
mismatch() { # what, expected message regex, predict args...
    local what=$1 re=$2; shift 2
    sb_mpirun 2 predict --out "$T/bad" "$@" >"$T/bad.log" 2>&1
    local rc=$?
    check "$what: rc != 0, message matches '$re', no output" \
        bash -c "[ $rc -ne 0 ] && grep -Eiq -- '$re' '$T/bad.log' && [ ! -e '$T/bad' ]"
    [ $rc -ne 0 ] && grep -Eiq -- "$re" "$T/bad.log" || sed 's/^/    /' "$T/bad.log" | head -5
}
"$PY" -c "
b = bytearray(open('$T/model.json', 'rb').read()); i = len(b) // 2
while not chr(b[i]).isdigit(): i += 1
b[i] = ord('7') if b[i] != ord('7') else ord('3'); open('$T/corrupt.json', 'wb').write(b)"
mismatch "corrupt model (one digit changed)" "crc|corrupt" --model "$T/corrupt.json" --data "$T/batch.h5"
head -c $(($(stat -c %s "$T/model.json") / 2)) "$T/model.json" >"$T/trunc.json"
mismatch "truncated model" "truncat|corrupt|crc|json" --model "$T/trunc.json" --data "$T/batch.h5"
sed 's/"version": *1/"version": 99/' "$T/model.json" >"$T/v99.json"
mismatch "wrong model version" "version|crc" --model "$T/v99.json" --data "$T/batch.h5"
mismatch "missing model file" "model|no such" --model "$T/nope.json" --data "$T/batch.h5"
"$GEN/gen_forms" --rows 300 --seed 9 -o "$T/forms.csv"
sb_mpirun 2 ingest --layout forms -o "$T/forms.h5" "$T/forms.csv" >/dev/null 2>&1
mismatch "forms data with a keywords model" "layout" --model "$T/model.json" --data "$T/forms.h5"
zcat "$T/kw_batch.csv.gz" | cut -d, -f1-4,6- | gzip -1 >"$T/no_att4.csv.gz"
mismatch "keyword csv without column att4" "no_att4.csv.gz" --model "$T/model.json" --data "$T/no_att4.csv.gz"

# evaluate: one JSON line + table; equal to training's own metric, bit for bit, any np.
for np in 1 3; do
    sb_mpirun "$np" evaluate --model "$T/model.json" --data "$T/train.h5" >"$T/ev$np.txt" 2>"$T/ev$np.err"
    check "evaluate np $np exits 0" [ $? -eq 0 ]
done
check "evaluate prints identical numbers for np 1 and 3" cmp -s "$T/ev1.txt" "$T/ev3.txt"
check "evaluate on the training data = the model's recorded final train metric (bit for bit)" \
    "$PY" - "$T/model.json" "$T/ev1.txt" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
ev = json.loads(open(sys.argv[2]).readline())
tr = m["training"]
name = tr["metric"]
want = tr["train_metric"][-1]
got = ev["weighted" if tr.get("weighted", 1) else "unweighted"][name]
print("metric", name, "model", repr(want), "evaluate", repr(got))
sys.exit(0 if got == want and len(m["trees"]) == len(tr["train_metric"]) else 1)
PYEOF
# The .h5 file is streamed block by block, the CSV parsed whole: the same numbers.
sb_mpirun 2 evaluate --model "$T/model.json" --data "$T/kw_train.csv.gz" >"$T/evcsv.txt" 2>"$T/evcsv.err"
check "evaluate on the CSV (parsed whole) = on the ingested file (streamed), every metric" "$PY" -c "
import json
a, b = (json.loads(open(f).readline()) for f in ('$T/ev1.txt', '$T/evcsv.txt'))
assert a['rows'] == b['rows'] and all(a[w] == b[w] for w in ('weighted', 'unweighted')), (a, b)"
check "evaluate JSON has mse, rmse, mae, logloss weighted and unweighted" "$PY" -c "
import json; e = json.loads(open('$T/ev1.txt').readline())
assert all(isinstance(e[w][k], float) for w in ('weighted', 'unweighted') for k in ('mse', 'rmse', 'mae', 'logloss'))
assert e['weighted']['rmse'] ** 2 - e['weighted']['mse'] < 1e-12 and e['rows'] > 3900"
finish
