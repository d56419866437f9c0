// PROTOCOL.md stats: authorization, shape, broadcasts, counts, versions from the cookie, yourId,
// tracking flags, coalescing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withServer, request, assertStatsShape, tally, sleep, TOKEN, UUID_V4, idleSse,
} from './lib/harness.mjs';

const SV = 'v-server';

test('stats authorized with Bearer on the WS handshake: shape, order, yourId, every subscribe answered', { timeout: 30000 }, () =>
  withServer({ buildId: SV, routeTracking: true }, async (srv) => {
    const sub = await srv.ws({ token: TOKEN, route: '/admin' });
    sub.send({ type: 'subscribe-stats' });
    const raw = await sub.inbox.nextRaw((m) => m.type === 'stats');
    const m = JSON.parse(raw);
    assertStatsShape(m, raw, { routes: true, ip: false, yourId: sub.id });
    assert.equal(m.total, 1);
    assert.deepEqual(m.versions, { [SV]: 1 });
    assert.deepEqual(m.routes, { '/admin': 1 });
    assert.deepEqual(m.connections, [{ id: sub.id, version: SV, route: '/admin' }]);
    // asking again is answered again
    sub.send('{"type":"subscribe-stats"}');
    const again = await sub.inbox.nextType('stats');
    assert.equal(again.total, 1);
  }));

test('stats authorized with cookie skew_admin=TOKEN; SSE via POST subscribe-stats', { timeout: 30000 }, () =>
  withServer({ buildId: SV }, async (srv) => {
    const w = await srv.ws({ cookie: `skew_admin=${TOKEN}` });
    w.send({ type: 'subscribe-stats' });
    const ws = await w.inbox.nextType('stats');
    assert.equal(ws.yourId, w.id);

    // SSE: the POST's own headers authorize (Bearer, then cookie)
    const s = await srv.sse();
    let r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ connectionId: s.id }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true });
    const st = await s.inbox.nextType('stats');
    assertStatsShape(st, null, { routes: true, yourId: s.id });
    assert.equal(st.total, 2);

    const s2 = await srv.sse();
    r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { 'content-type': 'application/json', cookie: `a=b; skew_admin=${TOKEN}` },
      body: JSON.stringify({ connectionId: s2.id }),
    });
    assert.equal(r.status, 200, r.text);
    const st2 = await s2.inbox.nextType('stats');
    assert.equal(st2.total, 3);
    assert.equal(st2.yourId, s2.id);
    // the earlier subscribers got the change too
    await w.inbox.nextStats((m) => m.total === 3);
    await s.inbox.nextStats((m) => m.total === 3);
  }));

test('stats unauthorized: stats-unauthorized after each subscribe, no stats ever', { timeout: 30000 }, async () => {
  // no token configured: nobody is authorized
  await withServer({ adminToken: null }, async (srv) => {
    const w = await srv.ws({ token: 'anything', cookie: 'skew_admin=anything' });
    for (let i = 0; i < 2; i++) {
      w.send({ type: 'subscribe-stats' });
      assert.equal(await w.inbox.nextRaw(), '{"type":"stats-unauthorized"}');
    }
  });
  await withServer({}, async (srv) => {
    const bad = await srv.ws({ token: 'wrong-token' });
    const badCookie = await srv.ws({ cookie: 'skew_admin=wrong' });
    const none = await srv.ws();
    for (const c of [bad, badCookie, none]) {
      for (let i = 0; i < 2; i++) {
        c.send({ type: 'subscribe-stats' });
        assert.equal(await c.inbox.nextRaw(), '{"type":"stats-unauthorized"}');
      }
    }
    // SSE: the stream's own headers carry the right cookie, but the POST does not: unauthorized
    const s = await srv.sse({ cookie: `skew_admin=${TOKEN}` });
    const r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ connectionId: s.id }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true });
    assert.equal(await s.inbox.nextRaw(), '{"type":"stats-unauthorized"}');
    // changes do not reach unauthorized connections
    const extra = await srv.ws();
    await extra.close();
    await sleep(300);
    for (const c of [bad, badCookie, none, s]) c.inbox.never((m) => m.type === 'stats', 'stats to an unauthorized connection');
  });
});

test('broadcast on open, close and route change; versions from the __nkpv cookie; zero counts vanish', { timeout: 30000 }, () =>
  withServer({ buildId: SV, routeTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/dash' });
    const a = await srv.ws({ cookie: '__nkpv=v1.0.0', route: '/a' });
    const b = await srv.sse({ cookie: 'x=1; __nkpv=v1.0.0; y=2', route: '/a' });
    const c = await srv.ws({ cookie: '__nkpv=v2.0.0', route: '/b' });
    const empty = await srv.ws({ cookie: '__nkpv=', route: '/b' });
    let m = await sub.inbox.statsEqual({
      total: 5,
      versions: { 'v1.0.0': 2, 'v2.0.0': 1, [SV]: 2 },
      routes: { '/dash': 1, '/a': 2, '/b': 2 },
    });
    assertStatsShape(m, null, { routes: true, yourId: sub.id });
    const byId = Object.fromEntries(m.connections.map((e) => [e.id, e]));
    assert.deepEqual(byId[a.id], { id: a.id, version: 'v1.0.0', route: '/a' });
    assert.deepEqual(byId[b.id], { id: b.id, version: 'v1.0.0', route: '/a' });
    assert.deepEqual(byId[c.id], { id: c.id, version: 'v2.0.0', route: '/b' });
    assert.deepEqual(byId[empty.id], { id: empty.id, version: SV, route: '/b' });
    // the `connected` message carries the server's version, not the cookie's
    assert.equal(c.connected.version, SV);

    // route change over WS
    c.send({ type: 'route-update', route: '/c?q=1#frag' });
    m = await sub.inbox.statsEqual({
      total: 5, versions: { 'v1.0.0': 2, 'v2.0.0': 1, [SV]: 2 }, routes: { '/dash': 1, '/a': 2, '/b': 1, '/c': 1 },
    });
    // route change over the POST fallback for SSE
    const r = await request(srv, 'POST', srv.path('/route'), {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId: b.id, route: '/c' }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true });
    await sub.inbox.statsEqual({
      total: 5, versions: { 'v1.0.0': 2, 'v2.0.0': 1, [SV]: 2 }, routes: { '/dash': 1, '/a': 1, '/b': 1, '/c': 2 },
    });
    // close: v2.0.0 falls to 0 and disappears
    await c.close();
    m = await sub.inbox.statsEqual({
      total: 4, versions: { 'v1.0.0': 2, [SV]: 2 }, routes: { '/dash': 1, '/a': 1, '/b': 1, '/c': 1 },
    });
    assert.ok(!m.connections.some((e) => e.id === c.id), 'closed connection not listed');
    await b.close();
    await a.close();
    await empty.close();
    m = await sub.inbox.statsEqual({ total: 1, versions: { [SV]: 1 }, routes: { '/dash': 1 } });
    assert.deepEqual(m.connections, [{ id: sub.id, version: SV, route: '/dash' }]);
    assert.equal(await srv.total(), 1);
  }));

test('three clients on v1.0.0, v1.0.0, v2.0.0 seen by an SSE subscriber', { timeout: 30000 }, () =>
  withServer({ buildId: 'v2.0.0' }, async (srv) => {
    const s = await srv.sse({ cookie: '__nkpv=v1.0.0' });
    await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId: s.id }),
    });
    await s.inbox.nextType('stats');
    await srv.ws({ cookie: '__nkpv=v1.0.0' });
    await srv.ws(); // no cookie: the server's version
    const m = await s.inbox.statsEqual({ total: 3, versions: { 'v1.0.0': 2, 'v2.0.0': 1 } });
    assert.equal(m.yourId, s.id);
    assert.deepEqual(tally(m.connections, 'version'), { 'v1.0.0': 2, 'v2.0.0': 1 });
  }));

test('tracking flags off: no routes key, no route/ip in entries', { timeout: 30000 }, async () => {
  await withServer({ routeTracking: false, ipTracking: false }, async (srv) => {
    const sub = await srv.subscriber({ route: '/a' });
    assertStatsShape(sub.first, null, { routes: false, ip: false, yourId: sub.id });
    const c = await srv.ws({ route: '/b', headers: { 'x-forwarded-for': '203.0.113.5' } });
    c.send({ type: 'route-update', route: '/c' });
    const m = await sub.inbox.nextStats((x) => x.total === 2);
    assertStatsShape(m, null, { routes: false, ip: false, yourId: sub.id });
    const a = await srv.adminStats();
    assert.equal(a.status, 200);
    assert.ok(!('routes' in a.json) || Object.keys(a.json.routes).length === 0, `admin stats routes: ${a.text}`);
    for (const e of a.json.connections) {
      assert.ok(!('route' in e) && !('ip' in e), `admin entry: ${JSON.stringify(e)}`);
    }
  });
  await withServer({ routeTracking: true, ipTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/a' });
    assertStatsShape(sub.first, null, { routes: true, ip: true, yourId: sub.id });
    assert.equal(sub.first.connections[0].ip, '127.0.0.1');
  });
  await withServer({ routeTracking: false, ipTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/a' });
    assertStatsShape(sub.first, null, { routes: false, ip: true, yourId: sub.id });
  });
});

test('coalescing: fast churn gives far fewer stats than events, and the last one is exact', { timeout: 60000 }, () =>
  withServer({ buildId: SV, statsIntervalMs: 200 }, async (srv) => {
    const sub = await srv.subscriber({ route: '/dash' });
    const keep = await srv.ws({ cookie: '__nkpv=v-keep', route: '/keep' });
    await sub.inbox.statsEqual({ total: 2, versions: { [SV]: 1, 'v-keep': 1 }, routes: { '/dash': 1, '/keep': 1 } }, 3000);
    const start = sub.inbox.length;
    const N = 100;
    const t0 = Date.now();
    for (let i = 0; i < N; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, k) =>
        srv.ws({ cookie: `__nkpv=v-churn-${(i + k) % 3}`, route: `/churn/${i + k}` })));
      await Promise.all(batch.map((c) => c.close()));
    }
    const churnMs = Date.now() - t0;
    const final = { total: 2, versions: { [SV]: 1, 'v-keep': 1 }, routes: { '/dash': 1, '/keep': 1 } };
    const last = await sub.inbox.statsEqual(final, 3000);
    assert.deepEqual(last.connections.map((e) => e.id).sort(), [sub.id, keep.id].sort());
    // nothing different comes after the final state
    await sleep(600);
    const after = sub.inbox.since(start).filter((x) => x.msg && x.msg.type === 'stats');
    const tail = after[after.length - 1].msg;
    assert.deepEqual({ total: tail.total, versions: tail.versions, routes: tail.routes }, final, 'last stats is exact');
    const events = 2 * N;
    const bound = Math.ceil(churnMs / 200) + 5; // at most one push per interval
    assert.ok(after.length <= bound, `stats messages ${after.length} within ${churnMs} ms of churn; bound ${bound}`);
    assert.ok(after.length * 4 < events, `${after.length} stats messages for ${events} events`);
  }));

test('stats-interval 0 pushes immediately; each connection listed once; ids lowercase', { timeout: 30000 }, () =>
  withServer({ statsIntervalMs: 0 }, async (srv) => {
    const sub = await srv.subscriber();
    const cs = [];
    for (let i = 0; i < 5; i++) {
      cs.push(await srv.ws());
      const m = await sub.inbox.nextStats((x) => x.total === i + 2, 2000);
      assert.equal(new Set(m.connections.map((e) => e.id)).size, m.connections.length);
      for (const e of m.connections) assert.match(e.id, UUID_V4);
    }
  }));

test('many connections: the connections list may be capped, total/versions/routes stay exact', { timeout: 60000 }, () =>
  withServer({ statsIntervalMs: 100, maxConnections: 2000 }, async (srv) => {
    const idle = await idleSse(srv, 1200, { route: '/many' });
    const sub = await srv.subscriber({ route: '/dash', cookie: '__nkpv=v-sub' });
    const m = await sub.inbox.latestStats((x) => x.total === 1201, 10000);
    assert.deepEqual(m.versions, { 'v-e2e-1': 1200, 'v-sub': 1 });
    assert.deepEqual(m.routes, { '/many': 1200, '/dash': 1 });
    assert.ok(m.connections.length <= 1201 && m.connections.length >= 1, `listed ${m.connections.length}`);
    assert.equal(new Set(m.connections.map((e) => e.id)).size, m.connections.length, 'no duplicates');
    for (const c of idle.slice(0, 200)) c.sock.destroy();
    const after = await sub.inbox.nextStats((x) => x.total === 1001, 15000, 'total 1001 after 200 closed');
    assert.deepEqual(after.routes, { '/many': 1000, '/dash': 1 });
    assert.equal((await srv.adminStats()).json.total, 1001);
  }));
