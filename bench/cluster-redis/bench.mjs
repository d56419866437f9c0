#!/usr/bin/env node
// Cluster benchmark (not a test): three instances of the example servers on a real redis-server.
// Prints
//   - Redis traffic per instance per second (commands, bytes in, bytes out; from INFO
//     commandstats / INFO stats after CONFIG RESETSTAT, over a window), snapshot sizes;
//   - POST relay latency p50/p99 (POST {base}/route to an instance that does not hold the
//     connection), next to the same POST answered locally;
//   - time from kill -9 of an instance to the others' view dropping it;
//   - the same figures scaled on paper to 100 instances x 20k connections.
//
//   node bench/cluster-redis/bench.mjs [--interval-ms 2000] [--window-s 10] [--listed 1000]
//                                      [--relays 500] [--kills 3] [--cluster-listed N]
// Server binaries: SKEW_CLUSTER_SERVERS="build/skew_server_lws build/skew_server_mongoose".
import {
  startRedis, startInstance, threeKinds, clusterShows, stats, request, sleep, eventually,
} from '../../tests/cluster/lib.mjs';
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(argv[i + 1]);
};
const P = opt('interval-ms', 2000);
const WINDOW_S = opt('window-s', 10);
const LISTED = opt('listed', 1000);
const RELAYS = opt('relays', 500);
const KILLS = opt('kills', 3);
const CLUSTER_LISTED = opt('cluster-listed', 0); // --cluster-listed for every instance (0: default)
const extraArgs = CLUSTER_LISTED ? ['--cluster-listed', String(CLUSTER_LISTED)] : [];

const pct = (a, q) => a[Math.min(a.length - 1, Math.floor(q * a.length))];
const info = async (redis, section) => Object.fromEntries((await redis.cmd('INFO', section)).split('\r\n')
  .filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));

async function post(s, p, body) {
  const t0 = process.hrtime.bigint();
  const r = await request(s, 'POST', s.path(p), { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeout: 5000 });
  if (r.status !== 200) throw new Error(`POST ${p}: ${r.status} ${r.text}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const redis = await startRedis();
const kinds = threeKinds();
const list = [];
try {
  console.log(`cluster-redis bench: P = ${P} ms${CLUSTER_LISTED ? `, --cluster-listed ${CLUSTER_LISTED}` : ''}, servers ${kinds.map((k) => k.split('/').pop()).join(', ')}, redis-server ${(await info(redis, 'server')).redis_version}`);
  for (let i = 0; i < 3; i++) list.push(await startInstance(kinds[i], redis, { id: `bench${i}`, cluster: 'bench', P, routeTracking: true, extraArgs }));
  const [a, b, c] = list;
  // connections: LISTED on a (a full snapshot), a tenth of that on b, a few on c
  const counts = [LISTED, Math.ceil(LISTED / 10), 10];
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < counts[i]; k += 50) {
      const batch = [];
      for (let j = k; j < Math.min(counts[i], k + 50); j++) batch.push(list[i].ws({ route: `/r/${j % 150}` }));
      await Promise.all(batch);
    }
  }
  const total = counts.reduce((x, y) => x + y, 0);
  await clusterShows(list, total, 3, 10 * P + 5000);

  // ---- Redis traffic over a window
  await redis.cmd('CONFIG', 'RESETSTAT');
  const t0 = Date.now();
  await sleep(WINDOW_S * 1000);
  const secs = (Date.now() - t0) / 1000;
  const cs = await info(redis, 'commandstats');
  const st = await info(redis, 'stats');
  let calls = 0;
  const per = {};
  for (const [k, v] of Object.entries(cs)) {
    const n = Number(/calls=(\d+)/.exec(v)[1]);
    const name = k.replace('cmdstat_', '');
    if (name.startsWith('info') || name.startsWith('config')) continue; // the bench's own
    per[name] = n;
    calls += n;
  }
  const bytesIn = Number(st.total_net_input_bytes);
  const bytesOut = Number(st.total_net_output_bytes);
  const sizes = [];
  for (const s of list) sizes.push(Number(await redis.cmd('STRLEN', `skew:{bench}:snap:${s.id}`)));
  console.log(`\nRedis traffic over ${secs.toFixed(1)} s, 3 instances (${counts.join(' / ')} connections):`);
  console.log(`  commands per instance per second  ${(calls / secs / 3).toFixed(1)}   (${Object.entries(per).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  console.log(`  bytes to Redis per instance/s     ${(bytesIn / secs / 3 / 1024).toFixed(1)} KB`);
  console.log(`  bytes from Redis per instance/s   ${(bytesOut / secs / 3 / 1024).toFixed(1)} KB`);
  console.log(`  snapshot sizes                    ${sizes.map((x, i) => `${list[i].id} ${x} B (${counts[i]} conns)`).join(', ')}`);

  // ---- relay latency
  const sse = await a.sse({ route: '/relay' });
  const local = [];
  const relayed = [];
  for (let i = 0; i < 20; i++) await post(b, '/route', { connectionId: sse.id, route: `/w${i}` }); // warm-up
  for (let i = 0; i < RELAYS; i++) {
    local.push(await post(a, '/route', { connectionId: sse.id, route: `/l${i % 50}` }));
    relayed.push(await post(i % 2 ? b : c, '/route', { connectionId: sse.id, route: `/x${i % 50}` }));
  }
  local.sort((x, y) => x - y);
  relayed.sort((x, y) => x - y);
  console.log(`\nPOST {base}/route, ${RELAYS} each, sequential:`);
  console.log(`  relayed to the owner   p50 ${pct(relayed, 0.5).toFixed(2)} ms   p99 ${pct(relayed, 0.99).toFixed(2)} ms   max ${relayed[relayed.length - 1].toFixed(2)} ms`);
  console.log(`  answered locally       p50 ${pct(local, 0.5).toFixed(2)} ms   p99 ${pct(local, 0.99).toFixed(2)} ms`);
  await sse.close();

  // ---- kill -9 -> dropped from the view
  const drops = [];
  for (let k = 0; k < KILLS; k++) {
    const victim = await startInstance(kinds[2], redis, { id: `victim${k}`, cluster: 'bench', P, extraArgs });
    await eventually(async () => (await stats(a)).instances.some((e) => e.id === victim.id), { timeout: 4 * P + 3000, what: 'victim in view' });
    await sleep(Math.random() * P); // any phase of its period
    const tk = Date.now();
    await victim.kill();
    await eventually(async () => !(await stats(a)).instances.some((e) => e.id === victim.id), { timeout: 6 * P + 3000, interval: 10, what: 'victim dropped' });
    drops.push(Date.now() - tk);
  }
  console.log(`\nkill -9 -> dropped from another instance's view (${KILLS} runs): ${drops.map((d) => `${d} ms`).join(', ')}`);
  console.log(`  bound: 3P = ${3 * P} ms (readers skip instances that wrote nothing for 2P and read every P; the key's TTL is 3P)`);

  // ---- on paper: 100 instances x 20k connections
  const N = 100;
  const S = Math.max(...sizes); // a snapshot lists at most max_listed connections: its size is flat past that
  const cmdsPerInst = (N + 4) / (P / 1000);
  const outPerInst = ((N - 1) * S) / (P / 1000);
  const inPerInst = (S + 300 + (N - 1) * 60) / (P / 1000);
  console.log(`\nOn paper, ${N} instances x 20k connections, P = ${P} ms, snapshot ${S} B (its listed connections are capped: the size is flat past that):`);
  console.log(`  per instance: ${cmdsPerInst.toFixed(0)} commands/s, ${(inPerInst / 1024).toFixed(1)} KB/s to Redis, ${(outPerInst / 1048576).toFixed(2)} MB/s from Redis`);
  console.log(`  Redis total:  ${(cmdsPerInst * N).toFixed(0)} commands/s, ${(inPerInst * N / 1048576).toFixed(2)} MB/s in, ${(outPerInst * N / 1048576).toFixed(1)} MB/s out`);
} finally {
  for (const s of list) await s.kill().catch(() => {});
  await redis.stop();
  fs.rmSync(redis.dir, { recursive: true, force: true });
}
process.exit(0);
