// Admin endpoints: {base}/admin/stats, /admin/version, /admin/invalidate, and {base}/metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withServer, request, assertJsonError, wsHandshakeStatus, GOOGLEBOT_UA, TOKEN, sleep, UUID_V4,
} from './lib/harness.mjs';

test('admin/stats: 503 without a token configured (and admin POSTs too)', { timeout: 30000 }, () =>
  withServer({ adminToken: null }, async (srv) => {
    assertJsonError(await srv.adminStats('x'), 503, 'admin/stats');
    assertJsonError(await request(srv, 'GET', srv.path('/admin/stats')), 503, 'admin/stats no header');
    assertJsonError(await srv.admin('/admin/version', { version: 'v2' }, 'x'), 503, 'admin/version');
    assertJsonError(await srv.admin('/admin/invalidate', { route: '/' }, 'x'), 503, 'admin/invalidate');
  }));

test('admin/stats: 401 missing or wrong, 200 with Bearer or bare token or cookie', { timeout: 30000 }, () =>
  withServer({ routeTracking: true, ipTracking: true, buildId: 'v2' }, async (srv) => {
    assertJsonError(await request(srv, 'GET', srv.path('/admin/stats')), 401, 'no auth');
    assertJsonError(await srv.adminStats('wrong'), 401, 'wrong bearer');
    assertJsonError(await srv.adminStats(TOKEN + 'x'), 401, 'longer token');
    assertJsonError(await srv.adminStats(TOKEN.slice(0, -1)), 401, 'shorter token');
    assertJsonError(await request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie: 'skew_admin=nope' } }), 401, 'wrong cookie');
    const a = await srv.ws({ cookie: '__nkpv=v1', route: '/a' });
    const b = await srv.sse({ route: '/b/c' });
    const bare = await request(srv, 'GET', srv.path('/admin/stats'), { headers: { authorization: TOKEN } });
    assert.equal(bare.status, 200, 'bare token');
    const ck = await request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie: `skew_admin=${TOKEN}` } });
    assert.equal(ck.status, 200, 'cookie');
    const r = await srv.adminStats();
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    // the servers keep a rollout timeline by default (timeline.test.mjs checks it)
    assert.deepEqual(Object.keys(r.json), ['total', 'versions', 'routes', 'connections', 'timeline']);
    assert.equal(r.json.total, 2);
    assert.deepEqual(r.json.versions, { v1: 1, v2: 1 });
    assert.deepEqual(r.json.routes, { '/a': 1, '/b/c': 1 });
    const byId = Object.fromEntries(r.json.connections.map((e) => [e.id, e]));
    assert.deepEqual(byId[a.id], { id: a.id, version: 'v1', route: '/a', ip: '127.0.0.1' });
    assert.deepEqual(byId[b.id], { id: b.id, version: 'v2', route: '/b/c', ip: '127.0.0.1' });
  }));

test('admin/version: every client (WS and SSE) gets {"type":"version","version":"v2"}', { timeout: 30000 }, () =>
  withServer({ buildId: 'v1' }, async (srv) => {
    const clients = [await srv.ws(), await srv.sse(), await srv.ws({ cookie: '__nkpv=v0' }), await srv.sseRaw()];
    await clients[3].inbox.nextType('connected');
    assertJsonError(await srv.admin('/admin/version', { version: 'v2' }, 'wrong'), 401, 'wrong token');
    assertJsonError(await srv.admin('/admin/version', { nope: 1 }), 400, 'no version');
    assertJsonError(await srv.admin('/admin/version', 'not json'), 400, 'bad body');
    for (const c of clients) c.inbox.never((m) => m.type === 'version', 'version before the change');
    const r = await srv.admin('/admin/version', { version: 'v2' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
    for (const c of clients) {
      assert.equal(await c.inbox.nextRaw((m) => m.type === 'version'), '{"type":"version","version":"v2"}');
    }
    const h = await srv.health();
    assert.equal(h.json.version, 'v2');
    const late = await srv.ws();
    assert.equal(late.connected.version, 'v2');
    // a client without a cookie now counts under v2; the old cookie stays v0
    const st = await srv.adminStats();
    assert.equal(st.json.versions.v0, 1);
    assert.equal(st.json.total, 5);
  }));

test('admin/invalidate: clients on the route prefix get version with force, others nothing', { timeout: 30000 }, () =>
  withServer({ buildId: 'v7', routeTracking: true }, async (srv) => {
    const onX = await srv.ws({ route: '/x' });
    const onXY = await srv.sse({ route: '/x/y' });
    const onXraw = await srv.sseRaw({ route: '/x/z' });
    await onXraw.inbox.nextType('connected');
    const onRoot = await srv.ws({ route: '/' });
    const onOther = await srv.sse({ route: '/other/x' });
    const moved = await srv.ws({ route: '/y' });
    moved.send({ type: 'route-update', route: '/x/moved' });
    await sleep(200);
    assertJsonError(await srv.admin('/admin/invalidate', { route: '/x' }, 'bad'), 401, 'wrong token');
    assertJsonError(await srv.admin('/admin/invalidate', { route: 'x' }), 400, 'route without slash');
    const r = await srv.admin('/admin/invalidate', { route: '/x' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ok, true);
    const want = '{"type":"version","version":"v7","force":true}';
    for (const c of [onX, onXY, onXraw, moved]) {
      assert.equal(await c.inbox.nextRaw((m) => m.type === 'version'), want);
    }
    await sleep(300);
    for (const c of [onRoot, onOther]) c.inbox.never((m) => m.type === 'version', 'version for another route');
    // nobody was disconnected by it
    assert.equal(await srv.total(), 6);
  }));

function parseProm(text) {
  const types = {};
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) { types[t[1]] = t[2]; continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)( \d+)?$/.exec(line);
    assert.ok(m, `metrics line: ${line}`);
    const labels = {};
    if (m[3]) {
      for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  const typeOf = (name) => types[name] ?? types[name.replace(/_(total|count|sum|bucket)$/, '')];
  return { types, samples, typeOf };
}

test('metrics: Prometheus text with gauges per version and route and the counters', { timeout: 30000 }, () =>
  withServer({ buildId: 'v3', routeTracking: true, maxConnections: 4 }, async (srv) => {
    const a = await srv.ws({ cookie: '__nkpv=v1.0.0', route: '/a' });
    await srv.ws({ cookie: '__nkpv=v1.0.0', route: '/a' });
    await srv.sse({ route: '/b' });
    const gone = await srv.ws({ route: '/gone' });
    await gone.close();
    for (let i = 0; i < 2; i++) {
      assert.equal((await wsHandshakeStatus(srv, { ua: GOOGLEBOT_UA })).status, 403);
    }
    a.send('ping');
    await a.inbox.nextType('pong');
    // fill up and get refused once
    await srv.ws({ route: '/c' });
    assert.equal((await wsHandshakeStatus(srv)).status, 503);
    await sleep(100);
    const r = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.match(String(r.headers['content-type']), /version=0\.0\.4/);
    const { samples, typeOf } = parseProm(r.text);
    const find = (pred) => samples.filter(pred);
    // gauges per version and route
    const v1 = find((s) => s.labels.version === 'v1.0.0');
    assert.ok(v1.some((s) => s.value === 2 && typeOf(s.name) === 'gauge'), `gauge version="v1.0.0" 2: ${JSON.stringify(v1)}`);
    const v3 = find((s) => s.labels.version === 'v3');
    assert.ok(v3.some((s) => s.value === 2 && typeOf(s.name) === 'gauge'), `gauge version="v3" 2`);
    const ra = find((s) => s.labels.route === '/a');
    assert.ok(ra.some((s) => s.value === 2 && typeOf(s.name) === 'gauge'), `gauge route="/a" 2: ${JSON.stringify(ra)}`);
    assert.ok(!samples.some((s) => s.labels.route === '/gone'), 'route that fell to 0 is gone');
    // total gauge
    const totals = find((s) => typeOf(s.name) === 'gauge' && Object.keys(s.labels).length === 0 && s.value === 4);
    assert.ok(totals.length >= 1, 'a gauge with the total 4');
    // counters (names are the server's; matched by meaning)
    const counter = (re) => {
      const c = samples.filter((s) => re.test(s.name) && typeOf(s.name) === 'counter');
      assert.ok(c.length >= 1, `counter ${re}: ${r.text}`);
      return c.reduce((x, s) => x + s.value, 0);
    };
    assert.ok(counter(/open/) >= 5, 'opened');
    assert.ok(counter(/clos/) >= 1, 'closed');
    assert.ok(counter(/bot/) >= 2, 'bots rejected');
    assert.ok(counter(/message|sent/) >= 6, 'messages sent');
    assert.equal(counter(/slow/), 0, 'slow consumers dropped');
    for (const s of samples) assert.ok(Number.isFinite(s.value), `${s.name} value`);
  }));

test('admin endpoints are not connections and ids are not leaked to the unauthorized', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const c = await srv.ws();
    assert.match(c.id, UUID_V4);
    const r = await srv.adminStats('wrong');
    assert.ok(!r.text.includes(c.id));
    const m = await request(srv, 'GET', srv.path('/metrics'));
    assert.ok(!m.text.includes(c.id), 'metrics carry no ids');
    assert.equal(await srv.total(), 1);
  }));
