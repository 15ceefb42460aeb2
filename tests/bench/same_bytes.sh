#!/usr/bin/env bash
# same_bytes.sh OLD_SB NEW_SB - a refactoring's contract, checked in one run: the two
# binaries write byte-identical model files (bench forms data and the real keyword
# data, several parameter sets, np 1-4) and byte-identical predictions (part files
# and merged csv.gz). Prints one md5 line per artefact and "same_bytes: N same, N different".
# A model's created_by names the build that wrote it ("shardboost <git describe>"), so two
# builds of the same code differ there and in the crc32 over the text: a model pair whose
# bytes differ is compared again with created_by set to one value and the crc32 recomputed,
# and counts as same only if everything else is byte-identical ("same* ... created_by ...").
# SAME_ROWS (default 1000000) sizes the generated forms data, as make bench does.
set -u
OLD=$(readlink -f "$1"); NEW=$(readlink -f "$2")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN=$(dirname "$OLD")/gen_forms
DATA=${SB_DATA:-$ROOT/../shared/data}
ROWS=${SAME_ROWS:-1000000}
T=${SAME_DIR:-$(mktemp -d /tmp/same-bytes.XXXXXX)}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
mkdir -p "$T"; cd "$T" || exit 2
run() { timeout -k 5 900 mpirun -np "$@" > /dev/null 2>>log.txt || echo "FAILED: mpirun -np $*" >&2; }
if [ ! -f tr.h5 ]; then
    "$GEN" --rows "$ROWS" --seed 1 -o all.csv
    head -n $((ROWS * 4 / 5)) all.csv > tr.csv; tail -n $((ROWS - ROWS * 4 / 5)) all.csv > te.csv; rm -f all.csv
    run 2 "$OLD" ingest -q --layout forms -o tr.h5 tr.csv; run 2 "$OLD" ingest -q --layout forms -o te.h5 te.csv
fi
if [ ! -f kw.h5 ]; then
    xz -dc "$DATA/sellics_keywords.csv.xz" > kw.csv
    run 2 "$OLD" ingest -q --layout keywords --cap-rate -o kw.h5 kw.csv
fi
same=0 diff=0
compare() { # what, file-from-old, file-from-new
    local a b; a=$(md5sum < "$2" | cut -c1-32); b=$(md5sum < "$3" | cut -c1-32)
    if [ -s "$2" ] && [ "$a" = "$b" ]; then same=$((same + 1)); echo "same  $a $1"
    else diff=$((diff + 1)); echo "DIFF  $a $b $1"; fi
}
# without_build FILE: the model text with created_by "shardboost (build)" and its crc32 redone.
without_build() {
    python3 - "$1" <<'PYEOF'
import re, sys, zlib
t = open(sys.argv[1], "rb").read()
t = re.sub(rb'("created_by": ")[^"]*"', rb'\1shardboost (build)"', t, count=1)
body = t[:t.rfind(b'\n  "crc32": "') + 1]
sys.stdout.buffer.write(body + b'  "crc32": "%08x"\n}\n' % zlib.crc32(body))
PYEOF
}
created_by() { sed -n 's/^  "created_by": "\(.*\)",$/\1/p' "$1"; }
compare_model() { # what, model-from-old, model-from-new
    if [ -s "$2" ] && [ -s "$3" ] && ! cmp -s "$2" "$3" && [ "$(created_by "$2")" != "$(created_by "$3")" ] &&
        cmp -s <(without_build "$2") <(without_build "$3"); then
        same=$((same + 1))
        echo "same* $(without_build "$2" | md5sum | cut -c1-32) $1 (but created_by '$(created_by "$2")' / '$(created_by "$3")')"
    else
        compare "$@"
    fi
}
for g in gen_forms gen_keywords; do # the generators' streams come from the same hash
    "$(dirname "$OLD")/$g" --rows 20000 --seed 5 -o "old-$g.csv" && "$(dirname "$NEW")/$g" --rows 20000 --seed 5 -o "new-$g.csv"
    compare "$g output" "old-$g.csv" "new-$g.csv"
done
BENCH="--n_estimators 100 --max_depth 6 --max_bin 256 --eta 0.1 --lambda 1 --eval_metric mse --weighted_metric 0"
case_train() { # name np data args...
    local name=$1 np=$2; shift 2
    for who in old new; do
        local sb=$OLD; [ $who = new ] && sb=$NEW
        run "$np" "$sb" train -q "$@" --model "$who-$name-np$np.json"
    done
    compare_model "model $name np $np" "old-$name-np$np.json" "new-$name-np$np.json"
}
for np in 1 2 3 4; do
    case_train bench "$np" --data tr.h5 --valid te.h5 $BENCH
    case_train kw "$np" --data kw.h5 --objective reg:logistic --n_estimators 60 --max_depth 6 --learning_rate 0.1 --seed 7
done
for np in 1 3; do
    case_train lossguide "$np" --data tr.h5 --n_estimators 20 --grow_policy lossguide --max_leaves 31 --subsample 0.7 --colsample_bytree 0.6 --seed 11
    case_train l1 "$np" --data kw.h5 --objective reg:absoluteerror --n_estimators 10 --alpha 0.5 --gamma 0.1
    case_train poisson "$np" --data tr.h5 --objective count:poisson --n_estimators 10 --min_child_weight 5
done
for np in 1 2 3; do
    for who in old new; do
        sb=$OLD; [ $who = new ] && sb=$NEW
        rm -rf "$who-pred"
        run "$np" "$sb" predict --model old-bench-np1.json --data te.h5 --out "$who-pred" --merge "$who-merged.csv.gz"
        run "$np" "$sb" predict --model old-kw-np1.json --data kw.h5 --out "$who-kwpred" --merge "$who-kwmerged.csv.gz" --overwrite
    done
    compare "predict bench merged np $np" old-merged.csv.gz new-merged.csv.gz
    compare "predict kw merged np $np" old-kwmerged.csv.gz new-kwmerged.csv.gz
    for p in old-pred/part-*.csv.gz; do compare "predict bench $(basename "$p") np $np" "$p" "new-pred/$(basename "$p")"; done
    rm -f old-merged.csv.gz new-merged.csv.gz
done
echo "same_bytes: $same same, $diff different (work dir $T)"
[ "$diff" -eq 0 ]
