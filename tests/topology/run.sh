#!/bin/sh
# The whole production topology (tests/topology/topology.test.mjs): nginx with deploy/nginx/skew.conf,
# the Nuxt app of tests/nuxt (its node-server build), one lws and one mongoose instance on
# redis-server, Chromium. BUILD and MAKE come from the environment (tests/topology/build.mk).
# Under CI=true a missing tool (nginx, redis-server, chromium, openssl, node) FAILS the step;
# elsewhere the step reports itself skipped.
set -u
WHO=topology
. tests/lib/need.sh
need node npm redis-server
need_nginx
need_chromium

for f in lws mongoose; do
  $MAKE --no-print-directory "$BUILD/skew_server_$f" || { echo "topology: building skew_server_$f failed" >&2; exit 1; }
done
need_e2e_modules
# the Nuxt app: built by tests/nuxt/run.sh (reused while unchanged); the sse build's node server
out=$(SKEW_NUXT_BUILD_ONLY=1 BUILD=$BUILD MAKE=$MAKE tests/nuxt/run.sh lws 2>&1); rc=$?
printf '%s\n' "$out" | tail -n 5
[ "$rc" -eq 0 ] && [ -f "$build/nuxt-app/sse/output/server/index.mjs" ] ||
  { echo "topology: the Nuxt app was not built ($build/nuxt-app/sse)" >&2; exit 1; }

cd tests/topology || exit 1
SKEW_SERVER_LWS=$build/skew_server_lws SKEW_SERVER_MONGOOSE=$build/skew_server_mongoose \
SKEW_NUXT_APP=$build/nuxt-app/sse/output \
  exec timeout --kill-after=10 290 node --test --test-reporter=tap --test-concurrency=1 ./topology.test.mjs
