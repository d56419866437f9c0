// The aggregator (examples/common/skcl_agg.c): one instance holds the lease skew:{NAME}:agg and
// writes the one view the others read. Killed (-9), another instance takes the lease and the view
// is back within 3P; in between an instance shows either the exact cluster totals or
// "degraded" with its local totals, never a wrong cluster total (sampled all along).
// Also: the readers read only the view key, never the others' snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCluster, startInstance, startTwo, stats, clusterShows, eventually, sleep, P } from './lib.mjs';

test('aggregator killed: another takes the lease within 3P, no wrong totals in between', { timeout: 90000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    const ids = ['ga', 'gb', 'gc'];
    for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: ids[i], cluster: 'agg' }));
    const conns = [1, 2, 3];
    for (let i = 0; i < 3; i++) for (let k = 0; k < conns[i]; k++) await list[i].sse({ route: `/r${i}` });
    await clusterShows(list, 6, 3);
    // the view names its aggregator; the lease holds "<id> <nonce>"
    const holder = String(await redis.cmd('GET', 'skew:{agg}:agg')).split(' ')[0];
    assert.ok(ids.includes(holder), `lease holder ${holder}`);
    const view = String(await redis.cmd('GET', 'skew:{agg}:view'));
    assert.match(view, /^skew-view 1 \d+ \d+ 6 3 /);
    assert.ok(view.includes(`\na "${holder}"\n`), view);

    // the readers read the view, not each other's snapshots: GETRANGE on snapshots comes
    // only from the aggregator's own connection (one per instance and round)
    const victim = list[ids.indexOf(holder)];
    const rest = list.filter((s) => s !== victim);
    const restTotal = 6 - conns[ids.indexOf(holder)];
    // sample the survivors' totals throughout the failover: exact, or degraded with local
    const bad = [];
    let sampling = true;
    let degradedSeen = 0;
    const sampler = (async () => {
      while (sampling) {
        for (const s of rest) {
          const j = await stats(s);
          const local = conns[list.indexOf(s)];
          if (j.cluster === 'ok') {
            // before the victim's row goes: 6 with three instances; after: restTotal with two
            const ok = (j.total === 6 && j.instances.length === 3) || (j.total === restTotal && j.instances.length === 2);
            if (!ok) bad.push(`${s.id}: ok with total ${j.total}, ${j.instances.length} instances`);
          } else {
            degradedSeen++;
            if (j.total !== local) bad.push(`${s.id}: ${j.cluster} with total ${j.total}, local ${local}`);
          }
        }
        await sleep(20);
      }
    })();
    const t0 = Date.now();
    await victim.kill();
    await clusterShows(rest, restTotal, 2, 3 * P + 3000);
    const backMs = Date.now() - t0;
    const newHolder = String(await redis.cmd('GET', 'skew:{agg}:agg')).split(' ')[0];
    sampling = false;
    await sampler;
    console.log(`# aggregator ${holder} killed: ${newHolder} merges, both survivors back in ${backMs} ms ` +
      `(P = ${P} ms; ${degradedSeen} degraded samples)`);
    assert.deepEqual(bad, []);
    assert.notEqual(newHolder, holder);
    assert.ok(rest.some((s) => s.id === newHolder), `new holder ${newHolder}`);
    // the view is back within 3P of the lease running out (2P after the last renewal), plus margin
    assert.ok(backMs <= 5 * P + 2000, `view back after ${backMs} ms`);

    // a holder that leaves (SIGTERM) gives the lease up at once
    const holder2 = rest.find((s) => s.id === newHolder);
    const other = rest.find((s) => s !== holder2);
    await holder2.terminate(5000);
    await eventually(async () => String(await redis.cmd('GET', 'skew:{agg}:agg')).startsWith(`${other.id} `),
      { timeout: 2 * P + 2000, what: 'the last instance takes the lease' });
    await clusterShows([other], conns[list.indexOf(other)], 1, 4 * P + 3000);
  }));

test('a stale view (no aggregator writing) turns every reader degraded with local totals', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    await startTwo(redis, list, kinds, 'stale', ['sa', 'sb'], [['sse'], ['sse', 'sse']]);
    // a forged lease nobody renews: the holders lose it, nobody writes the view
    await redis.cmd('SET', 'skew:{stale}:agg', 'nobody x', 'PX', String(20 * P));
    await eventually(async () => (await Promise.all(list.map((s) => stats(s)))).every((j) => j.cluster === 'degraded'),
      { timeout: 4 * P + 3000, what: 'degraded once the view is older than 2P' });
    const [ja, jb] = await Promise.all(list.map((s) => stats(s)));
    assert.equal(ja.total, 1);
    assert.equal(jb.total, 2);
    // the forged lease runs out: a real instance takes it and the view is back
    await clusterShows(list, 3, 2, 20 * P + 5000);
  }));
