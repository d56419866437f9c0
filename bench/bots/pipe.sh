#!/usr/bin/env bash
# End to end through a pipe: build/skew_botcheck against isbot in node (isbot_pipe.js), each
# classifying the same LINES User-Agent lines (the tests/data corpus repeated) from stdin to
# stdout. Prints lines/s of CPU time for both, net of process start (a run on empty input is
# subtracted), the median of 3 runs. Usage: bench/bots/pipe.sh [skew_botcheck] [LINES] [SET]
# SET: all (default: ua-browsers.txt and ua-bots.txt, a third browsers), browsers or bots, the
# sets make bench-bots times in process. (make bench-bots-pipe builds it and runs this)
set -eu
cd "$(dirname "$0")/../.."
bin=${1:-build/skew_botcheck}
lines=${2:-1000000}
set=${3:-all}
[ -x "$bin" ] || { echo "build it first: make $bin" >&2; exit 1; }
if [ ! -f bench/bots/node_modules/isbot/package.json ]; then
  (cd bench/bots && npm ci --no-audit --no-fund --silent)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $set in
  all) cat tests/data/ua-browsers.txt tests/data/ua-bots.txt >"$tmp/corpus" ;;
  browsers|bots) cat "tests/data/ua-$set.txt" >"$tmp/corpus" ;;
  *) echo "SET: all, browsers or bots" >&2; exit 2 ;;
esac
: >"$tmp/input"
while [ "$(wc -l <"$tmp/input")" -lt "$lines" ]; do cat "$tmp/corpus" >>"$tmp/input"; done
head -n "$lines" "$tmp/input" >"$tmp/in" && mv "$tmp/in" "$tmp/input"
: >"$tmp/empty"
# ns of CPU (user + system, the process and its threads) of one run: CMD... < FILE > /dev/null.
# CPU time, not wall time: on a loaded machine the wall clock mostly measures the neighbours.
ns() {
  local f=$1 t; shift
  t=$( { TIMEFORMAT='%3U %3S'; time "$@" <"$f" >/dev/null; } 2>&1 | tail -n 1)
  echo "$t" | awk '{ printf "%d\n", ($1 + $2) * 1e9 }'
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
measure() { # NAME CMD...: lines/s net of start-up
  local name=$1 a b c s1 s2 s3 run start; shift
  a=$(ns "$tmp/input" "$@"); b=$(ns "$tmp/input" "$@"); c=$(ns "$tmp/input" "$@")
  s1=$(ns "$tmp/empty" "$@"); s2=$(ns "$tmp/empty" "$@"); s3=$(ns "$tmp/empty" "$@")
  run=$(median3 "$a" "$b" "$c"); start=$(median3 "$s1" "$s2" "$s3")
  awk -v n="$name" -v l="$lines" -v r="$run" -v s="$start" \
    'BEGIN { printf "%-14s %10.0f lines/s   (%.1f ms for %d lines, %.1f ms start-up)\n", n, l / ((r - s) / 1e9), (r - s) / 1e6, l, s / 1e6 }'
  echo "$lines $run $start" >"$tmp/$name.fig"
}
"$bin" <"$tmp/input" >"$tmp/skew.out"
(cd bench/bots && node isbot_pipe.js) <"$tmp/input" >"$tmp/isbot.out"
echo "User-Agent lines through a pipe, $lines lines (tests/data, set $set, repeated), median of 3, CPU time, start-up subtracted"
echo "  verdicts that differ between the two: $(paste -d' ' "$tmp/skew.out" "$tmp/isbot.out" | awk '$1 != $2' | wc -l)"
measure skew_botcheck "$bin"
measure isbot sh -c 'cd bench/bots && exec node isbot_pipe.js'
read -r _ sr ss <"$tmp/skew_botcheck.fig"
read -r _ ir is <"$tmp/isbot.fig"
awk -v sr="$sr" -v ss="$ss" -v ir="$ir" -v is="$is" 'BEGIN { printf "speed-up end to end: %.1fx\n", (ir - is) / (sr - ss) }'
