#!/usr/bin/env bash
# train_invariance.sh - the determinism contract: byte-identical model files for
# np = 1, 2, 3, 4 (4 oversubscribed) and run to run; CSV input (uneven byte-range
# shards) and HDF5 input; more ranks than rows (empty shards); validation with
# early stopping; lossguide with row/feature sampling; poisson; fewer features than
# ranks (feature blocks of the reduce-scatter left empty); real keyword data.
. "$(dirname "$0")/../lib.sh"
GEN=$(dirname "$SB")/gen_forms
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
T=$SB_TMP
"$GEN" --rows 12000 --seed 3 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
head -n 9000 "$T/f.csv" > "$T/tr.csv"; tail -n 3000 "$T/f.csv" > "$T/va.csv"
COMMON="--layout forms --quiet --n_estimators 12 --max_depth 5 --eta 0.3"

same_for_np() { # what, then args; trains at np 1..4 and compares bytes
    local what=$1; shift
    local ok=1
    for np in 1 2 3 4; do
        sb_mpirun "$np" train "$@" --model "$T/m$np.json" || { ok=0; echo "np=$np failed"; }
    done
    for np in 2 3 4; do cmp -s "$T/m1.json" "$T/m$np.json" || { ok=0; echo "np=$np differs from np=1"; }; done
    [ "$ok" = 1 ] && pass "$what: identical model bytes for np 1,2,3,4" || fail "$what: np 1,2,3,4"
}

same_for_np "forms csv" --data "$T/tr.csv" $COMMON
cp "$T/m1.json" "$T/ref.json"
sb_mpirun 2 train --data "$T/tr.csv" $COMMON --model "$T/again.json" && cmp -s "$T/ref.json" "$T/again.json" \
    && pass "run to run identical (np 2)" || fail "run to run identical"

if sb_mpirun 2 ingest -q --layout forms -o "$T/tr.h5" "$T/tr.csv"; then
    sb_mpirun 3 train --data "$T/tr.h5" $COMMON --model "$T/h5.json" && cmp -s "$T/ref.json" "$T/h5.json" \
        && pass "HDF5 input (np 3) = CSV input (np 1)" || fail "HDF5 input = CSV input"
else fail "ingest for the HDF5 case"; fi

same_for_np "valid + early stopping" --data "$T/tr.csv" --valid "$T/va.csv" $COMMON --early-stopping-rounds 3 --n_estimators 60 --eta 0.8
grep -q '"valid_metric": \[' "$T/m1.json" && pass "valid metrics recorded" || fail "valid metrics recorded"

same_for_np "lossguide+subsample+colsample" --data "$T/tr.csv" $COMMON --grow_policy lossguide --max_leaves 9 --subsample 0.7 --colsample_bytree 0.6 --seed 11
same_for_np "absoluteerror (median leaves)" --data "$T/tr.csv" $COMMON --objective reg:absoluteerror
same_for_np "poisson, l1/l2, gamma" --data "$T/tr.csv" $COMMON --objective count:poisson --alpha 0.5 --lambda 2 --gamma 0.1 --min_child_weight 5

head -n 3 "$T/tr.csv" > "$T/tiny.csv"
same_for_np "3 rows (empty shards at np 4)" --data "$T/tiny.csv" --layout forms --quiet --n_estimators 3 --min_child_weight 0

# Two features: histograms are reduce-scattered by feature blocks, so at np 3 and 4
# some ranks own no feature and propose no split.
printf 'ids: [id]\nnumerator: sold\ndenominator: shown\nlabel_name: rate\ncategorical: [color]\n' > "$T/two.yaml"
awk 'BEGIN { print "id,color,price,sold,shown"; split("red green blue", c, " ");
             for (i = 1; i <= 3000; ++i) printf "%d,%s,%d.%d,%d,%d\n", i, c[i % 3 + 1], i % 37, i % 10, i % 5, 4 + i % 7 }' > "$T/two.csv"
same_for_np "2 features (ranks without a feature block at np 3, 4)" --data "$T/two.csv" --layout csv --schema "$T/two.yaml" \
    --quiet --n_estimators 5 --max_depth 4 --min_child_weight 0

if [ -f "$SB_DATA/sellics_keywords.csv.xz" ]; then
    xz -dc "$SB_DATA/sellics_keywords.csv.xz" | head -n 15001 > "$T/kw.csv"
    same_for_np "keywords (real data, 15k rows)" --data "$T/kw.csv" --layout keywords --quiet --n_estimators 8 --max_depth 6
else echo "note: $SB_DATA/sellics_keywords.csv.xz missing, keyword case skipped"; fi
finish
