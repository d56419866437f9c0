// Bad data written straight into Redis (truncated, hostile, oversized snapshots, a key of the
// wrong type, junk on the channels) is skipped and counted: no crash, totals stay exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCluster, startTwo, stats, metrics, clusterShows, sleep, P } from './lib.mjs';

const counter = (name) => (text) => {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};
const rejected = counter('skew_cluster_snapshots_rejected_total');
const messagesRejected = counter('skew_cluster_messages_rejected_total');

test('hostile snapshots and messages in Redis are skipped and counted', { timeout: 60000 }, () =>
  withCluster({}, async (redis, list, kinds) => {
    await startTwo(redis, list, kinds, 'bad', ['h0', 'h1'], [['ws'], ['sse', 'ws']]);
    // snapshots refused: by the reader itself (--cluster-reads all) or by the aggregator, whose
    // view tells every reader how many it refused (counted as messages rejected there)
    const refusedAll = (text) => rejected(text) + messagesRejected(text);
    const before = refusedAll(await metrics(list[0]));
    assert.ok(before >= 0);

    const far = String(Date.now() + 3600e3);
    const good = (await redis.cmd('GET', 'skew:{bad}:snap:h1'));
    const evil = {
      trunc: good.slice(0, Math.floor(good.length / 2)),
      notjson: '\u0000\u00ff garbage {{{',
      deep: '['.repeat(100000),
      liar: good.replace(/"total":\d+/, '"total":1000000'),
      twin: good, // a second snapshot claiming to be h1
      huge: `{"skew":1,"id":"huge","x":"${'A'.repeat(3 * 1024 * 1024)}"}`,
    };
    for (const [id, text] of Object.entries(evil)) {
      await redis.cmd('SET', `skew:{bad}:snap:${id}`, text);
      await redis.cmd('ZADD', 'skew:{bad}:members', far, id);
    }
    await redis.cmd('HSET', 'skew:{bad}:snap:hash', 'a', 'b'); // wrong type
    await redis.cmd('ZADD', 'skew:{bad}:members', far, 'hash');
    await redis.cmd('ZADD', 'skew:{bad}:members', far, 'x'.repeat(500)); // over-long id
    // junk on the channels
    for (const msg of ['', 'Zzz', 'V', 'Vnot-a-seq v3', 'I', 'L', '\u0000', 'I' + 'x'.repeat(2 * 1024 * 1024)]) {
      await redis.cmd('PUBLISH', 'skew:{bad}:cmd', msg);
    }
    for (const msg of ['Q', 'Qx\n1\n', 'A', 'A123', 'Abc\nfoo', 'Q' + 'y'.repeat(70) + '\n1\n']) {
      await redis.cmd('PUBLISH', 'skew:{bad}:inst:h0', msg);
      await redis.cmd('PUBLISH', 'skew:{bad}:inst:h1', msg);
    }
    await sleep(4 * P);
    for (const s of list) {
      const j = await stats(s);
      assert.equal(j.cluster, 'ok');
      assert.equal(j.total, 3, `totals unchanged: ${JSON.stringify(j.instances)}`);
      assert.deepEqual(j.instances.map((e) => e.id).sort(), ['h0', 'h1']);
      const h = await s.health();
      assert.equal(h.status, 200);
      assert.equal(h.json.version, 'v1', 'junk never changes the build');
    }
    for (const s of list) assert.match(s.output(), /cluster: skipped a bad message from redis/);
    // every instance got the junk on the command channel (8 messages, of which 'I', 'L' and the
    // 2 MB one may be taken as commands or dropped by the link's size bound): counted in /metrics
    for (const s of list) {
      const bad = messagesRejected(await metrics(s));
      assert.ok(bad >= 3, `skew_cluster_messages_rejected_total ${bad}`);
    }
    const after = refusedAll(await metrics(list[0]));
    // the aggregator refused them whole: its view says how many (the last field of its head)
    const head = String(await redis.cmd('GET', 'skew:{bad}:view')).split('\n')[0];
    assert.ok(Number(head.split(' ').pop()) >= 6, `view head ${head}`);
    assert.ok(after - before >= 6, `rejected counter grew by ${after - before}`);
    // still working afterwards: a new client counts everywhere
    await list[0].sse();
    await clusterShows(list, 4, 2);
  }));
