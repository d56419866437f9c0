// PROTOCOL.md identity and trust: bots, proxy headers behind a trusted-proxy policy, and the
// connection limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withServer, request, wsHandshakeStatus, GOOGLEBOT_UA, CURL_UA, sleep, assertJsonError,
} from './lib/harness.mjs';

const BOTS = [
  ['Googlebot', GOOGLEBOT_UA],
  ['curl', CURL_UA],
  ['bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  ['python-requests', 'python-requests/2.31.0'],
];

test('bots: 204 on SSE, 403 on WS, never counted', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const sub = await srv.subscriber();
    for (const [name, ua] of BOTS) {
      const r = await request(srv, 'GET', srv.path('/sse'), { ua, headers: { accept: 'text/event-stream' } });
      assert.equal(r.status, 204, `${name} SSE`);
      assert.equal(r.text, '', `${name} SSE body`);
      const w = await wsHandshakeStatus(srv, { ua });
      assert.equal(w.status, 403, `${name} WS`);
    }
    await sleep(300);
    sub.inbox.never((m) => m.type === 'stats' && m.total !== 1, 'stats counting a bot');
    assert.equal(await srv.total(), 1);
  }));

// The client is 127.0.0.1; headers name other addresses (documentation ranges, never contacted).
const PROXY_HEADERS = {
  'cf-connecting-ip': '198.51.100.9',
  'x-forwarded-for': '203.0.113.7, 10.1.2.3',
  'x-real-ip': '192.0.2.44',
  forwarded: 'for=192.0.2.60;proto=https',
};

async function ipsSeen(srv, cases) {
  const sub = await srv.subscriber({ route: '/dash' });
  const out = {};
  for (const [name, headers, kind] of cases) {
    const c = kind === 'sse' ? await srv.sse({ headers }) : await srv.ws({ headers });
    const m = await sub.inbox.nextStats((x) => x.connections.some((e) => e.id === c.id));
    out[name] = m.connections.find((e) => e.id === c.id).ip;
    await c.close();
  }
  return out;
}

test('proxy headers from an untrusted peer are ignored (WS and SSE)', { timeout: 30000 }, () =>
  withServer({ ipTracking: true, trustProxy: ['10.0.0.0/8'] }, async (srv) => {
    const seen = await ipsSeen(srv, [
      ['all ws', PROXY_HEADERS, 'ws'],
      ['all sse', PROXY_HEADERS, 'sse'],
      ['xff ws', { 'x-forwarded-for': '203.0.113.7' }, 'ws'],
      ['cf sse', { 'cf-connecting-ip': '198.51.100.9' }, 'sse'],
    ]);
    for (const [k, v] of Object.entries(seen)) assert.equal(v, '127.0.0.1', `${k}: ${v}`);
  }));

test('proxy headers from a trusted peer (default: loopback) are honoured in order', { timeout: 30000 }, () =>
  withServer({ ipTracking: true }, async (srv) => {
    const seen = await ipsSeen(srv, [
      ['cf first (ws)', PROXY_HEADERS, 'ws'],
      ['cf first (sse)', PROXY_HEADERS, 'sse'],
      ['xff right-most untrusted', { 'x-forwarded-for': '203.0.113.7, 198.51.100.20, 127.0.0.1' }, 'ws'],
      ['xff sse', { 'x-forwarded-for': '203.0.113.8' }, 'sse'],
      ['x-real-ip', { 'x-real-ip': '192.0.2.44' }, 'ws'],
      ['forwarded', { forwarded: 'for=192.0.2.60;proto=https' }, 'sse'],
      ['forwarded v6', { forwarded: 'for="[2001:DB8:0:0::7]:4711"' }, 'ws'],
      ['cf v6 normalised', { 'cf-connecting-ip': '2001:0db8:0000:0000:0000:0000:0000:0001' }, 'ws'],
      ['v4-mapped', { 'cf-connecting-ip': '::ffff:192.0.2.5' }, 'ws'],
    ]);
    assert.equal(seen['cf first (ws)'], '198.51.100.9');
    assert.equal(seen['cf first (sse)'], '198.51.100.9');
    assert.equal(seen['xff right-most untrusted'], '198.51.100.20');
    assert.equal(seen['xff sse'], '203.0.113.8');
    assert.equal(seen['x-real-ip'], '192.0.2.44');
    assert.equal(seen.forwarded, '192.0.2.60');
    assert.equal(seen['forwarded v6'], '2001:db8::7');
    assert.equal(seen['cf v6 normalised'], '2001:db8::1');
    assert.ok(['192.0.2.5', '::ffff:192.0.2.5'].includes(seen['v4-mapped']), `v4-mapped: ${seen['v4-mapped']}`);
  }));

test('proxy headers with garbage fall back to a valid address', { timeout: 30000 }, () =>
  withServer({ ipTracking: true }, async (srv) => {
    const seen = await ipsSeen(srv, [
      ['cf garbage', { 'cf-connecting-ip': 'not-an-ip' }, 'ws'],
      ['xff garbage', { 'x-forwarded-for': '<script>, 999.1.1.1' }, 'sse'],
    ]);
    for (const [k, v] of Object.entries(seen)) {
      assert.ok(/^[0-9.]+$|^[0-9a-f:]+$/.test(v), `${k}: ${v} is an address`);
      assert.ok(!v.includes('999') && !v.includes('<'), `${k}: ${v}`);
    }
  }));

test('--trust-proxy with a matching CIDR honours loopback proxies', { timeout: 30000 }, () =>
  withServer({ ipTracking: true, trustProxy: ['127.0.0.0/8', '10.0.0.0/8'] }, async (srv) => {
    const seen = await ipsSeen(srv, [
      ['xff skips trusted', { 'x-forwarded-for': '203.0.113.7, 10.9.9.9' }, 'ws'],
    ]);
    assert.equal(seen['xff skips trusted'], '203.0.113.7');
  }));

test('--max-connections: the N+1th gets 503, counts unchanged, health and admin still answer', { timeout: 30000 }, () =>
  withServer({ maxConnections: 3 }, async (srv) => {
    const sub = await srv.subscriber();
    const a = await srv.ws({ cookie: '__nkpv=v-a' });
    const b = await srv.sse({ cookie: '__nkpv=v-b' });
    const full = await sub.inbox.statsEqual({ total: 3, versions: { 'v-e2e-1': 1, 'v-a': 1, 'v-b': 1 } });
    void full;
    const ws4 = await wsHandshakeStatus(srv, { cookie: '__nkpv=v-x' });
    assert.equal(ws4.status, 503, 'fourth WS');
    const sse4 = await request(srv, 'GET', srv.path('/sse'), { headers: { cookie: '__nkpv=v-x' } });
    assertJsonError(sse4, 503, 'fourth SSE');
    const h = await srv.health();
    assert.equal(h.status, 200);
    const st = await srv.adminStats();
    assert.equal(st.status, 200);
    assert.equal(st.json.total, 3);
    assert.deepEqual(st.json.versions, { 'v-e2e-1': 1, 'v-a': 1, 'v-b': 1 });
    await sleep(200);
    sub.inbox.never((m) => m.type === 'stats' && m.total > 3, 'stats over the limit');
    // a slot freed can be used again
    await a.close();
    await sub.inbox.nextStats((m) => m.total === 2);
    const again = await srv.ws({ cookie: '__nkpv=v-c' });
    await sub.inbox.statsEqual({ total: 3, versions: { 'v-e2e-1': 1, 'v-b': 1, 'v-c': 1 } });
    void again; void b;
  }));
