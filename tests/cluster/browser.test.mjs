// In Chromium: the dashboard of one instance shows the cluster's total and the instances panel
// (each instance's id, build, connections, age).
import { test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import {
  withRedis, startInstance, threeKinds, stopAll, clusterShows, eventually, e2eRequire, ARTIFACTS, CHROME_UA, TOKEN,
} from './lib.mjs';

const CHROMIUM = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];

test('dashboard on one instance shows the cluster total and the instances panel', { timeout: 120000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`skipped: ${CHROMIUM} not installed`);
    return;
  }
  const { chromium } = e2eRequire('playwright-core');
  await withRedis({}, async (redis) => {
    const kinds = threeKinds();
    const list = [];
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
    try {
      list.push(await startInstance(kinds[0], redis, { id: 'ui-a', cluster: 'ui', buildId: 'v1', statsIntervalMs: 100 }));
      list.push(await startInstance(kinds[1], redis, { id: 'ui-b', cluster: 'ui', buildId: 'v1', statsIntervalMs: 100 }));
      await list[0].ws();
      for (let i = 0; i < 3; i++) await list[1].sse({ route: '/b' });
      await clusterShows(list, 4, 2);

      const ctx = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 1000 } });
      ctx.setDefaultTimeout(10000);
      await ctx.addCookies([{ name: 'skew_admin', value: TOKEN, url: list[0].url('/') }]);
      const page = await ctx.newPage();
      await page.goto(list[0].url('/admin'));
      const text = (sel) => page.locator(sel).first().textContent().then((x) => (x || '').trim());
      await eventually(async () => (await text('#total')) === '5', { timeout: 8000, what: 'cluster total 5 (4 + the dashboard)' });
      await page.waitForSelector('#cluster-instances tr[data-instance="ui-b"]');
      await eventually(async () => {
        const rows = await page.$$eval('#cluster-instances tr', (trs) => trs.map((r) => ({
          id: r.dataset.instance, cells: [...r.querySelectorAll('td')].map((td) => td.textContent.trim()),
        })));
        const b = rows.find((r) => r.id === 'ui-b');
        const a = rows.find((r) => r.id === 'ui-a');
        return rows.length === 2 && b && a && b.cells[1] === 'v1' && b.cells[2] === '3' && a.cells[2] === '2';
      }, { timeout: 8000, what: 'instances panel rows' });
      assert.equal(await text('#cluster-state'), 'ok');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'cluster-dashboard.png'), fullPage: true });
      await ctx.close();
    } finally {
      await browser.close().catch(() => {});
      await stopAll(list);
    }
  });
});
