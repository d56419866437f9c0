// POST {base}/route and {base}/subscribe-stats reach the instance that holds the connection,
// answered as if local; 404 only when no live instance holds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { withRedis, startInstance, threeKinds, stopAll, clusterShows, stats, request, TOKEN, sleep, P } from './lib.mjs';

const post = (s, p, body, headers = {}) => request(s, 'POST', s.path(p), {
  headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), timeout: 5000,
});

test('POST /route and /subscribe-stats relayed to the owner; 404 only for unknown ids', { timeout: 60000 }, () =>
  withRedis({}, async (redis) => {
    const kinds = threeKinds();
    const list = [];
    try {
      for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: `p${i}`, cluster: 'rel' }));
      const [a, b, c] = list;
      const sse = await a.sse({ route: '/start' });
      const ws = await c.ws({ route: '/start' });
      await clusterShows(list, 2, 3);

      // the SSE client's route change lands on b (another instance): relayed to a
      const r = await post(b, '/route', { connectionId: sse.id, route: '/moved' });
      assert.equal(r.status, 200, r.text);
      const local = await stats(a);
      const mine = local.connections.find((e) => e.id === sse.id);
      assert.equal(mine.route, '/moved');

      // and the same from c, for the WS client's id held by c itself (local path still works)
      const r1 = await post(c, '/route', { connectionId: ws.id, route: '/ws-moved' });
      assert.equal(r1.status, 200, r1.text);

      // subscribe-stats relayed: the SSE client on a starts getting stats
      const r2 = await post(c, '/subscribe-stats', { connectionId: sse.id }, { authorization: `Bearer ${TOKEN}` });
      assert.equal(r2.status, 200, r2.text);
      const st = await sse.inbox.nextType('stats', 3000);
      assert.ok(st.total >= 2, JSON.stringify(st));

      // unknown but well-formed ids: 404 (from every instance)
      for (const s of list) {
        const u = await post(s, '/route', { connectionId: crypto.randomUUID(), route: '/x' });
        assert.equal(u.status, 404, u.text);
      }
      // an id with a's tag that a does not hold: asked, answered 404
      const fake = sse.id.slice(0, 24) + (sse.id.slice(24, 31) === '0000000' ? '1111111' : '0000000') + sse.id.slice(31);
      const u2 = await post(b, '/route', { connectionId: fake, route: '/x' });
      assert.equal(u2.status, 404, u2.text);

      // many relays: each answered, the latencies printed (the bench reports p50/p99)
      const ms = [];
      for (let i = 0; i < 40; i++) {
        const t0 = process.hrtime.bigint();
        const x = await post(b, '/route', { connectionId: sse.id, route: `/r${i}` });
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        assert.equal(x.status, 200, x.text);
      }
      ms.sort((p, q) => p - q);
      console.log(`# relay latency over ${ms.length}: p50 ${ms[20].toFixed(2)} ms, max ${ms[39].toFixed(2)} ms`);
      assert.ok(ms[39] < 1000, 'every relayed answer within 1 s');

      // the owner gone (kill -9) and dropped from the view: 404, never a hang
      await a.kill();
      await clusterShows([b, c], 1, 2, 4 * P + 3000);
      const g = await post(b, '/route', { connectionId: sse.id, route: '/x' });
      assert.equal(g.status, 404, g.text);
      await sleep(10);
    } finally {
      await stopAll(list);
    }
  }));
