// Redis down at start, lost and back, stalled, or refusing the password: the instance keeps
// serving locally ("cluster":"degraded", skew_cluster_up 0), logs one line per state change,
// reconnects with backoff and shows the cluster again within 2P of Redis returning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  withCluster, startRedis, startInstance, binaries, stats, metrics, stopAll, eventually, sleep, P,
  clusterShows, respCommand, request,
} from './lib.mjs';

const lines = (s, re) => s.output().split('\n').filter((l) => re.test(l));
const DOWN = /cluster: degraded/;
const UP = /cluster: redis up/;

test('redis down at start, then up, lost and back: local service throughout, one log line per change', { timeout: 90000 }, async () => {
  const redis = await startRedis();
  await redis.stop(); // the port is known and closed
  const [bin] = binaries();
  const list = [];
  try {
    const a = await startInstance(bin, redis, { id: 'd1', cluster: 'deg' });
    list.push(a);
    const c1 = await a.ws();
    await eventually(async () => (await stats(a)).cluster === 'degraded', { timeout: 3000, what: 'degraded' });
    let j = await stats(a);
    assert.equal(j.total, 1);
    assert.match(await metrics(a), /^skew_cluster_up 0$/m);
    await sleep(6 * P); // several failed tries: still one line
    assert.equal(lines(a, DOWN).length, 1, a.output());

    // redis comes: the view is back within 2P (+ the backoff step and margin)
    await redis.start();
    let t0 = Date.now();
    await eventually(async () => (await stats(a)).cluster === 'ok', { timeout: 2 * P + 2000, what: 'ok after start' });
    const b = await startInstance(binaries()[binaries().length - 1], redis, { id: 'd2', cluster: 'deg' });
    list.push(b);
    await b.sse();
    await clusterShows([a, b], 2, 2);
    assert.equal(lines(a, UP).length, 1);

    // lost: both degrade, keep their local clients and numbers
    await redis.stop();
    await eventually(async () => (await stats(a)).cluster === 'degraded' && (await stats(b)).cluster === 'degraded',
      { timeout: 3000, what: 'degraded after loss' });
    j = await stats(a);
    assert.equal(j.total, 1, 'local numbers only');
    assert.match(await metrics(b), /^skew_cluster_up 0$/m);
    const c2 = await a.ws(); // still serving
    assert.ok(c2.id);
    // a POST for a connection held elsewhere: unknown while Redis is away (503), local ones work
    const post = (s, id) => request(s, 'POST', s.path('/route'), {
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ connectionId: id, route: '/d' }),
    });
    assert.equal((await post(a, crypto.randomUUID())).status, 503);
    assert.equal((await post(b, crypto.randomUUID())).status, 503);
    assert.equal((await post(a, c2.id)).status, 200);
    await sleep(4 * P);
    assert.equal(lines(a, DOWN).length, 2, a.output());

    // back: within 2P (backoff is capped at P/2 but never below 250 ms)
    await redis.start();
    t0 = Date.now();
    await clusterShows([a, b], 3, 2, 2 * P + 2000);
    console.log(`# cluster view back ${Date.now() - t0} ms after redis returned (P = ${P} ms)`);
    assert.equal(lines(a, UP).length, 2);
    assert.ok(c1.ws.readyState === 1, 'nothing local was lost');
  } finally {
    await stopAll(list);
    await redis.stop();
  }
});

test('a stalled redis (DEBUG SLEEP 3) never stalls the loop: SSE keepalives and WS pongs keep flowing', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list) => {
    for (const [i, bin] of binaries().entries()) list.push(await startInstance(bin, redis, { id: `s${i}`, cluster: 'stall', keepaliveMs: 500 }));
    await eventually(async () => (await stats(list[0])).cluster === 'ok', { timeout: 5000, what: 'ok' });
    const probes = [];
    for (const s of list) probes.push({ s, sse: await s.sseRaw(), ws: await s.ws() });
    const sleeping = respCommand(redis.port, ['DEBUG', 'SLEEP', '3'], undefined, 10000);
    await sleep(100);
    const t0 = Date.now();
    const worst = [];
    while (Date.now() - t0 < 2600) {
      for (const p of probes) {
        const s0 = Date.now();
        p.ws.send({ type: 'ping' });
        await p.ws.inbox.next((m) => m.type === 'pong', 400, 'pong during the stall');
        const h = await p.s.health();
        assert.equal(h.status, 200);
        worst.push(Date.now() - s0);
      }
      await sleep(150);
    }
    for (const p of probes) {
      const ka = p.sse.inbox.all.filter((m) => m.at >= t0 && m.msg && m.msg.type === 'keepalive');
      assert.ok(ka.length >= 3, `${p.s.kind}: ${ka.length} keepalives during the stall`);
    }
    console.log(`# during DEBUG SLEEP 3: slowest ping+health round ${Math.max(...worst)} ms`);
    await sleeping;
    await eventually(async () => (await stats(list[0])).cluster === 'ok', { timeout: 4 * P + 3000, what: 'ok after the stall' });
    for (const p of probes) p.sse.destroy();
  }));

test('a wrong password or a refused ACL user: one clear log line, the instance runs degraded', { timeout: 60000 }, () =>
  withCluster({ password: 'right-pass' }, async (redis, list) => {
    const [bin] = binaries();
    const bad = await startInstance(bin, redis, { id: 'w1', cluster: 'pw', env: { SKEW_REDIS_PASSWORD: 'wrong-pass' } });
    list.push(bad);
    await eventually(() => lines(bad, /authentication refused/).length === 1, { timeout: 3000, what: 'auth log line' });
    assert.equal((await stats(bad)).cluster, 'degraded');
    assert.ok(!bad.output().includes('wrong-pass'), 'the password is never logged');
    await sleep(5 * P);
    assert.equal(lines(bad, DOWN).length, 1, bad.output());
    assert.equal(await redis.cmd('EXISTS', 'skew:{pw}:snap:w1'), 0, 'nothing written without auth');

    await redis.cmd('ACL', 'SETUSER', 'ro', 'on', '>ro-pass', '~nothing', '+ping');
    const acl = await startInstance(bin, `redis://ro@127.0.0.1:${redis.port}`, { id: 'w2', cluster: 'pw', env: { SKEW_REDIS_PASSWORD: 'ro-pass' } });
    list.push(acl);
    await eventually(() => lines(acl, DOWN).length === 1, { timeout: 3000, what: 'refused ACL log line' });
    assert.match(lines(acl, DOWN)[0], /NOPERM|refused|failed/);
    assert.equal((await stats(acl)).cluster, 'degraded');

    const good = await startInstance(bin, redis, { id: 'w3', cluster: 'pw', env: { SKEW_REDIS_PASSWORD: 'right-pass' } });
    list.push(good);
    await eventually(async () => (await stats(good)).cluster === 'ok', { timeout: 3000, what: 'ok with the right password' });
  }));
