#!/bin/sh
# Build both example servers and run the cluster suite (tests/cluster) against a real redis-server.
# Usage (from the repository root): tests/cluster/run.sh [sanitizers]
# BUILD, MAKE and MONGOOSE_DIR come from the environment (tests/cluster/build.mk passes them).
# Without mongoose the three instances are all lws; without redis-server the step is skipped.
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
if ! command -v redis-server >/dev/null 2>&1; then
  echo "skipped: redis-server not installed (Debian: apt-get install redis-server)"
  exit 0
fi
# "sanitizers": lws under ASan+UBSan, mongoose (whose link runs in a worker thread) under TSan
lws=skew_server_lws; mg=skew_server_mongoose
if [ "${1:-}" = sanitizers ]; then lws=skew_server_lws_asan; mg=skew_server_mongoose_tsan; fi
# sanitizers: every view fed to the tracker one row per loop turn (skcl_node.c), so the staged
# view's texts live across turns under ASan/TSan (the plain run keeps the 1 ms slices)
if [ "${1:-}" = sanitizers ]; then export SKEW_CLUSTER_FEED_ROWS=1; fi
. tests/lib/build_server.sh
build_servers_lws_mongoose cluster "$lws" "$mg" "three lws instances"
if [ ! -f tests/e2e/node_modules/.package-lock.json ] ||
   [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund) || { echo "cluster: npm ci failed" >&2; exit 1; }
fi
case $BUILD in /*) art=$BUILD/e2e-artifacts/cluster ;; *) art=$(pwd)/$BUILD/e2e-artifacts/cluster ;; esac
mkdir -p "$art"
cd tests/cluster || exit 1
SKEW_CLUSTER_SERVERS="$servers" SKEW_E2E_ARTIFACTS=$art exec timeout --kill-after=10 900 \
  node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 ./*.test.mjs
