#!/bin/sh
# Drive the fuzz targets (called by fuzz/build.mk; run from the repository root).
#   fuzz/fuzz.sh replay 0 TARGET...      corpus replay with the gcc ASan/UBSan builds
#   fuzz/fuzz.sh smoke SECONDS TARGET... short libFuzzer runs (skipped without libFuzzer)
#   fuzz/fuzz.sh long SECONDS TARGET...  long libFuzzer runs, one target after the other
# FUZZ_RUNS=N (environment) also stops each run after N executions.
# The committed corpus fuzz/corpus/<t> is only read; new inputs go to $BUILD/fuzz-work/<t>,
# crashes to $BUILD/fuzz-artifacts/<t>-crash-*. Ends with "N passed, N failed" (one per target).
set -u
mode=$1; secs=$2; shift 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
CLANG=${CLANG:-clang}
passed=0; failed=0

if [ "$mode" != replay ]; then
  probe=$BUILD/fuzz-probe
  mkdir -p "$BUILD"
  printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
  if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" >/dev/null 2>&1; then
    echo "skipped: libFuzzer not available ($CLANG cannot link -fsanitize=fuzzer)"
    exit 0
  fi
fi

for t in "$@"; do
  corpus=fuzz/corpus/$t
  [ -d "$corpus" ] || mkdir -p "$corpus"
  case $mode in
  replay)
    bin=$BUILD/fuzz-replay/$t
    if ! $MAKE --no-print-directory -s "$bin"; then
      echo "FAIL $t: build"; failed=$((failed + 1)); continue
    fi
    if out=$("$bin" "$corpus" 2>&1); then
      echo "ok   $t: $(printf '%s\n' "$out" | tail -n 1)"; passed=$((passed + 1))
    else
      printf '%s\n' "$out" | tail -n 30
      # name the inputs that fail, one run each
      for f in "$corpus"/*; do
        "$bin" "$f" >/dev/null 2>&1 || echo "     failing input: $f"
      done
      echo "FAIL $t: replay"; failed=$((failed + 1))
    fi
    ;;
  smoke|long)
    bin=$BUILD/fuzz/$t
    if ! $MAKE --no-print-directory -s "$bin"; then
      echo "FAIL $t: build"; failed=$((failed + 1)); continue
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
      echo "ok   $t: ${runs:-?} execs in ${secs}s"; passed=$((passed + 1))
    else
      grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 10
      echo "FAIL $t: libFuzzer exit $rc after ${runs:-?} execs (log $log)"; failed=$((failed + 1))
    fi
    ;;
  *) echo "usage: $0 replay|smoke|long SECONDS TARGET..." >&2; exit 2 ;;
  esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
