#!/usr/bin/env bash
# hostile.sh - regression cases for the defects of issue 15 (data loss, crashes,
# hangs, silent errors on hostile input): each case must exit non-zero (not by a
# signal, not by timeout), name the file and the line/key/field in its message,
# agree the error (no MPI_ABORT), not crash, and leave no complete-looking output.
# np 1 runs as an MPI singleton (mpirun's teardown costs ~2 s per failing run).
. "$(dirname "$0")/../lib.sh"
[ -x "$SB" ] || { fail "no binary at $SB"; finish; }
GEN=$(dirname "$SB")/gen_forms
SB_TIMEOUT=${SB_HOSTILE_TIMEOUT:-40}
T=$SB_TMP

# sb_np, hcase, bg, collect: the hostile-case runner shared with hostile_files.sh
. "$SB_ROOT/tests/hostile/hcase.sh"

"$GEN" --rows 50 --seed 1 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
cd "$T" || exit 1

# ---- data loss: outputs that are inputs, gzip members lost ----
cp f.csv same1.csv; cp f.csv same2.csv
for np in 1 2; do
    bg hcase "ingest -o = input" $np "same$np.csv|is the input file" "" ingest --layout forms -o same$np.csv same$np.csv
    ln -f f.csv hard$np.h5
    bg hcase "ingest -o = hard link of input" $np "hard$np.h5|is the input file" "" ingest --layout forms -o hard$np.h5 f.csv
done
head -25 f.csv | gzip >bad2.csv.gz; tail -n +26 f.csv | gzip >m2.gz
printf '\000' | dd of=m2.gz bs=1 seek=1 conv=notrunc 2>/dev/null; cat m2.gz >>bad2.csv.gz
gzip -c f.csv >trail.csv.gz; echo garbage >>trail.csv.gz
head -25 f.csv | gzip >corrupt2.csv.gz; tail -n +26 f.csv | gzip >m3.gz
printf 'x' | dd of=m3.gz bs=1 seek=30 conv=notrunc 2>/dev/null; cat m3.gz >>corrupt2.csv.gz
for np in 1 2; do
    bg hcase "gzip member 2 header corrupt" $np "bad2.csv.gz|after gzip member 1" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 bad2.csv.gz
    bg hcase "gzip trailing garbage" $np "trail.csv.gz|trailing garbage" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 trail.csv.gz
    bg hcase "gzip member 2 data corrupt" $np "corrupt2.csv.gz|(member 2, near byte" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 corrupt2.csv.gz
done
collect
for np in 1 2; do
    cmp -s f.csv same$np.csv && pass "ingest -o = input np=$np: input kept" || fail "ingest -o = input np=$np: input destroyed"
done
"$GEN" --rows 300 --seed 2 -o d.csv >/dev/null
sb_np 1 train --data d.csv --layout forms --model m.json --quiet --n_estimators 2 || fail "train m.json"
for np in 1 2; do
    cp d.csv tr$np.csv; cp d.csv pin$np.csv
    bg hcase "train --model = --data" $np "tr$np.csv|is the input file" "" train --data tr$np.csv --layout forms --model tr$np.csv --quiet --n_estimators 2
    bg hcase "predict --merge = --data (--overwrite)" $np "pin$np.csv|is the input file" "P$np/_SUCCESS" predict --model m.json --data pin$np.csv --out P$np --merge pin$np.csv --overwrite
    bg hcase "predict --merge inside --out" $np "--merge Q$np/all.csv.gz|inside the --out directory" "Q$np/_SUCCESS Q$np/all.csv.gz" predict --model m.json --data d.csv --out Q$np --merge Q$np/all.csv.gz
done
collect
for f in tr1 tr2 pin1 pin2; do cmp -s d.csv $f.csv && pass "$f.csv kept" || fail "$f.csv destroyed"; done
# ---- crashes / hangs / silent errors: hostile model files (re-sealed, so crc32 passes) ----
MUT=$SB_ROOT/tests/hostile/mutmodel.py
mut() { python3 "$MUT" m.json "$1.json" "$2" || fail "mutmodel $1"; }
mut noname 's.replace("{\"name\": \"f3\", ","{",1)'
mut dupname 's.replace("\"name\": \"f3\"","\"name\": \"f2\"",1)'
mut deep 's.replace("\"layout\": \"forms\"","\"layout\": \"forms\", \"x\": "+"["*1000000+"]"*1000000,1)'
mut nometric 're.sub(r"\"train_metric\": \[[^]]*\],\s*","",s)'
mut nullbase 's.replace("\"base_margin\": ","\"base_margin\": null, \"x\": ",1)'
mut infbase 's.replace("\"base_margin\": ","\"base_margin\": 1e999, \"x\": ",1)'
mut bigfeat 're.sub(r"\[\d+, 1, 2, ","[4294967297, 1, 2, ",s,count=1)'
mut shared 're.sub(r"\[(\d+), 5, 6, ",r"[\1, 3, 4, ",s,count=1)'
mut chain 's[:s.index("\"trees\":")] + "\"trees\": [\n    {\"nodes\": [" + ",".join("[0, %d, %d, 0, 0, 0.5, 0, 0, 1],[-1, -1, -1, 0, -1, 0, 0.1, 0, 1]" % (2*i+1, 2*i+2) for i in range(200000)) + ",[-1, -1, -1, 0, -1, 0, 0.1, 0, 1]]}\n  ]"'
for np in 1 2; do
    while read -r name frag; do
        [ $np = 1 ] && bg hcase "model $name: dump" $np "$name.json|$frag" "" dump --model $name.json
        bg hcase "model $name: predict" $np "$name.json|$frag" "PM$name$np/_SUCCESS" predict --model $name.json --data d.csv --out PM$name$np
    done <<'CASES'
noname features[3] has no "name"
dupname have the same name 'f2'
deep nested deeper than
nometric lacks "train_metric"
nullbase "base_margin" must be finite
infbase real number overflow near '1e999'
bigfeat is out of range
shared has two parents
chain deeper than 10000 levels
CASES
done
for t in abc 1x 99; do bg hcase "dump --tree $t" 1 "--tree|$t" "" dump --model m.json --tree $t; done
bg hcase "model nometric: train --resume" 2 "nometric.json|lacks \"train_metric\"" "" train --data d.csv --layout forms --model rs.json --checkpoint nometric.json --checkpoint-every 1 --resume --quiet --n_estimators 4
collect
# ---- grids and schemas: empty points (SIGSEGV), second documents and repeated keys ignored ----
sb_np 1 ingest --layout forms -q -o d.h5 d.csv || fail "ingest d.h5"
printf 'points: []\n' >g_empty.yaml
printf 'max_depth: [3]\n---\neta: [0.1]\n' >g_multi.yaml
printf 'id,succ,trials,color,x\n1,2,3,red,0.5\n2,1,4,blue,0.7\n' >s.csv
printf 'ids: [id]\nnumerator: succ\ndenominator: trials\nids: [x]\n' >s_dup.yaml
printf 'ids: [id]\nnumerator: trials\ndenominator: trials\n' >s_same.yaml
printf 'ids: [id]\nnumerator: succ\ndenominator: trials\n---\nids: [x]\n' >s_multi.yaml
for np in 1 2; do
    bg hcase "cv grid points: []" $np "g_empty.yaml:1|'points' is an empty list" "cv$np/leaderboard.csv" cv --data d.h5 --grid g_empty.yaml --folds 2 --out cv$np
    bg hcase "cv grid with a second document" $np "g_multi.yaml:3|second YAML document" "cv$np/leaderboard.csv" cv --data d.h5 --grid g_multi.yaml --folds 2 --out cv$np
    bg hcase "schema ids: twice" $np "s_dup.yaml:4|'ids' given again" "s$np.h5 s$np.h5.tmp" ingest --layout csv --schema s_dup.yaml -o s$np.h5 s.csv
    bg hcase "schema numerator = denominator" $np "s_same.yaml|are the same column 'trials'" "s$np.h5 s$np.h5.tmp" ingest --layout csv --schema s_same.yaml -o s$np.h5 s.csv
    bg hcase "schema with a second document" $np "s_multi.yaml:5|second YAML document" "s$np.h5 s$np.h5.tmp" ingest --layout csv --schema s_multi.yaml -o s$np.h5 s.csv
done
collect
# ---- HDF5 columns whose length differs from /features (hang at np 2 / silently trained) ----
if command -v h5import >/dev/null; then
    awk 'BEGIN { srand(1); print "id,y,a,b"; for (i = 0; i < 200; i++) printf "%d,%.3f,%.3f,%.3f\n", i, rand(), rand(), rand() }' >w.csv
    printf 'ids: [id]\nlabel: y\nweight: none\n' >w.yaml
    sb_np 1 ingest --layout csv --schema w.yaml -q -o wshort.h5 w.csv || fail "ingest wshort.h5"
    sb_np 1 ingest --layout csv --schema w.yaml --no-label -q -o llong.h5 w.csv || fail "ingest llong.h5"
    seq 1 10 >w10.txt; seq 1 300 >l300.txt
    printf 'PATH /weight\nINPUT-CLASS TEXTFP\nRANK 1\nDIMENSION-SIZES 10\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >w10.cfg
    printf 'PATH /label\nINPUT-CLASS TEXTFP\nRANK 1\nDIMENSION-SIZES 300\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >l300.cfg
    h5import w10.txt -c w10.cfg -o wshort.h5 >/dev/null && h5import l300.txt -c l300.cfg -o llong.h5 >/dev/null || fail "h5import"
    sb_np 1 train --data w.csv --layout csv --schema w.yaml --model wm.json --quiet --n_estimators 2 || fail "train wm.json"
    for np in 1 2 3; do
        for h in wshort:"'/weight' has 10 rows" llong:"'/label' has 300 rows"; do
            bg hcase "h5 ${h%%:*}: train" $np "${h%%:*}.h5|${h#*:}" "H$np${h%%:*}.json" train --data ${h%%:*}.h5 --model H$np${h%%:*}.json --quiet --n_estimators 2
            [ $np = 3 ] && continue # np 3: train only (the agreement is the same code)
            bg hcase "h5 ${h%%:*}: evaluate" $np "${h%%:*}.h5|${h#*:}" "" evaluate --model wm.json --data ${h%%:*}.h5
            bg hcase "h5 ${h%%:*}: predict" $np "${h%%:*}.h5|${h#*:}" "PH$np${h%%:*}/_SUCCESS" predict --model wm.json --data ${h%%:*}.h5 --out PH$np${h%%:*}
        done
    done
    collect
else echo "SKIP: h5import (hdf5-tools) missing: HDF5 shape cases"; fi
# ---- two runs writing one --out: the second must be refused while the first holds the lock ----
for np in 1 2; do
    mkdir -p LK$np
    flock LK$np/.shardboost.lock sleep 8 &
    sleep 0.3
    hcase "predict --out locked by another run" $np "LK$np|another run is writing" "LK$np/_SUCCESS LK$np/part-00000.csv.gz" predict --model m.json --data d.csv --out LK$np --overwrite
    kill %flock 2>/dev/null; wait %flock 2>/dev/null
done
gzip -c f.csv >ok.csv.gz; cat ok.csv.gz ok.csv.gz >two.csv.gz
out=$(sb_np 2 ingest --layout forms -o two.h5 two.csv.gz 2>&1)
grep -q "rows read 100" <<<"$out" && pass "two good gzip members: all 100 rows" || fail "two good gzip members: $out"

# ---- unclear messages: NUL, UTF-16, invalid UTF-8, empty HDF5, targets, options ----
/usr/bin/python3 - <<'PY'
s = open('f.csv', 'rb').read().split(b'\n')
l = s[2].split(b','); l[3] = l[3][:1] + b'\x00' + l[3][1:]; s[2] = b','.join(l)
open('nul.csv', 'wb').write(b'\n'.join(s))
open('u16.csv', 'wb').write(b'\xff\xfe' + open('f.csv', 'rb').read().decode().encode('utf-16-le'))
open('u16nobom.csv', 'wb').write(open('f.csv', 'rb').read().decode().encode('utf-16-le'))
open('b8.csv', 'wb').write(b'id,y,a\n1,0.5,2\n2,0.5,\xff\xfe1\n')
try:
    import h5py
    h5py.File('nods.h5', 'w').close()
except ImportError:
    pass
PY
printf 'ids: [id]\nlabel: y\nweight: none\n' >b8.yaml
printf 'id,y,w,a\n1,0.5,1,1\n2,0.5,1e300,2\n3,0.5,1,3\n' >bw.csv
printf 'ids: [id]\nlabel: y\nweight: w\n' >bw.yaml
"$(dirname "$SB")/gen_keywords" --rows 20 --seed 1 -o kw.csv >/dev/null
awk -F, 'BEGIN { OFS = "," } NR == 3 { $(NF - 1) = "1e300" } { print }' kw.csv >kwbig.csv
: >empty.h5
for np in 1 2; do
    bg hcase "NUL byte in a field" $np "nul.csv:3|NUL byte at column" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 nul.csv
    bg hcase "UTF-16 file (BOM)" $np "u16.csv|looks like UTF-16" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 u16.csv
    bg hcase "UTF-16 file (no BOM)" $np "u16nobom.csv|looks like UTF-16" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 u16nobom.csv
    bg hcase "invalid UTF-8 echoed escaped" $np 'b8.csv:3|\xff\xfe1' "o$np.h5 o$np.h5.tmp" ingest --layout csv --schema b8.yaml -o o$np.h5 b8.csv
    bg hcase "empty HDF5 file: train" $np "empty.h5|not a shardboost HDF5 file" "E$np.json" train --data empty.h5 --model E$np.json --quiet
    bg hcase "empty HDF5 file: predict" $np "empty.h5|not a shardboost HDF5 file" "PE$np/_SUCCESS" predict --model m.json --data empty.h5 --out PE$np
    [ -e nods.h5 ] && bg hcase "HDF5 without datasets: evaluate" $np "nods.h5|not a shardboost HDF5 file" "" evaluate --model m.json --data nods.h5
    bg hcase "weight 1e300: train" $np "bw.csv:3|outside the float32 range" "W$np.json" train --data bw.csv --layout csv --schema bw.yaml --model W$np.json --quiet
    bg hcase "Clicks=1e300: ingest" $np "kwbig.csv:3|Clicks|outside the float32 range" "k$np.h5 k$np.h5.tmp" ingest --layout keywords -o k$np.h5 kwbig.csv
    bg hcase "unknown option last: train" $np "unknown option '--bogus'" "" train --data d.csv --layout forms --model U$np.json --bogus
    bg hcase "unknown option last: evaluate" $np "unknown option '--bogus'" "" evaluate --model m.json --data d.csv --bogus
    bg hcase "unknown option last: predict" $np "unknown option '--bogus'" "" predict --model m.json --data d.csv --out PU$np --bogus
    bg hcase "unknown option last: export" $np "unknown option '--bogus'" "" export --model m.json --format xgboost-json -o X$np.json --bogus
    bg hcase "unknown option last: import" $np "unknown option '--bogus'" "" import --from X$np.json -o I$np.json --bogus
done
collect
sb_np 1 ingest --layout csv --schema b8.yaml -o b8x.h5 b8.csv >b8.log 2>&1
grep -q $'\xff' b8.log && fail "invalid UTF-8: raw bytes in the message" || pass "invalid UTF-8: no raw byte in the message"
printf 'id,y,a\n1,0.5,3.4028235e38\n2,0.5,-3.4028235e38\n3,0.1,1\n' >fmax.csv
sb_np 2 ingest --layout csv --schema b8.yaml -q -o fmax.h5 fmax.csv >/dev/null 2>&1 && pass "3.4028235e38 (FLT_MAX) ingests" || fail "3.4028235e38 (FLT_MAX) refused"
printf '3.4028236e38\n' | sed 's/^/id,y,a\n1,0.5,/' >fover.csv
bg hcase "float32 overflow 3.4028236e38" 1 "fover.csv:2|outside the float32 range" "fo.h5" ingest --layout csv --schema b8.yaml -o fo.h5 fover.csv
if command -v h5import >/dev/null; then # labels and weights from another tool: NaN, negative
    awk 'BEGIN { print "id,y,a"; for (i = 0; i < 30; i++) printf "%d,%.2f,%d\n", i, i / 30, i }' >t.csv
    sb_np 1 ingest --layout csv --schema b8.yaml --no-label -q -o lnan.h5 t.csv || fail "ingest lnan.h5"
    sb_np 1 ingest --layout csv --schema b8.yaml -q -o wneg.h5 t.csv || fail "ingest wneg.h5"
    { seq 1 6; echo nan; seq 8 30; } | awk '{ print ($1 == "nan") ? "nan" : $1 / 30 }' >lnan.txt
    { seq 1 11; echo -1; seq 13 30; } >wneg.txt
    printf 'PATH /label\nINPUT-CLASS TEXTFP\nRANK 1\nDIMENSION-SIZES 30\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >lnan.cfg
    printf 'PATH /weight\nINPUT-CLASS TEXTFP\nRANK 1\nDIMENSION-SIZES 30\nOUTPUT-CLASS FP\nOUTPUT-SIZE 64\n' >wneg.cfg
    h5import lnan.txt -c lnan.cfg -o lnan.h5 >/dev/null && h5import wneg.txt -c wneg.cfg -o wneg.h5 >/dev/null || fail "h5import nan/neg"
    for np in 1 2; do
        bg hcase "HDF5 label NaN: train" $np "lnan.h5: row 7: label nan" "LN$np.json" train --data lnan.h5 --model LN$np.json --quiet --n_estimators 2
        bg hcase "HDF5 negative weight: train" $np "wneg.h5: row 12: weight -1" "WN$np.json" train --data wneg.h5 --model WN$np.json --quiet --n_estimators 2
    done
fi
collect
# ---- valgrind: the model checksum check read past the text (sscanf on a buffer without NUL) ----
if command -v valgrind >/dev/null && ! ldd "$SB" 2>/dev/null | grep -q libasan; then # valgrind cannot run an ASan build
    valgrind --error-exitcode=9 -q "$SB" dump --model m.json --no-trees >vg.log 2>&1
    rc=$?; [ $rc -eq 0 ] && pass "valgrind: dump (model checksum check) clean" || { fail "valgrind: dump rc=$rc"; grep -m5 '==' vg.log; }
else echo "SKIP: valgrind missing: checksum check under valgrind"; fi
# ---- hangs: inputs that are not regular files ----
mkfifo fifo.csv
for np in 1 2; do
    bg hcase "FIFO input" $np "fifo.csv|a FIFO" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 fifo.csv
    bg hcase "directory input" $np "$T|a directory" "o$np.h5 o$np.h5.tmp" ingest --layout forms -o o$np.h5 "$T"
done

collect
finish
