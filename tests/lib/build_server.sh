# Sourced by the test scripts that run an example server (tests/e2e/run.sh, tests/nuxt/run.sh,
# tests/prod/run.sh, tests/topology/*.sh, tests/tls/run.sh).
# build_server FLAVOR WHO: make $BUILD/skew_server_FLAVOR (BUILD and MAKE from the caller). A
# mongoose build that fails because mongoose is absent ends the script with "skipped: mongoose
# not found" (exit 0); any other failure ends it with exit 1, WHO naming the suite.
build_server() {
  _bs_out=$($MAKE --no-print-directory "$BUILD/skew_server_$1" 2>&1)
  _bs_rc=$?
  printf '%s\n' "$_bs_out"
  [ "$_bs_rc" -eq 0 ] && return 0
  if [ "$1" = mongoose ] && printf '%s\n' "$_bs_out" | grep -qE 'mongoose not found|[Nn]o rule to make target'; then
    echo "skipped: mongoose not found"
    exit 0
  fi
  echo "$2: building $BUILD/skew_server_$1 failed" >&2
  exit 1
}

# build_servers_lws_mongoose WHO LWS MG NOTE: make $BUILD/LWS, then $BUILD/MG where mongoose is
# there; servers gets the paths built. Without mongoose: "note: mongoose not found: NOTE".
build_servers_lws_mongoose() {
  _bs_out=$($MAKE --no-print-directory "$BUILD/$2" 2>&1) ||
    { printf '%s\n' "$_bs_out"; echo "$1: building $2 failed" >&2; exit 1; }
  servers="$BUILD/$2"
  if _bs_out=$($MAKE --no-print-directory "$BUILD/$3" 2>&1); then
    servers="$servers $BUILD/$3"
  elif printf '%s\n' "$_bs_out" | grep -qE 'mongoose not found|[Nn]o rule to make target'; then
    echo "note: mongoose not found: $4"
  else
    printf '%s\n' "$_bs_out"; echo "$1: building mongoose failed" >&2; exit 1
  fi
}

# build_both WHO: make $BUILD/skew_server_lws and $BUILD/skew_server_mongoose (both needed).
build_both() {
  for _bs_f in lws mongoose; do
    $MAKE --no-print-directory "$BUILD/skew_server_$_bs_f" ||
      { echo "$1: building skew_server_$_bs_f failed" >&2; exit 1; }
  done
}

# nuxt_app WHO FLAVOR FILE...: the Nuxt app of tests/nuxt, built by tests/nuxt/run.sh FLAVOR
# (reused while unchanged; its last lines shown); each FILE (a path under $build/nuxt-app) must
# be there after it. build is BUILD as an absolute path (tests/lib/need.sh sets it).
nuxt_app() {
  _na_who=$1; _na_flavor=$2; shift 2
  _bs_out=$(SKEW_NUXT_BUILD_ONLY=1 BUILD=$BUILD MAKE=$MAKE tests/nuxt/run.sh "$_na_flavor" 2>&1); _bs_rc=$?
  printf '%s\n' "$_bs_out" | tail -n 5
  for _na_f in "$@"; do
    [ "$_bs_rc" -eq 0 ] && [ -f "$build/nuxt-app/$_na_f" ] ||
      { echo "$_na_who: the Nuxt app was not built ($build/nuxt-app/$_na_f)" >&2; exit 1; }
  done
}
