#!/usr/bin/env bash
# make_seeds.sh - (re)write the fuzzers' seed corpora tests/fuzz/seeds/<name>/ from the
# test fixtures and from small files the built binary writes (a model, its gzip'd CSV)
# and XGBoost writes (JSON and UBJSON models; /usr/bin/python3 with python3-xgboost).
# Run by hand after a format change; the seeds are committed (small files).
set -eu
cd "$(dirname "$0")/../.."
SB=${SB:-$PWD/bin/shardboost}
S=tests/fuzz/seeds
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
rm -rf "$S"; mkdir -p "$S"/{csvrow,gz_stream,model_json,yaml_grid,yaml_schema,xgb_import,ubjson,h5_meta}
bin/gen_forms --rows 40 --seed 2 -o "$T/f.csv" >/dev/null
# csvrow: header and data lines of each layout, quoted and broken lines
i=0
{ head -2 "$T/f.csv"; head -2 tests/fixtures/keywords_small.csv | cut -c1-400
  printf '%s\n' '"a,b", c ,"d"' 'x,"y""z",w' '"unterminated,1' 'a"b,c' '' ' , ,' '"",""' '"a" ,b' '1,"2"x'
} | while IFS= read -r line; do i=$((i + 1)); printf '%s' "$line" > "$S/csvrow/line$i"; done
for f in tests/bad/kw_stray_quote.csv tests/bad/kw_unterminated_quote.csv; do
    sed -n 2p "$f" | tr -d '\n' > "$S/csvrow/$(basename "$f" .csv)"; done
# gz_stream: byte 0 picks the read size; one member, two members, truncated, trailing garbage
head -5 "$T/f.csv" > "$T/a.csv"
{ printf '\x05'; gzip -c "$T/a.csv"; } > "$S/gz_stream/one"
{ printf '\x40'; gzip -c "$T/a.csv"; gzip -c "$T/a.csv"; } > "$S/gz_stream/two"
{ printf '\x01'; gzip -c "$T/a.csv" | head -c 60; } > "$S/gz_stream/cut"
{ printf '\x02'; gzip -c "$T/a.csv"; printf 'junk'; } > "$S/gz_stream/trail"
{ printf '\x03'; cat tests/bad/kw_truncated.csv.gz; } > "$S/gz_stream/kw_truncated"
# model_json: byte 0 = 1 (seal with a crc32): the text before the crc32 line
head -15 "$T/f.csv" > "$T/m.csv"
"$SB" train --data "$T/m.csv" --layout forms --model "$T/m.json" --quiet --n_estimators 2 --max_depth 2 --max_bin 4
"$SB" train --data "$T/m.csv" --layout forms --model "$T/m1.json" --quiet --n_estimators 1 --max_depth 1 --max_bin 2
for m in m m1; do
    { printf '\x01'; sed '/^  "crc32": /,$d' "$T/$m.json"; } > "$S/model_json/$m"
    { printf '\x00'; cat "$T/$m.json"; } > "$S/model_json/$m.raw"
done
cp "$T/m1.json" "$S/xgb_import/shardboost.json"
# yaml_grid / yaml_schema: the fixtures
cp tests/fixtures/grids/*.yaml "$S/yaml_grid/"
cp tests/bad/*.yaml "$S/yaml_schema/"
# xgb_import / ubjson: tiny XGBoost models in both encodings
/usr/bin/python3 - "$T" <<'PY'
import sys, numpy as np, xgboost as xgb
t = sys.argv[1]
rng = np.random.default_rng(1)
x = rng.random((40, 3)); x[::7, 1] = np.nan
for name, obj, y in [("reg", "reg:squarederror", x[:, 0] * 2), ("logit", "binary:logistic", (x[:, 0] > 0.5) * 1.0)]:
    b = xgb.train({"objective": obj, "max_depth": 2, "tree_method": "hist", "max_bin": 4}, xgb.DMatrix(x, label=y), 2)
    b.save_model("%s/%s.json" % (t, name)); b.save_model("%s/%s.ubj" % (t, name))
PY
for m in reg logit; do cp "$T/$m.json" "$T/$m.ubj" "$S/xgb_import/"; cp "$T/$m.ubj" "$S/ubjson/"; done
# h5_meta: byte strings the target turns into table files (tests/fuzz/h5_meta_fuzz.c)
printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$S/h5_meta/valid"
printf '\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10' > "$S/h5_meta/mixed"
printf '\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0' > "$S/h5_meta/odd"
du -sh "$S"; ls "$S"/* | head -80
