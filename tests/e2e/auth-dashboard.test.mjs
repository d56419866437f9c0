// The dashboard never stores the token (examples/common/skew_auth.c, pages/admin.js): the token
// is posted once to {base}/admin/login, which answers with an opaque HttpOnly, SameSite=Strict
// session cookie scoped to {base}; the dashboard shows live stats with it over WebSocket and
// over SSE; logout ends it on the server. The session table is bounded (oldest evicted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, eventually, request, TOKEN, CHROME_UA } from './lib/harness.mjs';
import { withBrowser, needChromium } from './lib/browser.mjs';

const authState = (page) => page.locator('#auth-state').textContent();
const waitAuth = (page, want, what) => eventually(async () => (await authState(page)) === want, { timeout: 10000, what });

/** What scripts on the page can see: document.cookie and both storages. */
const scriptVisible = (page) => page.evaluate(() => [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)].join('|'));

test('Chromium: login keeps no token in the page; live stats over WebSocket and SSE; logout ends the session', { timeout: 90000 }, async (t) => {
  if (!needChromium(t)) return;
  await withServer({}, async (srv) => {
    await withBrowser(async (browser) => {
      const ctx = await browser.newContext({ userAgent: CHROME_UA });
      ctx.setDefaultTimeout(10000);
      const page = await ctx.newPage();
      await page.goto(srv.url('/admin'));
      await waitAuth(page, 'not authorized', 'no session yet');
      await page.fill('#token', TOKEN);
      await page.click('#token-save');
      await waitAuth(page, 'authorized', 'authorized after login');
      assert.equal(await page.locator('#transport').textContent(), 'via websocket');
      assert.equal(await page.locator('#total').textContent(), '1');
      assert.equal(await page.inputValue('#token'), '', 'the field is cleared');

      const seen = await scriptVisible(page);
      assert.ok(!seen.includes(TOKEN), `scripts see the token: ${seen}`);
      const cookies = (await ctx.cookies(srv.url('/__skew/ws'))).filter((c) => c.name !== '__nkpv'); // the version cookie
      assert.deepEqual(cookies.map((c) => c.name), ['skew_session'], JSON.stringify(cookies));
      const [sess] = cookies;
      assert.equal(sess.httpOnly, true);
      assert.equal(sess.sameSite, 'Strict');
      assert.equal(sess.path, '/__skew');
      assert.match(sess.value, /^[0-9a-f]{64}$/);
      assert.ok(!seen.includes(sess.value), 'the session id is not script-readable either');
      assert.ok(sess.expires > Date.now() / 1000, 'the session expires');

      // the same session on a page without WebSocket: SSE plus the subscribe-stats POST
      const ssePage = await ctx.newPage();
      await ssePage.addInitScript(() => { delete window.WebSocket; });
      await ssePage.goto(srv.url('/admin'));
      await waitAuth(ssePage, 'authorized', 'SSE dashboard authorized by the session');
      assert.equal(await ssePage.locator('#transport').textContent(), 'via sse');
      await eventually(async () => (await ssePage.locator('#total').textContent()) === '2', { what: 'SSE dashboard counts both' });
      await eventually(async () => (await page.locator('#total').textContent()) === '2', { what: 'WS dashboard counts both' });

      // logout (from the WS page): the session ends on the server; the SSE page, still open on
      // its stream, gets stats-unauthorized and no more numbers
      await page.click('#token-clear');
      await waitAuth(page, 'not authorized', 'logged out');
      await waitAuth(ssePage, 'not authorized', 'the other page\'s stats ended with the session');
      assert.ok(!(await ctx.cookies(srv.url('/__skew/ws'))).some((c) => c.name === 'skew_session'), 'the cookie is gone');
      const replay = await request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie: `skew_session=${sess.value}` } });
      assert.equal(replay.status, 401, 'a copied session id is dead after logout');
      assert.match(srv.output(), /login: session #1 \(admin-token\)/);
      assert.match(srv.output(), /logout: session #1/);
    });
  });
});

test('Chromium: the first-run #token= link is exchanged at load and leaves the address bar; nothing keeps the token', { timeout: 60000 }, async (t) => {
  if (!needChromium(t)) return;
  await withServer({}, async (srv) => {
    await withBrowser(async (browser) => {
      const ctx = await browser.newContext({ userAgent: CHROME_UA });
      const page = await ctx.newPage();
      const seen = [];
      page.on('request', (r) => seen.push(`${r.url()} ${r.postData() || ''}`));
      await page.goto(srv.url(`/admin#token=${TOKEN}`));
      await waitAuth(page, 'authorized', 'authorized by the link');
      assert.equal(await page.evaluate(() => location.href), srv.url('/admin'));
      assert.ok(!(await scriptVisible(page)).includes(TOKEN));
      assert.ok(!(await page.evaluate(() => history.length > 1 && location.hash)), 'no fragment left');
      const withToken = seen.filter((s) => s.includes(TOKEN));
      assert.equal(withToken.length, 1, `only the login POST carries the token: ${seen.join(' | ')}`);
      assert.match(withToken[0], /\/__skew\/admin\/login \{"token":/);
      // a reload keeps the session, not the token
      await page.reload();
      await waitAuth(page, 'authorized', 'authorized after a reload by the session');
    });
  });
});

test('login and logout over HTTP: wrong tokens 401 (counted), methods, a bounded session table that evicts the oldest', { timeout: 60000 }, async () => {
  await withServer({ extraArgs: ['--stats-token', 'stats-token-for-login'] }, async (srv) => {
    const login = (token) => request(srv, 'POST', srv.path('/admin/login'), {
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
    });
    assert.equal((await login('wrong')).status, 401);
    assert.equal((await request(srv, 'POST', srv.path('/admin/login'), { headers: { 'content-type': 'application/json' }, body: '{}' })).status, 400);
    assert.equal((await request(srv, 'GET', srv.path('/admin/login'))).status, 405);
    const st = await login('stats-token-for-login');
    assert.equal(st.status, 200);
    assert.deepEqual(st.json.scopes, ['stats']);
    const cookies = [];
    for (let i = 0; i < 70; i++) {
      const r = await login(TOKEN);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['set-cookie']), /^skew_session=[0-9a-f]{64}; Path=\/__skew; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      cookies.push(String(r.headers['set-cookie']).split(';')[0]);
    }
    assert.equal(new Set(cookies).size, 70, 'every session id differs');
    const use = (cookie) => request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie } });
    assert.equal((await use(cookies[0])).status, 401, 'the oldest sessions were evicted');
    assert.equal((await use(cookies[69])).status, 200, 'the newest works');
    const m = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.match(m.text, /^skew_auth_sessions 64$/m, 'the table holds at most 64');
    assert.match(m.text, /^skew_auth_denied_total\{method="login"\} 1$/m);
    const out = await request(srv, 'POST', srv.path('/admin/logout'), { headers: { cookie: cookies[69] } });
    assert.equal(out.status, 200);
    assert.match(String(out.headers['set-cookie']), /^skew_session=; Path=\/__skew; .*Max-Age=0/);
    assert.equal((await use(cookies[69])).status, 401, 'logged out');
  });
});
