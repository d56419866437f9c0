// Issue 20 item 3: --redis-sentinel / --redis-master. One master, one replica, three sentinels
// (with a password) on free loopback ports; the instances find the master through the sentinels;
// the master is killed; after the promotion every instance is "ok" again within 10 s, the
// cluster's build is kept, nothing crashes, one log line per change; an address that is not a
// master (the replica) is never written to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startRedis, startInstance, threeKinds, stopAll, clusterShows, stats, sleep, eventually, respCommand, freePort, HOST } from './lib.mjs';

const SENT_PASS = 'sentinel-secret';
const haveSentinelBin = spawnSync('sh', ['-c', 'command -v redis-sentinel'], { stdio: 'ignore' }).status === 0;
if (!haveSentinelBin && process.env.CI === 'true') throw new Error('redis-sentinel not installed (Debian: redis-sentinel)');

async function startSentinel(masterPort, dir) {
  const port = await freePort();
  const conf = path.join(dir, `sentinel-${port}.conf`);
  fs.writeFileSync(conf, [
    `port ${port}`, `bind ${HOST}`, `dir ${dir}`, 'daemonize no',
    `requirepass ${SENT_PASS}`, // clients (and the other sentinels) authenticate
    `sentinel monitor mm ${HOST} ${masterPort} 2`,
    'sentinel down-after-milliseconds mm 1000',
    'sentinel failover-timeout mm 4000',
    `sentinel sentinel-pass ${SENT_PASS}`,
    '',
  ].join('\n'));
  // Debian's redis-sentinel is redis-server in sentinel mode; without the package (outside CI)
  // the same binary runs with --sentinel
  const [bin, args] = haveSentinelBin ? ['redis-sentinel', [conf]] : ['redis-server', [conf, '--sentinel']];
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out = (out + d).slice(-8192); });
  proc.stderr.on('data', (d) => { out = (out + d).slice(-8192); });
  const s = { port, proc, exited: new Promise((r) => proc.on('exit', r)), out: () => out };
  await eventually(async () => (await respCommand(port, ['PING'], SENT_PASS).catch(() => null)) === 'PONG',
    { timeout: 5000, what: `sentinel on ${port}` });
  return s;
}

const masterOf = async (s) => respCommand(s.port, ['SENTINEL', 'get-master-addr-by-name', 'mm'], SENT_PASS).catch(() => null);

test('sentinel: the master found, followed through a failover; never a replica written to', { timeout: 120000 }, async () => {
  const master = await startRedis();
  const replica = await startRedis({ extra: ['--replicaof', HOST, String(master.port)] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-sentinel-'));
  const sentinels = [];
  const list = [];
  try {
    await eventually(async () => /master_link_status:up/.test(await replica.cmd('INFO', 'replication')),
      { timeout: 10000, what: 'replica in sync' });
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(master.port, dir));
    await eventually(async () => {
      const r = await respCommand(sentinels[0].port, ['SENTINEL', 'replicas', 'mm'], SENT_PASS).catch(() => []);
      const s = await respCommand(sentinels[0].port, ['SENTINEL', 'sentinels', 'mm'], SENT_PASS).catch(() => []);
      return r.length === 1 && s.length === 2;
    }, { timeout: 20000, what: 'sentinels see the replica and each other' });

    const sentArgs = sentinels.flatMap((s) => ['--redis-sentinel', `${HOST}:${s.port}`]).concat(['--redis-master', 'mm']);
    const kinds = threeKinds();
    for (let i = 0; i < 2; i++) {
      list.push(await startInstance(kinds[i], `redis://${HOST}:1`, { // --redis gives nothing but user/db here
        id: `s${i}`, cluster: 'sent', extraArgs: sentArgs, env: { SKEW_REDIS_SENTINEL_PASSWORD: SENT_PASS },
      }));
    }
    const [a, b] = list;
    await a.sse({ route: '/x' });
    await b.ws({ route: '/y' });
    await clusterShows(list, 2, 2, 15000);
    // a cluster build decided before the failover
    const push = await a.admin('/admin/version', { version: 'v7' });
    assert.equal(push.status, 200, push.text);
    await eventually(async () => (await b.health()).json?.version === 'v7', { timeout: 5000, what: 'v7 on b' });
    assert.match(String(await master.cmd('GET', 'skew:{sent}:current')), / v7$/);
    await eventually(async () => / v7$/.test(String(await replica.cmd('GET', 'skew:{sent}:current'))),
      { timeout: 5000, what: 'replicated' });

    // the master dies; the sentinels promote the replica; every instance is ok again within 10 s
    await master.stop();
    const tKill = Date.now();
    await eventually(async () => {
      const m = await masterOf(sentinels[0]);
      return Array.isArray(m) && Number(m[1]) === replica.port;
    }, { timeout: 30000, interval: 100, what: 'promotion' });
    const tPromo = Date.now();
    await clusterShows(list, 2, 2, 10000);
    const tOk = Date.now();
    console.log(`# kill -9 master -> promotion ${tPromo - tKill} ms, promotion -> view ok ${tOk - tPromo} ms`);
    assert.match(String(await replica.cmd('GET', 'skew:{sent}:current')), / v7$/, 'the cluster build is kept');
    for (const s of list) assert.equal((await s.health()).json?.version, 'v7', `${s.id}: still on the cluster build`);
    assert.equal(await replica.cmd('EXISTS', 'skew:{sent}:snap:s0'), 1, 'snapshots written to the new master');

    // one log line per change: two master lines (first, after the switch), one degraded, two up
    for (const s of list) {
      const out = s.output();
      const masters = out.split('\n').filter((l) => /cluster: sentinel: master mm at/.test(l));
      assert.equal(masters.length, 2, `${s.id}: master lines\n${out.slice(-3000)}`);
      assert.match(masters[1], new RegExp(`:${replica.port}$`));
      assert.ok(out.split('\n').filter((l) => /cluster: degraded/.test(l)).length <= 1, `${s.id}: one degraded line\n${out.slice(-3000)}`);
    }

    // a sentinel that names a replica (misconfigured, or a failover half done): ROLE says so,
    // nothing is written there, the instance stays degraded with one clear line. The liar is a
    // few lines of RESP here: real sentinels only name the master.
    const replica2 = await startRedis({ extra: ['--replicaof', HOST, String(replica.port)] });
    const liar = net.createServer((sk) => {
      let buf = '';
      sk.on('data', (d) => {
        buf += d;
        if (/get-master-addr-by-name/i.test(buf)) { buf = ''; sk.write(`*2\r\n$${HOST.length}\r\n${HOST}\r\n$${String(replica2.port).length}\r\n${replica2.port}\r\n`); }
        else if (/SUBSCRIBE/i.test(buf)) { buf = ''; sk.write('*3\r\n$9\r\nsubscribe\r\n$14\r\n+switch-master\r\n:1\r\n'); }
        else if (/AUTH/i.test(buf) && /\r\n$/.test(buf) && buf.split('\r\n').length >= 6) { buf = ''; sk.write('+OK\r\n'); }
      });
      sk.on('error', () => {});
    });
    await new Promise((r) => liar.listen(0, HOST, r));
    try {
      const r0 = await startInstance(kinds[2], `redis://${HOST}:1`, {
        id: 'toreplica', cluster: 'sent2', extraArgs: ['--redis-sentinel', `${HOST}:${liar.address().port}`, '--redis-master', 'mm'],
      });
      list.push(r0);
      await eventually(async () => /is not a master \(ROLE slave\)/.test(r0.output()), { timeout: 5000, what: 'ROLE line' });
      assert.equal((await stats(r0)).cluster, 'degraded');
      await sleep(500);
      assert.deepEqual(await replica.cmd('KEYS', 'skew:{sent2}:*'), [], 'nothing written for the refused instance');
      assert.equal(r0.output().split('\n').filter((l) => /cluster: degraded/.test(l)).length, 1, r0.output().slice(-2000));
    } finally {
      liar.close();
      await replica2.stop();
      fs.rmSync(replica2.dir, { recursive: true, force: true });
    }

    // a sentinel password that is wrong: degraded with a clear line, no crash
    const bad = await startInstance(kinds[2], `redis://${HOST}:1`, {
      id: 'badpass', cluster: 'sent', extraArgs: sentArgs, env: { SKEW_REDIS_SENTINEL_PASSWORD: 'wrong' },
    });
    list.push(bad);
    await eventually(async () => /sentinel authentication refused/.test(bad.output()), { timeout: 5000, what: 'auth line' });
    assert.equal((await stats(bad)).cluster, 'degraded');
  } finally {
    try { await stopAll(list); } finally {
      for (const s of sentinels) s.proc.kill('SIGKILL');
      await master.stop();
      await replica.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(master.dir, { recursive: true, force: true });
      fs.rmSync(replica.dir, { recursive: true, force: true });
    }
  }
});
