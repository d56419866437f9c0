#!/bin/sh
# No function over 100 lines in examples/ (issue 21 item 14). A function runs from the line of its
# name, in column 0, to the "}" in column 0 that closes it. Prints the ten longest.
# Usage: tests/api/function_length.sh [DIR] [MAX]
tmp=$(mktemp)
dir=${1:-examples}
max=${2:-100}
find "$dir" -name '*.c' | sort | xargs awk '
FNR == 1 { start = 0 }
/^[A-Za-z_][A-Za-z0-9_ *]*[ *][A-Za-z_][A-Za-z0-9_]*\(/ && !/;[ \t]*$/ && !/^(typedef|extern)/ {
    if (!start) { start = FNR; n = $0; sub(/\(.*/, "", n); sub(/.*[ *]/, "", n); name = n }
}
/^}/ { if (start) { print FNR - start + 1, FILENAME ":" start, name; start = 0 } }
' | sort -rn >"$tmp"
head -n 10 "$tmp"
awk -v max="$max" '$1 > max { print "not ok: " $2 " " $3 " is " $1 " lines"; bad++ } END { n = NR; printf "%d passed, %d failed\n", n - bad, bad + 0; exit bad ? 1 : 0 }' "$tmp"
rc=$?
rm -f "$tmp"
exit $rc
