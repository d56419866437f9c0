# Sourced by the test scripts that need tools from outside the repository (tests/topology,
# tests/tls, tests/prod, tests/e2e): the one place that says what a missing tool does.
# Before sourcing, set WHO (the suite's name in messages). Sets BUILD and MAKE (defaults build,
# make) and build (BUILD as an absolute path).
#   missing TEXT      under CI=true: "WHO: TEXT" on stderr and exit 1 (a missing tool FAILS the
#                     step); elsewhere "skipped: TEXT" and exit 0
#   need TOOL...      missing "TOOL not installed" for the first TOOL not on PATH
#   need_nginx        nginx on PATH or in /usr/sbin
#   need_chromium     $SKEW_CHROMIUM (default /usr/bin/chromium) is executable
#   need_e2e_modules  tests/e2e/node_modules (npm ci from its lockfile) when missing or older
#                     than the lockfile
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
case $BUILD in /*) build=$BUILD ;; *) build=$(pwd)/$BUILD ;; esac

missing() {
  if [ "${CI:-}" = true ]; then echo "$WHO: $1 (CI=true: a missing tool fails the step)" >&2; exit 1; fi
  echo "skipped: $1"; exit 0
}
need() {
  for _need_t in "$@"; do command -v "$_need_t" >/dev/null 2>&1 || missing "$_need_t not installed"; done
}
need_nginx() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing "nginx not installed"; }
need_chromium() { [ -x "${SKEW_CHROMIUM:-/usr/bin/chromium}" ] || missing "chromium not found"; }
need_e2e_modules() {
  if [ ! -f tests/e2e/node_modules/.package-lock.json ] ||
     [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error) ||
      { echo "$WHO: npm ci in tests/e2e failed" >&2; exit 1; }
  fi
}
