// Forward auth (--auth-url, skew_forward.h): the server asks the app (a real HTTP server on
// loopback here) whether a stats subscriber is an admin, passing its Cookie and Authorization.
// 2xx = stats, "X-Skew-Scope: admin" = admin endpoints too, anything else or no answer within
// 1 s = stats-unauthorized; answers are cached briefly; the loop never waits for the app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { withServer, request, HOST, sleep } from './lib/harness.mjs';

/** The app's auth route: cookie app-session=good|admin|slow|... */
async function startApp() {
  const seen = [];
  const srv = http.createServer((req, res) => {
    seen.push({ url: req.url, cookie: req.headers.cookie || '', authorization: req.headers.authorization || '' });
    const m = /app-session=(\w+)/.exec(req.headers.cookie || '') || /Bearer (\w+)/.exec(req.headers.authorization || '');
    const who = m ? m[1] : '';
    if (who === 'slow') return setTimeout(() => { res.writeHead(200); res.end(); }, 3000);
    if (who === 'good' || who.startsWith('user')) { res.writeHead(204); return res.end(); }
    if (who === 'admin') { res.writeHead(200, { 'X-Skew-Scope': 'admin' }); return res.end('ok'); }
    res.writeHead(401);
    res.end();
  });
  await new Promise((r) => srv.listen(0, HOST, r));
  return { srv, seen, url: `http://${HOST}:${srv.address().port}/api/skew-auth`, close: () => new Promise((r) => srv.close(r)) };
}

async function wsVerdict(srv, headers) {
  const c = await srv.ws({ headers });
  c.send({ type: 'subscribe-stats' });
  const m = await c.inbox.next((x) => x.type === 'stats' || x.type === 'stats-unauthorized', 5000);
  await c.close();
  return m.type;
}

test('forward auth: the app decides (WS and SSE), cookies and bearer passed on, answers cached', { timeout: 60000 }, async () => {
  const app = await startApp();
  try {
    await withServer({ adminToken: null, extraArgs: ['--auth-url', app.url, '--metrics-allow', '127.0.0.1/32'] }, async (srv) => {
      assert.equal(await wsVerdict(srv, { cookie: 'theme=dark; app-session=good' }), 'stats');
      assert.equal(app.seen.length, 1);
      assert.equal(app.seen[0].url, '/api/skew-auth');
      assert.equal(app.seen[0].cookie, 'theme=dark; app-session=good');
      assert.equal(await wsVerdict(srv, { cookie: 'app-session=nobody' }), 'stats-unauthorized');
      assert.equal(await wsVerdict(srv, { authorization: 'Bearer user1' }), 'stats');
      assert.equal(app.seen.at(-1).authorization, 'Bearer user1');
      // no Cookie, no Authorization: the app is not asked
      const before = app.seen.length;
      assert.equal(await wsVerdict(srv, {}), 'stats-unauthorized');
      assert.equal(app.seen.length, before);
      // cached: the same cookie again within seconds is not asked again (yes and no)
      assert.equal(await wsVerdict(srv, { cookie: 'theme=dark; app-session=good' }), 'stats');
      assert.equal(await wsVerdict(srv, { cookie: 'app-session=nobody' }), 'stats-unauthorized');
      assert.equal(app.seen.length, before);
      // SSE: the POST's own cookie
      const s = await srv.sse();
      const r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
        headers: { 'content-type': 'application/json', cookie: 'app-session=user2' },
        body: JSON.stringify({ connectionId: s.id }),
      });
      assert.equal(r.status, 200, r.text);
      const m = await s.inbox.next((x) => x.type === 'stats' || x.type === 'stats-unauthorized');
      assert.equal(m.type, 'stats');
      assert.equal(app.seen.at(-1).cookie, 'app-session=user2');
      // /metrics: what the app answered, the cache, the latency histogram
      const met = (await request(srv, 'GET', srv.path('/metrics'))).text;
      assert.match(met, /^skew_forward_requests_total\{result="granted"\} 3$/m, met);
      assert.match(met, /^skew_forward_requests_total\{result="refused"\} 1$/m);
      assert.match(met, /^skew_forward_requests_total\{result="error"\} 0$/m);
      assert.match(met, /^skew_forward_cache_hits_total 2$/m);
      assert.match(met, /^skew_forward_latency_seconds_count 4$/m);
      assert.match(met, /^skew_forward_latency_seconds_bucket\{le="\+Inf"\} 4$/m);
    });
  } finally {
    await app.close();
  }
});

test('forward auth: no answer within 1 s is a refusal with one log line; the loop keeps serving meanwhile', { timeout: 60000 }, async () => {
  const app = await startApp();
  try {
    await withServer({ adminToken: null, extraArgs: ['--auth-url', app.url, '--metrics-allow', '127.0.0.1/32'] }, async (srv) => {
      const c = await srv.ws({ cookie: 'app-session=slow' });
      const t0 = Date.now();
      c.send({ type: 'subscribe-stats' });
      // while the app is silent, the server answers others at once
      const h0 = Date.now();
      const h = await request(srv, 'GET', srv.path('/health'));
      assert.equal(h.status, 200);
      assert.ok(Date.now() - h0 < 900, `health took ${Date.now() - h0} ms while a forward request was out`);
      const m = await c.inbox.next((x) => x.type === 'stats' || x.type === 'stats-unauthorized', 5000);
      assert.equal(m.type, 'stats-unauthorized');
      const waited = Date.now() - t0;
      assert.ok(waited >= 800 && waited < 4000, `refused after ${waited} ms`);
      await c.close();
      assert.equal((srv.output().match(/forward auth: not authorized: no answer within 1 s/g) || []).length, 1);
      const met = (await request(srv, 'GET', srv.path('/metrics'))).text;
      assert.match(met, /^skew_forward_requests_total\{result="error"\} 1$/m, met);
    });
  } finally {
    await app.close();
  }
});

test('forward auth: X-Skew-Scope admin opens the admin endpoints (cached answer); a dead app is a refusal', { timeout: 60000 }, async () => {
  const app = await startApp();
  const url = app.url;
  try {
    await withServer({ adminToken: null, extraArgs: ['--auth-url', url] }, async (srv) => {
      // an admin action (admin/stats is a read: the stats scope opens it); JSON only
      const get = (cookie) => request(srv, 'POST', srv.path('/admin/version'),
        { headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ version: 'v-fwd' }) });
      assert.equal(await wsVerdict(srv, { cookie: 'app-session=admin' }), 'stats');
      assert.equal((await get('app-session=admin')).status, 200);
      assert.equal(await wsVerdict(srv, { cookie: 'app-session=good' }), 'stats');
      assert.notEqual((await get('app-session=good')).status, 200); // stats only
      await app.close();
      await sleep(50);
      assert.equal(await wsVerdict(srv, { cookie: 'app-session=user9' }), 'stats-unauthorized'); // connection refused
      assert.match(srv.output(), /forward auth: not authorized: /);
    });
  } finally {
    await app.close().catch(() => {});
  }
});

test('--auth-url must name a loopback or private address', { timeout: 20000 }, async () => {
  await assert.rejects(withServer({ extraArgs: ['--auth-url', 'http://8.8.8.8/auth'] }, async () => {}), /bad value for --auth-url/);
  await assert.rejects(withServer({ extraArgs: ['--auth-url', 'https://127.0.0.1/auth'] }, async () => {}), /bad value for --auth-url/);
  for (const ok of ['http://127.0.0.1:9/auth', 'http://[::1]:9/a', 'http://10.1.2.3/x', 'http://localhost:3000/api/skew-auth']) {
    await withServer({ extraArgs: ['--auth-url', ok] }, async (srv) => {
      assert.equal((await request(srv, 'GET', srv.path('/health'))).status, 200, ok);
    });
  }
});
