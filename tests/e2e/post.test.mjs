// PROTOCOL.md POST fallbacks: {base}/route and {base}/subscribe-stats with JSON and form bodies,
// and every bad body answered with a JSON error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { withServer, request, assertJsonError, TOKEN } from './lib/harness.mjs';

const JSON_CT = { 'content-type': 'application/json' };
const FORM_CT = { 'content-type': 'application/x-www-form-urlencoded' };

test('POST route: JSON and form bodies update the route; query and fragment cut off', { timeout: 30000 }, () =>
  withServer({ routeTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/dash' });
    const s = await srv.sse({ route: '/start' });
    await sub.inbox.nextStats((m) => m.routes['/start'] === 1);

    let r = await srv.req('POST', srv.path('/route'), {
      headers: JSON_CT, body: JSON.stringify({ connectionId: s.id, route: '/json?x=1#y' }),
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true });
    let m = await sub.inbox.nextStats((x) => x.routes['/json'] === 1);
    assert.equal(m.routes['/start'], undefined);

    r = await srv.req('POST', srv.path('/route'), {
      headers: FORM_CT, body: `connectionId=${s.id}&route=${encodeURIComponent('/form/ü')}`,
    });
    assert.equal(r.status, 200, r.text);
    m = await sub.inbox.nextStats((x) => x.routes['/form/ü'] === 1);
    assert.equal(m.connections.find((e) => e.id === s.id).route, '/form/ü');

    // a WS connection's id works too
    const w = await srv.ws({ route: '/w' });
    r = await srv.req('POST', srv.path('/route'), {
      headers: JSON_CT, body: JSON.stringify({ connectionId: w.id, route: '/w2' }),
    });
    assert.equal(r.status, 200, r.text);
    await sub.inbox.nextStats((x) => x.routes['/w2'] === 1 && !x.routes['/w']);
  }));

test('POST route: missing/invalid id 400, unknown id 404, invalid route 400, all JSON errors', { timeout: 30000 }, () =>
  withServer({ routeTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/dash' });
    const s = await srv.sse({ route: '/start' });
    await sub.inbox.nextStats((m) => m.total === 2);
    const unknown = crypto.randomUUID();
    const cases = [
      ['empty body', '', JSON_CT, 400],
      ['empty object', '{}', JSON_CT, 400],
      ['malformed JSON', '{"connectionId":', JSON_CT, 400],
      ['not an object', '[1,2]', JSON_CT, 400],
      ['id not a string', JSON.stringify({ connectionId: 5, route: '/x' }), JSON_CT, 400],
      ['id not a uuid', JSON.stringify({ connectionId: 'abc', route: '/x' }), JSON_CT, 400],
      ['unknown id', JSON.stringify({ connectionId: unknown, route: '/x' }), JSON_CT, 404],
      ['unknown id (form)', `connectionId=${unknown}&route=%2Fx`, FORM_CT, 404],
      ['missing id (form)', 'route=%2Fx', FORM_CT, 400],
      ['route without slash', JSON.stringify({ connectionId: s.id, route: 'nope' }), JSON_CT, 400],
      ['route is a number', JSON.stringify({ connectionId: s.id, route: 5 }), JSON_CT, 400],
      ['route is an object', JSON.stringify({ connectionId: s.id, route: { a: 1 } }), JSON_CT, 400],
      ['route with control char', JSON.stringify({ connectionId: s.id, route: '/a\nb' }), JSON_CT, 400],
      ['route missing', JSON.stringify({ connectionId: s.id }), JSON_CT, 400],
    ];
    for (const [what, body, headers, status] of cases) {
      const r = await srv.req('POST', srv.path('/route'), { headers, body });
      assertJsonError(r, status, `route: ${what}`);
    }
    const get = await srv.req('GET', srv.path('/route'));
    assertJsonError(get, 405, 'GET route');
    // nothing changed
    const a = await srv.adminStats();
    assert.deepEqual(a.json.routes, { '/dash': 1, '/start': 1 });
    assert.equal(a.json.total, 2);
  }));

test('POST subscribe-stats: JSON and form bodies; bad ids 400/404 and nothing kept', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const s = await srv.sse();
    let r = await srv.req('POST', srv.path('/subscribe-stats'), {
      headers: { ...FORM_CT, authorization: `Bearer ${TOKEN}` }, body: `connectionId=${s.id}`,
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { ok: true });
    const m = await s.inbox.nextType('stats');
    assert.equal(m.yourId, s.id);

    const unknown = crypto.randomUUID();
    const cases = [
      ['empty body', '', JSON_CT, 400],
      ['empty object', '{}', JSON_CT, 400],
      ['malformed JSON', '{{{', JSON_CT, 400],
      ['id not a uuid', JSON.stringify({ connectionId: 'x'.repeat(36) }), JSON_CT, 400],
      ['id is null', JSON.stringify({ connectionId: null }), JSON_CT, 400],
      ['unknown id', JSON.stringify({ connectionId: unknown }), JSON_CT, 404],
      ['unknown id (form)', `connectionId=${unknown}`, FORM_CT, 404],
      ['uppercase of a known id', JSON.stringify({ connectionId: s.id.toUpperCase() }), JSON_CT, null],
    ];
    for (const [what, body, headers, status] of cases) {
      const r2 = await srv.req('POST', srv.path('/subscribe-stats'), {
        headers: { ...headers, authorization: `Bearer ${TOKEN}` }, body,
      });
      if (status === null) {
        assert.ok([200, 400, 404].includes(r2.status), `${what}: ${r2.status}`);
        if (r2.status !== 200) assertJsonError(r2, r2.status, what);
        continue;
      }
      assertJsonError(r2, status, `subscribe-stats: ${what}`);
    }
    // an unknown id was not kept: a connection opened now gets a fresh id and nothing else
    const w = await srv.ws();
    await w.inbox.none((x) => x.type === 'stats', 200, 'stats to a never-subscribed connection');
    assert.equal(await srv.total(), 2);
    // the existing subscriber still works
    await s.inbox.nextStats((x) => x.total === 2);
  }));
