#!/bin/sh
# valgrind memcheck on the libwebsockets server during a short end-to-end run.
# Usage (from the repository root): tests/portability/valgrind_lws.sh
# Builds $BUILD/skew_server_lws, starts it under valgrind on a free 127.0.0.1 port, makes
# health, SSE, POST, admin, bot and WebSocket requests (curl; the WebSocket client needs node),
# stops it with SIGTERM and checks valgrind's verdict: exit 99 = memory errors or leaks.
# Skips when the server cannot be built or valgrind/curl are missing.
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
bin=$BUILD/skew_server_lws
work=$BUILD/valgrind-lws
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

for tool in valgrind curl; do
  command -v $tool >/dev/null 2>&1 || { echo "skipped: $tool not found"; exit 0; }
done
if ! $MAKE --no-print-directory -s "$bin" >/dev/null 2>&1; then
  echo "skipped: $bin cannot be built (libwebsockets-dev missing?)"
  exit 0
fi
rm -rf "$work"; mkdir -p "$work"
log=$work/server.log
valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
  --show-leak-kinds=definite,indirect --num-callers=30 \
  "$bin" --host 127.0.0.1 --port 0 --admin-token tok --route-tracking --ip-tracking \
  --stats-interval-ms 0 --keepalive-ms 1000 --drain-ms 0 >"$log" 2>&1 &
pid=$!

# poll_for FILE SED_SCRIPT TRIES [PID]: what the sed script first prints from FILE, polled every
# 0.1 s up to TRIES times (and no longer than process PID lives); empty when it never does.
poll_for() {
  _aw_i=0; _aw_v=
  while [ $_aw_i -lt "$3" ]; do
    _aw_v=$(sed -n "$2" "$1" | head -n 1)
    [ -n "$_aw_v" ] && break
    [ -z "${4:-}" ] || kill -0 "$4" 2>/dev/null || break
    sleep 0.1; _aw_i=$((_aw_i + 1))
  done
  echo "$_aw_v"
}

# wait for "listening on http://127.0.0.1:PORT" (valgrind starts slowly)
port=$(poll_for "$log" 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' 600 $pid)
if [ -z "$port" ]; then
  cat "$log"; kill $pid 2>/dev/null; echo "0 passed, 1 failed"; exit 1
fi
echo "server under valgrind on port $port"
base=http://127.0.0.1:$port/__skew
UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'

# health
body=$(curl -s -m 20 "$base/health")
case $body in *'"ok":true'*) ok "health: $body" ;; *) bad "health: $body" ;; esac

# an SSE stream held open in the background; its id comes from `connected`
curl -s -N -m 20 -A "$UA" -H 'Cookie: __nkpv=v7' "$base/sse?route=%2Fstart" >"$work/sse.txt" 2>/dev/null &
sse=$!
id=$(poll_for "$work/sse.txt" 's/.*"connectionId":"\([0-9a-f-]*\)".*/\1/p' 200)
[ -n "$id" ] && ok "sse connected: $id" || bad "sse: no connected message"

# POSTs on that stream
code=$(curl -s -o "$work/route.txt" -w '%{http_code}' -m 20 -H 'Content-Type: application/json' \
  --data "{\"connectionId\":\"$id\",\"route\":\"/next?x=1\"}" "$base/route")
[ "$code" = 200 ] && ok "POST route: $code" || bad "POST route: $code $(cat "$work/route.txt")"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 -H 'Authorization: Bearer tok' \
  --data "connectionId=$id" "$base/subscribe-stats")
[ "$code" = 200 ] && ok "POST subscribe-stats: $code" || bad "POST subscribe-stats: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 --data '{}' "$base/route")
[ "$code" = 400 ] && ok "POST route without id: $code" || bad "POST route without id: $code"

# admin endpoints, a bot, a wrong method, an unknown path
code=$(curl -s -o "$work/admin.txt" -w '%{http_code}' -m 20 -H 'Authorization: Bearer tok' "$base/admin/stats")
[ "$code" = 200 ] && grep -q '"/next"' "$work/admin.txt" && ok "admin stats: $code" || bad "admin stats: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 -H 'Authorization: Bearer tok' "$base/metrics")
[ "$code" = 200 ] && ok "metrics: $code" || bad "metrics: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 -A 'Googlebot/2.1 (+http://www.google.com/bot.html)' "$base/sse")
[ "$code" = 204 ] && ok "bot: $code" || bad "bot: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 -X POST "$base/sse")
[ "$code" = 405 ] && ok "POST sse: $code" || bad "POST sse: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 "$base/nope")
[ "$code" = 404 ] && ok "unknown: $code" || bad "unknown: $code"

# a WebSocket: subscribe, ping, route update, close
if command -v node >/dev/null 2>&1; then
  if node tests/portability/ws_client.mjs "$port" '/__skew/ws?route=%2Fws' tok >"$work/ws.txt" 2>&1; then
    ok "websocket: $(tail -n 1 "$work/ws.txt")"
  else
    cat "$work/ws.txt"; bad "websocket"
  fi
else
  echo "(no node: WebSocket part left out)"
fi

# the SSE stream got its keepalive and stats, then ends with the server
sleep 1.5
grep -q '"type":"stats"' "$work/sse.txt" && ok "sse got stats" || bad "sse got no stats"
grep -q '"type":"keepalive"' "$work/sse.txt" && ok "sse got a keepalive" || bad "sse got no keepalive"

kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL $pid 2>/dev/null
wait $pid
rc=$?
kill $sse 2>/dev/null; wait $sse 2>/dev/null
if [ "$rc" -eq 0 ]; then
  ok "valgrind: no errors, no leaks (exit 0)"
else
  grep -E '==[0-9]+==' "$log" | grep -vE 'Memcheck|Copyright|Using Valgrind|Command:|^==[0-9]+== *$' | head -n 60
  bad "valgrind: server exit $rc (99 = memory errors or leaks; log $log)"
fi
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$log" | sed 's/^/  /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
