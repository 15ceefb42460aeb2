#!/usr/bin/env bash
# bench_serve.sh - `make bench-serve`: shardboost serve under wrk (a real load
# client, Lua body script tests/bench/serve_body.lua) on 127.0.0.1 only.
# Models: keywords (300 trees, depth 6) and forms (100 trees, depth 6), each
# served with --threads 2. Bodies: 1 row, 100 rows, 1,000 rows as JSON, and
# 1,000 rows as text/csv. wrk keeps BENCH_CONNECTIONS (16) connections busy
# with 1-row bodies, 4 with larger ones (so a run holds many requests).
# Each cell is the median of BENCH_REPEAT runs of BENCH_SECONDS seconds:
# requests/s, rows/s, latency p50 / p99 / p99.9 (wrk's), failed requests;
# then the server's peak RSS (VmHWM). wrk runs on the same machine and takes
# CPU from the server: the figures are for server + client on these cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
SB=$PWD/$BIN/shardboost
PY=${PYTHON:-python3}
D=${BENCH_DIR:-${TMPDIR:-/tmp}/sb-bench-serve}
SECS=${BENCH_SECONDS:-5}
REPEAT=${BENCH_REPEAT:-3}
CONN=${BENCH_CONNECTIONS:-16}
LUA=$PWD/tests/bench/serve_body.lua
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 \
       OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
for tool in wrk curl; do command -v $tool >/dev/null || { echo "bench-serve: $tool missing (make deps)" >&2; exit 1; }; done
mkdir -p "$D"

# The two models, trained once per BENCH_DIR (np 2).
if [ ! -f "$D/keywords.json" ]; then
    "$BIN/gen_keywords" --rows 40000 --seed 21 -o "$D/kw_train.csv"
    timeout 900 mpirun -np 2 "$SB" train --data "$D/kw_train.csv" --layout keywords --model "$D/keywords.json" \
        --objective reg:logistic --n_estimators 300 --max_depth 6 --seed 1 -q
fi
if [ ! -f "$D/forms.json" ]; then
    "$BIN/gen_forms" --rows 100000 --seed 22 -o "$D/forms_train.csv"
    timeout 900 mpirun -np 2 "$SB" train --data "$D/forms_train.csv" --layout forms --model "$D/forms.json" \
        --n_estimators 100 --max_depth 6 --seed 1 -q
fi
"$BIN/gen_keywords" --rows 1000 --seed 23 -o "$D/kw_rows.csv"
"$BIN/gen_forms" --rows 1000 --seed 24 -o "$D/forms_rows.csv"
for m in keywords forms; do
    src=$D/kw_rows.csv; [ $m = forms ] && src=$D/forms_rows.csv
    $PY tests/integration/serve_rows.py bodies "$D/$m.json" "$src" "$D/$m"
    $PY - "$D/$m" <<'PYEOF'
import json, sys
d = sys.argv[1]
rows = json.load(open(d + "/rows.json"))["rows"]
for n in (1, 100, 1000):
    json.dump({"rows": rows[:n]}, open("%s/body_%d.json" % (d, n), "w"), separators=(",", ":"))
lines = open(d + "/rows.csv").read().splitlines(True)
open(d + "/body_1000.csv", "w").write("".join(lines[:1001]))
PYEOF
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '\nbench-serve: %d s x %d runs per cell (medians), wrk -t 2 -c %d, server --threads 2, %s CPUs, load average %s\n' \
    "$SECS" "$REPEAT" "$CONN" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-5s %5s %8s %10s %9s %9s %9s %7s\n' model body rows 'req/s' 'rows/s' 'p50 ms' 'p99 ms' 'p99.9 ms' failed
for m in keywords forms; do
    rm -f "$D/port"
    timeout -k 5 900 "$SB" serve --model "$D/$m.json" --port 0 --port-file "$D/port" --threads 2 \
        --max-connections 1024 --max-body 67108864 >"$D/serve_$m.log" 2>&1 &
    tpid=$!
    for _ in $(seq 100); do [ -s "$D/port" ] && break; sleep 0.05; done
    url=http://127.0.0.1:$(cat "$D/port")
    spid=$(pgrep -P "$tpid" | head -1)
    for cell in json:1 json:100 json:1000 csv:1000; do
        kind=${cell%:*} n=${cell#*:} c=$CONN ct=application/json
        [ "$n" -gt 1 ] && c=4
        [ "$kind" = csv ] && ct=text/csv
        : >"$D/cell"
        for _ in $(seq "$REPEAT"); do
            SB_BODY=$D/$m/body_$n.$kind SB_CTYPE=$ct timeout $((SECS + 60)) wrk -t 2 -c "$c" -d "${SECS}s" --timeout 10s -s "$LUA" "$url" >"$D/wrk.out" 2>&1
            rate=$(sed -n 's/^wrk-rate: requests=\([0-9]*\) seconds=\([0-9.]*\)/\1 \2/p' "$D/wrk.out" | awk '{ printf "%.1f", $1 / $2 }')
            lat=$(sed -n 's/^wrk-latency-us: p50=\([0-9]*\) p99=\([0-9]*\) p999=\([0-9]*\).*/\1 \2 \3/p' "$D/wrk.out")
            bad=$(sed -n 's/^wrk-check: ok=[0-9]* bad=\([0-9]*\) mismatch=[0-9]* socket_errors=\([0-9]*\).*/\1 \2/p' "$D/wrk.out" | awk '{ print $1 + $2 }')
            echo "$rate $lat $bad" >>"$D/cell"
        done
        col() { awk -v c="$1" '{ print $c }' "$D/cell" | median; }
        rps=$(col 1)
        printf '%-9s %-5s %5d %8.0f %10.0f %9.2f %9.2f %9.2f %7d\n' "$m" "$kind" "$n" "$rps" "$(echo "$rps * $n" | bc)" \
            "$(echo "$(col 2) / 1000" | bc -l)" "$(echo "$(col 3) / 1000" | bc -l)" "$(echo "$(col 4) / 1000" | bc -l)" \
            "$(awk '{ s += $5 } END { print s }' "$D/cell")"
    done
    rss=$(awk '/VmHWM/ { print $2 }' "/proc/$spid/status")
    kill -TERM "$spid"
    wait "$tpid" || true
    printf '%-9s peak RSS %.1f MiB (VmHWM, %s trees)\n' "$m" "$(echo "$rss / 1024" | bc -l)" \
        "$($PY -c "import json; print(len(json.load(open('$D/$m.json'))['trees']))")"
done
