#!/usr/bin/env bash
# perf_log.sh TARGET START_REGEX OUTPUT - append a bench run's summary to tests/bench/perf-log.md:
# a dated heading naming the target and `git describe`, the machine (CPUs and model, load),
# then OUTPUT's lines from the first one matching START_REGEX (the results; the progress
# lines before it are left out). make bench-train / bench-predict / bench-ingest call it.
set -eu
target=$1 start=$2 out=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
log=${PERF_LOG:-$root/tests/bench/perf-log.md}
version=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo "not a git checkout")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
results=$(awk -v re="$start" 'on || $0 ~ re { on = 1; print }' "$out")
[ -n "$results" ] || { echo "perf_log.sh: no line of $out matches '$start': nothing appended" >&2; exit 1; }
{
    echo
    echo "### $(date -u '+%Y-%m-%d %H:%M UTC') make $target, $version"
    echo "Machine: $(nproc) CPUs, ${cpu:-unknown CPU}; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo '```text'
    echo "$results"
    echo '```'
} >>"$log"
echo "perf_log.sh: summary appended to $log"
