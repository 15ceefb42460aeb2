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
PROBE=$T/probe
mkdir -p "$PROBE"
mount -t tmpfs -o size=64k tmpfs "$PROBE" 2>/dev/null || skip "cannot mount a tmpfs (needs root): ENOSPC cases"
umount "$PROBE"
MOUNTS=$T/mounts # every tmpfs mounted, unmounted at exit
: >"$MOUNTS"
trap 'while read -r m; do umount -l "$m" 2>/dev/null; done <"$MOUNTS"; rm -rf "$SB_TMP"' EXIT

# run_np NP args... : np 1 as a singleton, else under mpirun; under timeout.
run_np() {
    local np=$1; shift
    if [ "$np" -eq 1 ]; then timeout -k 5 "$SB_TIMEOUT" "$SB" "$@"
    else timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" ${SB_MPI_X:-} "$SB" "$@"; fi
}

# Each case runs in its own directory $T/c.N (the shared inputs linked in), beside up to
# 4 others: a failing mpirun is mostly idle teardown. Its output goes to $T/res.N.
SB_NCASE=0 SB_RUNNING=0
case_dir() {
    SB_NCASE=$((SB_NCASE + 1))
    CD=$T/c.$(printf %03d $SB_NCASE)
    mkdir -p "$CD"
    for f in f.csv f.h5 m.json small.h5 g.yaml; do ln -s "$T/$f" "$CD/$f"; done
}
bg() {
    ( cd "$CD" && "$@" ) >"$T/res.$(printf %03d $SB_NCASE)" 2>&1 &
    SB_RUNNING=$((SB_RUNNING + 1))
    if [ "$SB_RUNNING" -ge 4 ]; then wait -n; SB_RUNNING=$((SB_RUNNING - 1)); fi
}
collect() {
    wait; SB_RUNNING=0
    cat "$T"/res.* 2>/dev/null
    SB_FAILS=$((SB_FAILS + $(cat "$T"/res.* 2>/dev/null | grep -c '^FAIL:')))
    rm -f "$T"/res.*
}

# fcase "what" NP "frag1|frag2" "keep" args... : one failing run in the current directory.
# Every fragment must be in the output; afterwards $FDIR (mnt or eio) may hold only the
# names in `keep` (a regex of paths under it).
fcase() {
    local what=$1 np=$2 frags=$3 keep=$4 log=$PWD/log rc f; shift 4
    what="$what np=$np"
    run_np "$np" "$@" </dev/null >"$log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then fail "$what: exit status 0"; return 1; fi
    if [ "$rc" -ge 124 ]; then fail "$what: timed out or killed by a signal (rc=$rc)"; tail -20 "$log"; return 1; fi
    if grep -qE 'MPI_ABORT|Segmentation|signal 11|AddressSanitizer|runtime error' "$log"; then
        fail "$what: crash or unagreed abort"; grep -m3 -E 'MPI_ABORT|Segmentation|signal|Sanitizer|runtime error' "$log"; return 1
    fi
    local IFS='|'
    for f in $frags; do
        grep -qF -- "$f" "$log" || { fail "$what: message lacks '$f': $(grep -m1 'error' "$log")"; return 1; }
    done
    IFS=$' \t\n'
    local left
    left=$(cd "$FDIR" && find . -mindepth 1 | sed 's|^\./||' | grep -vxE "${keep:-^$}" | tr '\n' ' ')
    [ -n "$left" ] && { fail "$what: left behind: $left"; return 1; }
    pass "$what (rc=$rc): $(grep -m1 -o 'error: .*' "$log" | sed 's/ (at .*//' | head -c 160)"
}

# nospc KB INODES fcase-args... : fcase with a fresh tmpfs of KB KiB (INODES files, 0: default) at ./mnt.
nospc() {
    local kb=$1 inodes=$2; shift 2
    mkdir -p mnt
    local opt="size=${kb}k"; [ "$inodes" -gt 0 ] && opt="$opt,nr_inodes=$inodes"
    mount -t tmpfs -o "$opt" tmpfs mnt || { fail "$1: mount tmpfs $opt"; return; }
    echo "$PWD/mnt" >>"$MOUNTS"
    FDIR=$PWD/mnt fcase "$@"
}

# eio AFTER fcase-args... : fcase with the shim failing writes under ./eio after AFTER bytes.
eio() {
    local after=$1; shift
    mkdir -p eio
    LD_PRELOAD=$T/eio_shim.so SB_EIO_MATCH=$PWD/eio/ SB_EIO_AFTER=$after SHARDBOOST_CLOSE_TIMEOUT=5 FDIR=$PWD/eio \
        SB_MPI_X="-x LD_PRELOAD -x SB_EIO_MATCH -x SB_EIO_AFTER -x SHARDBOOST_CLOSE_TIMEOUT" fcase "$@"
}

"$GEN" --rows 20000 --seed 3 -o "$T/f.csv" >/dev/null || { fail "gen_forms"; finish; }
cd "$T" || exit 1
run_np 1 ingest --layout forms -q -o f.h5 f.csv || fail "ingest f.h5"
run_np 1 train --data f.h5 --model m.json --quiet --n_estimators 10 --max_depth 5 || fail "train m.json"
printf 'max_depth: [2, 3]\neta: [0.3]\nn_estimators: [3]\n' >g.yaml
head -2001 f.csv >small.csv
run_np 1 ingest --layout forms -q -o small.h5 small.csv || fail "ingest small.h5"
cc -shared -fPIC -O1 -o "$T/eio_shim.so" "$SB_ROOT/tests/fault/eio_shim.c" -ldl || { fail "build eio_shim"; finish; }
NOSPC="No space left on device"
EIO="Input/output error"

# what_np ARGS... : "what np=N" of a nospc/eio call (the fcase name and NP after its own arguments).
what_np() { if [ "$1" = nospc ]; then echo "$4 np=$5"; else echo "$3 np=$4"; fi; }
# A checkpoint left from an earlier round must be whole (a later run resumes from it).
ckpt_case() {
    local w; w=$(what_np "$@")
    "$@"
    [ ! -e out.json ] && pass "$w: no model written" || fail "$w: model written"
    [ ! -e mnt/ck.json ] || "$SB" dump --model mnt/ck.json >/dev/null 2>&1 && pass "$w: checkpoint left is whole" ||
        fail "$w: the checkpoint left does not load"
}
no_success() {
    local w; w=$(what_np "$@")
    "$@"
    [ ! -e P/_SUCCESS ] && pass "$w: no _SUCCESS" || fail "$w: _SUCCESS written"
}

# ---- ENOSPC: the disk fills part-way through each write ----
for np in 1 2 3; do
    case_dir; bg nospc 256 0 "ENOSPC ingest HDF5" $np "mnt/o.h5|$NOSPC" "" ingest --layout forms -q -o mnt/o.h5 f.csv
done
for np in 1 2; do
    case_dir; bg nospc 64 0 "ENOSPC train --model" $np "mnt/m.json|$NOSPC" "" train --data f.h5 --model mnt/m.json --quiet --n_estimators 10 --max_depth 5
    case_dir; bg ckpt_case nospc 64 0 "ENOSPC train checkpoint" $np "mnt/ck.json|$NOSPC" "ck\.json" train --data f.h5 --model out.json --checkpoint mnt/ck.json --checkpoint-every 2 --quiet --n_estimators 10 --max_depth 5
    case_dir; bg nospc 64 0 "ENOSPC predict part files" $np "mnt/P|$NOSPC" "P|P/\.shardboost\.lock" predict --model m.json --data f.h5 --out mnt/P --no-drift -q
    case_dir; bg no_success nospc 64 0 "ENOSPC predict --merge" $np "mnt/all.csv.gz|$NOSPC" "" predict --model m.json --data f.h5 --out P --merge mnt/all.csv.gz --no-drift -q
    case_dir; bg nospc 16 0 "ENOSPC export" $np "mnt/x.json|$NOSPC" "" export --model m.json --format xgboost-json -o mnt/x.json
    case_dir; bg nospc 4 0 "ENOSPC cv journal/leaderboard" $np "mnt/cv|$NOSPC" "cv|cv/journal-r[0-9]*\.csv" cv --data small.h5 --grid g.yaml --folds 2 --out mnt/cv -q
    case_dir; bg nospc 64 0 "ENOSPC registry version" $np "mnt/reg|$NOSPC" "reg|reg/m|reg/m/\.lock" train --data f.h5 --model r.json --register mnt/reg/m --quiet --n_estimators 10 --max_depth 5
    # _SUCCESS (a few bytes) cannot fail for space: the file system's last inode goes instead
    case_dir; bg nospc 1024 $((3 + np)) "ENOSPC predict _SUCCESS (no inode left)" $np "mnt/P/_SUCCESS|$NOSPC" "P|P/\.shardboost\.lock|P/part-0000[0-9]\.csv\.gz" predict --model m.json --data small.h5 --out mnt/P --no-drift -q
done

# ---- EIO: the disk fails (the shim) part-way through each write, or at fsync/close ----
for np in 1 2 3; do
    # at np 3 rank 0's metadata write fails inside H5Fclose while the others wait in
    # HDF5's barrier: the close watchdog (SHARDBOOST_CLOSE_TIMEOUT) ends them
    case_dir; bg eio 100000 "EIO ingest HDF5" $np "eio/o.h5|$EIO" "" ingest --layout forms -q -o eio/o.h5 f.csv
done
for np in 1 2; do
    case_dir; bg eio 0 "EIO train --model (fsync)" $np "eio/m.json|$EIO" "" train --data f.h5 --model eio/m.json --quiet --n_estimators 4 --max_depth 3
    case_dir; bg eio 0 "EIO predict part files (fsync)" $np "eio/P|$EIO" "P|P/\.shardboost\.lock" predict --model m.json --data f.h5 --out eio/P --no-drift -q
    case_dir; bg no_success eio 0 "EIO predict --merge" $np "eio/all.csv.gz|$EIO" "" predict --model m.json --data f.h5 --out P --merge eio/all.csv.gz --no-drift -q
    case_dir; bg eio 0 "EIO cv journal (fdatasync)" $np "eio/cv|$EIO" "cv|cv/journal-r[0-9]*\.csv" cv --data small.h5 --grid g.yaml --folds 2 --out eio/cv -q
    case_dir; bg eio 0 "EIO export (fclose)" $np "eio/x.json|$EIO" "" export --model m.json --format xgboost-json -o eio/x.json
    case_dir; bg eio 0 "EIO registry version" $np "eio/reg|$EIO" "reg|reg/m|reg/m/\.lock" train --data f.h5 --model r.json --register eio/reg/m --quiet --n_estimators 4 --max_depth 3
done
collect
finish
