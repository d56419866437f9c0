// Commands reach every instance's clients within 1 s (pub/sub); a rolling deploy v1 -> v2 tells
// every client about v2 exactly once; an instance restarted on an old build never rolls back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRedis, withCluster, startInstance, threeKinds, stopAll, eventually, sleep, P } from './lib.mjs';

const versionMsgs = (c, v) => c.inbox.all.filter((m) => m.msg && m.msg.type === 'version' && (!v || m.msg.version === v));

async function healthVersion(s) {
  const r = await s.health();
  return r.json && r.json.version;
}

test('admin version push and route invalidation reach the clients of every instance within 1 s', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: `c${i}`, cluster: 'cmd' }));
    const clients = [];
    for (const s of list) clients.push(await s.ws({ route: '/docs/a' }), await s.sse({ route: '/blog' }));
    await sleep(3 * P); // every link is up (the view is not needed for commands)
    const t0 = Date.now();
    const r = await list[1].admin('/admin/version', { version: 'v9' });
    assert.equal(r.status, 200, r.text);
    await Promise.all(clients.map((c) => c.inbox.next((m) => m.type === 'version' && m.version === 'v9', 1000, 'version v9')));
    const pushMs = Date.now() - t0;
    assert.ok(pushMs < 1000, `version push took ${pushMs} ms`);
    for (const s of list) assert.equal(await healthVersion(s), 'v9');
    await sleep(3 * P);
    for (const c of clients) assert.equal(versionMsgs(c, 'v9').length, 1, `${c.kind}: told once`);

    // invalidation: only /docs clients, on every instance, with force
    const r2 = await list[2].admin('/admin/invalidate', { route: '/docs' });
    assert.equal(r2.status, 200, r2.text);
    for (const c of clients.filter((x) => x.kind === 'ws')) {
      const m = await c.inbox.next((x) => x.type === 'version' && x.force === true, 1000, 'forced reload');
      assert.equal(m.version, 'v9');
    }
    await sleep(2 * P);
    for (const c of clients.filter((x) => x.kind === 'sse')) assert.equal(c.inbox.all.filter((m) => m.msg && m.msg.force).length, 0);
  }));

test('rolling deploy v1 -> v2 over three instances: every client told about v2 exactly once; an old build never rolls back', { timeout: 90000 }, () =>
  withRedis({}, async (redis) => {
    const kinds = threeKinds();
    let list = [];
    const all = [];
    try {
      for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: `r${i}-1`, cluster: 'roll', buildId: 'v1' }));
      for (const s of list) for (let k = 0; k < 2; k++) all.push(await (k ? s.sse() : s.ws()));
      await sleep(3 * P);
      for (let i = 0; i < 3; i++) {
        // replace instance i by one on v2 (its clients go away with it, as behind a balancer)
        const old = list[i];
        await old.terminate(5000);
        for (const c of old.clients) await c.close(); // no reconnect attempts to a dead port
        const fresh = await startInstance(kinds[i], redis, { id: `r${i}-2`, cluster: 'roll', buildId: 'v2' });
        list[i] = fresh;
        for (const s of list) await eventually(async () => (await healthVersion(s)) === 'v2', { timeout: 3000, what: `${s.id} on v2` });
        all.push(await fresh.ws(), await fresh.sse());
        await sleep(2 * P);
      }
      await sleep(3 * P);
      for (const c of all) {
        const n = versionMsgs(c, 'v2').length;
        // connected on v2 already: no push; connected on v1 and still alive when v2 arrived: one
        if (c.connected.version === 'v2') assert.equal(n, 0, `${c.kind} connected on v2 got ${n} pushes`);
        else if (c.closeCode === undefined && !c.errors?.length && c.inbox.all.some((m) => m.msg && m.msg.version === 'v2')) assert.equal(n, 1);
        assert.ok(n <= 1, `${c.kind} told about v2 ${n} times`);
      }
      // the clients of the last v1 instance heard of v2 once, while it still ran
      const survivors = all.filter((c) => c.connected.version === 'v1' && versionMsgs(c, 'v2').length);
      assert.ok(survivors.length >= 4, `v1 clients told about v2: ${survivors.length}`);

      // an instance restarted on the old build: the cluster stays on v2, and so does it
      const others = all.filter((c) => c.connected.version === 'v2');
      await list[2].terminate(5000);
      for (const c of list[2].clients) await c.close();
      list[2] = await startInstance(kinds[2], redis, { id: 'r2-old', cluster: 'roll', buildId: 'v1' });
      await eventually(async () => (await healthVersion(list[2])) === 'v2', { timeout: 3000, what: 'old build adopts v2' });
      await sleep(3 * P);
      for (const s of list) assert.equal(await healthVersion(s), 'v2');
      for (const c of others) assert.equal(versionMsgs(c, 'v1').length, 0, 'no client told about v1');
      assert.match(await redis.cmd('GET', 'skew:{roll}:current'), / v2$/);
    } finally {
      await stopAll(list);
    }
  }));

test('redis restarted empty keeps the cluster build; an admin push made during the outage reaches everyone after', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: `e${i}`, cluster: 'empty', buildId: 'v1' }));
    const clients = [];
    for (const s of list) clients.push(await s.ws());
    await sleep(3 * P);
    assert.equal((await list[0].admin('/admin/version', { version: 'v5' })).status, 200);
    for (const s of list) await eventually(async () => (await healthVersion(s)) === 'v5', { timeout: 1000, what: 'v5' });

    await redis.stop(); // its data goes with it (no persistence in tests)
    await sleep(3 * P);
    assert.equal((await list[1].admin('/admin/version', { version: 'v6' })).status, 200); // degraded: local now
    await redis.start();
    for (const s of list) await eventually(async () => (await healthVersion(s)) === 'v6', { timeout: 4 * P + 2000, what: `${s.id} on v6 after the outage` });
    assert.match(await redis.cmd('GET', 'skew:{empty}:current'), / v6$/);
    // nobody was rolled back to v1 (the binaries' build) by the empty Redis
    await sleep(3 * P);
    for (const c of clients) {
      assert.equal(versionMsgs(c, 'v1').length, 0);
      assert.equal(versionMsgs(c, 'v6').length, 1);
    }
  }));
