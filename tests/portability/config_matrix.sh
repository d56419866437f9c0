#!/usr/bin/env bash
# The configuration matrix: the tracker tests (tests/test_core.c, test_json.c, test_http.c: each
# core-* line below runs all three) and the tiny-capacity test built and run with
# each optional module off, with everything off, with the compact -Os variants, as the firmware
# profile, as the SKEW_TRACKER_STATIC build, and with the "all files" limits at their smallest. Usage (from the repository root):
#   tests/portability/config_matrix.sh
# Environment: BUILD, GCC, GXX, CSTD, CXXSTD, WARN_C, WARN_COMMON, OPT (from the Makefile). Prints one line per variant
# and the sum of the tests' counts as the last line. (32-bit x86 is the step step-cross-i686.)
set -u
. tests/portability/tally.sh
BUILD=${BUILD:-build}
GCC=${GCC:-gcc}
CSTD=${CSTD:--std=c99}
WARN_C=${WARN_C:--Wall -Wextra -Werror}
OPT=${OPT:--O2 -g}
GXX=${GXX:-g++}
CXXSTD=${CXXSTD:--std=c++11 -x c++}
WARN_COMMON=${WARN_COMMON:--Wall -Wextra -Werror}
out=$BUILD/config-matrix
mkdir -p "$out"
passed=0; failed=0

# The variants build and run in a pool of CONFIG_MATRIX_JOBS (default: the number of
# cores) at once: each is one gcc run plus a short test, and CI has a time budget. The results are
# then reported in the order below, as when they ran one after the other.
JOBS=${CONFIG_MATRIX_JOBS:-$(nproc 2>/dev/null || echo 1)}
names=

# build_run NAME SOURCE FLAGS...: compile and run one variant; its exit code (or "build") goes
# to $out/NAME.rc, its logs to $out/NAME.build.log and $out/NAME.log
build_run() {
  name=$1; src=$2; shift 2
  bin=$out/$name
  if [ -n "${VARIANT_CXX:-}" ]; then
    compile="$GXX $CXXSTD $WARN_COMMON -Wno-missing-declarations"
  else
    compile="$GCC $CSTD $WARN_C"
  fi
  # shellcheck disable=SC2086
  if ! $compile $OPT "$@" -I. -Itests -o "$bin" "$src" -lm >"$bin.build.log" 2>&1; then
    echo build >"$bin.rc"; return
  fi
  "$bin" >"$bin.log" 2>&1
  echo $? >"$bin.rc"
}

# variant NAME SOURCE FLAGS...   (C, gcc);  VARIANT_CXX=1 builds it as C++ with g++
variant() {
  name=$1; src=$2; shift 2
  names="$names $name"
  printf '%s\n' "$*" >"$out/$name.what"
  rm -f "$out/$name.rc"
  while [ "$(jobs -pr | wc -l)" -ge "$JOBS" ]; do wait -n; done
  build_run "$name" "$src" "$@" &
}

# collect: every variant's result, in order (a variant with no result, e.g. killed, fails)
collect() {
  wait
  for name in $names; do
    bin=$out/$name; what=$(cat "$out/$name.what")
    rc=$(cat "$bin.rc" 2>/dev/null || echo none)
    case $rc in
    build) head -n 20 "$bin.build.log"; echo "FAIL $name: build ($what)"; failed=$((failed + 1)) ;;
    none) echo "FAIL $name: no result ($what)"; failed=$((failed + 1)) ;;
    *) tally "$bin.log" "$rc"; report "$name" "$what" "$bin.log" "$rc" 12 ;;
    esac
  done
}

# core NAME SOURCE FLAGS...: the variant for test_core.c, then for test_json.c and test_http.c
# (SOURCE is test_core.c or the no-hosted wrapper, which includes the file NOHOSTED_TEST names)
core() {
  cname=$1; csrc=$2; shift 2
  variant "$cname" "$csrc" "$@"
  for part in json http; do
    if [ "$csrc" = tests/test_core.c ]; then
      variant "$(echo "$cname" | sed "s/^core-/$part-/")" "tests/test_$part.c" "$@"
    else
      variant "$(echo "$cname" | sed "s/^core-/$part-/")" "$csrc" "-DNOHOSTED_TEST=\"../test_$part.c\"" "$@"
    fi
  done
}

core core-no-bot-table tests/test_core.c -DSKEW_ENABLE_BOT_TABLE=0
core core-no-ip tests/test_core.c -DSKEW_ENABLE_IP=0
# SKEW_ENABLE_HOSTED 0: the wrapper supplies allocator, clock and random hooks
core core-no-hosted tests/portability/core_nohosted.c
core core-no-admin tests/test_core.c -DSKEW_ENABLE_ADMIN=0
core core-no-http tests/test_core.c -DSKEW_ENABLE_HTTP=0
# the compact variants that -Os turns on, here at -O2 so both code paths run everywhere
core core-optimize-size tests/test_core.c -DSKEW_OPTIMIZE_SIZE=1
core core-all-off tests/portability/core_nohosted.c -DSKEW_ENABLE_BOT_TABLE=0 -DSKEW_ENABLE_IP=0 \
  -DSKEW_ENABLE_HTTP=0 -DSKEW_ENABLE_ADMIN=0
# what tests/portability/cortexm_size.sh measures as the firmware profile
core core-firmware-profile tests/portability/core_nohosted.c -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0 \
  -DSKEW_OPTIMIZE_SIZE=1
core core-static tests/test_core.c -DSKEW_TRACKER_STATIC
# the cluster part (issue 11): off alone, on without the admin endpoints, on in a non-hosted build
core core-no-cluster tests/test_core.c -DSKEW_ENABLE_CLUSTER=0
variant cluster-no-hosted tests/portability/core_nohosted.c "-DNOHOSTED_TEST=\"../test_cluster.c\"" -DSKEW_ENABLE_CLUSTER=1
variant cluster-no-hosted-no-admin tests/portability/core_nohosted.c "-DNOHOSTED_TEST=\"../test_cluster.c\"" \
  -DSKEW_ENABLE_CLUSTER=1 -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0
variant cluster-no-admin tests/test_cluster.c -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_CLUSTER=1
variant cluster-no-http tests/test_cluster.c -DSKEW_ENABLE_HTTP=0
variant cluster-optimize-size tests/test_cluster.c -DSKEW_OPTIMIZE_SIZE=1
variant cluster-static tests/test_cluster.c -DSKEW_TRACKER_STATIC
VARIANT_CXX=1 core core-static-cxx tests/test_core.c -DSKEW_TRACKER_STATIC
core core-small-limits tests/test_core.c -DSKEW_MAX_TRUSTED_PROXIES=2 -DSKEW_MAX_BOT_PATTERNS=4 -DSKEW_BOT_PATTERN_MAX=32
# the rollout timeline compiled out (its tests then check it is absent), and in a static build
variant timeline-off tests/test_timeline.c -DSKEW_ENABLE_TIMELINE=0
variant timeline-static tests/test_timeline.c -DSKEW_TRACKER_STATIC -DSKEW_OPTIMIZE_SIZE=1
# the early SSE probes compiled out (a schedule is then refused)
variant probe-off tests/test_probe.c -DSKEW_ENABLE_SSE_PROBE=0
variant tiny-smallest-limits tests/test_config_tiny.c -DSKEW_MAX_TRUSTED_PROXIES=1 -DSKEW_MAX_BOT_PATTERNS=1 -DSKEW_BOT_PATTERN_MAX=2
variant tiny-static-all-off tests/test_config_tiny.c -DSKEW_TRACKER_STATIC -DSKEW_ENABLE_BOT_TABLE=0 -DSKEW_ENABLE_IP=0 \
  -DSKEW_ENABLE_HTTP=0 -DSKEW_ENABLE_ADMIN=0
collect
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
