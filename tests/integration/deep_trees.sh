#!/usr/bin/env bash
# deep_trees.sh - what users' grids contain (issue 16 §5): max_depth far above
# the old limit of 63 (the tree stops where the data, min_child_weight and the
# engine's leaf limit stop it; prediction walks nodes past the complete-tree
# layouts), byte-identical at np 1, 2, 3 in train and in a cv grid; bare
# key=value arguments as XGBoost's and LightGBM's CLIs take them.
. "$(dirname "$0")/../lib.sh"
GEN=$(dirname "$SB")/gen_forms
PY=/usr/bin/python3
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
T=$SB_TMP
"$GEN" --rows 3000 --seed 3 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }

ok=1
for np in 1 2 3; do
    sb_mpirun "$np" train --data "$T/f.csv" --layout forms --quiet --model "$T/d$np.json" \
        n_estimators=2 max_depth=500 min_child_weight=0 || { ok=0; echo "np=$np failed"; }
done
for np in 2 3; do cmp -s "$T/d1.json" "$T/d$np.json" || { ok=0; echo "np=$np differs"; }; done
[ "$ok" = 1 ] && pass "max_depth=500: identical model bytes for np 1,2,3" || fail "max_depth=500 np 1,2,3"
depth=$($PY -c '
import json, sys
best = 0
for t in json.load(open(sys.argv[1]))["trees"]:
    n = t["nodes"]; d = [0] * len(n)
    for i, r in enumerate(n):
        if r[0] >= 0: d[r[1]] = d[r[2]] = d[i] + 1
    best = max(best, max(d))
print(best)' "$T/d1.json")
# deeper than the engine's complete-depth limit (20) and the predict layout (10)
[ "${depth:-0}" -gt 20 ] && pass "max_depth=500 grows a tree of depth $depth" || fail "depth ${depth:-?} not above 20"
sb_mpirun 2 predict --model "$T/d1.json" --data "$T/f.csv" --out "$T/pd" --merge "$T/pd.csv.gz" -q \
    && [ "$(zcat "$T/pd.csv.gz" | wc -l)" -eq 3001 ] && pass "predict with the deep model" || fail "predict with the deep model"

printf 'n_estimators: 3\nmin_child_weight: 0\nmax_depth: [3, 100, 500]\n' > "$T/g.yaml"
ok=1
for np in 1 2 3; do
    sb_mpirun "$np" cv --data "$T/f.csv" --layout forms --grid "$T/g.yaml" --folds 2 --out "$T/cv$np" -q \
        || { ok=0; echo "cv np=$np failed"; }
done
board() { sed 's/,[^,]*$//' "$1/leaderboard.csv"; } # all but the last column (seconds)
for np in 2 3; do [ "$(board "$T/cv1")" = "$(board "$T/cv$np")" ] || { ok=0; echo "cv np=$np differs"; }; done
[ "$ok" = 1 ] && [ "$(grep -c . "$T/cv1/leaderboard.csv")" -eq 4 ] && pass "cv grid max_depth [3, 100, 500]: same leaderboard at np 1,2,3" \
    || fail "cv grid with max_depth 500"

# bare key=value = --key value = --param key=value (same bytes); a bad bare key is named
sb_mpirun 2 train --data "$T/f.csv" --layout forms -q --model "$T/kv1.json" eta=0.2 max_depth=3 n_estimators=4 \
    && sb_mpirun 2 train --data "$T/f.csv" --layout forms -q --model "$T/kv2.json" --eta 0.2 --param max_depth=3 \
        --n_estimators=4 && cmp -s "$T/kv1.json" "$T/kv2.json" && pass "bare key=value = --key value = --param" \
    || fail "bare key=value"
if sb_mpirun 1 train --data "$T/f.csv" --layout forms -q --model "$T/kv3.json" max_dept=3 > "$T/kv.log" 2>&1; then
    fail "bare unknown key accepted"
else grep -q "unknown parameter 'max_dept'; did you mean 'max_depth'" "$T/kv.log" && [ ! -e "$T/kv3.json" ] \
    && pass "bare unknown key: did you mean" || fail "bare unknown key message"; fi
sb_mpirun 2 cv --data "$T/f.csv" --layout forms --grid "$T/g.yaml" --folds 2 --out "$T/cvkv" -q eta=0.5 \
    && [ "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1])).get("grid_points", 3))' "$T/cvkv/summary.json" 2>/dev/null)" != "" ] \
    && ! cmp -s "$T/cv1/leaderboard.csv" "$T/cvkv/leaderboard.csv" && pass "cv takes bare key=value (base parameter)" \
    || fail "cv bare key=value"
finish
