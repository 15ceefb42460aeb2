#!/usr/bin/env bash
# run.sh - make valgrind: every subcommand end to end on small data under valgrind's
# memcheck at np 1 (mpirun -np 1 valgrind ... shardboost ...): ingest, train (with
# --register), cv, predict, evaluate, dump, export (both formats), import (of the export),
# models (list, show), and serve (started under valgrind, one POST /v1/predict with curl,
# SIGTERM). A run fails on any memcheck error (invalid read/write, use of uninitialised
# memory, bad free) or a "definitely lost" leak (--error-exitcode, --errors-for-leak-
# kinds=definite). tests/valgrind/openmpi.supp silences Open MPI, PMIx, hwloc and HDF5
# library internals only, never our code. Not part of make test (minutes); its summary
# lines are PASS:/FAIL: as in tests/lib.sh, logs under $VG_OUT (default build/valgrind).
source "$(dirname "$0")/../lib.sh"
command -v valgrind >/dev/null || skip "valgrind missing (make deps installs it)"
[ -x "$SB" ] || { fail "no binary at $SB"; finish; }
GEN=$(dirname "$SB")/gen_forms
OUT=${VG_OUT:-$SB_ROOT/build/valgrind}
rm -rf "$OUT"; mkdir -p "$OUT"
SUPP=$SB_ROOT/tests/valgrind/openmpi.supp
VG=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --track-origins=yes --num-callers=30 --suppressions="$SUPP"
    --gen-suppressions=all)
VG_TIMEOUT=${VG_TIMEOUT:-600}
cd "$SB_TMP" || exit 2

# vg NAME args... : shardboost args under valgrind at np 1; PASS/FAIL by memcheck's verdict.
vg() {
    local name=$1; shift
    timeout -k 10 "$VG_TIMEOUT" mpirun --oversubscribe -np 1 "${VG[@]}" --log-file="$OUT/$name.vg" "$SB" "$@" \
        >"$OUT/$name.out" 2>&1
    local rc=$?
    local errs; errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$OUT/$name.vg" | tail -1)
    local lost; lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$OUT/$name.vg" | tail -1)
    if [ "$rc" -eq 0 ] && [ "${errs:-x}" = 0 ]; then
        pass "valgrind $name: 0 errors, definitely lost ${lost:-0} bytes"
    else
        fail "valgrind $name: rc=$rc, ${errs:-?} errors, definitely lost ${lost:-?} bytes (log $OUT/$name.vg)"
        grep -m3 -E '^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ bytes in)' "$OUT/$name.vg"
    fi
}

# vg_err NAME args... : a run that must fail cleanly (exit 1 or 2, no signal) with 0 memcheck errors.
vg_err() {
    local name=$1; shift
    timeout -k 10 "$VG_TIMEOUT" mpirun --oversubscribe -np 1 "${VG[@]}" --log-file="$OUT/$name.vg" "$SB" "$@" \
        >"$OUT/$name.out" 2>&1
    local rc=$?
    local errs; errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$OUT/$name.vg" | tail -1)
    if [ "$rc" -ge 1 ] && [ "$rc" -le 2 ] && [ "${errs:-x}" = 0 ]; then
        pass "valgrind $name: refused (rc=$rc), 0 errors"
    else
        fail "valgrind $name: rc=$rc, ${errs:-?} errors (log $OUT/$name.vg)"
        grep -m3 -E '^==[0-9]+== (Invalid|Conditional|Use of|[0-9,]+ bytes in)' "$OUT/$name.vg"
    fi
}

"$GEN" --rows 400 --seed 4 -o f.csv >/dev/null || { fail "gen_forms"; finish; }
head -301 f.csv >tr.csv; { head -1 f.csv; tail -100 f.csv; } >te.csv
printf 'max_depth: [2, 3]\neta: [0.3]\nn_estimators: [3]\n' >grid.yaml
vg ingest ingest --layout forms -q -o tr.h5 tr.csv
vg train train --data tr.h5 --valid te.csv --layout forms --model m.json --n_estimators 5 --max_depth 3 \
    --register reg/forms --quiet
vg cv cv --data tr.h5 --grid grid.yaml --folds 2 --out cvout --quiet
vg predict predict --model m.json --data te.csv --layout forms --out pred --merge pred.csv.gz --quiet
vg evaluate evaluate --model m.json --data te.csv --layout forms
vg dump dump --model m.json
vg export-xgboost export --model m.json --format xgboost-json -o x.json
vg export-lightgbm export --model m.json --format lightgbm-text -o l.txt
vg import import --from x.json -o imported.json --data te.csv --layout forms
vg models-list models list reg/forms
vg models-show models show reg/forms@latest
# hostile models: cut right after the crc32 digits (the old reader's checksum check read
# past the text: "uninitialised value"), and a null base margin (an exit 139 seen once)
python3 - m.json <<'PY'
import re, sys, zlib
s = open(sys.argv[1]).read()
open("cut.json", "w").write(s[: s.rindex('"crc32": "') + 18])
b = s[: s.rindex('\n  "crc32": "') + 1].replace('"base_margin": ', '"base_margin": null, "x": ', 1)
open("nullbase.json", "w").write(b + '  "crc32": "%08x"\n}\n' % zlib.crc32(b.encode()))
PY
vg_err dump-cut-model dump --model cut.json
vg_err predict-nullbase predict --model nullbase.json --data te.csv --layout forms --out pnull

# serve: started under valgrind, one request, SIGTERM; memcheck's verdict as above.
timeout -k 10 "$VG_TIMEOUT" "${VG[@]}" --log-file="$OUT/serve.vg" "$SB" serve --model m.json --port 0 \
    --port-file port.txt >"$OUT/serve.out" 2>&1 &
SPID=$!
for _ in $(seq 600); do [ -s port.txt ] && break; sleep 0.2; done
# one row: every feature the model has (forms: f0..f46), one missing, and the id
row=$(for i in $(seq 0 45); do printf '"f%d": %d, ' "$i" $((i % 3)); done)
if [ -s port.txt ]; then
    ans=$(printf '{"rows": [{%s"f46": null, "form_id": 7}]}' "$row" | curl -s --max-time 120 \
        -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$(cat port.txt)/v1/predict")
    grep -q '"predictions"' <<<"$ans" && pass "serve under valgrind answers a POST" || fail "serve answer: $ans"
else fail "serve under valgrind did not start listening"; fi
kill -TERM "$SPID" 2>/dev/null
wait "$SPID"; rc=$?
errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$OUT/serve.vg" | tail -1)
lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$OUT/serve.vg" | tail -1)
if [ "$rc" -eq 0 ] && [ "${errs:-x}" = 0 ]; then pass "valgrind serve (SIGTERM): 0 errors, definitely lost ${lost:-0} bytes"
else fail "valgrind serve: rc=$rc, ${errs:-?} errors (log $OUT/serve.vg)"; fi
finish
