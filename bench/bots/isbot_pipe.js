#!/usr/bin/env node
// isbot as a pipe, the counterpart of build/skew_botcheck: one UA per line on stdin, "1" (bot)
// or "0" per line on stdout. Reads and writes in large chunks, so the comparison measures the
// classifier and not line-at-a-time I/O. Used by bench/bots/pipe.sh.
'use strict';
const { isbot } = require('isbot');

let rest = '';
const out = [];
function flush() {
  if (out.length) process.stdout.write(out.join(''));
  out.length = 0;
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop();
  for (const l of lines) out.push(isbot(l.endsWith('\r') ? l.slice(0, -1) : l) ? '1\n' : '0\n');
  if (out.length > 65536) flush();
});
process.stdin.on('end', () => {
  if (rest.length) out.push(isbot(rest.endsWith('\r') ? rest.slice(0, -1) : rest) ? '1\n' : '0\n');
  flush();
});
