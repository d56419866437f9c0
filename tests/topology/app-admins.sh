#!/bin/sh
# The Nuxt app's own admins through nginx and both C servers (tests/topology/app-admins.test.mjs):
# the app of tests/nuxt (nuxt-auth-utils sessions) as its node server, both builds (ws, sse).
# BUILD and MAKE come from the environment (tests/topology/build.mk). Under CI=true a missing
# tool (nginx, chromium, node) FAILS the step; elsewhere the step reports itself skipped.
set -u
WHO=app-admins
. tests/lib/need.sh
. tests/lib/build_server.sh
need node npm
need_nginx
need_chromium

build_both app-admins
need_e2e_modules
# the Nuxt app's two builds: made by tests/nuxt/run.sh (reused while unchanged)
nuxt_app app-admins lws ws/output/server/index.mjs sse/output/server/index.mjs

cd tests/topology || exit 1
SKEW_SERVER_LWS=$build/skew_server_lws SKEW_SERVER_MONGOOSE=$build/skew_server_mongoose SKEW_NUXT_BUILDS=$build/nuxt-app \
  exec timeout --kill-after=10 420 node --test --test-reporter=tap --test-concurrency=1 ./app-admins.test.mjs
