#!/usr/bin/env bash
# Open+close now against an older commit, built and run side by side (issue 22 item 5):
#   bench/core/compare.sh [REV] [RUNS]    (default 8008716, 3 runs; prints the median of the runs)
# The old tree is checked out in a temporary worktree and removed afterwards.
set -eu
cd "$(dirname "$0")/../.."
rev=${1:-8008716}
runs=${2:-3}
tmp=$(mktemp -d)
old="$tmp/old"
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$old" "$rev" >/dev/null 2>&1
cc=${CC:-gcc}
$cc -std=c99 -O2 -DNDEBUG -I. -o "$tmp/new" bench/core/bench_open_close.c
# the old header, the same bench source (bench_common.h from this tree)
mkdir -p "$tmp/inc/bench"
cp bench/bench_common.h "$tmp/inc/bench/"
$cc -std=c99 -O2 -DNDEBUG -I"$old" -I"$tmp/inc" -o "$tmp/old.bin" bench/core/bench_open_close.c
for i in $(seq "$runs"); do
  "$tmp/old.bin" >"$tmp/old.$i"
  "$tmp/new" >"$tmp/new.$i"
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "open+close, ns (thread CPU time), median of $runs runs; $rev and this tree, same run"
printf '%-10s %8s %10s %10s\n' mode live "$rev" now
lines=$(wc -l <"$tmp/new.1")
for l in $(seq "$lines"); do
  mode=$(sed -n "${l}p" "$tmp/new.1" | awk '{ print $2 }')
  live=$(sed -n "${l}p" "$tmp/new.1" | awk '{ print $3 }')
  o=$(for i in $(seq "$runs"); do sed -n "${l}p" "$tmp/old.$i" | awk '{ print $(NF - 1) }'; done | median)
  n=$(for i in $(seq "$runs"); do sed -n "${l}p" "$tmp/new.$i" | awk '{ print $(NF - 1) }'; done | median)
  printf '%-10s %8s %10s %10s\n' "$mode" "$live" "$o" "$n"
done
