# lib.sh - helpers for integration scripts: source it, then use sb_mpirun / check.
# Each check prints "PASS: what" or "FAIL: what"; run_tests.sh counts them.
set -u
SB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SB=${SB:-$SB_ROOT/bin/shardboost}
SB_DATA=${SB_DATA:-$SB_ROOT/../shared/data}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
SB_TIMEOUT=${SB_TIMEOUT:-120}
SB_FAILS=0
SB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sb-it.XXXXXX")
trap 'rm -rf "$SB_TMP"' EXIT

# sb_mpirun NP args... : shardboost under mpirun, killed after SB_TIMEOUT seconds.
sb_mpirun() {
    local np=$1; shift
    timeout -k 5 "$SB_TIMEOUT" mpirun --oversubscribe -np "$np" "$SB" "$@"
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; SB_FAILS=$((SB_FAILS + 1)); }
# check "what" cmd... : PASS if the command succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# finish: exit status for the script.
finish() { [ "$SB_FAILS" -eq 0 ]; exit $?; }
skip() { echo "SKIP: $*"; exit 77; }
