#!/usr/bin/env bash
# local-cluster.sh up|down|status [--purge] - a single-node Slurm on this machine, for
# trying the sbatch scripts and for the tests (tests/integration/slurm_*.sh).
#
# Debian's slurmctld, slurmd and munge packages (installed if missing), every file under
# one state directory, a private munged running as root, no systemd. `down` stops only
# the daemons this script started: it reads their pid files and checks /proc/PID/comm
# before signalling; it never signals by process name.
#
#   sudo slurm/local-cluster.sh up        # prints: export SLURM_CONF=.../etc/slurm.conf
#   . /tmp/shardboost-slurm/env.sh        # or export SLURM_CONF yourself
#   sbatch --ntasks=2 slurm/train.sbatch ...
#   sudo slurm/local-cluster.sh down [--purge]
#
# Environment:
#   SLURM_LOCAL_DIR       state directory (default /tmp/shardboost-slurm)
#   SLURM_LOCAL_PORT      slurmctld port; slurmd uses PORT+1 (default 6817)
#   SLURM_LOCAL_APT_OPTS  extra apt-get options (e.g. -o Dir::Cache::Archives=/tmp/aptcache)
#   SLURM_LOCAL_ETC_LINK  1: also symlink /etc/slurm/slurm.conf if that path is free (default 0)
# Exit status: 0 ok, 1 failure, 2 usage, 3 the Slurm packages cannot be installed.
# Facts behind the settings: ../shared/docs/PLATFORM.md section 4.
set -euo pipefail

DIR=${SLURM_LOCAL_DIR:-/tmp/shardboost-slurm}
PORT=${SLURM_LOCAL_PORT:-6817}
ETC_LINK=${SLURM_LOCAL_ETC_LINK:-0}
CONF=$DIR/etc/slurm.conf
MUNGE_SOCK=$DIR/munge/sock/munge.socket.2
NODE=$(hostname -s)
PKGS=(slurmctld slurmd slurm-client munge)

say() { echo "local-cluster: $*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- processes: pid file + /proc/PID/comm + not a zombie --------------------------------
# alive NAME PIDFILE: the pid file's process is running and is NAME.
alive() {
    local name=$1 pidfile=$2 pid state
    [ -s "$pidfile" ] || return 1
    pid=$(tr -dc 0-9 <"$pidfile")
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
    # A just-killed daemon stays a zombie until its parent reaps it: that is not running.
    state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Z]).*/\1/' "/proc/$pid/stat" 2>/dev/null || echo X)
    [ "$state" != Z ] && [ "$state" != X ]
}

# stop NAME PIDFILE: SIGTERM, wait up to 15 s, then SIGKILL; only if the comm matches.
stop() {
    local name=$1 pidfile=$2 pid
    if ! alive "$name" "$pidfile"; then
        [ -e "$pidfile" ] && say "$name: not running (stale or foreign pid file left alone)"
        return 0
    fi
    pid=$(tr -dc 0-9 <"$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        alive "$name" "$pidfile" || { say "$name ($pid) stopped"; rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    alive "$name" "$pidfile" && kill -KILL "$pid" 2>/dev/null || true
    say "$name ($pid) killed after 15 s"
    rm -f "$pidfile"
}

# ---- packages ---------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

install_packages() {
    local missing=() p added_policy=0 rc=0
    for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null || { say "no apt-get: cannot install ${missing[*]}"; exit 3; }
    say "installing ${missing[*]} (Debian packages; daemons are not started by apt)"
    # The postinsts run `invoke-rc.d <svc> start || exit 1`; a policy-rc.d that says 101
    # keeps apt from starting system daemons we do not want. Add one only if none exists.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    # shellcheck disable=SC2086 # SLURM_LOCAL_APT_OPTS is a list of options
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 ${SLURM_LOCAL_APT_OPTS:-} "${missing[@]}" >/dev/null || {
        # stale package lists: refresh once and retry
        apt-get update -qq -o DPkg::Lock::Timeout=300 >/dev/null 2>&1 || true
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=300 ${SLURM_LOCAL_APT_OPTS:-} "${missing[@]}" >/dev/null || rc=$?
    }
    [ "$added_policy" -eq 1 ] && rm -f /usr/sbin/policy-rc.d
    for p in "${PKGS[@]}"; do installed "$p" || { say "cannot install $p (apt-get rc=$rc)"; exit 3; }; done
}

# ---- munge ------------------------------------------------------------------------------
start_munge() {
    local m=$DIR/munge
    mkdir -p "$m/sock" "$m/etc" "$m/lib" "$m/log" "$m/run"
    # munged insists that everyone can traverse the socket's directory path.
    chmod 755 "$DIR" "$m" "$m/sock"
    chmod 700 "$m/etc" "$m/lib"
    if [ ! -s "$m/etc/munge.key" ]; then
        mungekey --create --keyfile="$m/etc/munge.key" 2>/dev/null ||
            dd if=/dev/urandom of="$m/etc/munge.key" bs=1024 count=1 status=none
        chmod 400 "$m/etc/munge.key"
    fi
    if alive munged "$m/run/munged.pid"; then
        say "munged already running"
    else
        rm -f "$MUNGE_SOCK" "$MUNGE_SOCK.lock"
        munged --socket="$MUNGE_SOCK" --key-file="$m/etc/munge.key" --pid-file="$m/run/munged.pid" \
            --log-file="$m/log/munged.log" --seed-file="$m/lib/munged.seed" ||
            die "munged failed to start; see $m/log/munged.log"
    fi
    munge -n -S "$MUNGE_SOCK" | unmunge -S "$MUNGE_SOCK" >/dev/null || die "munge self-test failed"
}

# ---- slurm.conf -------------------------------------------------------------------------
write_conf() {
    local topo mem
    # e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24036"
    topo=$(slurmd -C | head -1)
    mem=$(sed -nE 's/.*RealMemory=([0-9]+).*/\1/p' <<<"$topo")
    topo=$(sed -E 's/^NodeName=[^ ]+ //; s/ RealMemory=[0-9]+//' <<<"$topo")
    mkdir -p "$DIR/etc" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
    cat >"$CONF.tmp" <<EOF
# Generated by slurm/local-cluster.sh: a single-node cluster for tests and trials.
ClusterName=sblocal
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# Private munged socket; cred_expire=10: a requeued job may start again after ~10 s, not 120.
AuthInfo=socket=$MUNGE_SOCK,cred_expire=10
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Jobs start in ~1 s instead of up to 3 s (batch_sched_delay defaults to 3).
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=1
# Debian's Open MPI speaks PMIx only (no PMI-1/PMI-2): srun --mpi=pmix.
MpiDefault=pmix
# A rank that dies takes its job step down instead of leaving the others blocked in MPI.
KillOnBadExit=1
# Seconds between SIGTERM and SIGKILL when a job is cancelled, requeued, times out, or a
# rank died (KillOnBadExit): shardboost catches SIGTERM to checkpoint, so a rank blocked
# in a collective with a dead peer goes only at SIGKILL. 5 s bounds that and still lets
# the small test jobs checkpoint; real sites default to 30 s.
KillWait=5
JobRequeue=1
ReturnToService=2
MinJobAge=300
MailProg=/bin/true
# No slurmdbd here (sacct needs it): finished jobs are appended to this file instead.
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.log
AccountingStorageType=accounting_storage/none
NodeName=$NODE NodeAddr=127.0.0.1 $topo RealMemory=$((mem * 9 / 10)) State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.tmp" "$CONF"
    printf 'export SLURM_CONF=%s\n' "$CONF" >"$DIR/env.sh"
}

wait_for() {   # wait_for SECONDS what cmd...
    local secs=$1 what=$2
    shift 2
    for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "$what not ready after ${secs} s (logs in $DIR/log)"
}

node_idle() { [ "$(sinfo -h -n "$NODE" -o %t 2>/dev/null)" = idle ]; }

up() {
    install_packages
    mkdir -p "$DIR"
    start_munge
    export SLURM_CONF=$CONF
    if alive slurmctld "$DIR/run/slurmctld.pid"; then
        say "slurmctld already running"
    else
        write_conf
        slurmctld -f "$CONF" || die "slurmctld failed; see $DIR/log/slurmctld.log"
    fi
    wait_for 20 slurmctld scontrol ping
    if alive slurmd "$DIR/run/slurmd.pid"; then
        say "slurmd already running"
    else
        slurmd -f "$CONF" -N "$NODE" || die "slurmd failed; see $DIR/log/slurmd.log"
    fi

    for _ in $(seq 1 100); do
        node_idle && break
        case "$(sinfo -h -n "$NODE" -o %t 2>/dev/null)" in
            down* | drain* | drng*) scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
        esac
        sleep 0.1
    done
    wait_for 10 "node $NODE idle" node_idle
    if [ "$ETC_LINK" = 1 ] && [ ! -e /etc/slurm/slurm.conf ]; then
        mkdir -p /etc/slurm && ln -s "$CONF" /etc/slurm/slurm.conf
    fi
    say "up: $(sinfo -h -o '%P %a %D %t %N' | head -1)"
    echo "export SLURM_CONF=$CONF"
}

down() {
    local purge=${1:-}
    export SLURM_CONF=$CONF
    if alive slurmctld "$DIR/run/slurmctld.pid"; then
        # Cancel every job of this private cluster so no slurmstepd or task outlives it.
        local jobs
        jobs=$(squeue -h -o %i 2>/dev/null || true)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086 # one id per word
            scancel $jobs 2>/dev/null || true
            for _ in $(seq 1 150); do
                [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
                sleep 0.1
            done
        fi
    fi
    stop slurmd "$DIR/run/slurmd.pid"
    stop slurmctld "$DIR/run/slurmctld.pid"
    stop munged "$DIR/munge/run/munged.pid"
    if [ -L /etc/slurm/slurm.conf ] && [ "$(readlink /etc/slurm/slurm.conf)" = "$CONF" ]; then
        rm -f /etc/slurm/slurm.conf
    fi
    if [ "$purge" = --purge ]; then
        case "$DIR" in /tmp/?* | /var/tmp/?*) rm -rf "$DIR" ;; *) say "not purging $DIR (outside /tmp)" ;; esac
    fi
    say "down"
}

status() {
    local rc=0
    alive munged "$DIR/munge/run/munged.pid" && say "munged: running" || { say "munged: stopped"; rc=1; }
    alive slurmctld "$DIR/run/slurmctld.pid" && say "slurmctld: running" || { say "slurmctld: stopped"; rc=1; }
    alive slurmd "$DIR/run/slurmd.pid" && say "slurmd: running" || { say "slurmd: stopped"; rc=1; }
    return $rc
}

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "must run as root (no sudo found)"
    exec sudo --preserve-env=SLURM_LOCAL_DIR,SLURM_LOCAL_PORT,SLURM_LOCAL_APT_OPTS,SLURM_LOCAL_ETC_LINK "$0" "$@"
fi
case "${1:-}" in
    up) up ;;
    down) down "${2:-}" ;;
    status) status ;;
    *) echo "usage: $0 up|down [--purge]|status" >&2; exit 2 ;;
esac
