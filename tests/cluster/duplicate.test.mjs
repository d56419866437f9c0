// Issue 20 item 4: two live instances with one --instance-id would overwrite each other's
// snapshot. The second is refused (one log line naming the id, it stops; the first keeps its
// place); a restart with the id after a clean stop is accepted at once, after a kill -9 within
// 3P (the owner key skew:{NAME}:owner:<id> expires).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCluster, startInstance, clusterShows, stats, sleep, within, eventually, P } from './lib.mjs';

test('duplicate instance id: the second live one is refused; restarts with the id are accepted', { timeout: 90000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    const a = await startInstance(kinds[0], redis, { id: 'dup', cluster: 'dup' });
    list.push(a);
    const other = await startInstance(kinds[2], redis, { id: 'other', cluster: 'dup' });
    list.push(other);
    await a.sse({ route: '/a' });
    await a.sse({ route: '/a' });
    await clusterShows(list, 2, 2);
    const ownerBefore = await redis.cmd('GET', 'skew:{dup}:owner:dup');
    assert.match(String(ownerBefore), /^[0-9a-f]{24}$/, 'the owner key holds a nonce');

    // a second live "dup" (the other server kind): refused within 4P + a cycle, stops by itself
    let b;
    try {
      b = await startInstance(kinds[1], redis, { id: 'dup', cluster: 'dup' });
      list.push(b);
    } catch (e) {
      assert.match(String(e.message), /exited early/); // refused before its health check answered
    }
    if (b) await within(4 * P + 8000, b.exited, 'the duplicate stops');
    const log = b ? b.out : '';
    if (b) {
      const lines = log.split('\n').filter((l) => /instance id "dup" is in use by another live instance/.test(l));
      assert.equal(lines.length, 1, `one refusal line naming the id:\n${log.slice(-3000)}`);
    }
    // the first keeps its place: its key, its count, the cluster total
    assert.equal(await redis.cmd('GET', 'skew:{dup}:owner:dup'), ownerBefore, 'the owner key is still the first one\'s');
    for (let i = 0; i < 5; i++) {
      const st = await stats(other);
      assert.equal(st.cluster, 'ok');
      assert.equal(st.total, 2, JSON.stringify(st.instances));
      await sleep(P);
    }

    // clean stop of "dup", restart with the id: accepted at once (the owner key went with it)
    await a.terminate();
    assert.equal(await redis.cmd('GET', 'skew:{dup}:owner:dup'), null, 'a clean stop deletes the owner key');
    const c = await startInstance(kinds[1], redis, { id: 'dup', cluster: 'dup' });
    list.push(c);
    await c.sse({ route: '/c' });
    await clusterShows([c, other], 1, 2, 3 * P + 3000);
    const ownerC = await redis.cmd('GET', 'skew:{dup}:owner:dup');
    assert.notEqual(ownerC, ownerBefore);

    // kill -9, restart with the id at once: the dead one's key expires within 3P, then accepted
    await c.kill();
    const t0 = Date.now();
    const d = await startInstance(kinds[0], redis, { id: 'dup', cluster: 'dup' });
    list.push(d);
    await d.sse({ route: '/d' });
    await eventually(async () => (await redis.cmd('GET', 'skew:{dup}:owner:dup')) !== ownerC,
      { timeout: 3 * P + 3000, what: 'the restarted one owns the id' });
    await clusterShows([d, other], 1, 2, 3 * P + 3000);
    console.log(`# restart after kill -9 accepted after ${Date.now() - t0} ms (3P = ${3 * P} ms)`);
    await sleep(6 * P); // longer than the refusal bound: it stays
    assert.equal(d.exit, undefined, `the restarted instance keeps running:\n${d.out.slice(-2000)}`);
    assert.doesNotMatch(d.out, /is in use by another live instance/);
  }));
