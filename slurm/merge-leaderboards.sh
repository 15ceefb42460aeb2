#!/bin/bash
# merge-leaderboards.sh DIR [--expect N] [--by COLUMN] [--desc] - merge the leaderboards
# of a job-array sweep (DIR/slice-*/leaderboard.csv, one per array task) into
# DIR/leaderboard.csv, best first. Runs as the dependent (afterok) step of slurm/sweep.sh
# or by hand; it needs no MPI and no shardboost.
#   --expect N   fail unless exactly N slices are present (a lost task is an error)
#   --by COLUMN  the metric column to sort on (default: the first column named mean*)
#   --desc       higher is better (auc, ...); default lower is better (mse, logloss, ...)
# Rows with the same grid point in two slices are an error. Equal metrics are ordered by
# the "point" column when there is one (as `shardboost cv --merge-leaderboards` does), else
# by slice order. Written to a temporary name, then renamed.
#SBATCH --job-name=sb-merge
#SBATCH --ntasks=1
#SBATCH --time=00:10:00
#SBATCH --output=sb-merge-%j.out
set -euo pipefail

dir=${1:?usage: merge-leaderboards.sh DIR [--expect N] [--by COLUMN] [--desc]}
shift
expect="" by="" order=""
while [ $# -gt 0 ]; do
    case "$1" in
        --expect) expect=$2; shift 2 ;;
        --by) by=$2; shift 2 ;;
        --desc) order=r; shift ;;
        *) echo "merge-leaderboards: unknown option '$1'" >&2; exit 2 ;;
    esac
done

shopt -s nullglob
files=("$dir"/slice-*/leaderboard.csv)
# slice-10 after slice-9: sort by the number
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -t- -k2,2n -s 2>/dev/null | awk 'NF')
if [ "${#files[@]}" -eq 0 ]; then echo "merge-leaderboards: no $dir/slice-*/leaderboard.csv" >&2; exit 1; fi
if [ -n "$expect" ] && [ "${#files[@]}" -ne "$expect" ]; then
    echo "merge-leaderboards: found ${#files[@]} slices in $dir, expected $expect" >&2
    exit 1
fi
header=$(head -n 1 "${files[0]}")
for f in "${files[@]}"; do
    [ "$(head -n 1 "$f")" = "$header" ] || { echo "merge-leaderboards: $f: header differs from ${files[0]}" >&2; exit 1; }
done
col=$(awk -F, -v by="$by" 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h);
        if ((by != "" && h == by) || (by == "" && h ~ /^mean/)) { print i; exit } } }' <<<"$header")
if [ -z "$col" ]; then echo "merge-leaderboards: no column ${by:-mean*} in header: $header" >&2; exit 1; fi

# Ties: by the grid point's index (a column named "point", as shardboost cv writes), else
# in slice order; either way the output does not depend on timing.
pcol=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; gsub(/"/, "", h); if (h == "point") { print i; exit } } }' <<<"$header")

tmp="$dir/.leaderboard.csv.tmp.$$"
trap 'rm -f "$tmp"' EXIT
{
    echo "$header"
    # The grid point is every column before the metric columns; a point twice is an error.
    for f in "${files[@]}"; do tail -n +2 "$f"; done |
        awk -F, -v c="$col" -v pc="${pcol:-0}" '{ key = ""; for (i = 1; i < c; i++) key = key FS $i
                               if (key in seen) { print "merge-leaderboards: grid point twice:" key > "/dev/stderr"; bad = 1 }
                               seen[key] = 1; printf "%s\t%s\t%d\t%s\n", $c, (pc ? $pc : 0), NR, $0 }
                             END { exit bad }' |
        sort -t "$(printf '\t')" -k1,1g"$order" -k2,2n -k3,3n | cut -f4-
} >"$tmp"
mv "$tmp" "$dir/leaderboard.csv"
trap - EXIT
echo "merge-leaderboards: ${#files[@]} slices, $(($(wc -l <"$dir/leaderboard.csv") - 1)) points -> $dir/leaderboard.csv"
