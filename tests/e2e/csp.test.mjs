// The built-in pages' Content-Security-Policy (issue 17, item 13): connect-src is 'self' only.
// It allowed "ws: wss:", any host, so a script injected into a page could send what it read
// anywhere over a WebSocket. In Chromium: the dashboard still connects to its own origin over
// WebSocket and, without WebSocket, over SSE, with no CSP violation; a WebSocket to another origin
// (localhost instead of 127.0.0.1, same port) is blocked. Both servers (the policy is shared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, eventually, request, CHROME_UA, TOKEN } from './lib/harness.mjs';
import { withBrowser } from './lib/browser.mjs';

/** A context with the admin cookie whose pages record every CSP violation in window.__csp. */
async function adminContext(browser, srv, { noWebSocket = false } = {}) {
  const ctx = await browser.newContext({ userAgent: CHROME_UA });
  ctx.setDefaultTimeout(10000);
  await ctx.addInitScript((noWs) => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.__csp.push({ directive: e.effectiveDirective || e.violatedDirective, uri: e.blockedURI }));
    if (noWs) delete window.WebSocket;
  }, noWebSocket);
  await ctx.addCookies([{ name: 'skew_admin', value: TOKEN, url: srv.url('/') }]);
  return ctx;
}

const textOf = (page, sel) => page.locator(sel).first().textContent().then((t) => (t || '').trim());

async function authorized(page, transport) {
  await eventually(async () => (await textOf(page, '#auth-state')) === 'authorized',
    { timeout: 10000, what: `dashboard authorized over ${transport}` });
  assert.match(await textOf(page, '#transport'), new RegExp(transport));
}

test('the pages\' CSP: connect-src \'self\' only', { timeout: 20000 }, () =>
  withServer({}, async (srv) => {
    for (const p of ['/', '/admin']) {
      const r = await request(srv, 'GET', p, { headers: { accept: 'text/html' } });
      assert.equal(r.status, 200);
      const csp = String(r.headers['content-security-policy'] || '');
      const connect = /(?:^|;)\s*connect-src ([^;]*)/.exec(csp);
      assert.ok(connect, `${p}: no connect-src in ${csp}`);
      assert.equal(connect[1].trim(), "'self'", `${p}: connect-src ${connect[1]}`);
    }
  }));

test('Chromium: the dashboard connects over WS and SSE under the CSP; other origins are blocked', { timeout: 90000 }, () =>
  withServer({ statsIntervalMs: 100 }, (srv) =>
    withBrowser(async (browser) => {
      const ctx = await adminContext(browser, srv);
      const admin = await ctx.newPage();
      await admin.goto(srv.url('/admin'));
      await authorized(admin, 'websocket');
      assert.deepEqual(await admin.evaluate(() => window.__csp), [], 'no violation on the dashboard over WebSocket');
      // a WebSocket to another origin (same server, other host name) is blocked by connect-src
      const other = `ws://localhost:${srv.port}${srv.base}/ws`;
      const opened = await admin.evaluate((url) => new Promise((resolve) => {
        let ws;
        try { ws = new WebSocket(url); } catch (e) { resolve(`threw ${e.name}`); return; }
        ws.onopen = () => { ws.close(); resolve('open'); };
        ws.onerror = () => resolve('error');
        setTimeout(() => resolve('timeout'), 3000);
      }), other);
      assert.notEqual(opened, 'open', 'a WebSocket to another origin opened');
      await eventually(async () => (await admin.evaluate(() => window.__csp))
        .some((v) => v.directive === 'connect-src' && /localhost/.test(v.uri)),
      { timeout: 3000, what: 'a connect-src violation for the other origin' });
      await ctx.close();

      const sseCtx = await adminContext(browser, srv, { noWebSocket: true });
      const sseAdmin = await sseCtx.newPage();
      await sseAdmin.goto(srv.url('/admin'));
      await authorized(sseAdmin, 'sse');
      const demo = await sseCtx.newPage();
      await demo.goto(srv.url('/'));
      await demo.waitForSelector('#state[data-state="open"]');
      assert.equal(await textOf(demo, '#transport'), 'sse');
      assert.deepEqual(await sseAdmin.evaluate(() => window.__csp), [], 'no violation on the dashboard over SSE');
      assert.deepEqual(await demo.evaluate(() => window.__csp), [], 'no violation on the demo page over SSE');
      await sseCtx.close();
    })));
