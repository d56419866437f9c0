#!/usr/bin/env node
// Builds the shared User-Agent corpus for tests and the bot benchmark:
//   tests/data/ua-bots.txt      bots: every example UA of crawler-user-agents (MIT)
//   tests/data/ua-browsers.txt  people: user-agents (BSD-2-Clause) + top-user-agents (MIT)
// One UA per line, deduplicated, sorted (byte order). A UA that lands in the wrong list is
// relabelled below by what it really is; every move is listed with its reason.
// Usage: cd tools/bots && npm ci && node build-corpus.js
'use strict';
const fs = require('fs');
const path = require('path');

const crawlers = require('crawler-user-agents');
const userAgents = require(path.join(__dirname, 'node_modules', 'user-agents', 'dist', 'user-agents.json'));
const top = require('top-user-agents');

// Example UAs of crawler-user-agents that are real people's browsers (the list keeps them
// because some bot also sends them, or the app embeds an AI agent). Matched as substrings.
const BOT_LIST_BUT_BROWSER = [
  // plain Instagram in-app browser on an OPPO phone; listed because 80legs spoofs it
  'Instagram 406.0.0.58.159 Android (35/15; 480dpi; 1080x2400; OPPO; CPH2557',
  // VS Code and Trae: Electron desktop apps (their AI agents reuse the app's UA)
  ') Code/1.115.0 Chrome/',
  ') Trae/1.107.1 Chrome/',
  // Facebook's Android in-app browser ("MetaIAB Facebook"), a person following a link
  'Mobile Safari/537.36 MetaIAB Facebook',
  // Fluid: a site-specific browser for macOS, driven by a person
  ') Fluid/0.9.6 Safari/',
];
// UAs of the browser lists that are really bots/headless (none found in the pinned versions;
// the check below still moves any UA that names one of these tools).
const BROWSER_LIST_BUT_BOT = [/HeadlessChrome/, /Chrome-Lighthouse/, /\bPTST\//, /Googlebot/];

function clean(s) { return typeof s === 'string' ? s.replace(/[\r\n]+/g, ' ').trim() : ''; }

const bots = new Set();
const browsers = new Set();
const moved = [];

for (const entry of crawlers) {
  for (const raw of entry.instances || []) {
    const ua = clean(raw);
    if (!ua) continue;
    if (BOT_LIST_BUT_BROWSER.some((m) => ua.includes(m))) { browsers.add(ua); moved.push(['browser', ua]); }
    else bots.add(ua);
  }
}
for (const raw of [...userAgents.map((e) => e.userAgent), ...top]) {
  const ua = clean(raw);
  if (!ua) continue;
  if (BROWSER_LIST_BUT_BOT.some((re) => re.test(ua))) { bots.add(ua); moved.push(['bot', ua]); }
  else browsers.add(ua);
}
for (const ua of browsers) bots.delete(ua);

const cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const dir = path.join(__dirname, '..', '..', 'tests', 'data');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'ua-bots.txt'), [...bots].sort(cmp).join('\n') + '\n');
fs.writeFileSync(path.join(dir, 'ua-browsers.txt'), [...browsers].sort(cmp).join('\n') + '\n');
for (const [to, ua] of moved) console.log(`relabelled as ${to}: ${ua}`);
console.log(`tests/data/ua-bots.txt: ${bots.size} UAs, tests/data/ua-browsers.txt: ${browsers.size} UAs`);
