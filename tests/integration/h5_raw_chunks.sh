#!/usr/bin/env bash
# h5_raw_chunks.sh - predict's HDF5 read on files the raw-chunk path takes (as
# ingested: LZ4, the default; --codec deflate, shuffle + deflate 1; deflate 0;
# --codec none; h5repack'd to GZIP=6 alone or to no filter) and on files it
# must leave to HDF5 (h5repack'd with the Fletcher-32 checksum filter,
# contiguous, chunks not spanning all columns; or forced with
# SB_H5_RAW_CHUNKS=0, where HDF5 calls our LZ4 filter): same prediction bytes
# at np 1, 2 and 3 as the ingested file at np 1. Other HDF5 readers: Debian's
# h5dump and h5repack, with Debian's LZ4 plugin (hdf5-filter-plugin), read the
# LZ4 file's rows as the deflate file's. Bad option values of ingest --codec
# are refused. A flipped byte in a deflated chunk: every rank exits non-zero
# with a message naming the file and the chunk's rows, and nothing hangs.
# The same for a chunk in the middle of a rank's rows (after blocks were written).
. "$(dirname "$0")/../lib.sh"
GEN=${GEN_BIN:-$(dirname "$SB")}
T=$SB_TMP
[ -x "$GEN/gen_forms" ] || { fail "gen_forms not built"; finish; }
command -v h5repack >/dev/null || { fail "h5repack missing (hdf5-tools)"; finish; }

# 40000 rows: 8 chunks of 5577 rows, shards of 13334 rows at np 3 cut chunks mid-way.
"$GEN/gen_forms" --rows 40000 --seed 21 -o "$T/f.csv.gz"
sb_mpirun 2 ingest --layout forms -o "$T/f.h5" "$T/f.csv.gz" >/dev/null &&
    sb_mpirun 2 ingest --layout forms --codec deflate -o "$T/fd.h5" "$T/f.csv.gz" >/dev/null &&
    sb_mpirun 2 ingest --layout forms --deflate 0 -o "$T/f0.h5" "$T/f.csv.gz" >/dev/null &&
    sb_mpirun 2 ingest --layout forms --codec none -o "$T/fn.h5" "$T/f.csv.gz" >/dev/null &&
    sb_mpirun 2 train --data "$T/f.h5" --model "$T/m.json" --objective reg:squarederror \
        --n_estimators 8 --max_depth 5 --learning_rate 0.3 --seed 2 >/dev/null ||
    { fail "setup: ingest/train failed"; finish; }

check "ingest: LZ4 by default, deflate on request, none (h5ls)" bash -c "h5ls -v '$T/f.h5/features' | grep -q 'lz4' &&
    h5ls -v '$T/fd.h5/features' | grep -q deflate && ! h5ls -v '$T/fn.h5/features' | grep -qiE 'deflate|lz4|shuffle'"
for bad in "--codec zstd" "--codec lz4 --deflate 3" "--codec none --deflate 0" "--codec"; do
    # shellcheck disable=SC2086 # the options are meant to split
    timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np 2 "$SB" ingest --layout forms $bad -o "$T/x.h5" "$T/f.csv.gz" \
        >"$T/log-opt" 2>&1
    rc=$?
    check "ingest $bad: refused with exit 2 naming the option, no file (rc=$rc)" bash -c \
        "[ $rc -eq 2 ] && grep -qE -- '--(codec|deflate)' '$T/log-opt' && [ ! -e '$T/x.h5' ]"
done
# Debian's serial tools with Debian's LZ4 plugin: a row of the LZ4 file = the same row of the deflate file.
for row in 0 16731 39000; do
    h5dump -d /features -s "$row,0" -c 1,47 -b LE -o "$T/lz4-$row.bin" "$T/f.h5" >/dev/null 2>&1 &&
        h5dump -d /features -s "$row,0" -c 1,47 -b LE -o "$T/dfl-$row.bin" "$T/fd.h5" >/dev/null 2>&1
    check "h5dump (hdf5-filter-plugin) reads row $row of the LZ4 file as the deflate file's" \
        bash -c "[ -s '$T/lz4-$row.bin' ] && cmp -s '$T/lz4-$row.bin' '$T/dfl-$row.bin'"
done

repack() { h5repack "$@" >"$T/repack.log" 2>&1 || { fail "h5repack $*: $(head -3 "$T/repack.log")"; }; }
repack -f /features:GZIP=6 "$T/f.h5" "$T/gz6.h5" # from LZ4: HDF5's own tool decodes our chunks
repack -f /features:NONE "$T/fd.h5" "$T/none.h5"
repack -f /features:SHUF -f /features:GZIP=6 -f /features:FLET "$T/fd.h5" "$T/flet.h5"
repack -l /features:CONTI "$T/fd.h5" "$T/conti.h5"
repack -l /features:CHUNK=1000x10 "$T/fd.h5" "$T/cols.h5"
check "h5repack: Fletcher-32 on /features" bash -c "h5ls -v '$T/flet.h5/features' | grep -q fletcher32"

# Predictions of one file at np ranks, decompressed and concatenated in rank order.
preds() { # file np tag [env...]
    local f=$1 np=$2 tag=$3; shift 3
    env "$@" timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe "${MPI_ARGS[@]}" -x SB_H5_RAW_CHUNKS -np "$np" "$SB" predict \
        --model "$T/m.json" --data "$f" --out "$T/out-$tag-$np" "${PRED_ARGS[@]}" >"$T/log-$tag-$np" 2>&1 || return 1
    for p in "$T/out-$tag-$np"/part-*.csv.gz; do zcat "$p" | tail -n +2; done >"$T/rows-$tag-$np"
}
export SB_H5_RAW_CHUNKS=1
PRED_ARGS=(--read-ahead off) MPI_ARGS=()
preds "$T/f.h5" 1 ref || { fail "predict on the ingested file: $(tail -2 "$T/log-ref-1")"; finish; }
check "reference predictions: 40000 minus dropped rows" bash -c "[ \$(wc -l <'$T/rows-ref-1') -gt 39000 ]"
# "ahead": the same file read one block ahead by a worker thread per rank.
for tag in f fd f0 fn gz6 none flet conti cols hdf5 hdf5d ahead; do
    f=$T/$tag.h5 envs=() PRED_ARGS=(--read-ahead off)
    [ "$tag" = hdf5 ] && f=$T/f.h5 envs=(SB_H5_RAW_CHUNKS=0)
    [ "$tag" = hdf5d ] && f=$T/fd.h5 envs=(SB_H5_RAW_CHUNKS=0)
    [ "$tag" = ahead ] && f=$T/f.h5 PRED_ARGS=(--read-ahead on --verbose)
    for np in 1 2 3; do
        if preds "$f" "$np" "$tag" "${envs[@]}"; then
            check "$tag np $np: predictions identical to the ingested file at np 1" cmp -s "$T/rows-$tag-$np" "$T/rows-ref-1"
            [ "$tag" = ahead ] && check "ahead np $np: the log says the thread ran" grep -q "read-ahead thread on" "$T/log-$tag-$np"
        else
            fail "$tag np $np: predict failed: $(grep -m2 -i error "$T/log-$tag-$np")"
        fi
    done
done

# corrupt_chunk FILE [ROW.bin]: flip a byte 300 bytes into the first zlib stream
# (header 78 01) that inflates to a whole /features chunk (5577 rows x 47 floats,
# shuffled) of data, not one of the all-zero fill chunks parallel HDF5 wrote at
# creation (no longer referenced); with ROW.bin, the chunk whose first row is
# those 47 raw floats.
cat > "$T/corrupt_chunk.py" <<'PYEOF'
import sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
row = open(sys.argv[2], "rb").read() if len(sys.argv) > 2 else None
n, s = 5577 * 47, 4
def wanted(out):
    if row is None:
        return out.count(0) < len(out)
    return bytes(out[j * n + k] for k in range(47) for j in range(s)) == row
i = b.find(b"\x78\x01")
while i >= 0:
    try:
        out = zlib.decompressobj().decompress(bytes(b[i:i + (4 << 20)]), n * s)
        if len(out) == n * s and wanted(out):
            break
    except zlib.error:
        pass
    i = b.find(b"\x78\x01", i + 1)
assert i >= 0
b[i + 300] ^= 0x5A
open(sys.argv[1], "wb").write(b)
PYEOF
# (deflate files: zlib's checksum catches any flipped byte; LZ4 has none, its
# structural checks are in tests/test_h5.c)
cp "$T/fd.h5" "$T/bad.h5"
/usr/bin/python3 "$T/corrupt_chunk.py" "$T/bad.h5" || fail "no deflated /features chunk found in the file"
for np in 1 3; do
    timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" "$SB" predict --model "$T/m.json" --data "$T/bad.h5" \
        --out "$T/out-bad-$np" >"$T/log-bad-$np" 2>&1
    rc=$?
    check "corrupt chunk np $np: exits non-zero, not by timeout (rc=$rc)" bash -c "[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ]"
    check "corrupt chunk np $np: error names file, dataset and chunk rows" \
        grep -qE "$T/bad.h5: dataset '/[a-z/_]+': chunk of rows [0-9]+-[0-9]+ is corrupt or truncated" "$T/log-bad-$np"
    check "corrupt chunk np $np: no output left" bash -c "[ ! -e '$T/out-bad-$np/_SUCCESS' ]"
done
# Mid-stream: corrupt the chunk of rows 16731-22307 (the 4th), which no rank
# reads first: at np 1 rows before it are already scored and written; at np 3
# (shards of ~13262 rows) it is rank 1's second chunk, ranks 0 and 2 finish.
# The chunk is found by its first row (h5dump of row 16731 as raw bytes).
cp "$T/fd.h5" "$T/mid.h5"
h5dump -d /features -s 16731,0 -c 1,47 -b LE -o "$T/row16731.bin" "$T/fd.h5" >/dev/null 2>&1 ||
    fail "h5dump of row 16731 failed"
/usr/bin/python3 "$T/corrupt_chunk.py" "$T/mid.h5" "$T/row16731.bin" || fail "the /features chunk of row 16731 not found in the file"
# Also with the read-ahead thread: the worker meets the bad chunk, the main
# thread reports it when it reaches that block, and the thread is joined.
for ahead in off on; do
    for np in 1 3; do
        tag=$ahead-$np
        timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" "$SB" predict --model "$T/m.json" --data "$T/mid.h5" \
            --out "$T/out-mid-$tag" --merge "$T/mid-$tag.csv.gz" --read-ahead "$ahead" >"$T/log-mid-$tag" 2>&1
        rc=$?
        check "corrupt mid-stream chunk np $np read-ahead $ahead: exits non-zero, not by timeout (rc=$rc)" \
            bash -c "[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ]"
        check "corrupt mid-stream chunk np $np read-ahead $ahead: error names file, dataset and rows 16731-22307" \
            grep -qE "$T/mid.h5: dataset '/features': chunk of rows 16731-22307 is corrupt or truncated" "$T/log-mid-$tag"
        check "corrupt mid-stream chunk np $np read-ahead $ahead: no _SUCCESS, no part, no merged file" \
            bash -c "[ ! -e '$T/out-mid-$tag/_SUCCESS' ] && ! ls '$T/out-mid-$tag' 2>/dev/null | grep -q 'part-' && [ ! -e '$T/mid-$tag.csv.gz' ]"
    done
done
# evaluate streams the same way: the bad chunk is reported, nothing hangs.
for np in 1 3; do
    timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" "$SB" evaluate --model "$T/m.json" --data "$T/mid.h5" \
        >"$T/log-evmid-$np" 2>&1
    rc=$?
    check "evaluate, corrupt mid-stream chunk np $np: exits non-zero, not by timeout (rc=$rc)" \
        bash -c "[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ]"
    check "evaluate, corrupt mid-stream chunk np $np: error names file, dataset and rows 16731-22307" \
        grep -qE "$T/mid.h5: dataset '/features': chunk of rows 16731-22307 is corrupt or truncated" "$T/log-evmid-$np"
done
# auto: one rank given every CPU of a machine with 2 or more starts the thread;
# ranks bound one per core (mpirun's default) do not.
if [ "$(nproc)" -ge 2 ]; then
    PRED_ARGS=(--verbose) MPI_ARGS=(--bind-to none)
    preds "$T/f.h5" 1 auto-none || fail "auto np 1: predict failed"
    check "auto, 1 rank on $(nproc) CPUs: thread on, same predictions" bash -c \
        "grep -q 'read-ahead thread on' '$T/log-auto-none-1' && cmp -s '$T/rows-auto-none-1' '$T/rows-ref-1'"
fi
PRED_ARGS=(--verbose) MPI_ARGS=(--bind-to core)
preds "$T/f.h5" 2 auto-bound || fail "auto np 2: predict failed"
check "auto, 2 ranks bound one per core: thread off" grep -q "read-ahead thread off" "$T/log-auto-bound-2"
finish
