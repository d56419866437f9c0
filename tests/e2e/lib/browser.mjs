// Chromium for the browser tests: Debian's /usr/bin/chromium (or $SKEW_CHROMIUM) driven by
// playwright-core, which adds --headless and a fresh temporary --user-data-dir itself.
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
export const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];

/** Run fn(browser) with a fresh Chromium, always closed after. */
export async function withBrowser(fn) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
  try {
    return await fn(browser);
  } finally {
    await browser.close().catch(() => {});
  }
}

/** True when Chromium is there; else the test is skipped, or fails under CI=true. */
export function needChromium(t) {
  if (fs.existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') assert.fail(`no Chromium at ${CHROMIUM}`);
  t.skip(`skipped: no Chromium at ${CHROMIUM}`);
  return false;
}
