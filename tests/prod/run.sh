#!/bin/sh
# Production suite (tests/prod): build ids from files and symlink deploys, /ready, the graceful
# drain, sd_notify, logs, the config file; against both example servers and a real redis-server.
# Usage (from the repository root): tests/prod/run.sh [FILTER]  (FILTER: a test-name pattern)
# BUILD, MAKE come from the environment (tests/prod/build.mk passes them).
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
for tool in redis-server python3; do
  if ! command -v $tool >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then echo "prod: $tool not installed" >&2; echo "0 passed, 1 failed"; exit 1; fi
    echo "skipped: $tool not installed"; exit 0
  fi
done
out=$($MAKE --no-print-directory "$BUILD/skew_server_lws" 2>&1) || { printf '%s\n' "$out"; echo "prod: building lws failed" >&2; exit 1; }
servers="$BUILD/skew_server_lws"
if out=$($MAKE --no-print-directory "$BUILD/skew_server_mongoose" 2>&1); then
  servers="$servers $BUILD/skew_server_mongoose"
elif printf '%s\n' "$out" | grep -qE 'mongoose not found|[Nn]o rule to make target'; then
  echo "note: mongoose not found: lws only"
else
  printf '%s\n' "$out"; echo "prod: building mongoose failed" >&2; exit 1
fi
if [ ! -f tests/e2e/node_modules/.package-lock.json ] ||
   [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund) || { echo "prod: npm ci failed" >&2; exit 1; }
fi
cd tests/prod || exit 1
pat=""
[ -n "${1:-}" ] && pat="--test-name-pattern=$1"
SKEW_PROD_SERVERS="$servers" exec timeout --kill-after=10 900 \
  node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 $pat ./*.test.mjs
