#!/bin/sh
# The deploy files (deploy/): systemd-analyze verify passes on the unit without a single
# warning (a broken copy must draw one, so the check can fail); both servers accept the
# example config file (--check-config); the unit runs with that file; the README shows these
# exact files (blocks after "<!-- file: PATH -->").
# Usage (from the repository root): tests/prod/deploy_check.sh   (BUILD, MAKE from the environment)
set -u
WHO=deploy
. tests/lib/need.sh
need systemd-analyze # Debian: systemd
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
no() { fail=$((fail + 1)); echo "FAIL: $1"; }
unit=deploy/systemd/skew-tracker.service
conf=deploy/skew-tracker.conf
$MAKE --no-print-directory -s "$BUILD/skew_server_lws" >/dev/null 2>&1 || { echo "building lws failed"; echo "0 passed, 1 failed"; exit 1; }
bin=$(cd "$BUILD" && pwd)/skew_server_lws
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# verify needs the programs to exist: the unit with the built binary's path, nothing else changed
sed "s|/usr/local/bin/skew_server_lws|$bin|g" "$unit" > "$tmp/skew-tracker.service"
out=$(systemd-analyze verify "$tmp/skew-tracker.service" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify $unit: clean"; else no "systemd-analyze verify: rc $rc: $out"; fi
sed 's/^Type=notify$/Type=notifyx/' "$tmp/skew-tracker.service" > "$tmp/broken.service"
out=$(systemd-analyze verify "$tmp/broken.service" 2>&1)
if [ -n "$out" ]; then ok "a broken unit draws a complaint (the check can fail)"; else no "a broken unit passed verify"; fi
for key in 'Type=notify' 'Restart=on-failure' 'DynamicUser=yes' 'ProtectSystem=strict' 'NoNewPrivileges=yes' \
           'PrivateTmp=yes' 'RestrictAddressFamilies=' 'SystemCallFilter=@system-service' 'WatchdogSec=' \
           'EnvironmentFile=' 'ExecStart=/usr/local/bin/skew_server_lws --config /etc/skew-tracker/skew-tracker.conf'; do
  if grep -q "^$key" "$unit"; then ok "unit has $key"; else no "unit lacks $key"; fi
done
if grep -q -- '--admin-token' "$unit"; then no "a secret flag in the unit's argv"; else ok "no secret in the unit's argv"; fi

for s in skew_server_lws skew_server_mongoose; do
  [ -x "$BUILD/$s" ] || $MAKE --no-print-directory -s "$BUILD/$s" >/dev/null 2>&1 || { echo "note: no $s"; continue; }
  out=$("$BUILD/$s" --config "$conf" --check-config 2>&1)
  if [ $? -eq 0 ]; then ok "$s accepts $conf"; else no "$s refuses $conf: $out"; fi
done

# the README shows the tested files, byte for byte
for f in "$unit" "$conf"; do
  awk -v want="<!-- file: $f -->" '
    $0 == want { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' README.md > "$tmp/shown"
  if [ ! -s "$tmp/shown" ]; then no "README shows no block for $f"
  elif cmp -s "$tmp/shown" "$f"; then ok "README shows $f as it is"
  else no "README's $f differs: $(diff "$f" "$tmp/shown" | head -5)"; fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
