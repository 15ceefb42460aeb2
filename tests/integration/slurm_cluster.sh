#!/usr/bin/env bash
# slurm_cluster.sh - the sbatch scripts on a real single-node Slurm (slurm/local-cluster.sh):
#   1. a 2-task job through train.sbatch: srun pmix launch, exit codes passed through;
#   2. a rank killed with -9 ends the whole job non-zero within 10 s (a real MPI program
#      blocked in MPI_Allreduce that catches SIGTERM the way shardboost does);
#   3. a 4-task job-array sweep (slurm/sweep.sh) whose afterok merge job writes one
#      leaderboard, best first, with every grid point once;
#   4. `scontrol requeue` of a running training job: the ranks checkpoint on SIGTERM and
#      exit 75, the rerun gets --resume, and the final model equals an uninterrupted run's;
#   5. the same with the real `shardboost train` / `cv` once they exist (SKIP lines until then).
# Steps 1, 3 and 4 use a stand-in trainer (a shell script written below) so the Slurm
# machinery is tested even before train/cv land; it follows the same contract (checkpoint
# every N rounds, SIGTERM -> finish the round, checkpoint, exit 75; --resume).
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
if [ "$rc" -eq 3 ]; then cat "$T/up.log"; skip "Slurm packages (slurmctld slurmd slurm-client munge) cannot be installed"; fi
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
# wait_for_file_text FILE REGEX SECS
wait_for_text() {
    local n=$(($3 * 10))
    until grep -qE "$2" "$1" 2>/dev/null; do n=$((n - 1)); [ "$n" -le 0 ] && return 1; sleep 0.1; done
}

# ---- the stand-in trainer / cv ---------------------------------------------------------
cat >"$T/fake-sb" <<'EOF'
#!/bin/bash
# Stand-in for shardboost in the Slurm tests. `train`: R rounds of 0.1 s; the model is a
# hash chain over the rounds, so a resume from a wrong state gives a different model.
# The chain is bash arithmetic, not a md5sum pipeline: Slurm signals every process of
# the step, and a SIGTERM that killed md5sum mid-round corrupted the chain (seen once).
# `cv --out D --slice i/n`: a leaderboard of the grid points p with p mod n == i.
cmd=$1; shift
model="" every=0 resume=0 out="" slice="0/1" rounds=${FAKE_ROUNDS:-30} rank=${SLURM_PROCID:-0}
while [ $# -gt 0 ]; do
    case "$1" in
        --model) model=$2; shift ;; --checkpoint-every) every=$2; shift ;; --resume) resume=1 ;;
        --out) out=$2; shift ;; --slice) slice=$2; shift ;;
    esac
    shift
done
if [ "$cmd" = cv ]; then
    i=${slice%/*} n=${slice#*/}
    mkdir -p "$out"
    { echo "learning_rate,max_depth,mean_mse,std_mse,best_round"
      for p in $(seq 0 9); do
          [ $((p % n)) -eq "$i" ] || continue
          # distinct, non-monotone metric per point
          printf '0.%d,%d,0.%03d,0.001,%d\n' $((p % 5 + 1)) $((p / 5 + 4)) $(((p * 37) % 100 + 100)) $((p + 10))
      done; } >"$out/leaderboard.csv"
    exit 0
fi
[ "$cmd" = train ] || exit 2
stop=0
trap 'stop=1' TERM
r=0 acc=1
if [ "$resume" = 1 ] && [ -s "$model.ckpt" ]; then read -r r acc <"$model.ckpt"; echo "rank $rank: resumed at round $r"; fi
ckpt() { [ "$rank" = 0 ] || return 0; echo "$r $acc" >"$model.ckpt.tmp" && mv "$model.ckpt.tmp" "$model.ckpt"; }
while [ "$r" -lt "$rounds" ]; do
    sleep 0.1 & wait $!
    r=$((r + 1)); acc=$(((acc * 1000003 + r) % 2147483647))
    echo "rank $rank: round $r"
    if [ "$every" -gt 0 ] && [ $((r % every)) -eq 0 ]; then ckpt; fi
    if [ "$stop" = 1 ]; then ckpt; echo "rank $rank: SIGTERM, checkpoint at round $r, exit 75"; exit 75; fi
done
if [ "$rank" = 0 ]; then echo "rounds=$r chain=$acc" >"$model.tmp" && mv "$model.tmp" "$model"; fi
exit "${FAKE_EXIT:-0}"
EOF
chmod +x "$T/fake-sb"

# ---- 1. two-task job, exit codes ---------------------------------------------------------
# run_job OUTFILE SBATCH_ARGS...: submit, wait until gone; prints the job's exit code.
run_job() {
    local out=$1 jid
    shift
    jid=$(sbatch --parsable -o "$out" "$@") || { echo 255; return; }
    wait_gone "$jid" 60 || { scancel "$jid"; echo 254; return; }
    job_field "$jid" ExitCode | cut -d: -f1
}
t=$(date +%s.%N)
rc=$(FAKE_ROUNDS=3 SB_BIN=$T/fake-sb run_job "$T/j1.out" "$HERE/train.sbatch" --model "$T/m1.json")
check "2-task train.sbatch job: exit 0 in $(elapsed "$t") s" [ "$rc" = 0 ]
check "both ranks ran under srun" [ "$(grep -c 'rank [01]: round 3' "$T/j1.out")" -eq 2 ]
check "model written" [ -s "$T/m1.json" ]
rc=$(FAKE_ROUNDS=1 FAKE_EXIT=3 SB_BIN=$T/fake-sb run_job "$T/j2.out" "$HERE/train.sbatch" --model "$T/m2.json")
check "the ranks' exit code 3 is the job's exit code" [ "$rc" = 3 ]
rc=$(SB_BIN=$T/fake-sb run_job "$T/j3.out" "$HERE/train.sbatch")
check "no train arguments -> job exit 2 (usage)" [ "$rc" = 2 ]
# sbatch --wait returns the job's exit code too (it polls slowly: ~10 s, so only once).
t=$(date +%s.%N)
FAKE_ROUNDS=1 FAKE_EXIT=4 SB_BIN=$T/fake-sb sbatch --wait -Q -o "$T/j4.out" "$HERE/train.sbatch" --model "$T/m4.json"
rc=$?
check "sbatch --wait returns the job's exit code 4 ($(elapsed "$t") s)" [ "$rc" -eq 4 ]

# ---- 2. kill -9 of one rank of a real MPI job --------------------------------------------
cat >"$T/probe.c" <<'EOF'
/* An MPI job that never ends by itself: ranks loop on MPI_Allreduce and, like shardboost,
 * only note SIGTERM (to checkpoint at the end of a round). With a dead peer the others
 * block in the collective; only the launcher can end the job. */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static volatile sig_atomic_t stop;
static void on_term(int s) { (void)s; stop = 1; }
int main(int argc, char **argv)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    MPI_Init(&argc, &argv);
    int rank, x = 1, y;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    printf("probe rank %d pid %d\n", rank, (int)getpid());
    fflush(stdout);
    for (;;) {
        MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        usleep(50000);
    }
}
EOF
if mpicc -O1 -o "$T/probe" "$T/probe.c" 2>"$T/probe.err"; then
    jid=$(SB_BIN=$T/probe sbatch --parsable -o "$T/kill.out" "$HERE/train.sbatch" --model "$T/unused.json")
    if wait_for_text "$T/kill.out" 'probe rank 1 pid' 20; then
        sleep 0.5
        victim=$(sed -n 's/^probe rank 1 pid \([0-9]*\).*/\1/p' "$T/kill.out")
        t=$(date +%s.%N)
        kill -9 "$victim"
        wait_gone "$jid" 30
        secs=$(elapsed "$t")
        state=$(job_field "$jid" JobState) code=$(job_field "$jid" ExitCode)
        echo "kill -9 of rank 1 (pid $victim): job $jid $state ExitCode=$code after $secs s"
        check "kill -9 of one rank: job ends within 10 s ($secs s)" awk -v s="$secs" 'BEGIN { exit !(s < 10) }'
        check "kill -9 of one rank: job FAILED with non-zero exit ($state $code)" test "$state" = FAILED -a "${code%%:*}" != 0
    else
        fail "MPI probe job did not start"; cat "$T/kill.out"
        scancel "$jid"
    fi
else
    fail "mpicc probe"; cat "$T/probe.err"
fi

# ---- 3. 4-task array sweep + afterok merge -----------------------------------------------
t=$(date +%s.%N)
ids=$(SB_BIN=$T/fake-sb "$HERE/sweep.sh" --tasks 4 --ntasks=1 -- --data d.h5 --grid g.yaml --folds 3 --out "$T/sweep")
echo "sweep: $ids"
array=$(sed -n 's/.*array=\([0-9]*\).*/\1/p' <<<"$ids") merge=$(sed -n 's/.*merge=\([0-9]*\).*/\1/p' <<<"$ids")
wait_gone "$merge" 60
secs=$(elapsed "$t")
check "array sweep: 4 tasks + merge done in $secs s" [ "$(job_field "$merge" JobState)" = COMPLETED ]
ok=0
for a in 0 1 2 3; do
    [ "$(job_field "${array}_$a" JobState)" = COMPLETED ] && [ -s "$T/sweep/slice-$a/leaderboard.csv" ] && ok=$((ok + 1))
done
check "array sweep: all 4 array tasks COMPLETED with their slice" [ "$ok" -eq 4 ]
# Expected: the 10 points, sorted by mean_mse ascending.
expected=$(for p in $(seq 0 9); do printf '0.%d,%d,0.%03d,0.001,%d\n' $((p % 5 + 1)) $((p / 5 + 4)) $(((p * 37) % 100 + 100)) $((p + 10)); done | sort -t, -k3,3g)
check "merged leaderboard: header + 10 points, best first, each once" \
    [ "$(cat "$T/sweep/leaderboard.csv" 2>/dev/null)" = "learning_rate,max_depth,mean_mse,std_mse,best_round
$expected" ]
mkdir -p "$T/sweep2/slice-0" && cp "$T/sweep/slice-0/leaderboard.csv" "$T/sweep2/slice-0/"
check "merge refuses a sweep with a missing slice" bash -c "! '$HERE/merge-leaderboards.sh' '$T/sweep2' --expect 4 2>/dev/null"

# ---- 4. requeue a running training job -----------------------------------------------------
export FAKE_ROUNDS=40
rc=$(SB_BIN=$T/fake-sb run_job "$T/ref.out" "$HERE/train.sbatch" --model "$T/ref.json")
check "uninterrupted reference training job" [ "$rc:$(test -s "$T/ref.json" && echo model)" = 0:model ]
t=$(date +%s.%N)
jid=$(SB_CHECKPOINT_EVERY=5 SB_BIN=$T/fake-sb sbatch --parsable -o "$T/rq.out" "$HERE/train.sbatch" --model "$T/rq.json")
if wait_for_text "$T/rq.out" 'rank 0: round 12' 30; then
    scontrol requeue "$jid"
    tr=$(date +%s.%N)
    # The rerun waits cred_expire (10 s here). Forcing StartTime=now is a trap: the old
    # step credential is still revoked and srun may fail to launch (yet exit 0).
    wait_gone "$jid" 60
    echo "requeue: job $jid $(job_field "$jid" JobState) Restarts=$(job_field "$jid" Restarts), done $(elapsed "$tr") s after the requeue, $(elapsed "$t") s in all"
    check "requeued job COMPLETED after one restart" \
        [ "$(job_field "$jid" JobState):$(job_field "$jid" Restarts)" = "COMPLETED:1" ]
    check "on SIGTERM both ranks checkpointed and exited 75" [ "$(grep -c 'SIGTERM, checkpoint at round' "$T/rq.out")" -eq 2 ]
    check "the rerun was given --resume and resumed mid-way" grep -qE 'rank 0: resumed at round [1-9]' "$T/rq.out"
    check "model after requeue + resume == uninterrupted model" cmp -s "$T/ref.json" "$T/rq.json"
else
    fail "requeue: training job did not reach round 12"; cat "$T/rq.out"
fi
unset FAKE_ROUNDS

# ---- 5. the real shardboost ----------------------------------------------------------------
real_train() {
    local D=$T/real rc jid secs t tr victim state code p
    mkdir -p "$D"
    "$GEN_BIN/gen_forms" --rows 40000 --seed 5 -o "$D/forms.csv" &&
        sb_mpirun 2 ingest --layout forms -q -o "$D/train.h5" "$D/forms.csv" >"$D/ingest.log" 2>&1 ||
        { fail "real train: data generation / ingest"; cat "$D/ingest.log"; return; }
    local args=(--data "$D/train.h5" --param n_estimators=300 --param max_depth=6 --param learning_rate=0.1 --param seed=7)
    t=$(date +%s.%N)
    rc=$(SB_BIN=$SB run_job "$D/ref.out" "$HERE/train.sbatch" "${args[@]}" --model "$D/ref.json")
    secs=$(elapsed "$t")
    check "real train: 2-task training job exit 0 ($secs s)" [ "$rc" = 0 ]
    check "real train: model written" [ -s "$D/ref.json" ]
    [ "$rc" = 0 ] || { tail -20 "$D/ref.out"; return; }

    # predict.sbatch: 2 ranks -> part files, _SUCCESS, one merged file with every row.
    rc=$(SB_BIN=$SB run_job "$D/pred.out" "$HERE/predict.sbatch" --model "$D/ref.json" --data "$D/train.h5" \
        --out "$D/pred" --merge "$D/pred.csv.gz" --gzip-level 1)
    check "real predict: 2-task job exit 0" [ "$rc" = 0 ]
    check "real predict: 2 part files and _SUCCESS" [ "$(ls "$D/pred"/part-*.csv.gz 2>/dev/null | wc -l):$(test -e "$D/pred/_SUCCESS" && echo ok)" = 2:ok ]
    check "real predict: merged file = header + the kept rows" \
        [ "$(zcat "$D/pred.csv.gz" | wc -l)" -eq "$(($(awk -F, '$3 != "0"' "$D/forms.csv" | wc -l) + 1))" ]

    # One task given 2 CPUs: srun keeps them, so predict reads ahead in a second thread.
    rc=$(SB_BIN=$SB run_job "$D/pred2.out" --ntasks=1 --cpus-per-task=2 "$HERE/predict.sbatch" --model "$D/ref.json" \
        --data "$D/train.h5" --out "$D/pred2" --gzip-level 1 --verbose)
    check "real predict: 1 task x 2 CPUs, exit 0, read-ahead thread on" \
        bash -c "[ '$rc' = 0 ] && grep -q 'read-ahead thread on' '$D/pred2.out' && [ -e '$D/pred2/_SUCCESS' ]"
    check "real predict: 1 task x 2 CPUs, the same rows as the 2-task job" \
        bash -c "cmp -s <(zcat '$D/pred2/part-00000.csv.gz') <(zcat '$D/pred.csv.gz')"

    # Requeue while it runs: as soon as the first periodic checkpoint (round 20 of 300)
    # exists, so the signal lands mid-run however loaded the machine is.
    jid=$(SB_CHECKPOINT_EVERY=20 SB_BIN=$SB sbatch --parsable -o "$D/rq.out" "$HERE/train.sbatch" "${args[@]}" --model "$D/rq.json")
    for _ in $(seq 1 600); do [ -e "$D/rq.json.ckpt" ] && break; sleep 0.1; done
    scontrol requeue "$jid"
    tr=$(date +%s.%N)
    wait_gone "$jid" 120
    echo "real requeue: job $jid $(job_field "$jid" JobState) Restarts=$(job_field "$jid" Restarts), done $(elapsed "$tr") s after the requeue"
    check "real train: requeued job COMPLETED after one restart" \
        [ "$(job_field "$jid" JobState):$(job_field "$jid" Restarts)" = "COMPLETED:1" ]
    if grep -q 'exit code 75' "$D/rq.out"; then
        pass "real train: ranks stopped with exit 75 on SIGTERM"
    else
        fail "real train: no 'exit code 75' from srun (did the requeue hit a finished run?)"; tail -30 "$D/rq.out"
    fi
    check "real train: the rerun got --resume" grep -q -- '--resume' "$D/rq.out"
    grep -E 'stopped by SIGTERM after round|resuming from' "$D/rq.out" | sed 's/^/  /'
    check "real train: the rerun resumed from a mid-way checkpoint" grep -qE 'resuming from .* after round [1-9]' "$D/rq.out"
    check "real train: model after requeue + resume == uninterrupted model (bytes)" cmp -s "$D/ref.json" "$D/rq.json"

    # kill -9 of one real training rank
    jid=$(SB_BIN=$SB sbatch --parsable -o "$D/k9.out" "$HERE/train.sbatch" "${args[@]}" --model "$D/k9.json")
    for _ in $(seq 1 100); do [ "$(job_field "$jid" JobState)" = RUNNING ] && break; sleep 0.1; done
    sleep 0.5
    victim=""
    for p in $(pgrep -f "train .*$D/k9.json"); do   # a rank, not srun: by comm
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = shardboost ] && victim=$p
    done
    if [ -n "$victim" ]; then
        t=$(date +%s.%N)
        kill -9 "$victim"
        wait_gone "$jid" 60
        secs=$(elapsed "$t") state=$(job_field "$jid" JobState) code=$(job_field "$jid" ExitCode)
        echo "real kill -9 (pid $victim): job $jid $state ExitCode=$code after $secs s"
        check "real train: kill -9 of one rank ends the job within 10 s ($secs s)" awk -v s="$secs" 'BEGIN { exit !(s < 10) }'
        check "real train: ... non-zero ($state $code)" test "$state" = FAILED -a "${code%%:*}" != 0
    else
        fail "real train: no rank process found to kill"; scancel "$jid"
    fi
}

real_cv() {
    local D=$T/realcv ids merge
    mkdir -p "$D"
    printf 'max_depth: [2, 3]\nlearning_rate: [0.1, 0.3]\nn_estimators: [20]\nmin_child_weight: [1, 5]\n' >"$D/grid.yaml"
    [ -s "$T/real/train.h5" ] || { echo "SKIP: real cv sweep (no ingested data)"; return; }
    ids=$(SB_BIN=$SB "$HERE/sweep.sh" --tasks 4 --ntasks=1 -- --data "$T/real/train.h5" --grid "$D/grid.yaml" --folds 3 --out "$D/sweep")
    merge=$(sed -n 's/.*merge=\([0-9]*\).*/\1/p' <<<"$ids")
    wait_gone "$merge" 120
    check "real cv: array sweep + merge COMPLETED" [ "$(job_field "$merge" JobState)" = COMPLETED ]
    check "real cv: merged leaderboard has the 8 grid points" [ "$(($(wc -l <"$D/sweep/leaderboard.csv") - 1))" -eq 8 ]
    # The same sweep as one 2-rank MPI job with 2 groups: the same leaderboard (fit_seconds aside).
    rc=$(SB_BIN=$SB run_job "$D/single.out" --ntasks=2 "$HERE/cv.sbatch" --data "$T/real/train.h5" \
        --grid "$D/grid.yaml" --folds 3 --groups 2 --out "$D/single")
    check "real cv: one 2-rank job with --groups 2, exit 0" [ "$rc" = 0 ]
    drop_fit() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fit_seconds") f = i }
                          { o = ""; for (i = 1; i <= NF; i++) if (i != f) o = o (o == "" ? "" : FS) $i; print o }' "$1"; }
    check "real cv: array-sweep leaderboard == single-job leaderboard" \
        cmp -s <(drop_fit "$D/sweep/leaderboard.csv") <(drop_fit "$D/single/leaderboard.csv")
}

# train and cv exist now: these run unconditionally, so a regression fails here instead of skipping.
real_train
real_cv
finish
