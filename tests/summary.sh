#!/usr/bin/env bash
# Print the slowest steps (CI has a time budget), skips, then the closing "N passed, N failed" line; exit 1 if anything failed.
set -u
f=build/results.tsv
[ -f "$f" ] || { echo "0 passed, 1 failed"; exit 1; }
awk -F'\t' '$5 != "" {t += $5} END {if (NR) printf "steps: %d, %d s summed; the slowest:\n", NR, t}' "$f"
awk -F'\t' '$5 != "" {print $5 "\t" $1}' "$f" | sort -rn | head -n 8 | awk -F'\t' '{printf "  %5d s  %s\n", $1, $2}'
skips=$(awk -F'\t' '$4 != "" {n++} END {print n+0}' "$f")
if [ "$skips" -gt 0 ]; then
  echo "skipped steps: $skips"
  awk -F'\t' '$4 != "" {print "  " $1 ": " $4}' "$f"
fi
awk -F'\t' '{p += $2; q += $3} END {printf "%d passed, %d failed\n", p, q; exit (q > 0)}' "$f"
