#!/usr/bin/env bash
# bench_ingest.sh - ingest throughput (make bench-ingest): a ~1M-row forms file
# (~220 MB, from gen_forms) ingested at np 1 and 2, three runs each; prints the
# median parse MB/s per rank (busiest rank's bytes / slowest rank's parse time),
# the parse vs HDF5-write split, and the same for the real keyword file if present.
# The input is read once first so the timings are of parsing, not of the disk.
set -eu
BIN=${BIN:-bin}
SB=${SB:-$BIN/shardboost}
GEN=${GEN:-$BIN/gen_forms}
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-bench-out/ingest}
DATA=${SB_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/data}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
mkdir -p "$DIR"

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

bench() { # label layout file
    local label=$1 layout=$2 file=$3
    cat "$file" >/dev/null
    local mb
    mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.1f", b / 1e6}')
    for np in 1 2; do
        : >"$DIR/runs.txt"
        for _ in $(seq "$RUNS"); do
            out=$(timeout 600 mpirun --oversubscribe -np "$np" "$SB" ingest --layout "$layout" -o "$DIR/bench.h5" "$file")
            # "  X MB parsed in P s (A MB/s overall, R MB/s per rank on the busiest rank), HDF5 write W s, total T s"
            echo "$out" | sed -n 's/.*parsed in \([0-9.]*\) s (\([0-9.]*\) MB\/s overall, \([0-9.]*\) MB\/s per rank.*HDF5 write \([0-9.]*\) s, total \([0-9.]*\) s/\1 \2 \3 \4 \5/p' >>"$DIR/runs.txt"
        done
        printf '%-22s np=%d %7s MB  per-rank parse %6.1f MB/s (runs: %s)  overall %6.1f MB/s  parse %.3f s  HDF5 write %.3f s  total %.3f s\n' \
            "$label" "$np" "$mb" \
            "$(awk '{print $3}' "$DIR/runs.txt" | median)" "$(awk '{printf "%s ", $3}' "$DIR/runs.txt" | sed 's/ $//')" \
            "$(awk '{print $2}' "$DIR/runs.txt" | median)" "$(awk '{print $1}' "$DIR/runs.txt" | median)" \
            "$(awk '{print $4}' "$DIR/runs.txt" | median)" "$(awk '{print $5}' "$DIR/runs.txt" | median)"
    done
}

if [ ! -s "$DIR/forms_$ROWS.csv" ]; then
    echo "generating $ROWS forms rows -> $DIR/forms_$ROWS.csv"
    "$GEN" --rows "$ROWS" --seed 42 -o "$DIR/forms_$ROWS.csv"
fi
echo "bench-ingest: median of $RUNS runs; machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
bench "forms ($ROWS rows)" forms "$DIR/forms_$ROWS.csv"
if [ -f "$DATA/sellics_keywords.csv.xz" ]; then
    [ -s "$DIR/keywords.csv" ] || xz -dc "$DATA/sellics_keywords.csv.xz" >"$DIR/keywords.csv"
    bench "keywords (real file)" keywords "$DIR/keywords.csv"
fi
rm -f "$DIR/bench.h5" "$DIR/runs.txt"
