#!/bin/sh
# The whole production topology (tests/topology/topology.test.mjs): nginx with deploy/nginx/skew.conf,
# the Nuxt app of tests/nuxt (its node-server build), one lws and one mongoose instance on
# redis-server, Chromium. BUILD and MAKE come from the environment (tests/topology/build.mk).
# Under CI=true a missing tool (nginx, redis-server, chromium, openssl, node) FAILS the step;
# elsewhere the step reports itself skipped.
set -u
WHO=topology
. tests/lib/need.sh
. tests/lib/build_server.sh
need node npm redis-server
need_nginx
need_chromium

build_both topology
need_e2e_modules
# the Nuxt app: built by tests/nuxt/run.sh (reused while unchanged); the sse build's node server
nuxt_app topology lws sse/output/server/index.mjs

cd tests/topology || exit 1
SKEW_SERVER_LWS=$build/skew_server_lws SKEW_SERVER_MONGOOSE=$build/skew_server_mongoose \
SKEW_NUXT_APP=$build/nuxt-app/sse/output \
  exec timeout --kill-after=10 290 node --test --test-reporter=tap --test-concurrency=1 ./topology.test.mjs
