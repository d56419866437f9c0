# Sourced by the test scripts that run an example server (tests/e2e/run.sh, tests/nuxt/run.sh,
# tests/prod/run.sh).
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
