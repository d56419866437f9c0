#!/usr/bin/env bash
# Open+close of this tree against older commits, built and run side by side (issue 22 item 5):
#   bench/core/compare.sh [RUNS] [REV]...   (default: 3 runs, REV 8008716; prints the median)
# The same bench source (bench_open_close.c, which uses only API 8008716 already had) is built
# against each commit's skew_tracker.h, checked out in a temporary worktree removed afterwards;
# the binaries run in turn, RUNS rounds, so all columns share the machine's load.
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-3}
shift || true
[ $# -gt 0 ] || set -- 8008716
tmp=$(mktemp -d)
cleanup() {
  for d in "$tmp"/wt.*; do [ -d "$d" ] && git worktree remove --force "$d" >/dev/null 2>&1; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cc=${CC:-gcc}
mkdir -p "$tmp/inc/bench"
cp bench/bench_common.h "$tmp/inc/bench/"
names=()
n=0
for rev in "$@"; do
  git worktree add --detach "$tmp/wt.$n" "$rev" >/dev/null 2>&1
  old_names=
  git -C "$tmp/wt.$n" grep -q 'SKEW_CLOSE_REASON_CLIENT' -- skew_tracker.h || old_names=-DBENCH_OLD_NAMES
  $cc -std=c99 -O2 -DNDEBUG $old_names -I"$tmp/wt.$n" -I"$tmp/inc" -o "$tmp/bin.$n" bench/core/bench_open_close.c
  names+=("$rev"); n=$((n + 1))
done
$cc -std=c99 -O2 -DNDEBUG -I. -o "$tmp/bin.$n" bench/core/bench_open_close.c
names+=("now")
for i in $(seq "$runs"); do
  for k in $(seq 0 "$n"); do "$tmp/bin.$k" >"$tmp/out.$k.$i"; done
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "open+close, ns of thread CPU time, median of $runs runs, one run (columns: commits, then this tree)"
printf '%-10s %7s' mode live; for name in "${names[@]}"; do printf ' %10s' "$name"; done; echo
for l in $(seq "$(wc -l <"$tmp/out.0.1")"); do
  printf '%-10s %7s' "$(sed -n "${l}p" "$tmp/out.0.1" | awk '{ print $2 }')" "$(sed -n "${l}p" "$tmp/out.0.1" | awk '{ print $3 }')"
  for k in $(seq 0 "$n"); do
    printf ' %10s' "$(for i in $(seq "$runs"); do sed -n "${l}p" "$tmp/out.$k.$i" | awk '{ print $(NF - 1) }'; done | median)"
  done
  echo
done
