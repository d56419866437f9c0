#!/usr/bin/env bash
# Accuracy and speed of skew_is_bot (C, in-process) and isbot (node, in-process) on the same
# corpus, side by side: tests/data/ua-bots.txt, ua-browsers.txt, ua-special.tsv.
# Usage: bench/bots/run.sh [path/to/skew_bot_bench]   (make bench-bots builds it and runs this)
set -eu
cd "$(dirname "$0")/../.."
bin=${1:-build/bench/skew_bot_bench}
[ -x "$bin" ] || { echo "build it first: make $bin" >&2; exit 1; }
if [ ! -f bench/bots/node_modules/isbot/package.json ]; then
  (cd bench/bots && npm ci --no-audit --no-fund --silent)
fi
ver=$(node -p 'require("./bench/bots/node_modules/isbot/package.json").version')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' tests/data/ua-special.tsv >"$tmp/special.tsv"
cut -f1 "$tmp/special.tsv" >"$tmp/labels"
cut -f2- "$tmp/special.tsv" >"$tmp/special.txt"
files="tests/data/ua-bots.txt tests/data/ua-browsers.txt $tmp/special.txt"
node bench/bots/isbot_bench.js $files >"$tmp/isbot"
"$bin" $files >"$tmp/skew"
# special cases: one verdict per line from each, compared with the hand labels
(cd bench/bots && node -e '
  const fs = require("fs"); const { isbot } = require("isbot");
  const uas = fs.readFileSync(process.argv[1], "utf8").split("\n"); uas.pop();
  process.stdout.write(uas.map((u) => (isbot(u) ? 1 : 0)).join("\n") + "\n");
' "$tmp/special.txt") >"$tmp/isbot.special"
"$bin" --verdicts "$tmp/special.txt" >"$tmp/skew.special"
wrong() { paste "$tmp/labels" "$1" | awk -F'\t' '$1 != $2 {n++} END {print n+0}'; }
echo "User-Agent bot detection: skew_is_bot (C, $(basename "$bin")) vs isbot $ver (node $(node --version)), same corpus"
echo "  bots: $(grep -c '' tests/data/ua-bots.txt) (crawler-user-agents), browsers: $(grep -c '' tests/data/ua-browsers.txt) (user-agents + top-user-agents), special: $(grep -c '' "$tmp/labels") hand-labelled"
printf '%-12s %10s %11s %13s %13s %13s %13s %12s\n' "" "bot recall" "browser FP" "browser ns/UA" "browser UA/s" "bot ns/UA" "bot UA/s" "special ok"
for who in isbot skew; do
  awk -F'\t' -v who="$who" -v sp="$(wrong "$tmp/$who.special")" -v spn="$(grep -c '' "$tmp/labels")" '
    $2 == "bots" { bt = $3; bf = $4; bns = $5 }
    $2 == "browsers" { wt = $3; wf = $4; wns = $5 }
    END {
      printf "%-12s %9.2f%% %10.2f%% %13.1f %13.0f %13.1f %13.0f %8d/%d\n", (who == "skew" ? "skew_is_bot" : "isbot"),
        100 * bf / bt, 100 * wf / wt, wns, 1e9 / wns, bns, 1e9 / bns, spn - sp, spn
    }' "$tmp/$who"
done
awk -F'\t' 'FNR == NR && $2 == "browsers" { i = $5 } FNR != NR && $2 == "browsers" { s = $5 }
  FNR == NR && $2 == "bots" { ib = $5 } FNR != NR && $2 == "bots" { sb = $5 }
  END { printf "speed-up: %.1fx on browser UAs, %.1fx on bot UAs\n", i / s, ib / sb }' "$tmp/isbot" "$tmp/skew"
