#!/bin/sh
# First-run behaviour of the build (README "The two commands"): `make` says in one line why it
# skips the mongoose server, and a download that fails (offline) leaves no empty folder behind.
# Nothing is downloaded: the download URL is a closed local port.
set -u
MAKE=${MAKE:-make}
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$($MAKE --no-print-directory -n all MONGOOSE_DIR="$tmp/none" 2>&1)
n=$(printf '%s\n' "$out" | grep -c 'skew_server_mongoose skipped: no mongoose 7.22 in')
if [ "$n" -eq 1 ]; then ok "make without mongoose: one line says why it is skipped"
else bad "make without mongoose: $n skip lines"; printf '%s\n' "$out" | tail -5; fi

mkdir -p "$tmp/tp"
out=$($MAKE --no-print-directory "$tmp/tp/third_party/mongoose-7.22/mongoose.c" MONGOOSE_DIR= \
      MONGOOSE_FETCHED="$tmp/tp/third_party/mongoose-7.22" MONGOOSE_URL=http://127.0.0.1:9 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q 'mongoose not found: the download'; then
  ok "offline download: fails and says what to do"
else bad "offline download: exit $rc"; printf '%s\n' "$out" | tail -5; fi
if [ ! -e "$tmp/tp/third_party" ]; then ok "offline download: no empty third_party/mongoose-7.22/ left"
else bad "offline download left $(ls -R "$tmp/tp/third_party" | tr '\n' ' ')"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
