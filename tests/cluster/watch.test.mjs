// Issue 20 item 2 (the part done): the merged connection list is paid for only while someone
// watches. Snapshots carry counts only ("connections":[]) until a dashboard (a GET admin/stats or
// a stats subscriber) somewhere sets skew:{NAME}:watch; then every instance lists its
// connections within a few P, and stops 3P after the last look. Totals stay exact throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCluster, startInstance, metrics, stats, sleep, eventually, P } from './lib.mjs';

const gauge = (text, name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
const listedIn = async (redis, id) => JSON.parse(await redis.cmd('GET', `skew:{watch}:snap:${id}`)).connections.length;

test('connections listed in snapshots only while a dashboard watches; totals exact either way', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    for (let i = 0; i < 2; i++) list.push(await startInstance(kinds[i], redis, { id: `w${i}`, cluster: 'watch' }));
    const [a, b] = list;
    for (let k = 0; k < 3; k++) await b.sse({ route: `/b${k}` });
    // 30 on a: its admin/stats answer is longer than the servers' first 2 KB buffer (the big
    // answer path must count as a dashboard too)
    for (let k = 0; k < 30; k++) await a.sse({ route: `/a${k}` });
    // nobody looks (only /metrics, which lists no connections): counts only, totals exact
    await eventually(async () => gauge(await metrics(a), 'skew_cluster_connections') === 33, { timeout: 8 * P + 3000, what: 'total 33 on a' });
    await sleep(3 * P);
    assert.equal(await redis.cmd('GET', 'skew:{watch}:watch'), null);
    assert.equal(await listedIn(redis, 'w1'), 0, 'b lists nothing while nobody watches');
    assert.equal(JSON.parse(await redis.cmd('GET', 'skew:{watch}:snap:w1')).total, 3);

    // a dashboard on a: b's connections reach a's merged list within a few P
    const t0 = Date.now();
    await eventually(async () => {
      const st = await stats(a);
      return st.total === 33 && st.connections.filter((c) => c.instance === 'w1').length === 3;
    }, { timeout: 6 * P + 3000, interval: P / 2, what: 'b\'s connections on a\'s dashboard' });
    console.log(`# dashboard opened -> the others' connections shown after ${Date.now() - t0} ms (P = ${P} ms)`);
    assert.equal(await listedIn(redis, 'w1'), 3);

    // the dashboard closes: 3P later the watch key is gone and snapshots are counts only again
    await eventually(async () => (await redis.cmd('GET', 'skew:{watch}:watch')) === null, { timeout: 6 * P + 3000, what: 'watch key expired' });
    await eventually(async () => (await listedIn(redis, 'w1')) === 0, { timeout: 4 * P + 3000, what: 'counts only again' });
    assert.equal(gauge(await metrics(a), 'skew_cluster_connections'), 33, 'totals exact after');
  }));

test('hostile :watch and :current values: bounded reads, totals exact, nothing crashes', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    for (let i = 0; i < 2; i++) list.push(await startInstance(kinds[i], redis, { id: `h${i}`, cluster: 'hw' }));
    const [a, b] = list;
    await a.sse({ route: '/a' });
    await b.sse({ route: '/b' });
    await eventually(async () => gauge(await metrics(a), 'skew_cluster_connections') === 2, { timeout: 8 * P + 3000, what: 'total 2' });
    const rejected0 = gauge(await metrics(a), 'skew_cluster_messages_rejected_total');
    // the watch key of another type: ignored (counts only); a 4 MB cluster build: read as 200
    // bytes, refused and counted
    await redis.cmd('RPUSH', 'skew:{hw}:watch', 'x');
    await redis.cmd('SET', 'skew:{hw}:current', `9 ${'v'.repeat(4 << 20)}`);
    await eventually(async () => gauge(await metrics(a), 'skew_cluster_messages_rejected_total') > rejected0,
      { timeout: 4 * P + 3000, what: 'the oversized build counted' });
    for (let k = 0; k < 5; k++) {
      for (const s of list) assert.equal(gauge(await metrics(s), 'skew_cluster_connections'), 2);
      await sleep(P);
    }
    assert.equal(JSON.parse(await redis.cmd('GETRANGE', 'skew:{hw}:snap:h1', '0', '100000')).connections.length, 0,
      'a watch key of the wrong type is nobody watching');
    for (const s of list) assert.equal((await s.health()).json?.version, 'v1', 'the junk build is not adopted');
  }));
