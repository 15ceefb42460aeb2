#!/usr/bin/env bash
# monitoring.sh - drift, metrics, Pushgateway and webhook end to end (issue 19):
# the training reference is the same bytes at np 1/2/3; scoring data with two
# features shifted and one made all-missing names exactly those three in
# _drift.json, identical at np 1 and 3, while fresh data from the same
# generator names none; a model without a reference skips drift with a note;
# every metrics file passes `promtool check metrics`; a 2-rank predict pushes
# to a real prometheus-pushgateway on 127.0.0.1 and a later failed run keeps
# the last success; webhook bodies ({"text"}) on failure, major drift and
# opted-in success, and a webhook that is down does not fail the job;
# evaluate --model A --model B prints the same numbers at np 1 and 3.
. "$(dirname "$0")/../lib.sh"
GEN=${GEN_BIN:-$(dirname "$SB")}
PY=${PYTHON:-/usr/bin/python3}
T=$SB_TMP
[ -x "$GEN/gen_forms" ] || { fail "gen_forms not built"; finish; }
command -v promtool >/dev/null || skip "promtool missing (make deps installs prometheus)"
command -v prometheus-pushgateway >/dev/null || skip "prometheus-pushgateway missing (make deps)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$SB_TMP"; }
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

"$GEN/gen_forms" --rows 6000 --seed 21 -o "$T/train.csv"
"$GEN/gen_forms" --rows 6000 --seed 22 -o "$T/fresh.csv"
TRAIN=(train --data "$T/train.csv" --layout forms --n_estimators 10 --max_depth 4 --learning_rate 0.3 --seed 3 -q)
for np in 1 2 3; do
    sb_mpirun "$np" "${TRAIN[@]}" --model "$T/m$np.json" --metrics-file "$T/train$np.prom" >/dev/null 2>&1 ||
        fail "np $np: train failed"
done
cp "$T/m1.json" "$T/forms.json"
check "train: the model carries a reference" grep -q '"reference": {"weight_scale": 65536' "$T/m1.json"
check "train: model bytes (reference included) equal at np 1, 2, 3" \
    bash -c "cmp -s '$T/m1.json' '$T/m2.json' && cmp -s '$T/m1.json' '$T/m3.json'"
check "train: promtool accepts the metrics file" promtool check metrics <"$T/train1.prom"
check "train: metrics file has duration, success time, rows, train metric" \
    bash -c "grep -q '^shardboost_job_duration_seconds{job=\"train\",model=\"m1\",model_version=\"' '$T/train1.prom' &&
             grep -q '^shardboost_job_last_success_timestamp_seconds{' '$T/train1.prom' &&
             grep -q '^shardboost_job_rows{.*} ' '$T/train1.prom' && grep -q '^shardboost_train_metric{.*metric=\"rmse\"}' '$T/train1.prom'"

# --- drift: f21 shifted out of range, f27 tripled, f22 all missing ---------------------
awk -F, 'BEGIN { OFS = "," } {
    n = split($4, a, "-"); sub(/\)$/, "", a[n])
    a[22] = a[22] + 5; a[28] = a[28] * 3; a[23] = "NaN"
    s = a[1]; for (i = 2; i <= n; i++) s = s "-" a[i]; $4 = s ")"; print }' "$T/fresh.csv" >"$T/drifted.csv"
for np in 1 3; do
    sb_mpirun "$np" predict --model "$T/forms.json" --data "$T/drifted.csv" --layout forms --out "$T/d$np" \
        --metrics-file "$T/pred$np.prom" >"$T/dlog$np" 2>&1 || fail "np $np: predict of drifted data failed"
done
check "drift: _drift.json next to the parts and _SUCCESS" bash -c "[ -s '$T/d1/_drift.json' ] && [ -f '$T/d1/_SUCCESS' ]"
check "drift: _drift.json identical at np 1 and 3" cmp -s "$T/d1/_drift.json" "$T/d3/_drift.json"
check "drift: names exactly f21, f22, f27" \
    [ "$(json "$T/d1/_drift.json" "' '.join(d['dataset']['drifted_features'])")" = "f21 f22 f27" ]
check "drift: f22's missing rate 0 -> 1, f21's values outside the training range" \
    [ "$(json "$T/d1/_drift.json" "[(f['missing_change'], (f['outside_range'] or 0) > 0.9) for f in d['features'] if f['name'] in ('f22','f21')]")" = "[(0.0, True), (1.0, False)]" ]
check "drift: the data set is not drifted (3 of 47 < 50%)" [ "$(json "$T/d1/_drift.json" "d['dataset']['drifted']")" = False ]
check "drift: the log has the top table with f22 first" bash -c "grep -A1 '^drift: feature' '$T/dlog1' | grep -q '^drift: f22 '"
check "drift: promtool accepts predict's metrics file (np 3)" promtool check metrics <"$T/pred3.prom"
check "drift: per-feature PSI in the metrics" grep -q '^shardboost_drift_feature_psi{job="predict",model="forms",.*feature="f22"}' "$T/pred3.prom"
sb_mpirun 1 predict --model "$T/forms.json" --data "$T/drifted.csv" --layout forms --out "$T/th" \
    --drift-psi-moderate 20 --drift-psi-major 30 --drift-js 0.9 >/dev/null 2>&1
check "drift: thresholds are parameters (PSI 20, JS 0.9: nothing drifts)" \
    [ "$(json "$T/th/_drift.json" "(d['dataset']['n_drifted'], d['thresholds']['psi_moderate'])")" = "(0, 20.0)" ]
sb_mpirun 1 predict --model "$T/forms.json" --data "$T/drifted.csv" --layout forms --out "$T/bad" \
    --drift-js 2 >"$T/badlog" 2>&1
rc=$?
check "drift: a bad threshold is a usage error (exit 2) naming the option, no output" \
    bash -c "[ $rc -eq 2 ] && grep -qF -- \"--drift-js '2': must be a number in (0, 1]\" '$T/badlog' && [ ! -e '$T/bad' ]"
sb_mpirun 2 predict --model "$T/forms.json" --data "$T/fresh.csv" --layout forms --out "$T/f" >/dev/null 2>&1
check "drift: fresh data from the same generator: no feature drifts" \
    [ "$(json "$T/f/_drift.json" "d['dataset']['n_drifted']")" = 0 ]
sb_mpirun 2 predict --model "$T/forms.json" --data "$T/fresh.csv" --layout forms --out "$T/f" --overwrite --no-drift \
    >"$T/nolog" 2>&1
check "drift: --no-drift removes the stale report" bash -c "[ ! -e '$T/f/_drift.json' ] && [ -f '$T/f/_SUCCESS' ] && grep -q 'drift: skipped (--no-drift)' '$T/nolog'"
"$PY" - "$T/forms.json" "$T/noref.json" <<'PYEOF'
import sys, zlib
t = open(sys.argv[1]).read()
a = t.index('  "reference": '); b = t.index('\n  "crc32"')
body = t[:a] + t[b + 1:t.index('  "crc32"')]
open(sys.argv[2], "w").write(body + '  "crc32": "%08x"\n}\n' % zlib.crc32(body.encode()))
PYEOF
sb_mpirun 2 predict --model "$T/noref.json" --data "$T/drifted.csv" --layout forms --out "$T/n" >"$T/nrlog" 2>&1
check "drift: a model without a reference predicts, drift skipped with a note" \
    bash -c "[ -f '$T/n/_SUCCESS' ] && [ ! -e '$T/n/_drift.json' ] && grep -q 'drift: skipped (the model has no training reference' '$T/nrlog'"

# --- Pushgateway ---------------------------------------------------------------------
PG_PORT=$(free_port)
timeout 120 prometheus-pushgateway --web.listen-address="127.0.0.1:$PG_PORT" --persistence.file= \
    >"$T/pg.log" 2>&1 &
PIDS+=($!)
PG=http://127.0.0.1:$PG_PORT
for _ in $(seq 50); do curl -sf "$PG/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
sb_mpirun 2 predict --model "$T/forms.json" --data "$T/fresh.csv" --layout forms --out "$T/pg" --pushgateway "$PG" \
    >"$T/pglog" 2>&1
check "pushgateway: the 2-rank predict succeeds" [ -f "$T/pg/_SUCCESS" ]
curl -sf "$PG/metrics" >"$T/pg1.txt"
check "pushgateway: reads back the success time grouped by job and model" \
    grep -q '^shardboost_job_last_success_timestamp_seconds{.*job="predict".*model="forms"' "$T/pg1.txt"
check "pushgateway: reads back rows and per-feature drift" \
    bash -c "grep -q '^shardboost_job_rows{.*job=\"predict\".*} 6000$' '$T/pg1.txt' && grep -q '^shardboost_drift_feature_psi{.*feature=\"f3\"' '$T/pg1.txt'"
last=$(grep '^shardboost_job_last_success_timestamp_seconds{.*model="forms"' "$T/pg1.txt")
sb_mpirun 2 predict --model "$T/forms.json" --data "$T/no-such.csv" --layout forms --out "$T/pgfail" \
    --pushgateway "$PG" >"$T/pgfail.log" 2>&1
check "pushgateway: a failing run exits non-zero" [ $? -ne 0 ]
curl -sf "$PG/metrics" >"$T/pg2.txt"
check "pushgateway: the failed run is recorded and keeps the last success" \
    bash -c "grep -q '^shardboost_job_success{.*model=\"forms\"} 0$' '$T/pg2.txt' &&
             grep -q '^shardboost_job_last_failure_timestamp_seconds{.*model=\"forms\"' '$T/pg2.txt' &&
             grep -qF '$last' '$T/pg2.txt'"
DOWN=http://127.0.0.1:$(free_port)
sb_mpirun 2 predict --model "$T/forms.json" --data "$T/fresh.csv" --layout forms --out "$T/pgdown" --pushgateway "$DOWN" \
    >"$T/pgdown.log" 2>&1
check "pushgateway: a gateway that is down is a warning, not a failure" \
    bash -c "[ -f '$T/pgdown/_SUCCESS' ] && grep -q 'warning: push to $DOWN/metrics/job/predict/model/forms failed' '$T/pgdown.log'"

# --- webhook -------------------------------------------------------------------------
timeout 120 "$PY" "$SB_ROOT/tests/tools/webhook_listener.py" "$T/wh.port" "$T/bodies" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/wh.port" ] && break; sleep 0.1; done
WH=http://127.0.0.1:$(cat "$T/wh.port")
sb_mpirun 2 predict --model "$T/forms.json" --data "$T/no-such.csv" --layout forms --out "$T/w1" --alert-webhook "$WH" \
    >/dev/null 2>&1
check "webhook: a failure posts {\"text\"} naming the job and the error" \
    bash -c "tail -1 '$T/bodies' | $PY -c 'import json,sys; t=json.load(sys.stdin)[\"text\"]; sys.exit(not (\"predict\" in t and \"FAILED\" in t and \"no-such.csv\" in t))'"
SHARDBOOST_WEBHOOK_URL=$WH sb_mpirun 2 predict --model "$T/forms.json" --data "$T/drifted.csv" --layout forms \
    --out "$T/w2" >/dev/null 2>&1
check "webhook: major drift is posted (SHARDBOOST_WEBHOOK_URL), naming f22" \
    bash -c "tail -1 '$T/bodies' | grep -q 'major drift: .*f22'"
sb_mpirun 1 predict --model "$T/forms.json" --data "$T/fresh.csv" --layout forms --out "$T/w3" --alert-webhook "$WH" \
    --alert-on-success >/dev/null 2>&1
check "webhook: --alert-on-success posts the success" bash -c "tail -1 '$T/bodies' | grep -q 'succeeded.*6000 rows'"
n=$(wc -l <"$T/bodies")
sb_mpirun 1 predict --model "$T/forms.json" --data "$T/fresh.csv" --layout forms --out "$T/w4" --alert-webhook "$WH" \
    >/dev/null 2>&1
check "webhook: a quiet success posts nothing" [ "$(wc -l <"$T/bodies")" -eq "$n" ]
sb_mpirun 1 predict --model "$T/forms.json" --data "$T/drifted.csv" --layout forms --out "$T/w5" \
    --alert-webhook "$DOWN" >"$T/w5.log" 2>&1
rc=$?
check "webhook: a webhook that is down never fails the job" \
    bash -c "[ $rc -eq 0 ] && [ -f '$T/w5/_SUCCESS' ] && grep -q 'warning: --alert-webhook' '$T/w5.log'"

# --- evaluate: metrics and drift --------------------------------------------------------
sb_mpirun 2 evaluate --model "$T/forms.json" --data "$T/drifted.csv" --layout forms --metrics-file "$T/eval.prom" \
    --drift-out "$T/eval_drift.json" >/dev/null 2>&1
check "evaluate: promtool accepts its metrics file, with the eval metrics" \
    bash -c "promtool check metrics <'$T/eval.prom' && grep -q '^shardboost_eval_metric{job=\"evaluate\",.*metric=\"mae\",weighted=\"true\"}' '$T/eval.prom'"
check "evaluate: --drift-out names the same three features" \
    [ "$(json "$T/eval_drift.json" "' '.join(d['dataset']['drifted_features'])")" = "f21 f22 f27" ]

# --- two models side by side -----------------------------------------------------------
sb_mpirun 1 "${TRAIN[@]}" --n_estimators 3 --model "$T/small.json" >/dev/null 2>&1
for np in 1 3; do
    sb_mpirun "$np" evaluate --model "$T/small.json" --model "$T/forms.json" --data "$T/fresh.csv" --layout forms \
        --json --bootstrap 100 >"$T/cmp$np.json" 2>/dev/null || fail "np $np: evaluate --model A --model B failed"
done
check "compare: identical numbers at np 1 and 3" cmp -s "$T/cmp1.json" "$T/cmp3.json"
check "compare: B (10 trees) beats A (3 trees) on mse, interval below 0" \
    [ "$(json "$T/cmp1.json" "d['unweighted']['mse']['diff'] < 0 and d['unweighted']['mse']['ci95'][1] < 0")" = True ]
finish
