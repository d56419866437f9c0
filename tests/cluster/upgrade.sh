#!/bin/sh
# Build the lws server of commit $BASE in $BUILD/upgrade-base and run tests/cluster/upgrade.check.mjs
# with it as the old server next to today's build. Called by make step-cluster-upgrade.
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
BASE=${BASE:-a5d57c4}
command -v redis-server >/dev/null 2>&1 || { echo "skipped: redis-server not installed"; [ "${CI:-}" = true ] && exit 1; exit 0; }
case $BUILD in /*) top=$BUILD ;; *) top=$(pwd)/$BUILD ;; esac
src=$top/upgrade-base/$BASE
if [ ! -x "$src/build/skew_server_lws" ]; then
  rm -rf "$src" && mkdir -p "$src" || exit 1
  git archive "$BASE" | tar -x -C "$src" || { echo "cluster-upgrade: commit $BASE not in this clone" >&2; exit 1; }
  (cd "$src" && $MAKE -s BUILD=build build/skew_server_lws) >"$src.log" 2>&1 || { tail -20 "$src.log"; exit 1; }
fi
out=$($MAKE --no-print-directory "$BUILD/skew_server_lws" 2>&1) || { printf '%s\n' "$out"; exit 1; }
cd tests/cluster || exit 1
SKEW_CLUSTER_OLD_SERVER=$src/build/skew_server_lws SKEW_CLUSTER_SERVERS="$top/skew_server_lws" exec timeout --kill-after=10 300 \
  node --test --test-reporter=tap --test-timeout=120000 ./upgrade.check.mjs
