#!/usr/bin/env node
// Aggregator replacement at a real period (not a test; `make bench-cluster-failover`): a real
// redis-server and three real servers (lws, mongoose, lws when both are built) at P = 2 s, some
// SSE connections on each; the lease holder (skew:{NAME}:agg) is killed with SIGKILL and, from
// that moment, every 25 ms: who holds the lease, who made the view, and what each survivor shows
// (GET admin/stats). Prints per run, in ms after the kill:
//   lease   another instance holds the lease
//   view    the first view written by the new holder is in Redis
//   read    both survivors show a view made after the kill (the other survivor's row has a
//           snapshot "at" later than the kill: only the new holder can have merged it)
// and the wrong totals seen meanwhile (a survivor "ok" with a total that is neither the three
// instances' nor the two survivors', or "degraded" with other than its local total): must be 0.
//
//   node bench/cluster-scale/failover.mjs [--runs 3] [--interval-ms 2000]
import { startRedis, startInstance, stopAll, stats, clusterShows, threeKinds, sleep } from '../../tests/cluster/lib.mjs';
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};
const RUNS = Number(opt('runs', 3));
const P = Number(opt('interval-ms', 2000));
const CONNS = [1, 2, 3];

async function runOne(redis, run) {
  const cluster = `fo${run}`;
  const ids = ['fa', 'fb', 'fc'].map((s) => `${s}${run}`);
  const kinds = threeKinds();
  const list = [];
  try {
    for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: ids[i], cluster, P }));
    for (let i = 0; i < 3; i++) for (let k = 0; k < CONNS[i]; k++) await list[i].sse({ route: `/r${i}` });
    await clusterShows(list, 6, 3, 10 * P + 5000);
    await sleep(Math.random() * P); // the kill lands anywhere in the lease's renewal period
    const holder = String(await redis.cmd('GET', `skew:{${cluster}}:agg`)).split(' ')[0];
    const vi = ids.indexOf(holder);
    if (vi < 0) throw new Error(`no lease holder (${holder})`);
    const rest = list.filter((_, i) => i !== vi);
    const restTotal = 6 - CONNS[vi];
    const wrong = [];
    let degraded = 0;
    const t0 = Date.now();
    await list[vi].kill();
    const r = { run, killed: `${holder} (${list[vi].kind})`, lease: NaN, view: NaN, read: rest.map(() => NaN) };
    while (Date.now() - t0 < 10 * P && (Number.isNaN(r.view) || r.read.some(Number.isNaN))) {
      const dt = Date.now() - t0;
      const lease = String(await redis.cmd('GET', `skew:{${cluster}}:agg`) || '').split(' ')[0];
      if (Number.isNaN(r.lease) && lease && lease !== holder) { r.lease = dt; r.newHolder = lease; }
      const view = String(await redis.cmd('GET', `skew:{${cluster}}:view`) || '');
      const by = /\na "([^"]*)"\n/.exec(view)?.[1];
      if (Number.isNaN(r.view) && by && by !== holder) r.view = dt;
      const js = await Promise.all(rest.map((s) => stats(s).catch(() => null)));
      js.forEach((j, k) => {
        if (!j) return;
        const local = CONNS[list.indexOf(rest[k])];
        if (j.cluster === 'ok') {
          const n = (j.instances || []).length;
          if (!((j.total === 6 && n === 3) || (j.total === restTotal && n === 2))) wrong.push(`${rest[k].id}: ok, total ${j.total}, ${n} instances`);
          const other = (j.instances || []).find((x) => x.id === rest[1 - k].id);
          if (Number.isNaN(r.read[k]) && other && Date.now() - other.ageMs > t0) r.read[k] = Date.now() - t0;
        } else {
          degraded++;
          if (j.total !== local) wrong.push(`${rest[k].id}: ${j.cluster}, total ${j.total}, local ${local}`);
        }
      });
      await sleep(25);
    }
    r.wrong = wrong;
    r.degraded = degraded;
    return r;
  } finally {
    await stopAll(list).catch((e) => console.log(`# stop: ${e.message.split('\n')[0]}`));
  }
}

const redis = await startRedis();
try {
  console.log(`aggregator replacement: P = ${P} ms, 3 real servers (${threeKinds().map((b) => b.split('/').pop()).join(', ')}), ` +
    `${CONNS.join('/')} SSE connections, the lease holder killed with SIGKILL; ms after the kill (bound 3P = ${3 * P} ms)`);
  console.log('');
  console.log('| run | killed | new holder | lease taken | first view by it in Redis | read by both survivors | degraded samples | wrong totals |');
  console.log('|---:|---|---|---:|---:|---:|---:|---:|');
  const reads = [];
  let wrongAll = 0;
  for (let i = 1; i <= RUNS; i++) {
    const r = await runOne(redis, i);
    const read = Math.max(...r.read);
    reads.push(read);
    wrongAll += r.wrong.length;
    console.log(`| ${i} | ${r.killed} | ${r.newHolder ?? '-'} | ${r.lease} | ${r.view} | ${read} | ${r.degraded} | ${r.wrong.length} |`);
    for (const w of r.wrong.slice(0, 5)) console.log(`#   wrong: ${w}`);
  }
  reads.sort((a, b) => a - b);
  console.log('');
  console.log(`read by both survivors: median ${reads[Math.floor(reads.length / 2)]} ms, max ${reads[reads.length - 1]} ms ` +
    `(bound ${3 * P} ms); wrong totals ${wrongAll}`);
} finally {
  await redis.stop();
  fs.rmSync(redis.dir, { recursive: true, force: true });
}
