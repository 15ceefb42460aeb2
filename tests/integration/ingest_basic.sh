#!/usr/bin/env bash
# ingest_basic.sh - shardboost ingest end to end: the real keyword file and a forms
# file at np 1, 2, 3 give identical HDF5 content (h5diff) that matches an independent
# Python parse, byte for byte; several files (plain + gzip mixed) equal one file; csv.gz equals csv;
# BOM + CRLF equal plain; generic layout with a schema; scoring input without labels.
. "$(dirname "$0")/../lib.sh"
[ -x "$SB" ] || { fail "no binary at $SB"; finish; }
command -v h5diff >/dev/null || skip "h5diff missing (Debian package hdf5-tools)"
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
have_numpy() { "$PY" -c 'import numpy' 2>/dev/null; }
T=$SB_TMP

ingest() { # np out layout-args... : run ingest quietly, keep the log
    local np=$1 out=$2; shift 2
    sb_mpirun "$np" ingest -q -o "$out" "$@" </dev/null >"$out.log" 2>&1
}
# same content (h5diff) and the same bytes: no timestamps, deterministic chunk layout
same() { h5diff -q "$1" "$2" >/dev/null 2>&1 && cmp -s "$1" "$2"; }
no_temp() { ! ls "$T"/*.tmp >/dev/null 2>&1; }

# ---- the real keyword file ----
KW=$SB_DATA/sellics_keywords.csv.xz
if [ -f "$KW" ]; then
    xz -dc "$KW" >"$T/kw.csv"
    for np in 1 2 3; do check "keywords real file np=$np" ingest "$np" "$T/kw$np.h5" --layout keywords "$T/kw.csv"; done
    check "keywords np1 == np2 (h5diff)" same "$T/kw1.h5" "$T/kw2.h5"
    check "keywords np1 == np3 (h5diff)" same "$T/kw1.h5" "$T/kw3.h5"
    check "no temp file left" no_temp
    have_numpy && check "keywords content == Python csv parse" "$PY" "$HERE/ingest_check.py" keywords "$T/kw3.h5" "$T/kw.csv"
    # several files, one of them gzip: same rows in the same order as the single file
    { head -1 "$T/kw.csv"; sed -n '2,20000p' "$T/kw.csv"; } >"$T/part1.csv"
    { head -1 "$T/kw.csv"; sed -n '20001,40000p' "$T/kw.csv"; } | gzip -1 >"$T/part2.csv.gz"
    { head -1 "$T/kw.csv"; sed -n '40001,$p' "$T/kw.csv"; } >"$T/part3.csv"
    for np in 1 2 3 4; do
        check "3 files (plain, gz, plain) np=$np" ingest "$np" "$T/multi$np.h5" --layout keywords "$T/part1.csv" "$T/part2.csv.gz" "$T/part3.csv"
        check "3 files np=$np == single file" same "$T/multi$np.h5" "$T/kw1.h5"
    done
    gzip -c "$T/kw.csv" >"$T/kw.csv.gz"
    check "keywords csv.gz np=2" ingest 2 "$T/kwgz.h5" --layout keywords "$T/kw.csv.gz"
    check "csv.gz == csv" same "$T/kwgz.h5" "$T/kw1.h5"
    { printf '\xef\xbb\xbf'; head -3000 "$T/kw.csv" | sed 's/$/\r/'; } >"$T/bomcrlf.csv"
    head -3000 "$T/kw.csv" >"$T/plain3k.csv"
    check "BOM + CRLF accepted np=3" ingest 3 "$T/bomcrlf.h5" --layout keywords "$T/bomcrlf.csv"
    check "plain 3k rows np=1" ingest 1 "$T/plain3k.h5" --layout keywords "$T/plain3k.csv"
    check "BOM + CRLF == plain" same "$T/bomcrlf.h5" "$T/plain3k.h5"
    # scoring input: no Clicks / Conversions columns
    cut -d, -f1-163 "$T/plain3k.csv" >"$T/nolabel.csv"
    check "keywords without Clicks,Conversions (--no-label) np=2" ingest 2 "$T/nolabel.h5" --layout keywords --no-label "$T/nolabel.csv"
    check "no /label in scoring file" bash -c "! h5dump -H '$T/nolabel.h5' | grep -q 'DATASET \"label\"'"
    check "keywords without Clicks is an error when labels are required" bash -c \
        "! timeout 60 '$SB' ingest --layout keywords -o '$T/x.h5' '$T/nolabel.csv' >/dev/null 2>&1"
else
    echo "SKIP: real keyword file not found at $KW"
fi

# ---- generated keyword data (gen_keywords), plain and gzip; a header that differs between files ----
GENK=$(dirname "$SB")/gen_keywords
if [ -x "$GENK" ]; then
    "$GENK" --rows 20000 --seed 3 -o "$T/gk.csv" >/dev/null && "$GENK" --rows 20000 --seed 3 -o "$T/gk.csv.gz" >/dev/null
    check "gen_keywords np=3" ingest 3 "$T/gk3.h5" --layout keywords "$T/gk.csv"
    check "gen_keywords .csv.gz np=2" ingest 2 "$T/gkz.h5" --layout keywords "$T/gk.csv.gz"
    check "gen_keywords gz == plain" same "$T/gk3.h5" "$T/gkz.h5"
    have_numpy && check "gen_keywords content == Python parse" "$PY" "$HERE/ingest_check.py" keywords "$T/gk3.h5" "$T/gk.csv"
    { head -1 "$T/gk.csv" | sed 's/"week"/"weeks"/'; sed -n 2,10p "$T/gk.csv"; } >"$T/badhdr.csv"
    sb_mpirun 2 ingest --layout keywords -o "$T/hdr.h5" "$T/gk.csv" "$T/badhdr.csv" </dev/null >"$T/hdr.log" 2>&1
    check "a second file with another header: error names it, no output" bash -c \
        "grep -q \"badhdr.csv:1: header column 163 is 'weeks' but .*gk.csv's is 'week'\" '$T/hdr.log' && [ ! -e '$T/hdr.h5' ]"
fi

# ---- forms ----
GEN=$(dirname "$SB")/gen_forms
if [ -x "$GEN" ]; then
    "$GEN" --rows 30000 --seed 5 -o "$T/forms.csv" >/dev/null
else
    "$PY" -c "
import random; r = random.Random(5)
with open('$T/forms.csv', 'w') as f:
    for i in range(30000):
        v = r.choice([0] + [r.randint(1, 500)] * 20)
        f.write('(%d,%d,%d,%s)\n' % (i, r.randint(0, v + 3), v, '-'.join('%.2f' % (r.random() * 9) for _ in range(47))))"
fi
for np in 1 2 3; do check "forms np=$np" ingest "$np" "$T/forms$np.h5" --layout forms "$T/forms.csv"; done
check "forms np1 == np2" same "$T/forms1.h5" "$T/forms2.h5"
check "forms np1 == np3" same "$T/forms1.h5" "$T/forms3.h5"
have_numpy && check "forms content == Python parse" "$PY" "$HERE/ingest_check.py" forms "$T/forms2.h5" "$T/forms.csv"
# two bad rows far apart: the first is reported at any rank count (ranks after a failed
# rank stop early, ranks before it finish their pieces)
sed -e '10s/^(/X/' -e '29000s/-/--/' "$T/forms.csv" >"$T/forms_two_errors.csv"
for np in 1 2 3; do
    sb_mpirun "$np" ingest --layout forms -o "$T/two.h5" "$T/forms_two_errors.csv" </dev/null >"$T/two.$np.log" 2>&1
    check "two errors np=$np: first one reported, no output" bash -c \
        "grep -q \"forms_two_errors.csv:10: form row must start with '('\" '$T/two.$np.log' && [ ! -e '$T/two.h5' ]"
done
check "forms log reports drops" bash -c "timeout 60 '$SB' ingest --layout forms -o '$T/f.h5' '$T/forms.csv' | grep -q 'dropped [0-9]* (views == 0'"

# ---- generic layout: ids, ratio, categorical discovered from data, ignored column, missing values ----
cat >"$T/schema.yaml" <<'YAML'
ids: [id, shop, {name: price_id, type: string}]
numerator: sold
denominator: shown
label_name: sell_rate
categorical: [color]
ignore: [note]
YAML
{
    echo "id,shop,color,price,sold,shown,note,price_id"
    for i in $(seq 1 400); do
        c=$(( (i * 7) % 5 )); col=(zebra apple NA mango kiwi); p=$((i % 13)).$((i % 10))
        [ $((i % 17)) -eq 0 ] && p=""
        echo "$i,$((i % 3)),${col[$c]},$p,$((i % 4)),$(( (i % 9) )),free text $i,$i"
    done
    echo "401,07,banana,1.5,0,2,last row: a new level and a zip-code-like shop id,401"
} >"$T/generic.csv"
for np in 1 2 3; do check "generic csv np=$np" ingest "$np" "$T/gen$np.h5" --layout csv --schema "$T/schema.yaml" "$T/generic.csv"; done
check "generic np1 == np2" same "$T/gen1.h5" "$T/gen2.h5"
check "generic np1 == np3" same "$T/gen1.h5" "$T/gen3.h5"
check "generic levels sorted, NA is missing" bash -c "h5dump -a /features/levels '$T/gen3.h5' | tr -d '\n ' | grep -q '\"apple\",\"banana\",\"kiwi\",\"mango\",\"zebra\"'"
check "generic feature names (ignored/ids/targets excluded)" bash -c "h5dump -a /features/feature_names '$T/gen3.h5' | tr -d '\n ' | grep -q '(0):\"color\",\"price\"}'"
check "auto id 'id' is int64, 'shop' is text (one '07' on the last rank), on every rank count" bash -c \
    "h5dump -H '$T/gen1.h5' | grep -A1 'DATASET \"id\"' | grep -q H5T_STD_I64LE && h5dump -H '$T/gen1.h5' | grep -A1 'DATASET \"shop\"' | grep -q H5T_STRING"
check "generic zero-denominator rows dropped" bash -c "h5dump -a /dropped_zero_trials '$T/gen1.h5' | grep -q '(0): 44'"
finish
