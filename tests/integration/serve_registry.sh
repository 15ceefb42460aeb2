#!/usr/bin/env bash
# serve_registry.sh - the registry and the online service end to end:
# train -> register v1 -> serve @production -> 1,000 single-row requests
# through one curl process, and the 1,000-row body through wrk, agree with
# `predict` bit for bit -> train v2, promote while wrk loads the server:
# zero failed requests, answers move to v2 -> a broken v3 is refused and v2
# keeps serving -> rollback -> v1. Also: concurrent promotes (flock and
# compare-and-swap), bad requests (4xx), SIGHUP, promtool check metrics, a
# real Prometheus scraping /metrics, a forms model bit for bit, SIGTERM exit 0.
source "$(dirname "$0")/../lib.sh"
T=$SB_TMP
BIN=$(dirname "$SB")
PY=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
LUA=$HERE/../bench/serve_body.lua
for tool in curl wrk promtool prometheus; do
    command -v $tool >/dev/null || skip "$tool missing (make deps installs it)"
done
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; [ -n "${PROM_PID:-}" ] && kill "$PROM_PID" 2>/dev/null; rm -rf "$SB_TMP"; }
trap cleanup EXIT

# start_server LOG ARGS...: shardboost serve on a free port (the kernel picks: --port 0), under timeout.
start_server() {
    local log=$1; shift
    rm -f "$T/port"
    timeout -k 5 120 "$SB" serve --port 0 --port-file "$T/port" "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
    PORT=$(cat "$T/port" 2>/dev/null)
    URL=http://127.0.0.1:$PORT
    # signals go to the server itself: timeout would take a SIGHUP as a reason to stop it
    SERVE_PID=$(pgrep -P "$SERVER_PID" | head -1)
}
stop_server() { kill -TERM "$SERVE_PID"; wait "$SERVER_PID"; local rc=$?; SERVER_PID=""; return $rc; }
version_now() { curl -s "$URL/v1/models" | $PY -c 'import json,sys; print(json.load(sys.stdin)["models"][0]["version"])'; }
# wait_version vN: the poll (--poll 0.2) picks up a moved stage within a second.
wait_version() { for _ in $(seq 50); do [ "$(version_now)" = "$1" ] && return 0; sleep 0.1; done; return 1; }

"$BIN/gen_keywords" --rows 3000 --seed 11 -o "$T/train.csv"
"$BIN/gen_keywords" --rows 1000 --seed 12 -o "$T/batch.csv"
R=$T/reg/kw
sb_mpirun 2 train --data "$T/train.csv" --layout keywords --model "$T/m1.json" --objective reg:logistic \
    --n_estimators 30 --max_depth 5 --seed 1 --register "$R" -q
check "train --register stores v1 with meta.json" \
    bash -c "[ -f '$R/v1/model.json' ] && grep -q '\"slurm_job_id\"\\|\"host\"' '$R/v1/meta.json' && cmp -s '$T/m1.json' '$R/v1/model.json'"
check "models promote v1 to production" "$SB" models promote "$R@v1" --stage production
"$SB" export --model "$R@production" --format xgboost-json -o "$T/prod.xgb.json" -q >/dev/null 2>&1 &&
    "$SB" export --model "$R/v1/model.json" --format xgboost-json -o "$T/v1.xgb.json" -q >/dev/null 2>&1
check "export takes a registry reference (@production = v1's file)" cmp -s "$T/prod.xgb.json" "$T/v1.xgb.json"
sb_mpirun 1 predict --model "$R@production" --data "$T/batch.csv" --out "$T/pred1" -q
check "predict --model REG/NAME@production records the version and crc32 in _SUCCESS" \
    bash -c "grep -qx 'model=kw@v1' '$T/pred1/_SUCCESS' && grep -qx \"model_crc32=\$(grep -o '[0-9a-f]\{8\}' <<< \$(grep model_crc32 '$R/v1/meta.json'))\" '$T/pred1/_SUCCESS'"

printf 'max_depth: [3, 4]\nn_estimators: 5\n' >"$T/grid.yaml"
sb_mpirun 2 cv --data "$T/train.csv" --layout keywords --grid "$T/grid.yaml" --folds 2 --out "$T/cv" \
    --refit "$T/cv.json" --register "$T/reg/kwcv" -q >/dev/null
check "cv --refit --register stores the refit model as v1" cmp -s "$T/cv.json" "$T/reg/kwcv/v1/model.json"

# ---- concurrent promotes: the lock serialises, compare-and-swap lets one win ----
sb_mpirun 1 train --data "$T/train.csv" --layout keywords --model "$T/m2.json" --objective reg:logistic \
    --n_estimators 40 --max_depth 6 --eta 0.2 --seed 2 --register "$R" -q
wins=0
for i in 1 2 3 4 5 6 7 8; do
    "$SB" models promote "$R@v1" --stage race$i --expect none >/dev/null 2>&1 & a=$!
    "$SB" models promote "$R@v2" --stage race$i --expect none >/dev/null 2>&1 & b=$!
    wait $a; ra=$?; wait $b; rb=$?
    [ $((ra == 0)) -ne $((rb == 0)) ] && wins=$((wins + 1))
done
check "8 races of two concurrent promotes --expect none: exactly one wins each" [ $wins -eq 8 ]
for i in $(seq 12); do "$SB" models promote "$R@v$((i % 2 + 1))" --stage busy >/dev/null 2>&1 & done
wait
check "12 concurrent promotes: 12 history lines, each one's old value the previous one's new" \
    $PY -c "
import sys
rows = [l.split() for l in open('$R/stages.log') if l.split()[1] == 'busy']
ok = len(rows) == 12 and rows[0][2] == '-' and all(rows[k][2] == rows[k - 1][3] for k in range(1, 12))
sys.exit(0 if ok else 1)"

# ---- serve @production: 1,000 single-row requests and wrk's 1,000-row body = predict ----
start_server "$T/serve.log" --model "$R@production" --threads 2 --poll 0.2 --max-body 4000000
check "serve starts without mpirun and answers /healthz and /readyz" \
    bash -c "curl -sf '$URL/healthz' >/dev/null && curl -sf '$URL/readyz' >/dev/null"
SB_URL=$URL/v1/predict $PY "$HERE/serve_rows.py" bodies "$R/v1/model.json" "$T/batch.csv" "$T/b" --singles
curl -s --fail-early -K "$T/b/curl.cfg"
check "1,000 single-row requests (one curl, keep-alive) = predict, bit for bit" \
    $PY "$HERE/serve_rows.py" compare "$T/pred1/part-00000.csv.gz" $(seq -f "$T/b/a_%g.json" 0 999)
curl -s -H 'Content-Type: text/csv' --data-binary @"$T/b/rows.csv" "$URL/v1/predict" >"$T/csv_answer.json"
check "the same rows as one text/csv body = predict" $PY "$HERE/serve_rows.py" compare "$T/pred1/part-00000.csv.gz" "$T/csv_answer.json"
SB_BODY=$T/b/rows.csv SB_CTYPE=text/csv SB_EXPECT=$T/csv_answer.json SB_EXPECT_VERSION=v1 \
    timeout 30 wrk -t 2 -c 2 -d 3s --timeout 10s -s "$LUA" "$URL" >"$T/wrk1.out" 2>&1
check "wrk (load client): every 1,000-row answer byte-identical to the one that equals predict's" \
    grep -Eq 'wrk-check: ok=[1-9][0-9]* bad=0 mismatch=0 socket_errors=0' "$T/wrk1.out"
grep -h '^wrk-' "$T/wrk1.out"
# ---- promote v2 under load: zero failed requests, answers move to v2 ----
SB_BODY=$T/b/r_0.json timeout 30 wrk -t 2 -c 8 -d 3s --timeout 10s -s "$LUA" "$URL" >"$T/wrk2.out" 2>&1 &
WRK=$!
sleep 1
"$SB" models promote "$R@v2" --stage production >/dev/null
wait $WRK
check "promote v2 during a wrk load: zero failed requests, answers from v1 then v2" \
    grep -Eq 'wrk-check: ok=[1-9][0-9]* bad=0 mismatch=0 socket_errors=0 v1=[1-9][0-9]* v2=[1-9][0-9]*' "$T/wrk2.out"
grep -h '^wrk-' "$T/wrk2.out"
check "the server now answers with v2" wait_version v2

# ---- a broken new version is refused; the old one keeps serving ----
mkdir "$R/v3" && head -c 2000 "$R/v2/model.json" >"$R/v3/model.json" && cp "$R/v2/meta.json" "$R/v3/"
"$SB" models promote "$R@v3" --stage production >/dev/null
sleep 1
check "a truncated v3 is refused: still v2, error logged, reload failure counted" \
    bash -c "[ \"\$(curl -s '$URL/v1/models' | grep -o '\"version\":\"v[0-9]*\"')\" = '\"version\":\"v2\"' ] && grep -q 'reload (stage moved) refused' '$T/serve.log' && curl -s '$URL/metrics' | grep -q '^shardboost_model_reloads_total{result=\"failed\"} 1'"
"$SB" models rollback "$R" --stage production >/dev/null   # v3 -> v2
"$SB" models rollback "$R" --stage production >/dev/null   # v2 -> v1
check "rollback twice (v3 -> v2 -> v1): the server answers with v1" wait_version v1
kill -HUP "$SERVE_PID"
sleep 0.5
check "SIGHUP reloads (logged)" grep -q 'reload (SIGHUP): now serving kw@v1' "$T/serve.log"

# ---- bad requests: 4xx with a message naming row and field, never a crash ----
code() { curl -s -o "$T/err.json" -w '%{http_code}' -H "Content-Type: ${2:-application/json}" --data-binary "$1" "$URL/v1/predict"; }
c=$(code '[{}, {"att999": 1}]')
check "unknown field -> 400 naming row and field" bash -c "[ $c = 400 ] && grep -q \"row 1, field 'att999'\" '$T/err.json'"
c=$(code '[{"device": "Fridge"}]')
check "wrong device level -> 400" bash -c "[ $c = 400 ] && grep -q 'unknown level' '$T/err.json'"
c=$(code '[{'):$(code "$(printf '[%.0s' $(seq 3000))")
check "malformed and deeply nested JSON -> 400" [ "$c" = 400:400 ]
c=$(code $'[{"entity_id": "\xff"}]')
check "invalid UTF-8 -> 400" [ "$c" = 400 ]
c=$(code '[]' text/plain):$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/predict"):$(curl -s -o /dev/null -w '%{http_code}' "$URL/nope")
check "wrong content type -> 415, wrong method -> 405, unknown route -> 404" [ "$c" = 415:405:404 ]
head -c 5000000 /dev/zero | tr '\0' ' ' >"$T/big.json"
check "a body over --max-body -> 413" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @'$T/big.json' '$URL/v1/predict')\" = 413 ]"
check "the server survived all of it" curl -sf "$URL/healthz" -o /dev/null

# ---- /metrics: promtool, and a real Prometheus scrape ----
curl -s "$URL/metrics" >"$T/metrics.txt"
check "promtool check metrics accepts /metrics" bash -c "promtool check metrics <'$T/metrics.txt'"
check "/metrics has requests by route and code, the latency histogram, rows, model info, process metrics" \
    bash -c "grep -q '^shardboost_http_requests_total{route=\"/v1/predict\",code=\"200\"}' '$T/metrics.txt' && grep -q '^shardboost_http_request_duration_seconds_bucket{route=\"/v1/predict\",le=\"+Inf\"}' '$T/metrics.txt' && grep -q '^shardboost_rows_scored_total [1-9]' '$T/metrics.txt' && grep -q '^shardboost_model_info{name=\"kw\",version=\"v1\"' '$T/metrics.txt' && grep -q '^process_resident_memory_bytes [1-9]' '$T/metrics.txt'"
PP=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/prom.yml" <<YML
global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: shardboost
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
YML
timeout -k 5 40 prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$PP" >"$T/prom.log" 2>&1 &
PROM_PID=$!
scraped=1
for _ in $(seq 60); do
    curl -s "http://127.0.0.1:$PP/api/v1/query?query=shardboost_model_info" 2>/dev/null | grep -q '"version":"v1"' && { scraped=0; break; }
    sleep 0.5
done
check "a real Prometheus server scraped /metrics (shardboost_model_info{version=\"v1\"} queryable)" [ $scraped -eq 0 ]
kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null; PROM_PID=""
[ $scraped -eq 0 ] || tail -5 "$T/prom.log"

check "SIGTERM: graceful stop, exit 0" stop_server
check "no sanitizer report in the server's log (asan builds)" bash -c "! grep -E 'ERROR: AddressSanitizer|runtime error' '$T/serve.log'"

# ---- a forms model (decimal features): serve = predict bit for bit ----
"$BIN/gen_forms" --rows 4000 --seed 3 -o "$T/forms.csv"
"$BIN/gen_forms" --rows 1000 --seed 4 -o "$T/forms_batch.csv"
sb_mpirun 1 train --data "$T/forms.csv" --layout forms --model "$T/forms.json" --n_estimators 20 --max_depth 6 -q
sb_mpirun 1 predict --model "$T/forms.json" --data "$T/forms_batch.csv" --out "$T/fpred" -q
start_server "$T/serve_forms.log" --model "$T/forms.json" --log-json --verbose --timeout 1 --max-connections 2
$PY "$HERE/serve_rows.py" bodies "$T/forms.json" "$T/forms_batch.csv" "$T/fb"
curl -s -H 'Content-Type: application/json' --data-binary @"$T/fb/rows.json" "$URL/v1/predict" >"$T/forms_answer.json"
check "forms model: 1,000 rows with decimal features = predict, bit for bit" \
    $PY "$HERE/serve_rows.py" compare "$T/fpred/part-00000.csv.gz" "$T/forms_answer.json"
check "--log-json --verbose: one JSON object per request" \
    bash -c "grep '\"route\": *\"/v1/predict\"' '$T/serve_forms.log' | $PY -c 'import json,sys; [json.loads(l) for l in sys.stdin]'"
# limits: a client that stops mid-body is cut off after --timeout; with --max-connections 2
# held by idle clients, a third waits in the listen queue and is answered once one is closed.
exec 3<>"/dev/tcp/127.0.0.1/$PORT" 4<>"/dev/tcp/127.0.0.1/$PORT"
printf 'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{' >&3
check "a third connection beyond --max-connections 2 is served once an idle one times out" curl -sf -m 20 "$URL/healthz" -o /dev/null
check "a request stalled mid-body is closed by the server (--timeout 1)" timeout 10 cat <&3
exec 3<&- 4<&-
check "forms server: SIGTERM exit 0" stop_server
finish
