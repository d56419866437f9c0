#!/bin/sh
# The nginx configuration shown in README.md (between <!-- nginx:begin --> and <!-- nginx:end -->,
# inside its ```nginx fence) must be deploy/nginx/skew.conf, byte for byte.
set -u
out=${1:-build/readme/nginx.conf}
mkdir -p "$(dirname "$out")"
sed -n '/<!-- nginx:begin -->/,/<!-- nginx:end -->/p' README.md | sed '1,2d;$d' | sed '$d' >"$out"
[ -s "$out" ] || { echo "no nginx configuration found in README.md"; echo "0 passed, 1 failed"; exit 1; }
if cmp -s "$out" deploy/nginx/skew.conf; then
  echo "README.md shows deploy/nginx/skew.conf"; echo "1 passed, 0 failed"
else
  echo "README.md and deploy/nginx/skew.conf differ:"; diff "$out" deploy/nginx/skew.conf
  echo "0 passed, 1 failed"; exit 1
fi
