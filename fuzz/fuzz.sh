#!/usr/bin/env bash
# Drive the fuzz targets (called by fuzz/build.mk; run from the repository root).
#   fuzz/fuzz.sh replay 0 TARGET...      corpus replay with the gcc ASan/UBSan builds
#   fuzz/fuzz.sh smoke SECONDS TARGET... short libFuzzer runs (skipped without libFuzzer)
#   fuzz/fuzz.sh long SECONDS TARGET...  long libFuzzer runs, one target after the other
# FUZZ_RUNS=N (environment) also stops each run after N executions.
# replay and smoke build every target first (make -j FUZZ_JOBS), then run FUZZ_JOBS targets at once
# (default: the number of cores; each libFuzzer run is one process on one core, so each still gets
# its SECONDS of a core): CI has a time budget. Each target's lines are printed in order, and a
# failing target still fails the run; the failed ones are named before the last line.
# The committed corpus fuzz/corpus/<t> is only read; new inputs go to $BUILD/fuzz-work/<t>,
# crashes to $BUILD/fuzz-artifacts/<t>-crash-*. Ends with "N passed, N failed" (one per target).
set -u
mode=$1; secs=$2; shift 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
CLANG=${CLANG:-clang}
passed=0; failed=0; failed_names=
njobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $mode in
replay|smoke) ;;
long) njobs=1 ;; # one after the other, each with the whole machine, its lines as they come
*) echo "usage: $0 replay|smoke|long SECONDS TARGET..." >&2; exit 2 ;;
esac

if [ "$mode" != replay ]; then
  probe=$BUILD/fuzz-probe
  mkdir -p "$BUILD"
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
  if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" >/dev/null 2>&1; then
    echo "skipped: libFuzzer not available ($CLANG cannot link -fsanitize=fuzzer)"
    exit 0
  fi
fi

# one TARGET: builds (when not built yet), runs, prints its lines; exit 0 when it passed
one() {
  t=$1
  corpus=fuzz/corpus/$t
  [ -d "$corpus" ] || mkdir -p "$corpus"
  case $mode in
  replay)
    bin=$BUILD/fuzz-replay/$t
    if ! $MAKE --no-print-directory -s "$bin"; then
      echo "FAIL $t: build"; return 1
    fi
    if out=$("$bin" "$corpus" 2>&1); then
      echo "ok   $t: $(printf '%s\n' "$out" | tail -n 1)"; return 0
    else
      printf '%s\n' "$out" | tail -n 30
      # name the inputs that fail, one run each
      for f in "$corpus"/*; do
        "$bin" "$f" >/dev/null 2>&1 || echo "     failing input: $f"
      done
      echo "FAIL $t: replay"; return 1
    fi
    ;;
  smoke|long)
    bin=$BUILD/fuzz/$t
    if ! $MAKE --no-print-directory -s "$bin"; then
      echo "FAIL $t: build"; return 1
    fi
    work=$BUILD/fuzz-work/$t
    art=$BUILD/fuzz-artifacts
    mkdir -p "$work" "$art"
    log=$BUILD/fuzz-work/$t.log
    # inputs past these lengths find nothing new and only slow the search down
    case $t in
      json_roundtrip|bot|route|cookie|query|ip) maxlen=1024 ;;
      *) maxlen=4096 ;;
    esac
    # -rss_limit_mb and -timeout keep a runaway input from eating the shared machine
    runs_opt=
    [ -n "${FUZZ_RUNS:-}" ] && runs_opt="-runs=$FUZZ_RUNS"
    "$bin" $runs_opt -max_total_time="$secs" -dict=fuzz/skew.dict -artifact_prefix="$art/$t-" \
      -timeout=10 -rss_limit_mb=1024 -max_len=$maxlen -print_final_stats=1 \
      "$work" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    if [ "$rc" -eq 0 ]; then
      echo "ok   $t: ${runs:-?} execs in ${secs}s"; return 0
    else
      grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 10
      echo "FAIL $t: libFuzzer exit $rc after ${runs:-?} execs (log $log)"; return 1
    fi
    ;;
  esac
}

# one after the other, or (njobs > 1) every target built in parallel first (a failing build is
# built again by one, which prints the error), then run in a pool of njobs, each target's lines
# kept until they are printed in order
jobdir=$BUILD/fuzz-jobs/$mode
if [ "$njobs" -gt 1 ]; then
  mkdir -p "$jobdir"
  case $mode in replay) dir=fuzz-replay ;; *) dir=fuzz ;; esac
  bins=; for t in "$@"; do bins="$bins $BUILD/$dir/$t"; done
  # shellcheck disable=SC2086
  $MAKE --no-print-directory -s -k -j"$njobs" $bins >"$jobdir/build.log" 2>&1
  for t in "$@"; do
    rm -f "$jobdir/$t.rc"
    while [ "$(jobs -pr | wc -l)" -ge "$njobs" ]; do wait -n; done
    { one "$t"; echo $? >"$jobdir/$t.rc"; } >"$jobdir/$t.out" 2>&1 &
  done
  wait
fi
for t in "$@"; do
  if [ "$njobs" -gt 1 ]; then
    cat "$jobdir/$t.out"
    [ -f "$jobdir/$t.rc" ] || echo "FAIL $t: no result"
    [ "$(cat "$jobdir/$t.rc" 2>/dev/null)" = 0 ]
  else
    one "$t"
  fi
  if [ $? -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names="$failed_names $t"; fi
done
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
