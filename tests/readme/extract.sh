#!/usr/bin/env bash
# Extract the quick start from README.md and from the header; fail if they differ.
# Usage: tests/readme/extract.sh OUT.c
#        tests/readme/extract.sh --adapter OUT.c   the "Writing an adapter" code of README.md
set -eu
if [ "$1" = --adapter ]; then
  out=$2
  mkdir -p "$(dirname "$out")"
  sed -n '/<!-- adapter:begin -->/,/<!-- adapter:end -->/p' README.md | sed '1,2d;$d' | sed '$d' >"$out"
  [ -s "$out" ] || { echo "no adapter code found in README.md" >&2; exit 1; }
  exit 0
fi
out=$1
mkdir -p "$(dirname "$out")"
sed -n '/<!-- quickstart:begin -->/,/<!-- quickstart:end -->/p' README.md | sed '1,2d;$d' | sed '$d' >"$out"
sed -n '/^#if 0 \/\* QUICK START \*\//,/^#endif \/\* QUICK START \*\//p' skew_tracker.h | sed '1d;$d' >"$out.hdr"
if ! cmp -s "$out" "$out.hdr"; then
  echo "README.md and skew_tracker.h quick starts differ:" >&2
  diff "$out" "$out.hdr" >&2 || true
  exit 1
fi
[ -s "$out" ] || { echo "no quick start found in README.md" >&2; exit 1; }
