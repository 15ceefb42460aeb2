#!/usr/bin/env bash
# train_errors.sh - user errors end every rank promptly with a precise message:
# misspelt parameter (did you mean), out-of-range value, labels the objective
# cannot take (file row), corrupt model for dump; and dump prints trees.
. "$(dirname "$0")/../lib.sh"
GEN=$(dirname "$SB")/gen_forms
[ -x "$GEN" ] || { fail "gen_forms not built ($GEN)"; finish; }
T=$SB_TMP
"$GEN" --rows 2000 --seed 5 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }

out=$(sb_mpirun 2 train --data "$T/f.csv" --layout forms --model "$T/m.json" --reg_lamda 1 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "did you mean 'reg_lambda'" <<<"$out" && pass "misspelt parameter: exit 2 + suggestion" \
    || { fail "misspelt parameter (rc=$rc)"; echo "$out" | tail -3; }
out=$(sb_mpirun 2 train --data "$T/f.csv" --layout forms --model "$T/m.json" --param colsample_bytree=1.5 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "out of range" <<<"$out" && pass "out-of-range value: exit 2" || fail "out-of-range value (rc=$rc)"
# forms rates can exceed 1 (submissions > views): logistic must refuse them, naming the row
"$GEN" --rows 3000 --seed 6 --over-views 0.05 -o "$T/over.csv" >/dev/null
out=$(sb_mpirun 3 train --data "$T/over.csv" --layout forms --model "$T/m.json" --objective reg:logistic 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "not valid for reg:logistic" <<<"$out" && pass "bad labels for logistic: exit 1, row named" \
    || { fail "bad labels for logistic (rc=$rc)"; echo "$out" | tail -3; }
[ ! -e "$T/m.json" ] && pass "no model file left after failures" || fail "a model file was left behind"

sb_mpirun 2 train --data "$T/f.csv" --layout forms --model "$T/ok.json" --quiet --n_estimators 3 || fail "train"
out=$(sb_mpirun 1 dump --model "$T/ok.json"); rc=$?
[ "$rc" = 0 ] && grep -q "^booster\[2\]:" <<<"$out" && grep -q "leaf=" <<<"$out" && pass "dump prints the trees" || fail "dump"
out=$(sb_mpirun 1 dump --model "$T/ok.json" --importance --no-trees); rc=$?
[ "$rc" = 0 ] && grep -q "^importance" <<<"$out" && ! grep -q "^booster" <<<"$out" && pass "dump --importance --no-trees" || fail "dump --importance"
sed 's/"eta": "0.29999999999999999"/"eta": "0.39999999999999999"/' "$T/ok.json" > "$T/bad.json"
out=$(sb_mpirun 2 dump --model "$T/bad.json" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "corrupt model file" <<<"$out" && pass "edited model rejected (crc32)" || fail "edited model (rc=$rc)"
head -c 2000 "$T/ok.json" > "$T/trunc.json"
out=$(sb_mpirun 2 dump --model "$T/trunc.json" 2>&1); rc=$?
[ "$rc" != 0 ] && grep -q "truncated" <<<"$out" && pass "truncated model rejected" || fail "truncated model (rc=$rc)"
finish
