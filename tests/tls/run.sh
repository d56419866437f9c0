#!/bin/sh
# The edge tests of tests/tls against the example servers.
# Usage (from the repository root): tests/tls/run.sh tls lws|mongoose    TLS on one server, and the
#                                                                        Nuxt app's client over wss
#                                   tests/tls/run.sh redis                 Redis over TLS (stunnel4)
# BUILD and MAKE come from the environment (tests/tls/build.mk passes them). Under CI=true a
# missing tool (openssl, chromium, redis-server, stunnel4, node) FAILS the step; elsewhere the
# step reports itself skipped.
set -u
what=$1
WHO=tls
. tests/lib/need.sh
. tests/lib/build_server.sh
need node openssl
need_e2e_modules

make_server() {
  $MAKE --no-print-directory "$BUILD/skew_server_$1" || { echo "tls: building $BUILD/skew_server_$1 failed" >&2; exit 1; }
}

cd_run() { cd tests/tls && exec timeout --kill-after=10 300 node --test --test-reporter=tap --test-concurrency=1 "$@"; }

case $what in
  tls)
    need_chromium
    need npm # the Nuxt app's build (tests/nuxt/run.sh)
    make_server "$2"
    # the Nuxt app's ws build for nuxt_wss.test.mjs: tests/nuxt/run.sh's (reused while unchanged)
    nuxt_app tls "$2" ws/output/public/_nuxt/builds/latest.json
    SKEW_SERVER=$build/skew_server_$2 SKEW_NUXT_BUILDS=$build/nuxt-app cd_run ./tls.test.mjs ./nuxt_wss.test.mjs ;;
  redis)
    need redis-server
    command -v stunnel4 >/dev/null 2>&1 || command -v stunnel >/dev/null 2>&1 || missing "stunnel4 not installed"
    build_both tls
    SKEW_SERVER_LWS=$build/skew_server_lws SKEW_SERVER_MONGOOSE=$build/skew_server_mongoose cd_run ./redis_tls.test.mjs ;;
  *) echo "usage: tests/tls/run.sh tls lws|mongoose | redis" >&2; exit 2 ;;
esac
