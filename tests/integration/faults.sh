#!/usr/bin/env bash
# faults.sh - a write that fails (ENOSPC: a full disk; EIO: a failing one) at every
# output: ingest's HDF5 file, train's model and checkpoint, predict's part files, merged
# file and _SUCCESS, cv's journal and leaderboard, export, and a registry version.
# Each case must end every rank promptly (timeout), exit non-zero (not by a signal),
# say which path failed and why (strerror), and leave nothing complete-looking and no
# temporary file behind.
# ENOSPC: a small tmpfs this script mounts (root only; SKIP otherwise), sized per case so
# that the write fails part-way. EIO: tests/fault/eio_shim.so, an LD_PRELOAD shim that
# fails write/pwrite/pwritev after N bytes, and fsync/fclose, on paths matching
# SB_EIO_MATCH (see the shim for why those calls).
. "$(dirname "$0")/../lib.sh"
[ -x "$SB" ] || { fail "no binary at $SB"; finish; }
GEN=$(dirname "$SB")/gen_forms
SB_TIMEOUT=${SB_FAULT_TIMEOUT:-40}
T=$SB_TMP
MNT=$T/mnt
mkdir -p "$MNT"
mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null || skip "cannot mount a tmpfs (needs root): ENOSPC cases"
trap 'umount -l "$MNT" 2>/dev/null; rm -rf "$SB_TMP"' EXIT
SHIM=${SB_EIO_SHIM:-$SB_ROOT/${SB_BUILD:-build}/tests/eio_shim.so}

# fresh KB [inodes]: an empty tmpfs of KB KiB (and at most `inodes` files) at $MNT.
fresh() {
    umount "$MNT" 2>/dev/null
    mount -t tmpfs -o "size=${1}k${2:+,nr_inodes=$2}" tmpfs "$MNT" || fail "mount tmpfs size=${1}k"
}

# run_np NP args... : np 1 as a singleton, else under mpirun; under timeout.
run_np() {
    local np=$1; shift
    if [ "$np" -eq 1 ]; then timeout -k 5 "$SB_TIMEOUT" "$SB" "$@"
    else timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" ${SB_MPI_X:-} "$SB" "$@"; fi
}

# fcase "what" NP "frag1|frag2" "keep" args... : one failing run. Every fragment must be in
# the output; afterwards $MNT may hold only the names in `keep` (a regex of ls -A names).
fcase() {
    local what=$1 np=$2 frags=$3 keep=$4 log=$T/log rc f; shift 4
    what="$what np=$np"
    run_np "$np" "$@" </dev/null >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then fail "$what: exit status 0"; return; fi
    if [ "$rc" -ge 124 ]; then fail "$what: timed out or killed by a signal (rc=$rc)"; tail -20 "$log"; return; fi
    if grep -qE 'MPI_ABORT|Segmentation|signal 11|AddressSanitizer|runtime error' "$log"; then
        fail "$what: crash or unagreed abort"; grep -m3 -E 'MPI_ABORT|Segmentation|signal|Sanitizer|runtime error' "$log"; return
    fi
    local IFS='|'
    for f in $frags; do
        grep -qF -- "$f" "$log" || { fail "$what: message lacks '$f': $(grep -m1 'error' "$log")"; return; }
    done
    IFS=$' \t\n'
    local left
    left=$(cd "${FDIR:-$MNT}" && find . -mindepth 1 | sed 's|^\./||' | grep -vxE "${keep:-^$}" | tr '\n' ' ')
    [ -n "$left" ] && { fail "$what: left behind: $left"; return; }
    pass "$what (rc=$rc): $(grep -m1 -o 'error: .*' "$log" | sed 's/ (at .*//' | head -c 160)"
}

"$GEN" --rows 20000 --seed 3 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
cd "$T" || exit 1
run_np 1 ingest --layout forms -q -o f.h5 f.csv || fail "ingest f.h5"
run_np 1 train --data f.h5 --model m.json --quiet --n_estimators 10 --max_depth 5 || fail "train m.json"
NOSPC="No space left on device"

# ---- ENOSPC: the disk fills part-way through each write ----
for np in 1 2 3; do
    fresh 256
    fcase "ENOSPC ingest HDF5" $np "mnt/o.h5|$NOSPC" "" ingest --layout forms -q -o mnt/o.h5 f.csv
done
for np in 1 2; do
    fresh 64
    fcase "ENOSPC train --model" $np "mnt/m.json|$NOSPC" "" train --data f.h5 --model mnt/m.json --quiet --n_estimators 10 --max_depth 5
    fresh 64
    # an earlier round's checkpoint may stay: it must be whole (a later run resumes from it)
    fcase "ENOSPC train checkpoint" $np "mnt/ck.json|$NOSPC" "ck\.json" train --data f.h5 --model m$np.json --checkpoint mnt/ck.json --checkpoint-every 2 --quiet --n_estimators 10 --max_depth 5
    [ ! -e m$np.json ] && pass "ENOSPC train checkpoint np=$np: no model written" || fail "ENOSPC train checkpoint np=$np: model written"
    [ ! -e mnt/ck.json ] || "$SB" dump --model mnt/ck.json >/dev/null 2>&1 && pass "ENOSPC train checkpoint np=$np: checkpoint left is whole" ||
        fail "ENOSPC train checkpoint np=$np: the checkpoint left does not load"
    fresh 64
    fcase "ENOSPC predict part files" $np "mnt/P|$NOSPC" "P|P/\.shardboost\.lock" predict --model m.json --data f.h5 --out mnt/P --no-drift -q
    fresh 64
    fcase "ENOSPC predict --merge" $np "mnt/all.csv.gz|$NOSPC" "" predict --model m.json --data f.h5 --out Pm$np --merge mnt/all.csv.gz --no-drift -q
    [ ! -e Pm$np/_SUCCESS ] && pass "ENOSPC predict --merge np=$np: no _SUCCESS" || fail "ENOSPC predict --merge np=$np: _SUCCESS written"
    fresh 16
    fcase "ENOSPC export" $np "mnt/x.json|$NOSPC" "" export --model m.json --format xgboost-json -o mnt/x.json
done
printf 'max_depth: [2, 3]\neta: [0.3]\nn_estimators: [3]\n' >g.yaml
head -2001 f.csv >small.csv
run_np 1 ingest --layout forms -q -o small.h5 small.csv || fail "ingest small.h5"
for np in 1 2; do
    fresh 4
    fcase "ENOSPC cv journal/leaderboard" $np "mnt/cv|$NOSPC" "cv|cv/journal-r[0-9]*\.csv" cv --data small.h5 --grid g.yaml --folds 2 --out mnt/cv -q
    fresh 64
    fcase "ENOSPC registry version" $np "mnt/reg|$NOSPC" "reg|reg/m|reg/m/\.lock" train --data f.h5 --model r$np.json --register mnt/reg/m --quiet --n_estimators 10 --max_depth 5
    # _SUCCESS (a few bytes) cannot fail for space: the file system's last inode goes instead
    fresh 1024 $((3 + np)) # the root, P, its lock and the parts
    fcase "ENOSPC predict _SUCCESS (no inode left)" $np "mnt/P/_SUCCESS|$NOSPC" "P|P/\.shardboost\.lock|P/part-0000[0-9]\.csv\.gz" predict --model m.json --data small.h5 --out mnt/P --no-drift -q
    [ ! -e mnt/P/_SUCCESS ] && pass "ENOSPC _SUCCESS np=$np: none" || fail "ENOSPC _SUCCESS np=$np: _SUCCESS written"
done

# ---- EIO: the disk fails (the shim) part-way through each write, or at fsync/close ----
cc -shared -fPIC -O1 -o "$T/eio_shim.so" "$SB_ROOT/tests/fault/eio_shim.c" -ldl || { fail "build eio_shim"; finish; }
EIO="Input/output error"
FDIR=$T/eio
# eio AFTER "what" NP frags keep args... : fcase with the shim failing writes under $FDIR after AFTER bytes.
eio() {
    local after=$1; shift
    rm -rf "$FDIR"; mkdir -p "$FDIR"
    LD_PRELOAD=$T/eio_shim.so SB_EIO_MATCH=/eio/ SB_EIO_AFTER=$after SHARDBOOST_CLOSE_TIMEOUT=5 \
        SB_MPI_X="-x LD_PRELOAD -x SB_EIO_MATCH -x SB_EIO_AFTER -x SHARDBOOST_CLOSE_TIMEOUT" fcase "$@"
}
for np in 1 2 3; do
    # at np 3 rank 0's metadata write fails inside H5Fclose while the others wait in
    # HDF5's barrier: the close watchdog (SHARDBOOST_CLOSE_TIMEOUT) ends them
    eio 100000 "EIO ingest HDF5" $np "eio/o.h5|$EIO" "" ingest --layout forms -q -o eio/o.h5 f.csv
done
for np in 1 2; do
    eio 0 "EIO train --model (fsync)" $np "eio/m.json|$EIO" "" train --data f.h5 --model eio/m.json --quiet --n_estimators 4 --max_depth 3
    eio 0 "EIO predict part files (fsync)" $np "eio/P|$EIO" "P|P/\.shardboost\.lock" predict --model m.json --data f.h5 --out eio/P --no-drift -q
    eio 0 "EIO predict --merge" $np "eio/all.csv.gz|$EIO" "" predict --model m.json --data f.h5 --out Pe$np --merge eio/all.csv.gz --no-drift -q
    eio 0 "EIO cv journal (fdatasync)" $np "eio/cv|$EIO" "cv|cv/journal-r[0-9]*\.csv" cv --data small.h5 --grid g.yaml --folds 2 --out eio/cv -q
    eio 0 "EIO export (fclose)" $np "eio/x.json|$EIO" "" export --model m.json --format xgboost-json -o eio/x.json
    eio 0 "EIO registry version" $np "eio/reg|$EIO" "reg|reg/m|reg/m/\.lock" train --data f.h5 --model r$np.json --register eio/reg/m --quiet --n_estimators 4 --max_depth 3
done
finish
