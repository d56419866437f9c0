#!/usr/bin/env node
// Cluster scale benchmark (not a test): how Redis and each instance fare as the cluster grows.
// For each N: a real redis-server, N - 1 simulated instances (build/cluster_sim: real cluster
// links, real snapshots of --conns connections over --routes routes, only the merge skipped)
// and one real lws server (id "real") among them. Over a window it prints:
//   Redis bytes out/s and in/s (INFO stats), Redis CPU (INFO cpu, sys + user per second),
//   CPU per simulated instance and of the real server (/proc), the longest cluster-work slice
//   on the real server's loop (SKEW_CLUSTER_TRACE=1 log lines), the view age p99 (the real
//   server's skew_cluster_instance_age_ms over the window), and how many instances it shows;
//   where the age comes from: each snapshot's age when the aggregator merged it (the view's
//   rows) and the phase of P the view was made at (rounds start at phase 0: the round's length).
//
//   node bench/cluster-scale/bench.mjs [--n 10,100,1000] [--interval-ms 2000] [--window-s 12] [--reads view|all]
//        [--dashboards 0,1,10]
//        [--conns 20000] [--routes 1000] [--listed 1000] [--sims 1] [--settle-s 0]
import { startRedis, startInstance, stopAll, metrics, stats, sleep, HOST } from '../../tests/cluster/lib.mjs';
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};
const NS = String(opt('n', '10,100,1000')).split(',').map(Number);
const P = Number(opt('interval-ms', 2000));
const WINDOW_S = Number(opt('window-s', 12));
const CONNS = Number(opt('conns', 20000));
const ROUTES = Number(opt('routes', 1000));
const LISTED = Number(opt('listed', 1000));
const SIMS = Number(opt('sims', 1));
const DASHBOARDS = String(opt('dashboards', '0')).split(',').map(Number); // GET admin/stats pollers on the real server // simulator processes (the simulated instances split between them)
// --reads view (the aggregator's view) or all (every instance reads every snapshot: before)
const READS = String(opt('reads', 'view'));
// --max-instances M: the real server shows M others (default N + 8: all of them)
const MAXI = Number(opt('max-instances', 0));
const SIM = process.env.SKEW_CLUSTER_SIM || 'build/cluster_sim';
const [SERVER] = (process.env.SKEW_CLUSTER_SERVERS || 'build/skew_server_lws').split(/\s+/);

const info = async (redis, section) => Object.fromEntries((await redis.cmd('INFO', section)).split('\r\n')
  .filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
const cpuOf = (pid) => { // seconds of CPU (user + system) of a process so far
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch { return 0; }
};
const pct = (a, q) => (a.length ? a[Math.min(a.length - 1, Math.floor(q * a.length))] : NaN);
const mb = (b) => (b / 1e6).toFixed(2);

function startSim(redis, cluster, n, first, watchers) {
  const proc = spawn(SIM, ['--redis', redis.url, '--cluster', cluster, '--n', String(n), '--first', String(first),
    '--interval-ms', String(P), '--conns', String(CONNS), '--routes', String(ROUTES), '--listed', String(LISTED),
    '--max-instances', String(Math.max(128, n + 8)), '--reads', READS, '--watchers', String(watchers)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const s = { proc, out: '', head: '', views: 0 };
  proc.stdout.on('data', (d) => {
    if (s.head.length < 4096) s.head += d;
    s.out = (s.out + d).slice(-8192);
    const m = [...s.out.matchAll(/^views (\d+)$/gm)].pop();
    if (m) s.views = Number(m[1]);
  });
  proc.stderr.on('data', (d) => { s.out = (s.out + d).slice(-8192); });
  s.exited = new Promise((r) => proc.on('exit', r));
  return s;
}

async function runOne(redis, N, dashboards) {
  const cluster = `scale${N}`;
  const sims = [];
  const others = N - 1;
  const per = Math.ceil(others / SIMS);
  // D dashboards: one on the real server (GET admin/stats pollers), D - 1 on simulated instances
  for (let k = 0, first = 1; first <= others; k++, first += per) {
    sims.push(startSim(redis, cluster, Math.min(per, others - first + 1), first, k === 0 ? Math.max(0, dashboards - 1) : 0));
  }
  let real;
  const row = { N, dashboards };
  let polling = true;
  const pollers = [];
  try {
    real = await startInstance(SERVER, redis, {
      id: 'real', cluster, P, env: { SKEW_CLUSTER_TRACE: '1' },
      extraArgs: ['--cluster-max-instances', String(MAXI || Math.max(128, N + 8)), '--cluster-reads', READS],
    });
    // the view fills (or stops growing: a design that cannot keep up)
    const t0 = Date.now();
    let shown = 0;
    while (Date.now() - t0 < 4 * P + 20000) {
      // /metrics, not admin/stats: a GET admin/stats is a dashboard looking (connections listed)
      shown = Number(/^skew_cluster_instances (\d+)/m.exec(await metrics(real).catch(() => '')) ?.[1] || 0);
      if (shown >= N) break;
      await sleep(500);
    }
    row.shownAtStart = shown;
    // a dashboard: the admin page polls GET admin/stats once a second
    for (let d = 0; d < dashboards; d++) {
      pollers.push((async () => { while (polling) { await stats(real).catch(() => null); await sleep(1000); } })());
    }
    if (dashboards) await sleep(3 * P); // the watch key reaches everyone
    // the window is whole periods from phase P/2 of the wall clock (rounds start at phase 0, the
    // view reads follow within P/8, the writes come at 5P/8..7P/8): every window holds the same
    // number of each, so bytes per second do not jump by a period's worth (+-20 % in 10 s)
    const periods = Math.max(1, Math.round((WINDOW_S * 1000) / P));
    await sleep((P / 2 - (Date.now() % P) + P) % P);
    await redis.cmd('CONFIG', 'RESETSTAT');
    const cpu0 = await info(redis, 'cpu');
    const simCpu0 = sims.map((s) => cpuOf(s.proc.pid));
    const realCpu0 = cpuOf(real.proc.pid);
    const slices = [];
    const onLog = (d) => { for (const m of String(d).matchAll(/cluster: work ([\d.]+) ms \((\w+), (\d+)\)/g)) slices.push(Number(m[1])); };
    const viewSlices = []; // the view's slices alone (it is taken in parts), and per kind
    const kinds = {};
    const onView = (d) => {
      for (const m of String(d).matchAll(/cluster: work ([\d.]+) ms \((view\w*), (\d+)\)(?: cpu ([\d.]+) ms)?/g)) {
        viewSlices.push(Number(m[1]));
        (kinds[m[2]] ||= []).push(Number(m[1]));
        if (m[4]) (kinds[`${m[2]} cpu`] ||= []).push(Number(m[4])); // the thread's CPU time: no preemption
      }
    };
    real.proc.stdout.on('data', onView);
    real.proc.stderr.on('data', onView);
    real.proc.stdout.on('data', onLog);
    real.proc.stderr.on('data', onLog);
    const views0 = sims.reduce((a, s) => a + s.views, 0);
    let maxShown = 0;
    const w0 = Date.now();
    const ages = [];
    const merged = [];
    const rounds = []; // a round starts at phase 0 (skcl_agg_write_in): made_ms mod P is its duration
    let lastSeq = '';
    let minShown = Infinity;
    const wEnd = w0 + periods * P;
    while (Date.now() < wEnd) {
      const text = await metrics(real).catch(() => '');
      for (const m of text.matchAll(/^skew_cluster_instance_age_ms\{instance="([^"]*)"[^}]*\} (\d+)/gm)) {
        if (m[1] !== 'real') ages.push(Number(m[2]));
      }
      // where a row's age comes from: its snapshot's age when the aggregator merged it (the view's
      // "i" lines: made_ms - at) and the view's own age (now - made_ms) when the real server reads it
      const view = String(await redis.cmd('GET', `skew:{${cluster}}:view`).catch(() => '') || '');
      const head = /^skew-view 1 (\d+) (\d+)/.exec(view);
      if (head) {
        if (head[1] !== lastSeq) { lastSeq = head[1]; rounds.push(Number(head[2]) % P); merged.push(...[...view.matchAll(/^i \S+ \d+ (-?\d+) /gm)].map((m) => Number(m[1]))); }
      }
      const k = /^skew_cluster_instances (\d+)/m.exec(text);
      if (k) { minShown = Math.min(minShown, Number(k[1])); maxShown = Math.max(maxShown, Number(k[1])); }
      // about once a second, at random phases: the rows' ages rise and fall once a period, and
      // samples locked to the period (the window starts at a fixed phase) would see one part
      await sleep(Math.max(0, Math.min(500 + Math.random() * 1000, wEnd - Date.now())));
    }
    const secs = (Date.now() - w0) / 1000;
    const st = await info(redis, 'stats');
    const cpu1 = await info(redis, 'cpu');
    const redisCpu = (Number(cpu1.used_cpu_sys) + Number(cpu1.used_cpu_user) - Number(cpu0.used_cpu_sys) - Number(cpu0.used_cpu_user)) / secs;
    const simCpu = sims.reduce((a, s, i) => a + cpuOf(s.proc.pid) - simCpu0[i], 0) / secs;
    const realCpu = (cpuOf(real.proc.pid) - realCpu0) / secs;
    real.proc.stdout.off('data', onLog);
    real.proc.stderr.off('data', onLog);
    real.proc.stdout.off('data', onView);
    real.proc.stderr.off('data', onView);
    viewSlices.sort((a, b) => a - b);
    row.viewSlices = { n: viewSlices.length, p50: pct(viewSlices, 0.5), max: viewSlices.length ? viewSlices[viewSlices.length - 1] : 0 };
    row.viewKinds = Object.entries(kinds).map(([k, a]) => { a.sort((x, y) => x - y); return `${k} ${a.length}: p50 ${pct(a, 0.5)}, max ${a[a.length - 1]} ms`; }).join('; ');
    const viewsDone = sims.reduce((a, s) => a + s.views, 0) - views0;
    ages.sort((a, b) => a - b);
    merged.sort((a, b) => a - b);
    rounds.sort((a, b) => a - b);
    Object.assign(row, {
      outMBs: Number(st.total_net_output_bytes) / secs, inMBs: Number(st.total_net_input_bytes) / secs,
      redisCpu, simCpuPer: others ? simCpu / others : 0, realCpu,
      slice: slices.length ? Math.max(...slices) : 0, slices: slices.length,
      ageP99: pct(ages, 0.99), ageP50: pct(ages, 0.5), mergedP50: pct(merged, 0.5), mergedP99: pct(merged, 0.99), mergedMax: merged.length ? merged[merged.length - 1] : NaN, roundP50: pct(rounds, 0.5), roundMax: rounds.length ? rounds[rounds.length - 1] : NaN, shown: minShown === Infinity ? 0 : minShown,
      ops: Number(st.instantaneous_ops_per_sec), maxShown,
      readsDone: viewsDone / secs, readsDue: others / (P / 1000),
    });
    const snap = /snapshot (\d+) bytes/.exec(sims[0]?.head || '');
    row.snapBytes = snap ? Number(snap[1]) : 0;
  } finally {
    polling = false;
    await Promise.all(pollers);
    for (const s of sims) s.proc.kill('SIGTERM');
    await Promise.all(sims.map((s) => Promise.race([s.exited, sleep(5000).then(() => s.proc.kill('SIGKILL'))])));
    if (real) await stopAll([real]).catch((e) => console.log(`# real server: ${e.message.split('\n')[0]}`));
    await redis.cmd('FLUSHALL');
  }
  return row;
}

const redis = await startRedis({ extra: ['--maxclients', '10000'] });
try {
  const ver = (await info(redis, 'server')).redis_version;
  console.log(`cluster-scale bench (--reads ${READS}): P = ${P} ms, ${CONNS} connections and ${ROUTES} routes per simulated instance (${LISTED} listed), window ${WINDOW_S} s, redis-server ${ver}, ${SIMS} simulator process(es), real server ${SERVER.split('/').pop()} (a few connections of its own)`);
  console.log('');
  console.log('|     N | dashboards | Redis out MB/s | Redis in MB/s | Redis CPU | CPU per sim. instance | real server CPU | longest cluster slice (real loop) | view age p50 / p99 | snapshot age at merge p50 / p99 / max | view made at phase p50 / max | instances shown min-max | views read by the sims per s (due) | snapshot bytes |');
  console.log('|------:|-----------:|---------------:|--------------:|----------:|----------------------:|----------------:|----------------------------------:|-------------------:|--------------------------------------:|-----------------------------:|------------------------:|-----------------------------------:|---------------:|');
  for (const N of NS) for (const D of DASHBOARDS) {
    const r = await runOne(redis, N, D);
    console.log(`| ${String(N).padStart(5)} | ${String(D).padStart(10)} | ${mb(r.outMBs).padStart(14)} | ${mb(r.inMBs).padStart(13)} | ${(100 * r.redisCpu).toFixed(0).padStart(8)}% | ${(100 * r.simCpuPer).toFixed(2).padStart(20)}% | ${(100 * r.realCpu).toFixed(1).padStart(14)}% | ${r.slice.toFixed(2).padStart(30)} ms | ${String(r.ageP50).padStart(7)} / ${String(r.ageP99).padStart(6)} ms | ${`${r.mergedP50} / ${r.mergedP99} / ${r.mergedMax} ms`.padStart(37)} | ${`${r.roundP50} / ${r.roundMax} ms`.padStart(28)} | ${String(r.shown).padStart(9)}-${String(r.maxShown).padEnd(4)} of ${String(N).padStart(4)} | ${r.readsDone.toFixed(1).padStart(16)} (${r.readsDue.toFixed(1)}) | ${String(r.snapBytes).padStart(14)} |`);
    console.log(`#   N = ${N}, dashboards ${D}: view slices (of >= 0.1 ms) ${r.viewSlices.n}, p50 ${r.viewSlices.p50} ms, longest ${r.viewSlices.max} ms (${r.viewKinds})`);
  }
} finally {
  await redis.stop();
  fs.rmSync(redis.dir, { recursive: true, force: true });
}
