// In Chromium (playwright-core driving Debian's /usr/bin/chromium): the dashboard at /admin shows
// the right numbers as demo pages open, navigate and close; the demo page shows its update banner
// after an admin version change. Screenshots go to build/e2e-artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { withServer, eventually, ARTIFACTS, CHROME_UA, TOKEN, request } from './lib/harness.mjs';
import { withBrowser } from './lib/browser.mjs';

async function context(browser) {
  const ctx = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 1000 } });
  ctx.setDefaultTimeout(10000);
  return ctx;
}

fs.mkdirSync(ARTIFACTS, { recursive: true });
async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const textOf = (page, sel) => page.locator(sel).first().textContent().then((t) => (t || '').trim());

/** Wait until the dashboard's element texts equal the expected ones. */
async function dashboardShows(page, want, what) {
  let seen;
  try {
    await eventually(async () => {
      seen = {};
      for (const k of Object.keys(want)) seen[k] = await textOf(page, `#${k}`);
      return Object.keys(want).every((k) => seen[k] === String(want[k]));
    }, { timeout: 8000, interval: 100, what });
  } catch (e) {
    e.message += ` (dashboard shows ${JSON.stringify(seen)}, want ${JSON.stringify(want)})`;
    throw e;
  }
}

async function tableMap(page, tbody) {
  return page.$$eval(`#${tbody} tr`, (rows) => Object.fromEntries(rows.map((r) => {
    const tds = r.querySelectorAll('td');
    const key = r.dataset.version ?? r.dataset.route ?? tds[0].textContent;
    return [key, Number(tds[1].textContent)];
  })));
}

async function demoPage(ctx, srv, p = '/') {
  const page = await ctx.newPage();
  await page.goto(srv.url(p));
  await page.waitForSelector('#state[data-state="open"]');
  const id = await eventually(async () => {
    const t = await textOf(page, '#conn-id');
    return /^[0-9a-f-]{36}$/.test(t) && t;
  }, { timeout: 5000, what: 'demo page connection id' });
  page.connId = id;
  return page;
}

test('dashboard shows the right numbers as demo pages open, navigate and close', { timeout: 120000 }, () =>
  withServer({ buildId: 'v2.0.0', routeTracking: true, ipTracking: true, statsIntervalMs: 100 }, (srv) =>
    withBrowser(async (browser) => {
      const adminCtx = await context(browser);
      const admin = await adminCtx.newPage();
      await admin.goto(srv.url('/admin'));
      await admin.waitForSelector('#state[data-state="open"]');
      await eventually(async () => (await textOf(admin, '#auth-state')) === 'not authorized',
        { timeout: 8000, what: 'dashboard not authorized without a token' });
      assert.equal(await textOf(admin, '#total'), '–', 'no numbers without authorization');
      await shot(admin, 'dashboard-0-no-token');

      // the token form: exchanged for a session cookie, the dashboard reconnects and subscribes
      await admin.fill('#token', TOKEN);
      await admin.click('#token-save');
      await eventually(async () => (await textOf(admin, '#auth-state')) === 'authorized',
        { timeout: 8000, what: 'dashboard authorized after entering the token' });
      await dashboardShows(admin, { total: 1, current: 1, outdated: 0, progress: '100%' }, 'dashboard alone');
      assert.equal(await textOf(admin, '#server-version'), 'v2.0.0');
      await shot(admin, 'dashboard-1-alone');

      // two demo pages in another browser context, and an old client (node ws) on v1.0.0
      const demoCtx = await context(browser);
      const d1 = await demoPage(demoCtx, srv, '/');
      const d2 = await demoPage(demoCtx, srv, '/');
      assert.equal(await textOf(d1, '#page-version'), 'v2.0.0', 'the HTML response set __nkpv');
      assert.equal(await textOf(d1, '#transport'), 'websocket', 'the demo page prefers WebSocket');
      const old = await srv.ws({ cookie: '__nkpv=v1.0.0', route: '/legacy' });
      await dashboardShows(admin, { total: 4, current: 3, outdated: 1, progress: '75%' }, 'two demo pages and an old client');
      assert.deepEqual(await tableMap(admin, 'versions-body'), { 'v2.0.0': 3, 'v1.0.0': 1 });
      assert.deepEqual(await tableMap(admin, 'routes-body'), { '/admin': 1, '/': 2, '/legacy': 1 });
      const rows = await admin.$$eval('#connections-body tr', (trs) => trs.map((tr) => ({
        id: tr.dataset.id, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
        you: tr.classList.contains('you'),
      })));
      assert.equal(rows.length, 4);
      const ids = rows.map((r) => r.id).sort();
      assert.deepEqual(ids, [d1.connId, d2.connId, old.id, await textOf(admin, '#your-id')].sort());
      for (const r of rows) assert.equal(r.cells[3], '127.0.0.1', `IP column: ${JSON.stringify(r)}`);
      assert.equal(rows.filter((r) => r.you).length, 1, 'the dashboard marks itself');
      await shot(admin, 'dashboard-2-four-connections');
      await shot(d1, 'demo-1-connected');

      // navigate: a pushState link, the route form, and a full page load of another path
      await d1.click('a[data-route="/products"]');
      await d2.fill('#route-input', '/checkout');
      await d2.click('#route-go');
      await eventually(async () => {
        const r = await tableMap(admin, 'routes-body');
        return r['/products'] === 1 && r['/checkout'] === 1 && !r['/'];
      }, { timeout: 8000, what: 'routes after pushState navigation' });
      assert.equal(new URL(d1.url()).pathname, '/products');
      await shot(admin, 'dashboard-3-navigated');
      await d2.goto(srv.url('/about'));
      await d2.waitForSelector('#state[data-state="open"]');
      await eventually(async () => {
        const r = await tableMap(admin, 'routes-body');
        return r['/about'] === 1 && !r['/checkout'] && (await textOf(admin, '#total')) === '4';
      }, { timeout: 8000, what: 'routes after a full navigation (old connection closed, new one open)' });

      // close pages: counts fall, zero counts disappear
      await d1.close();
      await dashboardShows(admin, { total: 3, current: 2, outdated: 1, progress: '67%' }, 'one demo page closed');
      await old.close();
      await dashboardShows(admin, { total: 2, current: 2, outdated: 0, progress: '100%' }, 'old client gone');
      assert.deepEqual(await tableMap(admin, 'versions-body'), { 'v2.0.0': 2 });
      assert.deepEqual(await tableMap(admin, 'routes-body'), { '/admin': 1, '/about': 1 });
      await shot(admin, 'dashboard-4-closed');

      // the dashboard agrees with the server
      const st = await srv.adminStats();
      assert.equal(st.json.total, 2);
      await demoCtx.close();
      await dashboardShows(admin, { total: 1 }, 'all demo pages closed');
      await adminCtx.close();
    })));

test('demo page shows its update banner after an admin version change and a forced invalidation', { timeout: 90000 }, () =>
  withServer({ buildId: 'v1', routeTracking: true, statsIntervalMs: 0 }, (srv) =>
    withBrowser(async (browser) => {
      const ctx = await context(browser);
      const d = await demoPage(ctx, srv, '/');
      const d2 = await demoPage(ctx, srv, '/');
      assert.equal(await d.isVisible('#banner'), false, 'no banner at first');
      await d2.click('a[data-route="/checkout"]');
      await eventually(async () => (await srv.adminStats()).json.routes['/checkout'] === 1,
        { timeout: 5000, what: 'route /checkout' });

      // admin version change: every page shows the banner naming the new version
      const r = await srv.admin('/admin/version', { version: 'v2' });
      assert.equal(r.status, 200, r.text);
      for (const p of [d, d2]) {
        await p.waitForSelector('#banner', { state: 'visible' });
        assert.match(await textOf(p, '#banner-text'), /new version.*v2/i);
      }
      assert.equal(await textOf(d, '#server-version'), 'v2');
      await shot(d, 'demo-2-update-banner');

      // reload: the HTML response sets __nkpv=v2, the banner is gone
      await d.click('#reload');
      await d.waitForSelector('#state[data-state="open"]');
      await eventually(async () => (await textOf(d, '#page-version')) === 'v2', { timeout: 5000, what: 'page version after reload' });
      assert.equal(await d.isVisible('#banner'), false, 'no banner after reload');

      // forced invalidation of /checkout reaches only d2 (d2 already shows a banner: reload it first)
      await d2.goto(srv.url('/checkout'));
      await d2.waitForSelector('#state[data-state="open"]');
      assert.equal(await d2.isVisible('#banner'), false);
      const inv = await srv.admin('/admin/invalidate', { route: '/checkout' });
      assert.equal(inv.status, 200, inv.text);
      await d2.waitForSelector('#banner', { state: 'visible' });
      assert.match(await textOf(d2, '#banner-text'), /out of date/i);
      await shot(d2, 'demo-3-forced-banner');
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(await d.isVisible('#banner'), false, 'a page on another route gets no forced banner');
      await ctx.close();
    })));

test('dashboard with the skew_admin cookie already set; bots are turned away from the pages\' stream', { timeout: 90000 }, () =>
  withServer({ buildId: 'v5', routeTracking: false }, (srv) =>
    withBrowser(async (browser) => {
      const ctx = await context(browser);
      await ctx.addCookies([{ name: 'skew_admin', value: TOKEN, url: srv.url('/') }]);
      const admin = await ctx.newPage();
      await admin.goto(srv.url('/admin'));
      await eventually(async () => (await textOf(admin, '#auth-state')) === 'authorized',
        { timeout: 8000, what: 'authorized by cookie' });
      await dashboardShows(admin, { total: 1, progress: '100%' }, 'dashboard alone');
      assert.equal(await admin.isVisible('#routes-off'), true, 'route tracking off is shown');

      // a crawler loading the demo page is not counted
      const botCtx = await browser.newContext({
        userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      });
      const bot = await botCtx.newPage();
      await bot.goto(srv.url('/'));
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(await textOf(admin, '#total'), '1', 'bot not counted');
      const h = await request(srv, 'GET', srv.path('/health'));
      assert.equal(h.status, 200);
      await shot(admin, 'dashboard-5-cookie-auth');
      await botCtx.close();
      await ctx.close();
    })));

test('without WebSocket the pages fall back to SSE: POST route updates, POST stats subscription, banner', { timeout: 90000 }, () =>
  withServer({ buildId: 'v1', routeTracking: true, statsIntervalMs: 100 }, (srv) =>
    withBrowser(async (browser) => {
      const ctx = await context(browser);
      await ctx.addInitScript(() => { delete window.WebSocket; });
      await ctx.addCookies([{ name: 'skew_admin', value: TOKEN, url: srv.url('/') }]);
      const admin = await ctx.newPage();
      await admin.goto(srv.url('/admin'));
      await eventually(async () => (await textOf(admin, '#auth-state')) === 'authorized',
        { timeout: 8000, what: 'dashboard authorized over SSE (POST subscribe-stats with the cookie)' });
      assert.match(await textOf(admin, '#transport'), /sse/);
      const d = await demoPage(ctx, srv, '/');
      assert.equal(await textOf(d, '#transport'), 'sse');
      await dashboardShows(admin, { total: 2, current: 2, progress: '100%' }, 'dashboard and one SSE demo page');
      await d.click('a[data-route="/products/42"]');
      await eventually(async () => (await tableMap(admin, 'routes-body'))['/products/42'] === 1,
        { timeout: 8000, what: 'route change over POST {base}/route' });
      await shot(admin, 'dashboard-6-sse');
      const r = await srv.admin('/admin/version', { version: 'v2' });
      assert.equal(r.status, 200);
      await d.waitForSelector('#banner', { state: 'visible' });
      await dashboardShows(admin, { total: 2, current: 0, outdated: 2, progress: '0%' }, 'after the version change');
      await d.close();
      await dashboardShows(admin, { total: 1 }, 'SSE demo page closed');
      await ctx.close();
    })));
