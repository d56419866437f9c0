#!/usr/bin/env node
// Times isbot() over the UA corpus in one process and counts what it flags. Used by
// bench/bots/run.sh; prints one tab-separated line per set, as skew_bot_bench does:
// "isbot <set> <total> <flagged> <ns per UA>".  Usage: node isbot_bench.js FILE...
'use strict';
const fs = require('fs');
const { isbot } = require('isbot');

for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let flagged = 0;
  for (const ua of lines) if (isbot(ua)) flagged++;
  let sink = 0;
  for (let w = 0; w < 20; w++) for (const ua of lines) sink += isbot(ua) ? 1 : 0; // JIT warm-up
  // 7 rounds of at least 100 ms; the fastest counts (as in skew_bot_bench)
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    let reps = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0n;
    do {
      for (const ua of lines) sink += isbot(ua) ? 1 : 0;
      reps++;
      elapsed = process.hrtime.bigint() - t0;
    } while (elapsed < 100000000n);
    best = Math.min(best, Number(elapsed) / (reps * lines.length));
  }
  const set = /bots/.test(file) ? 'bots' : /browsers/.test(file) ? 'browsers' : file;
  const ns = best;
  process.stdout.write(`isbot\t${set}\t${lines.length}\t${flagged}\t${ns.toFixed(2)}\n`);
  if (sink < 0) console.log(sink);
}
