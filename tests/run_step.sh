#!/usr/bin/env bash
# Run one test step, keep its log, and record its counts for tests/summary.sh.
# Usage: tests/run_step.sh NAME COMMAND [ARGS...]
# The step's last "N passed, N failed" line gives its counts (node's "# pass N / # fail N"
# too); a line starting "skipped:" records a skip; a non-zero exit with no failure counted
# counts as one failure, so a crashing step can never pass. Each step's seconds are kept too, so
# tests/summary.sh can name the slow ones (CI has a time budget).
set -u
start=$SECONDS
name=$1; shift
mkdir -p build/logs
log=build/logs/$name.log
"$@" >"$log" 2>&1
rc=$?
passed=0; failed=0; counted=0
line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [ -n "$line" ]; then
  passed=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')
  failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  counted=1
elif grep -qE '^# pass [0-9]+' "$log"; then
  passed=$(grep -E '^# pass [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
  failed=$(grep -E '^# fail [0-9]+' "$log" | tail -n 1 | awk '{print $3}')
  counted=1
fi
skip=$(grep -E '^skipped:' "$log" | head -n 1)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$counted" -eq 0 ] && [ -z "$skip" ] && [ "$rc" -eq 0 ]; then passed=1; fi
secs=$((SECONDS - start))
printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$passed" "$failed" "$skip" "$secs" >>build/results.tsv
if [ "$failed" -ne 0 ]; then
  printf '  FAIL %-28s %s passed, %s failed (exit %s, %s s)\n' "$name" "$passed" "$failed" "$rc" "$secs"
  tail -n 25 "$log" | sed 's/^/    | /'
elif [ -n "$skip" ]; then
  printf '  SKIP %-28s %s\n' "$name" "$skip"
else
  printf '  ok   %-28s %s passed (%s s)\n' "$name" "$passed" "$secs"
fi
exit 0
