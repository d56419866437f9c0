#!/bin/sh
# Build one example server and run the end-to-end suite against it.
# Usage (from the repository root): tests/e2e/run.sh lws|mongoose
# BUILD and MAKE come from the environment (tests/e2e/build.mk passes them).
# For mongoose, a build that fails because mongoose is absent is reported as a skip.
set -u
flavor=$1
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
bin=$BUILD/skew_server_$flavor
case $bin in /*) abs=$bin ;; *) abs=$(pwd)/$bin ;; esac

. tests/lib/build_server.sh
build_server "$flavor" e2e

# node_modules from the committed lockfile (npm ci) when missing or older than the lockfile
WHO=e2e
. tests/lib/need.sh
need_e2e_modules

art=$(pwd)/$BUILD/e2e-artifacts/$flavor
case $BUILD in /*) art=$BUILD/e2e-artifacts/$flavor ;; esac
mkdir -p "$art"
cd tests/e2e || exit 1
# The whole suite is bounded too (each test has its own timeout).
SKEW_SERVER=$abs SKEW_E2E_ARTIFACTS=$art exec timeout --kill-after=10 1800 \
  node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 ./*.test.mjs
