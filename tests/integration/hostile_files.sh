#!/usr/bin/env bash
# hostile_files.sh - hostile input files for issue 15's corpus: HDF5 tables written by
# h5py (valid ones another tool writes: NULLPAD and variable-length string attributes,
# gzip/fletcher32 chunks, float64 or big-endian features - they must read exactly as the
# file shardboost wrote; hostile ones: zero rows or features, wrong ranks, dtypes, lengths,
# a missing filter, variable-length ids, wrong attributes, an empty or non-HDF5 file),
# model JSON (repeated keys, numbers past double or int32, deep nesting, wrong types, bad
# UTF-8, a NUL, a BOM, two documents, cuts out of order, a FIFO, a directory, a file over
# the size limit) and XGBoost imports. Each hostile case runs a subcommand that reads the
# file and must exit non-zero with a message naming the file and the dataset, attribute,
# key or line (tests/hostile/hcase.sh), no crash, no hang, nothing complete-looking left.
. "$(dirname "$0")/../lib.sh"
[ -x "$SB" ] || { fail "no binary at $SB"; finish; }
/usr/bin/python3 -c 'import h5py' 2>/dev/null || skip "python3-h5py missing (make deps installs it)"
GEN=$(dirname "$SB")/gen_forms
SB_TIMEOUT=${SB_HOSTILE_TIMEOUT:-40}
T=$SB_TMP
. "$SB_ROOT/tests/hostile/hcase.sh"
"$GEN" --rows 300 --seed 3 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
cd "$T" || exit 1
sb_np 1 ingest --layout forms -q -o good.h5 f.csv || { fail "ingest good.h5"; finish; }
TRAIN="--quiet --n_estimators 3 --max_depth 3"
sb_np 1 train --data good.h5 --model m.json $TRAIN || { fail "train m.json"; finish; }
sb_np 2 predict --model m.json --data good.h5 --out Pgood --merge good.csv.gz -q || { fail "predict good.h5"; finish; }
/usr/bin/python3 "$SB_ROOT/tests/hostile/h5py_files.py" good.h5 . || { fail "h5py_files.py"; finish; }

# ---- HDF5 written by h5py: valid tables read as shardboost's own ----
for f in ok_nullpad ok_vlen ok_gzip ok_fletcher ok_f64 ok_bigendian ok_version_f64; do
    if sb_np 2 predict --model m.json --data $f.h5 --out P$f --merge $f.csv.gz -q >log.$f 2>&1 &&
        cmp -s <(zcat good.csv.gz) <(zcat $f.csv.gz); then pass "h5py $f: predict np=2 = predictions of the ingested file"
    else fail "h5py $f: predict np=2 differs or fails: $(grep -m1 error log.$f)"; fi
    if sb_np 1 train --data $f.h5 --model M$f.json $TRAIN >log.t$f 2>&1 && cmp -s m.json M$f.json; then
        pass "h5py $f: train np=1 = the model of the ingested file, byte for byte"
    else fail "h5py $f: train differs or fails: $(grep -m1 error log.t$f)"; fi
done
# ---- HDF5 written by h5py: hostile tables ----
while read -r name frag; do
    bg hcase "h5py $name: train" 2 "$name.h5|$frag" "T$name.json" train --data $name.h5 --model T$name.json $TRAIN
    bg hcase "h5py $name: predict" 1 "$name.h5|$frag" "P$name/_SUCCESS" predict --model m.json --data $name.h5 --out P$name
done <<'CASES'
empty not a shardboost HDF5 file
not_hdf5 not a shardboost HDF5 file (no HDF5 signature)
no_format no 'format' attribute
format_other format 'other-tool-h5'
version_2 attribute 'version' is 2
version_text attribute 'version' holds text
zero_rows '/features' has no rows
zero_features '/features' has no columns
features_1d 'features' is not 2-D
features_3d 'features' is not 2-D
features_group dataset 'features' missing
features_text '/features' holds text
features_lzf HDF5 filter 32000 (lzf)
label_text '/label' holds text
label_2d '/label' is 2-D
label_short '/label' has
ids_short '/ids/form_id' has
ids_vlen '/ids/form_id' holds variable-length strings
names_short feature names for
n_levels_short attribute 'n_levels' has
no_feature_names attribute 'feature_names' missing
CASES
sb_np 1 export --model m.json --format xgboost-json -o x.json || fail "export x.json"
for name in zero_rows label_short ids_vlen features_lzf; do
    bg hcase "h5py $name: evaluate" 2 "$name.h5" "" evaluate --model m.json --data $name.h5
    bg hcase "h5py $name: import --data" 1 "$name.h5" "I$name.json" import --from x.json -o I$name.json --data $name.h5
done
printf 'max_depth: [2]\nn_estimators: [2]\n' >g.yaml
for name in zero_rows label_short features_text; do
    bg hcase "h5py $name: cv" 2 "$name.h5" "cv$name/leaderboard.csv" cv --data $name.h5 --grid g.yaml --folds 2 --out cv$name
done
collect

# ---- model JSON: re-sealed edits (the crc32 passes, so the reader itself must refuse) ----
MUT=$SB_ROOT/tests/hostile/mutmodel.py
mut() { python3 "$MUT" m.json "$1.json" "$2" || fail "mutmodel $1"; }
mut dupkey 's.replace("\"layout\": \"forms\"","\"layout\": \"forms\", \"layout\": \"csv\"",1)'
mut dupfeat 's.replace("{\"name\": \"f3\", ","{\"name\": \"f3\", \"name\": \"f4\", ",1)'
mut dupparam 's.replace("\"eta\": ","\"eta\": \"0.5\", \"eta\": ",1)'
mut bigmargin 's.replace("\"base_margin\": ","\"base_margin\": 1e400, \"x\": ",1)'
mut bigint 're.sub(r"\"rows\": \d+","\"rows\": 99999999999999999999",s,count=1)'
mut feat2e31 're.sub(r"\n      \[\d+, (\d+), (\d+), ",r"\n      [2147483648, \1, \2, ",s,count=1)'
mut roundsbig 're.sub(r"\"rounds\": \d+","\"rounds\": 4294967296",s,count=1)'
mut negchild 're.sub(r"\n      \[(\d+), \d+, (\d+), ",r"\n      [\1, -5, \2, ",s,count=1)'
mut nodesobj 's.replace("\"nodes\": [","\"nodes\": {}, \"x\": [",1)'
mut paramsarr 's.replace("\"params\": {","\"params\": [], \"x\": {",1)'
mut levelsnum 's.replace("\"levels\": null","\"levels\": 5",1)'
mut idsstr 's.replace("\"id_names\": [\"form_id\"]","\"id_names\": \"form_id\"",1)'
mut versionstr 's.replace("\"version\": 1","\"version\": \"1\"",1)'
mut deepobj 's.replace("\"layout\": \"forms\"","\"layout\": \"forms\", \"x\": "+"{\"a\": "*100000+"1"+"}"*100000,1)'
mut bom '"\xef\xbb\xbf"+s'
mut nul 's.replace("\"name\": \"f3\"","\"name\": \"f\\u0000x\"",1)'
mut badutf8 's.replace("\"name\": \"f3\"","\"name\": \"f\xff\"",1)'
mut twodocs 's.replace("\"format\"","\"x\": 1} {\"format\"",1)'
mut cutsnull 're.sub(r"\"cuts\": \[[^],]+","\"cuts\": [null",s,count=1)'
mut cutsorder 're.sub(r"\"cuts\": \[[^],]+, ","\"cuts\": [1e30, ",s,count=1)'
mut metric 're.sub(r"\"metric\": \"[^\"]*\"","\"metric\": \"nope\"",s,count=1)'
mut bestiter 're.sub(r"\"best_iteration\": \d+","\"best_iteration\": 99",s,count=1)'
mut notrees 's.replace("\"trees\": [","\"trees_x\": [",1)'
mut thrstr 're.sub(r"(\n      \[\d+, \d+, \d+, \d+, \d+, )([^,]+),",lambda m: m.group(1)+chr(34)+m.group(2)+chr(34)+",",s,count=1)'
mut nodeshort 're.sub(r"\[(-1, -1, -1, \d+, -?\d+, [^,]+, [^,]+, [^,]+), [^]]+\]",r"[\1]",s,count=1)'
mut refcounts 's[:s.index("\"reference\"")]+s[s.index("\"reference\""):].replace("\"counts\": [","\"counts\": [7, ",1)'
python3 - m.json crcbad.json <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('"trees"'); i += next(k for k, c in enumerate(s[i:]) if c in "12345678")
open(sys.argv[2], "w").write(s[:i] + chr(ord(s[i]) + 1) + s[i + 1:])
PY
: >empty.json; printf 'hello\n' >text.json; mkdir -p dir.json; mkfifo fifo.json
truncate -s 1100M big.json # sparse: nothing is written, the size is refused before reading
while read -r name frag; do
    bg hcase "model $name: predict" 1 "$name.json|$frag" "PM$name/_SUCCESS" predict --model $name.json --data good.h5 --out PM$name
    bg hcase "model $name: dump" 1 "$name.json|$frag" "" dump --model $name.json
    case $name in dupkey | deepobj | feat2e31 | crcbad | fifo | big) # np 2: every rank reads the model
        bg hcase "model $name: predict" 2 "$name.json|$frag" "PN$name/_SUCCESS" predict --model $name.json --data good.h5 --out PN$name ;;
    esac
done <<'CASES'
dupkey duplicate object key near '"layout"'
dupfeat duplicate object key near '"name"'
dupparam duplicate object key near '"eta"'
bigmargin real number overflow near '1e400'
bigint too big integer
feat2e31 "feat": integer 2147483648 is out of range
roundsbig "rounds": integer 4294967296 is out of range
negchild bad feature or child index
nodesobj "nodes" must be an array
paramsarr "params" must be an object
levelsnum "levels": must be an array of strings
idsstr "id_names": must be an array of strings
versionstr "version": must be an integer
deepobj nested deeper than 2048 levels
bom line 1 column
nul \u0000 is not allowed
badutf8 unable to decode byte 0xff
twodocs end of file expected
cutsnull "cuts"[0] is not a number
cutsorder "cuts" are not increasing
metric unknown metric
bestiter best_iteration 99 out of range
notrees lacks features or trees
thrstr threshold: must be a number
nodeshort a node is an array of 9 numbers
refcounts reference: feature 1 has
crcbad corrupt model file (crc32
empty truncated or not a shardboost model
text truncated or not a shardboost model
dir dir.json/model.json
fifo not a regular file
big over the 1024 MiB limit
CASES
for name in dupkey deepobj fifo big; do
    bg hcase "model $name: evaluate" 1 "$name.json" "" evaluate --model $name.json --data good.h5
    bg hcase "model $name: export" 1 "$name.json" "X$name.json" export --model $name.json --format xgboost-json -o X$name.json
    bg hcase "model $name: serve" 1 "$name.json" "" serve --model $name.json --port 0
done
for name in dupparam feat2e31; do
    bg hcase "model $name: train --resume" 2 "$name.json" "R$name.json" train --data good.h5 --model R$name.json \
        --checkpoint $name.json --checkpoint-every 1 --resume $TRAIN
done
collect
# ---- XGBoost imports ----
python3 - x.json <<'PY'
import sys
s = open(sys.argv[1]).read()
open("xdup.json", "w").write(s.replace('{"learner":', '{"version": [1, 7, 4], "learner":', 1) if s.startswith('{"learner"') else s.replace('"learner":', '"learner": {}, "learner":', 1))
open("xdeep.json", "w").write('{"learner": ' + "[" * 100000 + "]" * 100000 + "}")
open("xtrunc.json", "w").write(s[: len(s) // 2])
PY
head -c 300 "$SB_ROOT/tests/fuzz/seeds/xgb_import/reg.ubj" >xtrunc.ubj
while read -r name frag; do
    bg hcase "xgboost $name: import" 1 "$name|$frag" "I$name.json" import --from $name -o I$name.json
    bg hcase "xgboost $name: predict" 2 "$name|$frag" "PX$name/_SUCCESS" predict --model $name --data good.h5 --out PX$name
done <<'CASES'
xdup.json duplicate object key
xdeep.json maximum parsing depth
xtrunc.json line 1 column
xtrunc.ubj UBJSON at byte
CASES
# a Latin-1 column name: train must refuse to write a model no JSON reader accepts
printf 'id,y,a\xff,b\n1,0.5,1,2\n2,0.7,2,3\n3,0.1,3,1\n4,0.9,4,4\n' >latin1.csv
printf 'ids: [id]\nlabel: y\n' >latin1.yaml
for np in 1 2; do
    bg hcase "csv column name not UTF-8: train" $np "is not valid UTF-8|a\\xff" "L$np.json" train --data latin1.csv \
        --layout csv --schema latin1.yaml --model L$np.json $TRAIN
done
collect
finish
