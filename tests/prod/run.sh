#!/bin/sh
# Production suite (tests/prod): build ids from files and symlink deploys, /ready, the graceful
# drain, sd_notify, logs, the config file; against both example servers and a real redis-server.
# Usage (from the repository root): tests/prod/run.sh [FILTER]  (FILTER: a test-name pattern)
# BUILD, MAKE come from the environment (tests/prod/build.mk passes them).
set -u
WHO=prod
. tests/lib/need.sh
. tests/lib/build_server.sh
need redis-server python3
build_servers_lws_mongoose prod skew_server_lws skew_server_mongoose "lws only"
need_e2e_modules
cd tests/prod || exit 1
pat=""
[ -n "${1:-}" ] && pat="--test-name-pattern=$1"
SKEW_PROD_SERVERS="$servers" exec timeout --kill-after=10 900 \
  node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 $pat ./*.test.mjs
