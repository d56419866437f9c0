#!/usr/bin/env bash
# Print skips, then the closing "N passed, N failed" line; exit 1 if anything failed.
set -u
f=build/results.tsv
[ -f "$f" ] || { echo "0 passed, 1 failed"; exit 1; }
skips=$(awk -F'\t' '$4 != "" {n++} END {print n+0}' "$f")
if [ "$skips" -gt 0 ]; then
  echo "skipped steps: $skips"
  awk -F'\t' '$4 != "" {print "  " $1 ": " $4}' "$f"
fi
awk -F'\t' '{p += $2; q += $3} END {printf "%d passed, %d failed\n", p, q; exit (q > 0)}' "$f"
