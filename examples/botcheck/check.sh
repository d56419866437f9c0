#!/usr/bin/env bash
# The botcheck test step: pipes known UAs through skew_botcheck and compares its answers.
# Usage: examples/botcheck/check.sh BUILD/skew_botcheck [BUILD/botcheck/test_bot_notable]
# Ends with "N passed, N failed".
set -u
tool=$1
notable=${2:-}
data=tests/data
pass=0; fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # NAME EXPECTED-FILE ACTUAL-FILE
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1"; diff "$2" "$3" | head -n 10; fi
}

# 1. every hand-labelled special case, in order
grep -v '^#' "$data/ua-special.tsv" >"$tmp/special"
cut -f1 "$tmp/special" >"$tmp/want"
cut -f2- "$tmp/special" | "$tool" >"$tmp/got"
expect "ua-special.tsv ($(wc -l <"$tmp/want") UAs)" "$tmp/want" "$tmp/got"
# per line too, so a failure names the UA
paste "$tmp/want" "$tmp/got" "$tmp/special" | awk -F'\t' '$1 != $2 { print "  wrong:", $2, $4 }' | head -n 20

# 2. the corpus: every bot is a bot, no browser is
"$tool" <"$data/ua-bots.txt" | sort | uniq -c | awk '{print $2": "$1}' >"$tmp/bots"
echo "1: $(grep -c '' "$data/ua-bots.txt")" >"$tmp/bots-want"
expect "ua-bots.txt all flagged" "$tmp/bots-want" "$tmp/bots"
"$tool" <"$data/ua-browsers.txt" | sort | uniq -c | awk '{print $2": "$1}' >"$tmp/browsers"
echo "0: $(grep -c '' "$data/ua-browsers.txt")" >"$tmp/browsers-want"
expect "ua-browsers.txt none flagged" "$tmp/browsers-want" "$tmp/browsers"

# 3. line handling: CRLF, empty lines, a last line without newline, a NUL inside a line
printf 'curl/8.4.0\r\nMozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n\n\r\nGooglebot/2.1' \
  | "$tool" >"$tmp/got"
printf '1\n0\n1\n1\n1\n' >"$tmp/want"
expect "CRLF, empty lines, no final newline" "$tmp/want" "$tmp/got"
printf 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 \000 Googlebot/2.1\n' \
  | "$tool" >"$tmp/got"
printf '1\n' >"$tmp/want"
expect "NUL inside a line" "$tmp/want" "$tmp/got"

# 4. over-long lines: 70 KB and 1 MB are bots, the lines after them still answered in order
{
  printf 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
  head -c 70000 /dev/zero | tr '\0' 'a'; printf '\n'
  printf 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15\n'
  head -c 1048576 /dev/zero | tr '\0' ' '; printf '\r\n'
  printf 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1\n'
} | "$tool" >"$tmp/got"
printf '1\n0\n1\n0\n' >"$tmp/want"
expect "over-long lines" "$tmp/want" "$tmp/got"
# exactly 65536 bytes with CRLF still fits (a long but plain browser UA is no bot by length)
ua='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 '
{ printf '%s' "$ua"; head -c $((65536 - ${#ua})) /dev/zero | tr '\0' 'k'; printf '\r\n'; } | "$tool" >"$tmp/got"
printf '0\n' >"$tmp/want"
expect "65536-byte line with CRLF" "$tmp/want" "$tmp/got"

# 5. options: allow beats the table, extra bot pattern, allow empty, no built-in table
printf 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\nMozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 AcmeProbe/1\n\ncurl/8.4.0\n' \
  | "$tool" -a googlebot -b ACMEPROBE -e >"$tmp/got"
printf '0\n1\n0\n1\n' >"$tmp/want"
expect "-a -b -e" "$tmp/want" "$tmp/got"
printf 'curl/8.4.0\nAcmeProbe/1\n\n' | "$tool" -n -b acmeprobe >"$tmp/got"
printf '0\n1\n1\n' >"$tmp/want"
expect "-n -b" "$tmp/want" "$tmp/got"
if "$tool" -b "" </dev/null 2>/dev/null; then fail=$((fail + 1)); echo "FAIL empty pattern accepted"; else pass=$((pass + 1)); fi

# 6. the unit test built with SKEW_ENABLE_BOT_TABLE 0
if [ -n "$notable" ]; then
  out=$("$notable"); rc=$?
  echo "$out" | tail -n 1 | sed 's/^/  no table: /'
  p=$(echo "$out" | tail -n 1 | sed -E 's/^([0-9]+) passed.*/\1/')
  f=$(echo "$out" | tail -n 1 | sed -E 's/.* ([0-9]+) failed.*/\1/')
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then fail=$((fail + 1)); fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
