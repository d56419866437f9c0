# Sourced by the portability scripts (cross.sh, config_matrix.sh) that run test binaries.
# tally LOG RC: sets p and f from LOG's last "N passed, N failed" line (0 and 0 without one);
# an exit code RC other than 0 with no failure counted is one failure, so a crash never passes.
tally() {
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
  p=${p:-0}; f=${f:-0}
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
}
# report NAME WHAT LOG RC SHOWN (after tally): adds p and f to passed and failed and prints
# "ok   NAME (WHAT): P passed", or LOG's first SHOWN FAIL lines and "FAIL NAME (WHAT): ...".
report() {
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then
    grep -E '^FAIL' "$3" | head -n "$5"
    echo "FAIL $1 ($2): $p passed, $f failed (exit $4)"
  else
    echo "ok   $1 ($2): $p passed"
  fi
}
