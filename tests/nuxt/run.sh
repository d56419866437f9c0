#!/bin/sh
# The real nuxt-skew-protection browser client against one example server.
# Usage (from the repository root): tests/nuxt/run.sh lws|mongoose
# BUILD and MAKE come from the environment (tests/nuxt/build.mk passes them).
# Builds the server, installs tests/nuxt's node packages from the lockfile when missing, builds
# the Nuxt app once per transport into $BUILD/nuxt-app (reused while app/ and the lockfile are
# unchanged), then runs nuxt.test.mjs in Chromium.
set -u
flavor=$1
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
CHROMIUM=${SKEW_CHROMIUM:-/usr/bin/chromium}
case $BUILD in /*) build=$BUILD ;; *) build=$(pwd)/$BUILD ;; esac

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { echo "skipped: node/npm not installed"; exit 0; }
[ -x "$CHROMIUM" ] || { echo "skipped: chromium not found at $CHROMIUM"; exit 0; }

. tests/lib/build_server.sh
build_server "$flavor" nuxt

cd tests/nuxt || exit 1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || { echo "nuxt: npm ci failed" >&2; exit 1; }
fi

# One build per transport (the module's updateStrategy is fixed at build time). A concurrent
# run of the other flavor waits on the lock instead of building the same tree twice.
apps=$build/nuxt-app
mkdir -p "$apps"
key=$(cat package-lock.json $(find app -type f ! -path 'app/node_modules/*' ! -path 'app/.nuxt/*' | sort) | sha256sum | cut -c1-16)
(
  flock 9
  for strategy in sse ws; do
    work=$apps/$strategy
    [ -f "$work/.key" ] && [ "$(cat "$work/.key")" = "$key" ] && continue
    rm -rf "$work"
    echo "nuxt: building the app with updateStrategy '$strategy'"
    start=$(date +%s)
    SKEW_NUXT_STRATEGY=$strategy SKEW_NUXT_WORK=$work NUXT_TELEMETRY_DISABLED=1 \
      timeout 300 node_modules/.bin/nuxt build app >"$apps/$strategy.log" 2>&1 ||
      { tail -n 40 "$apps/$strategy.log"; echo "nuxt: nuxt build ($strategy) failed" >&2; exit 1; }
    echo "nuxt: built in $(( $(date +%s) - start )) s"
    echo "$key" >"$work/.key"
  done
) 9>"$apps/.lock" || exit 1
# tests/topology needs only the builds (SKEW_NUXT_BUILD_ONLY=1)
[ "${SKEW_NUXT_BUILD_ONLY:-}" = 1 ] && exit 0

art=$build/nuxt-artifacts/$flavor
mkdir -p "$art"
SKEW_SERVER=$build/skew_server_$flavor SKEW_NUXT_BUILDS=$apps SKEW_NUXT_ARTIFACTS=$art SKEW_CHROMIUM=$CHROMIUM \
  exec timeout --kill-after=10 300 node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 ./nuxt.test.mjs
