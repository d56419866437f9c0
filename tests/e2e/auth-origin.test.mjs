// Cross-site safety of cookie credentials (examples/common/skew_auth.c): a cookie (the dashboard
// session, or a skew_admin cookie a client set itself) counts only from this origin: Origin
// equal to ours (Host, or X-Forwarded-Host/-Proto from a trusted proxy) or an --allowed-origin;
// a request with neither Origin nor Sec-Fetch-Site is no browser and passes. Admin POSTs take
// application/json only (415). Raw HTTP first, then real pages in Chromium on a second origin
// (another port of 127.0.0.1: same site, so the browser sends the cookies) that try CSRF and
// cross-site WebSocket hijacking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { chromium } from 'playwright-core';
import { withServer, eventually, request, freePort, TOKEN, CHROME_UA, HOST, sleep } from './lib/harness.mjs';

const CHROMIUM = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'];

const cookieAdmin = `skew_admin=${TOKEN}`;
const get = (srv, p, headers = {}) => request(srv, 'GET', srv.path(p), { headers });
const postJson = (srv, p, body, headers = {}) => request(srv, 'POST', srv.path(p), {
  headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});
async function metric(srv, name) {
  const r = await get(srv, '/metrics', { authorization: `Bearer ${TOKEN}` });
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(r.text);
  return m ? Number(m[1]) : null;
}
async function login(srv) {
  const r = await postJson(srv, '/admin/login', { token: TOKEN });
  assert.equal(r.status, 200, r.text);
  return String(r.headers['set-cookie']).split(';')[0];
}

test('cookie credentials: same origin, no Origin and Sec-Fetch-Site same-origin pass; a foreign Origin is refused (403) and counted', { timeout: 30000 }, async () => {
  await withServer({}, async (srv) => {
    const self = `http://${HOST}:${srv.port}`;
    const session = await login(srv);
    for (const cookie of [cookieAdmin, session]) {
      assert.equal((await get(srv, '/admin/stats', { cookie })).status, 200, `${cookie}: no browser headers`);
      assert.equal((await get(srv, '/admin/stats', { cookie, origin: self })).status, 200, 'same origin');
      assert.equal((await get(srv, '/admin/stats', { cookie, 'sec-fetch-site': 'same-origin' })).status, 200);
      for (const origin of [`http://${HOST}:${srv.port + 1}`, `http://localhost:${srv.port}`, `https://${HOST}:${srv.port}`, 'null']) {
        const r = await get(srv, '/admin/stats', { cookie, origin });
        assert.equal(r.status, 403, `${cookie} from ${origin}: ${r.text}`);
        assert.match(r.text, /cross-origin request refused/);
      }
      for (const site of ['same-site', 'cross-site']) {
        assert.equal((await get(srv, '/admin/stats', { cookie, 'sec-fetch-site': site })).status, 403, site);
      }
      const act = await postJson(srv, '/admin/version', { version: 'evil' }, { cookie, origin: 'http://evil.example' });
      assert.equal(act.status, 403);
    }
    assert.equal((await get(srv, '/health')).json.version, 'v-e2e-1', 'no foreign request changed the version');
    // a Bearer token is no browser credential: the Origin does not matter
    assert.equal((await get(srv, '/admin/stats', { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).status, 200);
    assert.equal(await metric(srv, 'skew_auth_denied_total{method="origin"}'), 14);
    assert.match(srv.output(), /\/admin\/stats refused from 127\.0\.0\.1: foreign origin/);
  });
});

test('admin POSTs take application/json only: a form or text/plain body is 415, with or without credentials', { timeout: 30000 }, async () => {
  await withServer({}, async (srv) => {
    for (const [ct, body] of [['application/x-www-form-urlencoded', 'version=evil'], ['text/plain', '{"version":"evil"}'],
      ['multipart/form-data; boundary=x', '--x--'], [undefined, '{"version":"evil"}']]) {
      for (const auth of [{}, { authorization: `Bearer ${TOKEN}` }, { cookie: cookieAdmin }]) {
        const headers = { ...auth };
        if (ct) headers['content-type'] = ct;
        const r = await request(srv, 'POST', srv.path('/admin/version'), { headers, body });
        assert.equal(r.status, 415, `${ct} ${JSON.stringify(auth)}: ${r.text}`);
        const inv = await request(srv, 'POST', srv.path('/admin/invalidate'), { headers, body: 'route=%2F' });
        assert.equal(inv.status, 415);
      }
    }
    assert.equal((await get(srv, '/health')).json.version, 'v-e2e-1');
    const ok = await postJson(srv, '/admin/version', { version: 'v-json' }, { cookie: cookieAdmin });
    assert.equal(ok.status, 200, 'JSON with a same-origin (here: no browser) cookie works');
    const withCharset = await request(srv, 'POST', srv.path('/admin/version'), {
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'Application/JSON; charset=utf-8' }, body: '{"version":"v-cs"}',
    });
    assert.equal(withCharset.status, 200, 'parameters and case do not matter');
    assert.equal(await metric(srv, 'skew_auth_denied_total{method="content_type"}'), 24);
  });
});

test('--allowed-origin widens same-origin; X-Forwarded-Host/-Proto count only from a trusted proxy', { timeout: 30000 }, async () => {
  await withServer({ extraArgs: ['--allowed-origin', 'https://dash.example:8443'] }, async (srv) => {
    assert.equal((await get(srv, '/admin/stats', { cookie: cookieAdmin, origin: 'https://dash.example:8443' })).status, 200);
    assert.equal((await get(srv, '/admin/stats', { cookie: cookieAdmin, origin: 'https://dash.example' })).status, 403, 'another port');
    // loopback is the default trusted proxy: the public origin it names is ours
    assert.equal((await get(srv, '/admin/stats', {
      cookie: cookieAdmin, origin: 'https://app.example', 'x-forwarded-host': 'app.example', 'x-forwarded-proto': 'https',
    })).status, 200);
    assert.equal((await get(srv, '/admin/stats', {
      cookie: cookieAdmin, origin: 'http://app.example', 'x-forwarded-host': 'app.example', 'x-forwarded-proto': 'https',
    })).status, 403, 'scheme differs');
    // login behind a proxy that says https: the session cookie is Secure
    const r = await postJson(srv, '/admin/login', { token: TOKEN }, { 'x-forwarded-proto': 'https' });
    assert.match(String(r.headers['set-cookie']), /; Secure/);
  });
  await withServer({ trustProxy: ['none'] }, async (srv) => {
    assert.equal((await get(srv, '/admin/stats', {
      cookie: cookieAdmin, origin: 'https://app.example', 'x-forwarded-host': 'app.example', 'x-forwarded-proto': 'https',
    })).status, 403, 'an untrusted peer cannot name the origin');
    const r = await postJson(srv, '/admin/login', { token: TOKEN }, { 'x-forwarded-proto': 'https' });
    assert.doesNotMatch(String(r.headers['set-cookie']), /Secure/);
  });
});

test('WebSocket with the admin cookie from a foreign Origin: the stream opens but gets no stats (no hijacking)', { timeout: 30000 }, async () => {
  await withServer({}, async (srv) => {
    const session = await login(srv);
    for (const cookie of [cookieAdmin, session]) {
      const evil = await srv.ws({ cookie, headers: { origin: 'http://evil.example' } });
      evil.send({ type: 'subscribe-stats' });
      await evil.inbox.nextType('stats-unauthorized');
      const good = await srv.ws({ cookie, headers: { origin: `http://${HOST}:${srv.port}` } });
      good.send({ type: 'subscribe-stats' });
      await good.inbox.nextType('stats');
      // SSE subscribed by a cross-site POST riding on the cookie: refused on the stream
      const s = await srv.sse();
      const r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
        headers: { cookie, origin: 'http://evil.example', 'content-type': 'text/plain' }, body: JSON.stringify({ connectionId: s.id }),
      });
      assert.equal(r.status, 200, 'the verdict travels on the stream');
      await s.inbox.nextType('stats-unauthorized');
    }
    assert.match(srv.output(), /stats denied from 127\.0\.0\.1: origin/);
  });
});

/** The attacker: a page on another port of 127.0.0.1 (same site: the admin's cookies go along). */
function attackerSite(target) {
  const html = `<!doctype html><meta charset="utf-8"><title>sibling</title><body><form id="f" method="POST"
action="${target.url(target.path('/admin/version'))}" enctype="text/plain" target="sink"><input name='{"version":"csrf-form","x":"' value='"}'></form>
<iframe name="sink"></iframe><script>
window.results = {};
(async () => {
  const base = ${JSON.stringify(target.url(target.base))};
  try {
    const r = await fetch(base + '/admin/version', { method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ version: 'csrf-fetch' }) });
    window.results.fetchType = r.type;
  } catch (e) { window.results.fetchError = String(e); }
  try {
    await fetch(base + '/admin/version', { method: 'POST', credentials: 'include',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: 'csrf-json' }) });
    window.results.json = 'sent';
  } catch (e) { window.results.json = 'blocked'; }
  const ws = new WebSocket(${JSON.stringify(target.wsUrl(target.path('/ws')))});
  window.results.ws = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    window.results.ws.push(m.type);
    if (m.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe-stats' }));
  };
  document.getElementById('f').submit();
  window.results.formSubmitted = true;
})();
</script>`;
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    freePort().then((port) => server.listen(port, HOST, () => resolve({ server, url: `http://${HOST}:${port}/` })));
  });
}

test('Chromium: a page on a sibling origin cannot change the version or read stats with the admin\'s session', { timeout: 90000 }, async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`no Chromium at ${CHROMIUM}`);
    t.skip(`skipped: no Chromium at ${CHROMIUM}`);
    return;
  }
  await withServer({}, async (srv) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
    const evil = await attackerSite(srv);
    try {
      const ctx = await browser.newContext({ userAgent: CHROME_UA });
      ctx.setDefaultTimeout(10000);
      // the admin logs in on the dashboard, as a person would
      const admin = await ctx.newPage();
      await admin.goto(srv.url('/admin'));
      await admin.fill('#token', TOKEN);
      await admin.click('#token-save');
      await eventually(async () => (await admin.locator('#auth-state').textContent()) === 'authorized',
        { timeout: 10000, what: 'dashboard authorized' });
      // the same browser visits the sibling page
      const page = await ctx.newPage();
      await page.goto(evil.url);
      await eventually(() => page.evaluate(() => window.results && window.results.ws &&
        window.results.ws.some((t) => t === 'stats' || t === 'stats-unauthorized') &&
        window.results.formSubmitted && window.results.json), { timeout: 10000, what: 'attacker page done' });
      await sleep(500); // the form's navigation in the iframe lands
      const res = await page.evaluate(() => window.results);
      const version = (await request(srv, 'GET', srv.path('/health'))).json.version;
      assert.equal(version, 'v-e2e-1', `the version did not change (${JSON.stringify(res)})`);
      assert.ok(!res.ws.includes('stats'), `the hijacked WebSocket got stats: ${JSON.stringify(res)}`);
      assert.equal(res.json, 'blocked', 'a JSON POST needs a CORS preflight the server never grants');
      const m = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.match(m.text, /^skew_auth_denied_total\{method="content_type"\} [1-9]/m, 'the text/plain POSTs were refused');
      assert.match(srv.output(), /stats denied from 127\.0\.0\.1: origin/, 'the WebSocket\'s cookie was refused for its origin');
      // and the dashboard itself still works
      assert.equal(await admin.locator('#auth-state').textContent(), 'authorized');
      await page.close();
    } finally {
      await browser.close().catch(() => {});
      evil.server.close();
    }
  });
});
