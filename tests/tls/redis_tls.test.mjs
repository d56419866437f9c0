// Redis over TLS the way the README says: hiredis 0.14 has no TLS, so a Debian stunnel4 sidecar in
// client mode sits in front of a redis-server that listens on TLS only (tls-port, port 0). Two
// instances (SKEW_SERVER_LWS and SKEW_SERVER_MONGOOSE) join through it with
// --redis redis://127.0.0.1:<stunnel port> and show the cluster's true totals. Also: rediss://
// is refused with a message naming that alternative; an instance pointed straight at the TLS port
// never joins (proves the cleartext link cannot reach Redis without the sidecar).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST, eventually, freePort, makeCa, makeLeaf, needTool, openSse, openWs, startProc, stats, tmpDir, waitHealthy,
} from './lib.mjs';

const BASE = '/__skew';
const TOKEN = 'redis-tls-admin-token-0123456789';
const SERVERS = [process.env.SKEW_SERVER_LWS, process.env.SKEW_SERVER_MONGOOSE];

async function startInstance(bin, redisPort, id) {
  const port = await freePort();
  const p = startProc(bin, ['--host', HOST, '--port', String(port), '--base', BASE, '--build-id', 'v1',
    '--stats-interval-ms', '0', '--redis', `redis://127.0.0.1:${redisPort}`, '--cluster', 'tls',
    '--instance-id', id, '--cluster-interval-ms', '300'], { env: { SKEW_ADMIN_TOKEN: TOKEN } });
  p.origin = `http://${HOST}:${port}`;
  await waitHealthy(p.origin, BASE, p);
  return p;
}

test('Redis over TLS through a stunnel4 sidecar: two instances, true totals', { timeout: 60000 }, async (t) => {
  for (const s of SERVERS) assert.ok(s && fs.existsSync(s), `server binary ${s}`);
  const redisBin = needTool('redis-server');
  const stunnelBin = needTool('stunnel4', ['/usr/bin/stunnel4', '/usr/bin/stunnel']);
  const dir = tmpDir('redis-tls');
  const ca = makeCa(dir);
  const leaf = makeLeaf(ca, 'redis');
  const procs = [];
  const clients = [];
  t.after(async () => {
    for (const c of clients) c.close();
    for (const p of procs.reverse()) await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // redis-server: TLS only, no cleartext port, no persistence
  const tlsPort = await freePort();
  const redis = startProc(redisBin, ['--port', '0', '--tls-port', String(tlsPort), '--bind', HOST,
    '--tls-cert-file', leaf.cert, '--tls-key-file', leaf.key, '--tls-ca-cert-file', ca.ca,
    '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no', '--dir', dir]);
  procs.push(redis);
  await eventually(() => /Ready to accept connections/.test(redis.out), 'redis-server up', 8000);

  // stunnel4, client mode: cleartext on a loopback port, TLS to redis with the CA checked
  const stPort = await freePort();
  const conf = path.join(dir, 'stunnel.conf');
  fs.writeFileSync(conf, [
    'foreground = yes', 'pid =', 'debug = notice', `[redis]`, 'client = yes',
    `accept = 127.0.0.1:${stPort}`, `connect = 127.0.0.1:${tlsPort}`,
    `CAfile = ${ca.ca}`, 'verifyChain = yes', 'checkIP = 127.0.0.1', '',
  ].join('\n'));
  const stunnel = startProc(stunnelBin, [conf]);
  procs.push(stunnel);
  await eventually(() => /Configuration successful|Service \[redis\]/.test(stunnel.out), 'stunnel up', 8000);

  await t.test('rediss:// is refused, naming the stunnel sidecar', () => {
    const r = spawnSync(SERVERS[0], ['--redis', `rediss://127.0.0.1:${tlsPort}`], { encoding: 'utf8', timeout: 5000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /hiredis 0\.14/);
    assert.match(r.stderr, /stunnel4/);
  });

  const a = await startInstance(SERVERS[0], stPort, 'lws-a');
  procs.push(a);
  const b = await startInstance(SERVERS[1], stPort, 'mg-b');
  procs.push(b);

  await t.test('two SSE on lws, three WS on mongoose: both show 5 over 2 instances', async () => {
    for (let i = 0; i < 2; i++) clients.push(await openSse(`${a.origin}${BASE}/sse`));
    for (let i = 0; i < 3; i++) clients.push(await openWs(`${b.origin.replace('http', 'ws')}${BASE}/ws`));
    for (const p of [a, b]) {
      await eventually(async () => {
        const j = await stats(p.origin, BASE, TOKEN);
        const inst = Object.fromEntries((j.instances || []).map((e) => [e.id, e.total]));
        if (j.total !== 5 || inst['lws-a'] !== 2 || inst['mg-b'] !== 3) throw new Error(JSON.stringify({ total: j.total, inst }));
        return true;
      }, `cluster totals on ${p.origin}`, 10000);
    }
  });

  await t.test('an instance pointed at the TLS port itself never joins', async () => {
    const port = await freePort();
    const c = startProc(SERVERS[0], ['--host', HOST, '--port', String(port), '--base', BASE, '--build-id', 'v1',
      '--redis', `redis://127.0.0.1:${tlsPort}`, '--cluster', 'tls', '--instance-id', 'plain-c',
      '--cluster-interval-ms', '300'], { env: { SKEW_ADMIN_TOKEN: TOKEN } });
    procs.push(c);
    await waitHealthy(`http://${HOST}:${port}`, BASE, c);
    clients.push(await openSse(`http://${HOST}:${port}${BASE}/sse`));
    await new Promise((r) => setTimeout(r, 1500)); // 5 cluster periods
    const j = await stats(a.origin, BASE, TOKEN);
    assert.equal(j.total, 5, 'the cleartext instance is not in the cluster');
    assert.ok(!(j.instances || []).some((e) => e.id === 'plain-c'));
  });
});
