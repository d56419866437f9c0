# Sourced by the portability scripts (cross.sh, config_matrix.sh) that run test binaries.
# tally LOG RC: sets p and f from LOG's last "N passed, N failed" line (0 and 0 without one);
# an exit code RC other than 0 with no failure counted is one failure, so a crash never passes.
tally() {
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
  p=${p:-0}; f=${f:-0}
  if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
}
