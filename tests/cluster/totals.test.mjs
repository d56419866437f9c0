// Three instances on one Redis: every instance shows the cluster's totals, versions, routes and
// instances; an instance that gets SIGTERM leaves the view at once, one that is killed (-9)
// within 3P (its key's TTL) plus one read period.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withCluster, startInstance, stats, metrics, clusterShows, eventually, P, sleep,
} from './lib.mjs';

test('totals, versions, routes and instances agree on every instance', { timeout: 90000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    const ids = ['ta', 'tb', 'tc'];
    for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: ids[i], cluster: 'tot' }));
    const [a, b, c] = list;
    // clients spread: 2 WS on a, 3 SSE on b, 1 WS + 1 SSE on c
    const clients = [
      await a.ws({ route: '/x' }), await a.ws({ route: '/y' }),
      await b.sse({ route: '/x' }), await b.sse({ route: '/x' }), await b.sse({ route: '/z' }),
      await c.ws({ route: '/y' }), await c.sse({ route: '/x' }),
    ];
    assert.equal(clients.length, 7);
    await clusterShows(list, 7, 3);
    // totals are exact at once; the merged connection list fills within a few P of the first
    // look (snapshots list connections only while a dashboard watches: skew:{NAME}:watch)
    await eventually(async () => (await Promise.all(list.map((s) => stats(s)))).every((j) => j.connections.length === 7),
      { timeout: 6 * P + 3000, what: 'merged connection lists complete' });
    const views = await Promise.all(list.map((s) => stats(s)));
    for (const j of views) {
      assert.equal(j.versions.v1, 7, JSON.stringify(j.versions));
      assert.equal(j.routes['/x'], 4, JSON.stringify(j.routes));
      assert.equal(j.routes['/y'], 2);
      assert.equal(j.routes['/z'], 1);
      const inst = Object.fromEntries(j.instances.map((e) => [e.id, e]));
      assert.deepEqual(Object.keys(inst).sort(), ids);
      assert.equal(inst.ta.total, 2);
      assert.equal(inst.tb.total, 3);
      assert.equal(inst.tc.total, 2);
      assert.equal(j.instances.filter((e) => e.self).length, 1);
      for (const e of j.instances) assert.ok(e.ageMs >= 0 && e.ageMs < 10 * P + 5000, `ageMs ${e.ageMs}`);
      // merged connection list: every entry names its instance, all 7 are there
      assert.equal(j.connections.length, 7);
      for (const e of j.connections) assert.ok(ids.includes(e.instance), JSON.stringify(e));
      const mine = new Set(clients.map((cl) => cl.id));
      for (const e of j.connections) assert.ok(mine.has(e.id), `unknown id ${e.id}`);
    }
    const m = await metrics(a);
    assert.match(m, /^skew_cluster_up 1$/m);

    // SIGTERM: c's key goes at once and the others re-read at once
    const t0 = Date.now();
    await c.terminate(5000);
    await clusterShows([a, b], 5, 2, 2 * P + 2000);
    const sigtermMs = Date.now() - t0;
    assert.ok(sigtermMs < 2 * P + 2000, `SIGTERM dropped after ${sigtermMs} ms`);
    assert.equal(await redis.cmd('EXISTS', 'skew:{tot}:snap:tc'), 0);

    // kill -9: b leaves the view within 3P of its last write (its key's TTL runs out then too)
    const t1 = Date.now();
    await b.kill();
    await clusterShows([a], 2, 1, 3 * P + 1000);
    const killMs = Date.now() - t1;
    console.log(`# kill -9 -> dropped from the view after ${killMs} ms (P = ${P} ms)`);
    assert.ok(killMs <= 3 * P + 1000);
    // a lone instance still shows itself
    const j = await stats(a);
    assert.equal(j.instances.length, 1);
    assert.equal(j.instances[0].self, true);
    await sleep(10);
  }));
