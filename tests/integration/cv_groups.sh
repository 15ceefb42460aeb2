#!/usr/bin/env bash
# cv_groups.sh - `shardboost cv` end to end on small generated keyword data:
# the leaderboard numbers and the refit model are identical for (np, G) in
# {(1,1), (2,1), (2,2), (3,3)}; the refit model equals a `train` run with the
# arguments summary.json lists; --resume reuses journaled points (a torn last
# line is ignored) and gives the same leaderboard; a journal without --resume
# is refused; --slice i/n + --merge-leaderboards equals the whole search; the
# two classic grid mistakes fail with file:line before any data is read.
. "$(dirname "$0")/../lib.sh"
GEN=${GEN_BIN:-$(dirname "$SB")}
FIX=$SB_ROOT/tests/fixtures/grids
T=$SB_TMP
[ -x "$GEN/gen_keywords" ] || { fail "gen_keywords not built"; finish; }
"$SB" cv --help 2>/dev/null | grep -q -- '--slice' || { fail "cv not built"; finish; }

"$GEN/gen_keywords" --rows 1500 --seed 11 -o "$T/kw.csv.gz"
sb_mpirun 2 ingest --layout keywords -o "$T/d.h5" "$T/kw.csv.gz" >/dev/null || { fail "setup: ingest failed"; finish; }
# Sampling (subsample, colsample) and early stopping on, so seeds and best rounds matter.
cat >"$T/grid.yaml" <<'YAML'
objective: reg:logistic
n_estimators: 12
subsample: 0.8
colsample_bytree: 0.7
seed: 5
max_depth: [2, 3]
learning_rate: [0.3, 0.9]
points:
  - {max_depth: 1, learning_rate: 0.5, min_child_weight: 5}
YAML
CV=(cv --data "$T/d.h5" --grid "$T/grid.yaml" --folds 3 --seed 9 --metric logloss --early-stopping-rounds 2)
# The leaderboard without fit_seconds (the last column, the only one that may differ).
numbers() { sed 's/,[^,]*$//' "$1"; }

for npg in 1:1 2:1 2:2 3:3; do
    np=${npg%:*} g=${npg#*:}
    sb_mpirun "$np" "${CV[@]}" --groups "$g" --out "$T/o$np$g" --refit "$T/o$np$g/model.json" >"$T/log$np$g" 2>&1
    check "np $np groups $g: cv exits 0" [ $? -eq 0 ]
done
check "leaderboard: 5 points, sorted by mean_logloss, mean and std agree with the fold columns" /usr/bin/python3 - "$T/o11/leaderboard.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
means = [float(r["mean_logloss"]) for r in rows]
ok = len(rows) == 5 and means == sorted(means)
for r in rows:
    f = [float(r["logloss_fold%d" % i]) for i in range(3)]
    m = sum(f) / 3
    ok &= abs(m - float(r["mean_logloss"])) < 1e-15 and abs(math.sqrt(sum((x - m) ** 2 for x in f) / 3) - float(r["std_logloss"])) < 1e-15
sys.exit(0 if ok else 1)
PY
check "grid size and trees to fit are printed first" \
    bash -c "head -1 '$T/log11' | grep -q 'cv: grid .*: 5 points (2 x 2 + 1 explicit), 3 folds, metric logloss -> up to 180 trees to fit (+ refit)'"
check "progress lines with ETA" grep -q 'cv: \[group 0/1\] point 4: .* ETA ' "$T/log11"
for npg in 21 22 33; do
    check "leaderboard numbers of (np,G)=(${npg:0:1},${npg:1:1}) = (1,1)" cmp -s <(numbers "$T/o$npg/leaderboard.csv") <(numbers "$T/o11/leaderboard.csv")
    check "refit model of (np,G)=(${npg:0:1},${npg:1:1}) = (1,1), byte for byte" cmp -s "$T/o$npg/model.json" "$T/o11/model.json"
done
check "early stopping gave some fold fewer than 12 rounds" \
    bash -c "tail -n +2 '$T/o11/leaderboard.csv' | cut -d, -f13-15 | tr , '\n' | grep -qv '^12$'"

# Refit = `train` with the arguments summary.json lists.
args=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["refit"]["train_args"])' "$T/o11/summary.json")
best=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["best"]["point"], d["best"]["best_round"], d["refit"]["n_estimators"])' "$T/o11/summary.json")
check "summary.json: best point = first leaderboard row; refit n_estimators = best_round" \
    bash -c "set -- $best; [ \"\$1\" = \"\$(sed -n 2p '$T/o11/leaderboard.csv' | cut -d, -f1)\" ] && [ \"\$2\" = \"\$3\" ]"
# shellcheck disable=SC2086 # args is a list of options
sb_mpirun 2 train --data "$T/d.h5" --model "$T/train.json" --quiet $args >"$T/train.log" 2>&1
check "refit model = train --data D $args (byte for byte)" cmp -s "$T/train.json" "$T/o11/model.json"

# Resume: keep 2 journaled points plus a torn line, rerun.
sb_mpirun 1 "${CV[@]}" --out "$T/o11" >"$T/refuse.log" 2>&1
check "a directory with journals is refused without --resume (exit 2)" [ $? -eq 2 ]
check "the refusal names --resume" grep -q 'add --resume' "$T/refuse.log"
mkdir -p "$T/res"
head -n 2 "$T/o11/journal-r00000.csv" >"$T/res/journal-r00000.csv"
printf '4,deadbeef,0.1,3,0.5' >>"$T/res/journal-r00000.csv"
sb_mpirun 2 "${CV[@]}" --groups 2 --out "$T/res" --resume >"$T/resume.log" 2>&1
check "--resume exits 0" [ $? -eq 0 ]
check "--resume reuses the 2 journaled points, ignores the torn line" grep -q 'resume: 2 finished points taken .* (1 other lines ignored)' "$T/resume.log"
check "--resume trains only the other 3 points" [ "$(grep -c '\] point ' "$T/resume.log")" -eq 3 ]
check "--resume leaderboard = uninterrupted leaderboard" cmp -s <(numbers "$T/res/leaderboard.csv") <(numbers "$T/o11/leaderboard.csv")

# Job-array slices and the merge.
for i in 0 1; do sb_mpirun 1 "${CV[@]}" --slice "$i/2" --out "$T/s/slice-$i" >/dev/null 2>&1 || fail "slice $i/2 failed"; done
check "slice 0/2 has points 0, 2, 4" [ "$(tail -n +2 "$T/s/slice-0/leaderboard.csv" | cut -d, -f1 | sort | tr '\n' ' ')" = "0 2 4 " ]
sb_mpirun 1 cv --merge-leaderboards "$T/merged.csv" "$T/s/slice-0/leaderboard.csv" "$T/s/slice-1/leaderboard.csv" >/dev/null 2>&1
check "merged slices = the whole search" cmp -s <(numbers "$T/merged.csv") <(numbers "$T/o11/leaderboard.csv")
sb_mpirun 1 cv --merge-leaderboards "$T/twice.csv" "$T/s/slice-0/leaderboard.csv" "$T/s/slice-0/leaderboard.csv" >"$T/twice.log" 2>&1
check "merging a slice twice is an error" bash -c "[ $? -ne 0 ] && grep -q 'is in two of the leaderboards' '$T/twice.log' && [ ! -e '$T/twice.csv' ]"
if [ -x "$SB_ROOT/slurm/merge-leaderboards.sh" ] || [ -f "$SB_ROOT/slurm/merge-leaderboards.sh" ]; then
    bash "$SB_ROOT/slurm/merge-leaderboards.sh" "$T/s" --expect 2 >/dev/null 2>&1
    check "slurm/merge-leaderboards.sh on the slices = the whole search" cmp -s <(numbers "$T/s/leaderboard.csv") <(numbers "$T/o11/leaderboard.csv")
fi

# The classic grid mistakes: precise file:line, exit 2, before the (missing) data is read.
sb_mpirun 2 cv --data "$T/none.h5" --grid "$FIX/typo_reg_ramma.yaml" --out "$T/e1" >"$T/e1.log" 2>&1
check "reg_ramma: exit 2" [ $? -eq 2 ]
check "reg_ramma: 'typo_reg_ramma.yaml:6: unknown parameter ... did you mean'" \
    grep -q "typo_reg_ramma.yaml:6: unknown parameter 'reg_ramma'; did you mean 'reg_lambda'?" "$T/e1.log"
sb_mpirun 2 cv --data "$T/none.h5" --grid "$FIX/colsample_1_1.yaml" --out "$T/e2" >"$T/e2.log" 2>&1
check "colsample_bytree 1.1: exit 2 with 'colsample_1_1.yaml:7: ... out of range (0, 1]'" \
    bash -c "[ $? -eq 2 ] && grep -q \"colsample_1_1.yaml:7: parameter 'colsample_bytree' = 1.1 out of range (0, 1]\" '$T/e2.log'"
check "no output directory for a bad grid" bash -c "[ ! -e '$T/e1' ] && [ ! -e '$T/e2' ]"
sb_mpirun 2 cv --data "$T/d.h5" --grid "$FIX/bad_syntax.yaml" --out "$T/e3" >"$T/e3.log" 2>&1
check "YAML syntax error: libyaml's message with the line" grep -q "bad_syntax.yaml:3: YAML syntax: did not find expected ',' or ']'" "$T/e3.log"
sb_mpirun 2 "${CV[@]}" --groups 3 --out "$T/e4" >"$T/e4.log" 2>&1
check "--groups 3 on 2 ranks: usage error" bash -c "[ $? -eq 2 ] && grep -q 'more groups than the 2 ranks' '$T/e4.log'"
finish
