#!/bin/sh
# The Nuxt app's own admins through nginx and both C servers (tests/topology/app-admins.test.mjs):
# the app of tests/nuxt (nuxt-auth-utils sessions) as its node server, both builds (ws, sse).
# BUILD and MAKE come from the environment (tests/topology/build.mk). Under CI=true a missing
# tool (nginx, chromium, node) FAILS the step; elsewhere the step reports itself skipped.
set -u
WHO=app-admins
. tests/lib/need.sh
need node npm
need_nginx
need_chromium

for f in lws mongoose; do
  $MAKE --no-print-directory "$BUILD/skew_server_$f" || { echo "app-admins: building skew_server_$f failed" >&2; exit 1; }
done
need_e2e_modules
# the Nuxt app's two builds: made by tests/nuxt/run.sh (reused while unchanged)
out=$(SKEW_NUXT_BUILD_ONLY=1 BUILD=$BUILD MAKE=$MAKE tests/nuxt/run.sh lws 2>&1); rc=$?
printf '%s\n' "$out" | tail -n 5
for s in ws sse; do
  [ "$rc" -eq 0 ] && [ -f "$build/nuxt-app/$s/output/server/index.mjs" ] ||
    { echo "app-admins: the Nuxt app was not built ($build/nuxt-app/$s)" >&2; exit 1; }
done

cd tests/topology || exit 1
SKEW_SERVER_LWS=$build/skew_server_lws SKEW_SERVER_MONGOOSE=$build/skew_server_mongoose SKEW_NUXT_BUILDS=$build/nuxt-app \
  exec timeout --kill-after=10 420 node --test --test-reporter=tap --test-concurrency=1 ./app-admins.test.mjs
