#!/bin/bash
# sweep.sh --tasks N [sbatch options...] -- CV_ARGS... - submit a grid search as a job
# array of N tasks (slurm/cv.sbatch, task i takes grid points p mod N == i) plus a merge
# job that runs after all of them succeed (afterok) and writes OUT/leaderboard.csv.
#   slurm/sweep.sh --tasks 4 --ntasks=2 -- --data D.h5 --grid g.yaml --folds 5 --out results
# Prints "array=<id> merge=<id>". Extra options before -- go to both sbatch calls
# (--partition, --account, --time ...); --ntasks and --array only to the array.
# Options for the merge step: SB_MERGE_ARGS (e.g. "--by mean_auc --desc").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tasks="" common=() array_only=()
while [ $# -gt 0 ]; do
    case "$1" in
        --tasks) tasks=$2; shift 2 ;;
        --ntasks=* | --ntasks-per-node=* | --cpus-per-task=*) array_only+=("$1"); shift ;;
        --) shift; break ;;
        *) common+=("$1"); shift ;;
    esac
done
[[ "$tasks" =~ ^[1-9][0-9]*$ ]] || { echo "sweep.sh: --tasks N (N >= 1) is required" >&2; exit 2; }
out=""
args=("$@")
for ((k = 0; k + 1 < ${#args[@]}; k++)); do [ "${args[k]}" = --out ] && out=${args[k + 1]}; done
[ -n "$out" ] || { echo "sweep.sh: the cv arguments need --out DIR" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
array=$(sbatch --parsable --array=0-$((tasks - 1)) "${common[@]}" "${array_only[@]}" \
    --output="$out/cv-%A_%a.out" "$here/cv.sbatch" "${args[@]}")
array=${array%%;*}
# shellcheck disable=SC2086 # SB_MERGE_ARGS is a list of options
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "${common[@]}" \
    --output="$out/merge-%j.out" "$here/merge-leaderboards.sh" "$out" --expect "$tasks" ${SB_MERGE_ARGS:-})
echo "array=$array merge=${merge%%;*}"
