#!/bin/sh
# Apply tools/api-0.1-rename.sed (the API 0.1.0 renames) to every tracked text file: source,
# scripts, docs. Not to fuzz corpora (inputs, not code), binary files, or the rename tools.
# Then tools/api-0.1-reorder.pl: the writers' new names and argument order, skew_str inputs.
# Idempotent: run it again after merging a branch written against the old names.
# Usage (from the repository root): tools/api-0.1-rename.sh
set -eu
cd "$(git rev-parse --show-toplevel)"
git ls-files -z | tr '\0' '\n' |
  grep -v -e '^fuzz/corpus/' -e '^tools/api-0.1-rename\.' |
  while IFS= read -r f; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    grep -Iq . "$f" 2>/dev/null || continue   # binary (or empty): left alone
    sed -E -f tools/api-0.1-rename.sed "$f" >"$f.api-rename.tmp"
    if cmp -s "$f" "$f.api-rename.tmp"; then rm -f "$f.api-rename.tmp"
    else cat "$f.api-rename.tmp" >"$f"; rm -f "$f.api-rename.tmp"; echo "renamed in $f"; fi
  done

# the argument-order changes (twice: an old call nested in another is converted on the second run)
for pass in 1 2; do
  git ls-files -z -- '*.c' '*.h' '*.cpp' '*.md' '*.py' '*.mjs' '*.js' '*.sh' |
    tr '\0' '\n' | grep -v -e '^fuzz/corpus/' -e '^tools/api-0.1-' | tr '\n' '\0' |
    xargs -0 perl tools/api-0.1-reorder.pl
done
