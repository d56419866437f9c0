// Rolling upgrade across this branch's changes (owner key, watch key, counts-only snapshots): a
// server built from the base commit (SKEW_CLUSTER_OLD_SERVER; make step-cluster-upgrade builds
// it from git) and a new one on one Redis and cluster interoperate: totals, versions, routes and
// instances agree on both, an admin push and a relayed POST cross in both directions. The only
// difference allowed: a dashboard on the old one lists the new one's connections only while a
// dashboard on a new instance watches (the old one never sets the watch key).
// Across the aggregator's format change (the new ones read one merged view, the old one still
// reads every snapshot): the new ones keep writing their snapshots in the old format and merge
// the old one's into the view, so both sides show the same exact totals; sampled all along,
// an instance shows the exact total or "degraded" with its local one, never a wrong total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRedis, startInstance, binaries, stopAll, clusterShows, stats, request, eventually } from './lib.mjs';

const OLD = process.env.SKEW_CLUSTER_OLD_SERVER;
if (!OLD) throw new Error('SKEW_CLUSTER_OLD_SERVER: a server binary built from the base commit (make step-cluster-upgrade)');

const post = (s, p, body) => request(s, 'POST', s.path(p), { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('an old and a new server on one cluster: exact totals both ways, commands and relay cross', { timeout: 60000 }, () =>
  withRedis({}, async (redis) => {
    const [bin] = binaries();
    const list = [];
    let sampling = false;
    try {
      const oldS = await startInstance(OLD, redis, { id: 'old', cluster: 'up', drainMs: null }); // no --drain-ms then
      list.push(oldS);
      const newS = await startInstance(bin, redis, { id: 'new', cluster: 'up' });
      list.push(newS);
      const o1 = await oldS.sse({ route: '/o' });
      await oldS.ws({ route: '/o' });
      const n1 = await newS.sse({ route: '/n' });
      await clusterShows(list, 3, 2);
      // the new one merged the old one's snapshot into the view it holds the lease for
      const view = String(await redis.cmd('GET', 'skew:{up}:view'));
      assert.match(view, /^skew-view 1 \d+ \d+ 3 2 /, view);
      assert.ok(view.includes(' "old" '), view);
      assert.match(String(await redis.cmd('GET', 'skew:{up}:agg')), /^new /);
      sampling = true;
      const wrong = [];
      const local = { old: 2, new: 1 };
      const sampler = (async () => {
        while (sampling) {
          for (const s of list) {
            const j = await stats(s).catch(() => null);
            if (!j) continue;
            if (j.cluster === 'ok' ? j.total !== 3 : j.total !== local[s.id]) wrong.push(`${s.id}: ${j.cluster} ${j.total}`);
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      for (const s of list) {
        const st = await stats(s);
        assert.equal(st.total, 3);
        assert.equal(st.instances.length, 2);
        assert.equal(st.routes['/o'], 2, JSON.stringify(st.routes));
        assert.equal(st.routes['/n'], 1, JSON.stringify(st.routes));
      }
      // the new one's dashboard lists the old one's connections (old snapshots always list)
      await eventually(async () => (await stats(newS)).connections.filter((c) => c.instance === 'old').length === 2,
        { timeout: 5000, what: 'old connections on the new dashboard' });
      // and with that dashboard open, the old one's lists the new one's too
      await eventually(async () => (await stats(newS)) && (await stats(oldS)).connections.some((c) => c.instance === 'new'),
        { timeout: 5000, what: 'new connections on the old dashboard' });
      // relayed POSTs in both directions
      assert.equal((await post(newS, '/route', { connectionId: o1.id, route: '/o2' })).status, 200);
      assert.equal((await post(oldS, '/route', { connectionId: n1.id, route: '/n2' })).status, 200);
      // an admin push from each side reaches the other
      assert.equal((await newS.admin('/admin/version', { version: 'v8' })).status, 200);
      await eventually(async () => (await oldS.health()).json?.version === 'v8', { timeout: 3000, what: 'v8 on old' });
      assert.equal((await oldS.admin('/admin/version', { version: 'v9' })).status, 200);
      await eventually(async () => (await newS.health()).json?.version === 'v9', { timeout: 3000, what: 'v9 on new' });
      await clusterShows(list, 3, 2);
      sampling = false;
      await sampler;
      assert.deepEqual(wrong, [], 'never a wrong total on either side');
    } finally {
      sampling = false;
      await stopAll(list);
    }
  }));
