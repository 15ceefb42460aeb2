#!/usr/bin/env bash
# slurm_cluster.sh - the sbatch scripts with the real shardboost on a real single-node Slurm
# (slurm/local-cluster.sh), 2 tasks per job, srun --mpi=pmix:
#   1. train.sbatch: exit 0 and a model; the ranks' exit code is the job's (bad parameter 2,
#      unreadable data 1, no arguments 2), also through sbatch --wait;
#   2. predict.sbatch: part files, _SUCCESS, a merged file; 1 task x 2 CPUs reads ahead;
#   3. `scontrol requeue` of a running training job: the ranks checkpoint on SIGTERM and exit
#      75, the rerun gets --resume, and the final model bytes equal the uninterrupted run's;
#   4. kill -9 of one rank ends the whole job non-zero within 10 s;
#   5. a cv sweep as a 4-task job array (slurm/sweep.sh) whose afterok merge job writes the
#      same leaderboard as one 2-rank job with --groups 2; the merge refuses a missing slice.
# Skips (exit 77) only if the Slurm packages cannot be installed. Always tears down.
. "$(dirname "$0")/../lib.sh"
GEN_BIN=${GEN_BIN:-$(dirname "$SB")}
HERE=$SB_ROOT/slurm
T=$SB_TMP
chmod 755 "$T"   # job processes and munged walk this path

command -v flock >/dev/null || skip "flock (util-linux) missing"
# One local cluster at a time on this machine (fixed ports): wait for another run to finish.
exec 9>"${TMPDIR:-/tmp}/shardboost-slurm-test.lock"
flock -w 300 9 || { fail "another Slurm test held the lock for 300 s"; finish; }

CL_DIR=$(mktemp -d /tmp/sb-slurm.XXXXXX)
chmod 755 "$CL_DIR"
export SLURM_LOCAL_DIR=$CL_DIR
export SLURM_CONF=$CL_DIR/etc/slurm.conf
teardown() {
    "$HERE/local-cluster.sh" down --purge >/dev/null 2>&1 || echo "teardown: local-cluster.sh down failed"
    rm -rf "$SB_TMP" "$CL_DIR"
}
trap teardown EXIT

t0=$(date +%s.%N)
"$HERE/local-cluster.sh" up >"$T/up.log" 2>&1
rc=$?
if [ "$rc" -eq 3 ]; then
    cat "$T/up.log"; skip "Slurm packages (slurmctld slurmd slurm-client munge) cannot be installed"
fi
if [ "$rc" -ne 0 ]; then cat "$T/up.log"; fail "local cluster up (rc=$rc)"; finish; fi
pass "local cluster up in $(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }') s"

# Seconds since a `date +%s.%N` stamp (awk: bc is not on a minimal Debian).
elapsed() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.2f", a - b }'; }
# wait_gone JID SECS: poll squeue (sbatch --wait polls only every ~10 s) until the job
# (all its array tasks) left the queue; 1 on timeout.
wait_gone() {
    local jid=$1 n=$(($2 * 5))
    while [ -n "$(squeue -h -j "$jid" -o %i 2>/dev/null)" ]; do
        n=$((n - 1)); [ "$n" -le 0 ] && return 1
        sleep 0.2
    done
}
# job_field JID FIELD: e.g. JobState, ExitCode, Restarts (from scontrol, kept MinJobAge s).
job_field() { scontrol show job "$1" 2>/dev/null | grep -o "$2=[^ ]*" | head -1 | cut -d= -f2; }

# run_job OUTFILE SBATCH_ARGS...: submit, wait until gone; prints the job's exit code.
run_job() {
    local out=$1 jid
    shift
    jid=$(sbatch --parsable -o "$out" "$@") || { echo 255; return; }
    wait_gone "$jid" 120 || { scancel "$jid"; echo 254; return; }
    job_field "$jid" ExitCode | cut -d: -f1
}

# ---- data: 40k generated forms rows, ingested by 2 ranks --------------------------------
D=$T/real
mkdir -p "$D"
"$GEN_BIN/gen_forms" --rows 40000 --seed 5 -o "$D/forms.csv" &&
    sb_mpirun 2 ingest --layout forms -q -o "$D/train.h5" "$D/forms.csv" >"$D/ingest.log" 2>&1 ||
    { fail "data generation / ingest"; cat "$D/ingest.log"; finish; }
args=(--data "$D/train.h5" --param n_estimators=300 --param max_depth=6 --param learning_rate=0.1 --param seed=7)

# ---- 1. training job, exit codes ---------------------------------------------------------
t=$(date +%s.%N)
rc=$(SB_BIN=$SB run_job "$D/ref.out" "$HERE/train.sbatch" "${args[@]}" --model "$D/ref.json")
check "2-task training job: exit 0 ($(elapsed "$t") s)" [ "$rc" = 0 ]
check "2-task training job: model written" [ -s "$D/ref.json" ]
[ "$rc" = 0 ] || tail -20 "$D/ref.out"
rc=$(SB_BIN=$SB run_job "$D/bad.out" "$HERE/train.sbatch" --data "$D/train.h5" --param max_depth=-3 \
    --model "$D/bad.json")
check "a bad parameter: the ranks' exit 2 is the job's exit code" [ "$rc" = 2 ]
rc=$(SB_BIN=$SB run_job "$D/none.out" "$HERE/train.sbatch")
check "no train arguments -> job exit 2 (usage)" [ "$rc" = 2 ]
# sbatch --wait returns the job's exit code too (it polls slowly: ~10 s, so only once).
t=$(date +%s.%N)
SB_BIN=$SB sbatch --wait -Q -o "$D/missing.out" "$HERE/train.sbatch" --data "$D/missing.h5" --model "$D/m.json"
rc=$?
check "unreadable data: sbatch --wait returns the ranks' exit 1 ($(elapsed "$t") s)" [ "$rc" -eq 1 ]
check "unreadable data: the message names the file" grep -q "missing.h5" "$D/missing.out"

# ---- 2. predict.sbatch ---------------------------------------------------------------------
if [ -s "$D/ref.json" ]; then
    # 2 ranks -> part files, _SUCCESS, one merged file with every row.
    rc=$(SB_BIN=$SB run_job "$D/pred.out" "$HERE/predict.sbatch" --model "$D/ref.json" --data "$D/train.h5" \
        --out "$D/pred" --merge "$D/pred.csv.gz" --gzip-level 1)
    check "predict: 2-task job exit 0" [ "$rc" = 0 ]
    check "predict: 2 part files and _SUCCESS" \
        [ "$(ls "$D/pred"/part-*.csv.gz 2>/dev/null | wc -l):$(test -e "$D/pred/_SUCCESS" && echo ok)" = 2:ok ]
    check "predict: merged file = header + the kept rows" \
        [ "$(zcat "$D/pred.csv.gz" | wc -l)" -eq "$(($(awk -F, '$3 != "0"' "$D/forms.csv" | wc -l) + 1))" ]
    # One task given 2 CPUs: srun keeps them, so predict reads ahead in a second thread.
    rc=$(SB_BIN=$SB run_job "$D/pred2.out" --ntasks=1 --cpus-per-task=2 "$HERE/predict.sbatch" --model "$D/ref.json" \
        --data "$D/train.h5" --out "$D/pred2" --gzip-level 1 --verbose)
    check "predict: 1 task x 2 CPUs, exit 0, read-ahead thread on" \
        bash -c "[ '$rc' = 0 ] && grep -q 'read-ahead thread on' '$D/pred2.out' && [ -e '$D/pred2/_SUCCESS' ]"
    check "predict: 1 task x 2 CPUs, the same rows as the 2-task job" \
        bash -c "cmp -s <(zcat '$D/pred2/part-00000.csv.gz') <(zcat '$D/pred.csv.gz')"
fi

# ---- 3. requeue a running training job ------------------------------------------------------
# Requeue as soon as the first periodic checkpoint (round 20 of 300) exists, so the signal
# lands mid-run however loaded the machine is.
jid=$(SB_CHECKPOINT_EVERY=20 SB_BIN=$SB sbatch --parsable -o "$D/rq.out" "$HERE/train.sbatch" "${args[@]}" \
    --model "$D/rq.json")
for _ in $(seq 1 600); do [ -e "$D/rq.json.ckpt" ] && break; sleep 0.1; done
scontrol requeue "$jid"
tr=$(date +%s.%N)
# The rerun waits cred_expire (10 s here). Forcing StartTime=now is a trap: the old step
# credential is still revoked and srun may fail to launch (yet exit 0).
wait_gone "$jid" 120
echo "requeue: job $jid $(job_field "$jid" JobState) Restarts=$(job_field "$jid" Restarts)," \
    "done $(elapsed "$tr") s after the requeue"
check "requeued job COMPLETED after one restart" \
    [ "$(job_field "$jid" JobState):$(job_field "$jid" Restarts)" = "COMPLETED:1" ]
if grep -q 'exit code 75' "$D/rq.out"; then
    pass "ranks stopped with exit 75 on SIGTERM"
else
    fail "no 'exit code 75' from srun (did the requeue hit a finished run?)"; tail -30 "$D/rq.out"
fi
check "the rerun got --resume" grep -q -- '--resume' "$D/rq.out"
grep -E 'stopped by SIGTERM after round|resuming from' "$D/rq.out" | sed 's/^/  /'
check "the rerun resumed from a mid-way checkpoint" grep -qE 'resuming from .* after round [1-9]' "$D/rq.out"
check "model after requeue + resume == uninterrupted model (bytes)" cmp -s "$D/ref.json" "$D/rq.json"

# ---- 4. kill -9 of one training rank ---------------------------------------------------------
jid=$(SB_BIN=$SB sbatch --parsable -o "$D/k9.out" "$HERE/train.sbatch" "${args[@]}" --model "$D/k9.json")
victim=""
for _ in $(seq 1 300); do # a rank, not srun (by comm); up to 60 s on a loaded machine
    for p in $(pgrep -f "train .*$D/k9.json"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = shardboost ] && victim=$p
    done
    [ -n "$victim" ] && break
    sleep 0.2
done
if [ -n "$victim" ]; then
    sleep 0.5 # the ranks past start-up, in the training loop
    t=$(date +%s.%N)
    kill -9 "$victim"
    wait_gone "$jid" 60
    secs=$(elapsed "$t") state=$(job_field "$jid" JobState) code=$(job_field "$jid" ExitCode)
    echo "kill -9 (pid $victim): job $jid $state ExitCode=$code after $secs s"
    check "kill -9 of one rank ends the job within 10 s ($secs s)" awk -v s="$secs" 'BEGIN { exit !(s < 10) }'
    check "kill -9 of one rank: the job FAILED, non-zero ($state $code)" \
        test "$state" = FAILED -a "${code%%:*}" != 0
else
    fail "no rank process found to kill"; scancel "$jid"
fi

# ---- 5. cv sweep: job array + merge == one job with rank groups --------------------------------
C=$T/cv
mkdir -p "$C"
printf 'max_depth: [2, 3]\nlearning_rate: [0.1, 0.3]\nn_estimators: [20]\nmin_child_weight: [1, 5]\n' >"$C/grid.yaml"
t=$(date +%s.%N)
ids=$(SB_BIN=$SB "$HERE/sweep.sh" --tasks 4 --ntasks=1 -- --data "$D/train.h5" --grid "$C/grid.yaml" --folds 3 \
    --out "$C/sweep")
echo "sweep: $ids"
array=$(sed -n 's/.*array=\([0-9]*\).*/\1/p' <<<"$ids") merge=$(sed -n 's/.*merge=\([0-9]*\).*/\1/p' <<<"$ids")
wait_gone "$merge" 120
check "cv array sweep: 4 tasks + merge COMPLETED in $(elapsed "$t") s" \
    [ "$(job_field "$merge" JobState)" = COMPLETED ]
ok=0
for a in 0 1 2 3; do
    [ "$(job_field "${array}_$a" JobState)" = COMPLETED ] && [ -s "$C/sweep/slice-$a/leaderboard.csv" ] &&
        ok=$((ok + 1))
done
check "cv array sweep: all 4 array tasks COMPLETED with their slice" [ "$ok" -eq 4 ]
check "cv array sweep: merged leaderboard has the 8 grid points" \
    [ "$(($(wc -l <"$C/sweep/leaderboard.csv") - 1))" -eq 8 ]
mkdir -p "$C/sweep2/slice-0" && cp "$C/sweep/slice-0/leaderboard.csv" "$C/sweep2/slice-0/"
check "merge refuses a sweep with a missing slice" \
    bash -c "! '$HERE/merge-leaderboards.sh' '$C/sweep2' --expect 4 2>/dev/null"
# The same sweep as one 2-rank MPI job with 2 groups: the same leaderboard (fit_seconds aside).
rc=$(SB_BIN=$SB run_job "$C/single.out" --ntasks=2 "$HERE/cv.sbatch" --data "$D/train.h5" \
    --grid "$C/grid.yaml" --folds 3 --groups 2 --out "$C/single")
check "cv: one 2-rank job with --groups 2, exit 0" [ "$rc" = 0 ]
drop_fit() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fit_seconds") f = i }
                      { o = ""; for (i = 1; i <= NF; i++) if (i != f) o = o (o == "" ? "" : FS) $i; print o }' "$1"; }
check "cv: array-sweep leaderboard == single-job leaderboard" \
    cmp -s <(drop_fit "$C/sweep/leaderboard.csv") <(drop_fit "$C/single/leaderboard.csv")
finish
