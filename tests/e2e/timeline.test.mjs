// The rollout timeline: GET {base}/admin/stats carries "timeline" (samples every
// --timeline-period-ms, as many as --timeline-samples, none with 0), and the dashboard draws it
// in Chromium (playwright-core driving /usr/bin/chromium with a desktop Chrome User-Agent):
// after a version change with clients on both versions, the chart shows two series.
// The screenshot goes to build/e2e-artifacts/<server>/timeline-two-series.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { withServer, eventually, sleep, serverBinary, ARTIFACTS, CHROME_UA, TOKEN } from './lib/harness.mjs';

const CHROMIUM = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];
const PERIOD = 200; // ms: short, so a few samples take about a second

async function timelineOf(srv) {
  const r = await srv.adminStats();
  assert.equal(r.status, 200, r.text);
  return r.json.timeline;
}

test('admin/stats carries the timeline: one sample per period, bounded, every sample adds up', { timeout: 30000 }, () =>
  withServer({ buildId: 'v1', extraArgs: ['--timeline-period-ms', String(PERIOD), '--timeline-samples', '5'] }, async (srv) => {
    const a = await srv.ws({ cookie: '__nkpv=v1' });
    const b = await srv.sse({ cookie: '__nkpv=v0' });
    const tl = await eventually(async () => {
      const t = await timelineOf(srv);
      return t && t.samples.length >= 5 && t.series.length === 2 && t;
    }, { timeout: 8000, what: 'five samples with both versions' });
    assert.equal(tl.periodMs, PERIOD);
    assert.equal(tl.capacity, 5);
    assert.equal(tl.samples.length, 5, 'the ring keeps --timeline-samples');
    assert.deepEqual([...tl.series].sort(), ['v0', 'v1']);
    const last = tl.samples[tl.samples.length - 1];
    assert.equal(last.length, 1 + tl.series.length);
    assert.equal(last[1] + last[2], 2);
    // the period is kept on the schedule: one late wake-up shortens the next gap, not the cadence
    const times = tl.samples.map((x) => x[0]);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], `times ${times}`);
    const mean = (times[times.length - 1] - times[0]) / (times.length - 1);
    assert.ok(mean >= PERIOD * 0.9 && mean < PERIOD * 3, `samples ${mean} ms apart on average (${times})`);
    // the stats pushes stay lean
    const sub = await srv.subscriber();
    assert.equal(sub.first.type, 'stats');
    assert.equal(sub.first.timeline, undefined);
    await Promise.all([a.close(), b.close(), sub.close()]);
  }));

test('the timeline flags are bounded: one past each bound is refused with exit 2', () => {
  for (const [flag, bad] of [['--timeline-samples', '65537'], ['--timeline-samples', '-1'], ['--timeline-samples', ''],
    ['--timeline-period-ms', '9'], ['--timeline-period-ms', '86400001'], ['--timeline-period-ms', '1e3']]) {
    const r = spawnSync(serverBinary(), ['--port', '0', flag, bad], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `${flag} ${bad}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`bad value for ${flag}`));
  }
  const help = spawnSync(serverBinary(), ['--help'], { encoding: 'utf8', timeout: 10000 });
  assert.match(help.stdout, /--timeline-samples N .*default 360/);
});

test('the largest timeline (--timeline-samples 65536, 10 ms) serves and stays valid', { timeout: 20000 }, () =>
  withServer({ buildId: 'v1', extraArgs: ['--timeline-samples', '65536', '--timeline-period-ms', '10'] }, async (srv) => {
    const a = await srv.ws({ cookie: '__nkpv=v1' });
    const tl = await eventually(async () => {
      const t = await timelineOf(srv);
      return t.samples.length >= 20 && t;
    }, { timeout: 8000, what: 'samples at 10 ms' });
    assert.equal(tl.capacity, 65536);
    assert.deepEqual(tl.series, ['v1']);
    await a.close();
  }));

test('--timeline-samples 0: no timeline in admin/stats', { timeout: 20000 }, () =>
  withServer({ buildId: 'v1', extraArgs: ['--timeline-samples', '0'] }, async (srv) => {
    const r = await srv.adminStats();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 0);
    assert.equal('timeline' in r.json, false);
  }));

test('dashboard: after a version change with clients on both versions, the timeline shows two series', { timeout: 90000 }, () =>
  withServer({ buildId: 'v1', routeTracking: true, statsIntervalMs: 100, extraArgs: ['--timeline-period-ms', String(PERIOD)] }, async (srv) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
    try {
      const ctx = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 1100 } });
      ctx.setDefaultTimeout(10000);
      await ctx.addCookies([{ name: 'skew_admin', value: TOKEN, url: srv.url('/') }]);
      const admin = await ctx.newPage();
      await admin.goto(srv.url('/admin'));
      await admin.waitForSelector('#auth-state[data-state="authorized"]');
      const series = () => admin.$$eval('#timeline svg g[data-series]', (gs) => gs.map((g) => g.dataset.series));
      await eventually(async () => (await series()).join() === 'v1', { timeout: 8000, what: 'one series (the dashboard on v1)' });

      // a demo page on v1, then the deploy of v2 and a demo page that loads v2
      const demoCtx = await browser.newContext({ userAgent: CHROME_UA });
      const d1 = await demoCtx.newPage();
      await d1.goto(srv.url('/'));
      await d1.waitForSelector('#state[data-state="open"]');
      const r = await srv.admin('/admin/version', { version: 'v2' });
      assert.equal(r.status, 200, r.text);
      const d2Ctx = await browser.newContext({ userAgent: CHROME_UA });
      const d2 = await d2Ctx.newPage();
      await d2.goto(srv.url('/'));
      await d2.waitForSelector('#state[data-state="open"]');
      await sleep(3 * PERIOD);

      let seen;
      await eventually(async () => {
        seen = (await series()).sort();
        return seen.join() === 'v1,v2';
      }, { timeout: 8000, what: `two series in the chart (saw ${JSON.stringify(seen)})` });
      const legend = await admin.$$eval('#timeline-legend li', (lis) => lis.map((li) => ({
        name: li.dataset.series, latest: li.classList.contains('latest'), text: li.textContent })));
      assert.deepEqual(legend.map((l) => l.name).sort(), ['v1', 'v2']);
      assert.deepEqual(legend.filter((l) => l.latest).map((l) => l.name), ['v2'], 'the server version is marked');
      assert.match(legend.find((l) => l.name === 'v1').text, /v1 \(2\)/, 'dashboard and first demo page on v1');
      assert.match(legend.find((l) => l.name === 'v2').text, /v2 \(1\)/);
      // one line each, with the axis labels drawn
      assert.equal(await admin.$$eval('#timeline svg polyline.series', (p) => p.length), 2);
      const labels = await admin.$$eval('#timeline svg text', (ts) => ts.map((t) => t.textContent));
      assert.ok(labels.includes('connections') && labels.includes('time'), `axis titles: ${labels}`);
      assert.ok(labels.some((l) => /\d\d:\d\d/.test(l)), `time labels: ${labels}`);
      assert.match(await admin.textContent('#timeline-range'), /one sample every 200 ms/);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await admin.locator('#timeline-card').scrollIntoViewIfNeeded();
      await admin.screenshot({ path: path.join(ARTIFACTS, 'timeline-two-series.png'), fullPage: true });

      // old clients drain: the v1 demo page leaves, v1's line comes down to the dashboard alone
      await d1.close();
      await eventually(async () => /v1 \(1\)/.test(await admin.textContent('#timeline-legend li[data-series="v1"]')),
        { timeout: 8000, what: 'v1 drains to the dashboard alone' });
      await demoCtx.close();
      await d2Ctx.close();
      await ctx.close();
    } finally {
      await browser.close().catch(() => {});
    }
  }));
