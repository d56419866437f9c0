// PROTOCOL.md: connected, health, endpoints and methods, ping/pong, SSE framing, close echo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withServer, request, assertJsonError, wsHandshakeStatus, UUID_V4, sleep, within,
} from './lib/harness.mjs';

const CONNECTED = (version) => new RegExp(
  `^\\{"type":"connected","version":"${version}","connectionId":"([0-9a-f-]{36})","timestamp":(\\d+)\\}$`);

function checkConnected(raw, version) {
  const m = CONNECTED(version).exec(raw);
  assert.ok(m, `connected message shape/order: ${raw}`);
  assert.match(m[1], UUID_V4, 'connectionId is a lowercase UUID v4');
  const ts = Number(m[2]);
  assert.ok(Math.abs(ts - Date.now()) < 10000, `timestamp is ms since epoch: ${ts}`);
  return m[1];
}

test('connected: shape, field order, UUID v4 ids, server version (WS and SSE)', { timeout: 30000 }, () =>
  withServer({ buildId: 'v9.8.7' }, async (srv) => {
    const ids = new Set();
    for (let i = 0; i < 3; i++) {
      const w = await srv.ws({ cookie: '__nkpv=v-old-cookie' });
      ids.add(checkConnected(w.connectedRaw, 'v9\\.8\\.7'));
      const s = await srv.sse({ cookie: '__nkpv=v-old-cookie' });
      ids.add(checkConnected(s.connectedRaw, 'v9\\.8\\.7'));
    }
    assert.equal(ids.size, 6, 'ids are unique');
  }));

test('health: {"ok":true,"version":..,"uptime":<int>}', { timeout: 30000 }, () =>
  withServer({ buildId: 'build-42' }, async (srv) => {
    const r = await srv.health();
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.match(r.text, /^\{"ok":true,"version":"build-42","uptime":\d+\}$/);
    assert.ok(r.json.uptime < 60);
  }));

test('SSE response: 200, headers, data-only framing', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const s = await srv.sseRaw({ route: '/a' });
    assert.equal(s.status, 200);
    assert.match(String(s.headers['content-type']), /^text\/event-stream/);
    assert.match(String(s.headers['cache-control']), /no-cache/);
    assert.equal(s.headers['x-accel-buffering'], 'no');
    assert.equal(s.headers['access-control-allow-origin'], undefined, 'no CORS headers');
    const c = await s.inbox.nextType('connected');
    assert.match(c.connectionId, UUID_V4);
    assert.ok(s.text.startsWith('data: {"type":"connected"'), `first event: ${s.text.slice(0, 80)}`);
    assert.deepEqual(s.badLines, [], 'no id:/event:/retry: lines');
  }));

test('SSE with other methods: 405 and nothing tracked (HEAD too)', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await request(srv, method, srv.path('/sse'), { body: '' });
      assertJsonError(r, 405, `${method} sse`);
    }
    const h = await request(srv, 'HEAD', srv.path('/sse'));
    assert.equal(h.status, 405, 'HEAD sse');
    await sleep(100);
    assert.equal(await srv.total(), 0, 'no connection tracked by non-GET requests');
  }));

test('GET ws without upgrade: 426; upgrade to another path: 404', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const r = await request(srv, 'GET', srv.path('/ws'));
    assertJsonError(r, 426, 'GET ws without upgrade');
    for (const p of [srv.path('/nope'), srv.path('/sse'), srv.path('/health'), '/elsewhere']) {
      const st = await wsHandshakeStatus(srv, { path: p });
      assert.equal(st.status, 404, `upgrade to ${p}`);
    }
    assert.equal(await srv.total(), 0);
    const unknown = await request(srv, 'GET', srv.path('/nope'));
    assertJsonError(unknown, 404, 'unknown endpoint under base');
  }));

test('WS ping: "ping" and {"type":"ping"} get {"type":"pong"}; /shipping and /ping routes do not', { timeout: 30000 }, () =>
  withServer({ routeTracking: true }, async (srv) => {
    const sub = await srv.subscriber();
    const c = await srv.ws({ route: '/start' });
    await sub.inbox.nextStats((m) => m.routes['/start'] === 1);
    c.send('ping');
    assert.equal(await c.inbox.nextRaw(), '{"type":"pong"}');
    c.send({ type: 'ping' });
    assert.equal(await c.inbox.nextRaw(), '{"type":"pong"}');
    c.send({ type: 'route-update', route: '/shipping' });
    const st = await sub.inbox.nextStats((m) => m.routes['/shipping'] === 1, 5000, 'route /shipping in stats');
    assert.equal(st.routes['/start'], undefined, 'old route count fell to 0 and disappeared');
    c.send({ type: 'route-update', route: '/ping' });
    await sub.inbox.nextStats((m) => m.routes['/ping'] === 1, 5000, 'route /ping in stats');
    c.send('{"type":"route-update","route":"/x","note":"ping"}');
    await sub.inbox.nextStats((m) => m.routes['/x'] === 1, 5000, 'route /x in stats');
    await c.inbox.none((m) => m.type === 'pong', 300, 'pong for a route update');
    // binary frames are treated like text
    c.send(Buffer.from('{"type":"ping"}'));
    assert.equal(await c.inbox.nextRaw(), '{"type":"pong"}', 'binary ping');
  }));

test('WS close from the client is echoed with its code', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const c = await srv.ws();
    c.ws.close(4001, 'bye');
    const r = await within(3000, c.closed, 'close echo');
    assert.equal(r.code, 4001);
    await sleep(50);
    assert.equal(await srv.total(), 0);
  }));

test('base path is configurable', { timeout: 30000 }, () =>
  withServer({ base: '/custom/skew' }, async (srv) => {
    const h = await request(srv, 'GET', '/custom/skew/health');
    assert.equal(h.status, 200);
    const c = await srv.ws();
    assert.match(c.id, UUID_V4);
    const s = await srv.sse();
    assert.match(s.id, UUID_V4);
    const old = await wsHandshakeStatus(srv, { path: '/__skew/ws' });
    assert.equal(old.status, 404, 'default base is not served');
  }));

test('initial route from ?route= on WS and SSE: default "/", decoded, query cut, first of repeated', { timeout: 30000 }, () =>
  withServer({ routeTracking: true }, async (srv) => {
    const routeOf = async (id) => (await srv.adminStats()).json.connections.find((e) => e.id === id)?.route;
    const cases = [
      ['no parameter', '', '/'],
      ['plain', '?route=%2Fshop%2Fitem', '/shop/item'],
      ['query and fragment cut', '?route=%2Fa%3Fq%3D1%23frag', '/a'],
      ['repeated: first wins', '?route=%2Ffirst&route=%2Fsecond', '/first'],
      ['other parameters around', '?x=1&route=%2Fmid&y=2', '/mid'],
      ['unicode', `?route=${encodeURIComponent('/café/ü')}`, '/café/ü'],
    ];
    for (const [what, q, want] of cases) {
      const w = await srv.ws({ path: srv.path('/ws') + q });
      assert.equal(await routeOf(w.id), want, `WS ${what}`);
      const s = await srv.sse({ path: srv.path('/sse') + q });
      assert.equal(await routeOf(s.id), want, `SSE ${what}`);
    }
    // not a path: refused or tracked under a valid route, never verbatim
    // (%00 in a query: lws 4.1.6 drops the connection without an answer, so a hang-up counts as refused)
    for (const q of ['?route=abc', '?route=', '?route=%01%02', '?route=%00%01']) {
      try {
        const w = await srv.ws({ path: srv.path('/ws') + q });
        const r = await routeOf(w.id);
        assert.ok(r.startsWith('/') && !/[\u0000-\u001f]/.test(r), `WS ${q}: ${JSON.stringify(r)}`);
      } catch (e) {
        assert.ok((e.status >= 400 && e.status < 500) || (q.includes('%00') && /hang up|ECONNRESET/.test(e.message)),
          `WS ${q}: ${e.message}`);
      }
    }
    assert.equal((await srv.health()).status, 200);
  }));

test('no CORS headers on any endpoint', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const s = await srv.sse();
    const answers = [
      await request(srv, 'GET', srv.path('/health'), { headers: { origin: 'https://evil.example' } }),
      await request(srv, 'GET', srv.path('/admin/stats'), { headers: { origin: 'https://evil.example' } }),
      await request(srv, 'POST', srv.path('/route'), {
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: JSON.stringify({ connectionId: s.id, route: '/x' }),
      }),
      await request(srv, 'OPTIONS', srv.path('/route'), {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      }),
    ];
    for (const r of answers) {
      for (const h of Object.keys(r.headers)) assert.ok(!h.startsWith('access-control-'), `${h} in ${r.status}`);
    }
  }));
