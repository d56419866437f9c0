// Slow ("slowloris") requests and the descriptor limit (issue 17, item 1), on mongoose. A request
// must be complete within a deadline whatever its pace: 200 connections trickling a byte a second
// are ended by the server while a normal client's health check is answered within 1 s; with a
// low `ulimit -n` the filled server pauses accepting instead of spinning, and recovers.
// The lws server has its own test (h-lws); SKEW_E2E_SLOW_ALL=1 runs these against any server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  startServer, serverBinary, freePort, request, sleep, eventually, within, Server, HOST, TOKEN,
} from './lib/harness.mjs';

const onlyMongoose = !process.env.SKEW_E2E_SLOW_ALL && !/mongoose/.test(path.basename(serverBinary()));
const skip = onlyMongoose && 'mongoose only (lws: its own test); SKEW_E2E_SLOW_ALL=1 runs it here';

/** A connection that sends `head` at once (may be ''), then one byte of `drip` a second. */
function trickle(port, head, drip) {
  const c = { endedByServer: false, destroyedByUs: false, sent: 0 };
  const s = net.connect({ host: HOST, port });
  c.sock = s;
  s.on('error', () => { if (!c.destroyedByUs) c.endedByServer = true; });
  s.on('end', () => { c.endedByServer = true; });
  s.on('close', () => { if (!c.destroyedByUs) c.endedByServer = true; clearInterval(c.timer); });
  s.on('data', () => {}); // an answer (408, 400) is fine: what counts is the close
  s.on('connect', () => {
    if (head) s.write(head);
    c.timer = setInterval(() => {
      if (s.destroyed || !s.writable) return;
      s.write(drip[c.sent++ % drip.length]);
    }, 1000);
  });
  c.connected = new Promise((r) => { s.on('connect', r); s.on('close', r); });
  c.stop = () => { c.destroyedByUs = true; clearInterval(c.timer); s.destroy(); };
  return c;
}

const bodyHead = (base, len) =>
  `POST ${base}/route HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n`;
const unfinishedHead = (base) => `GET ${base}/health HTTP/1.1\r\nHost: ${HOST}\r\n`;

/** utime + stime of pid, in clock ticks (100 a second on Linux). */
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // fields 14 and 15 of the line
}

async function timedHealth(srv, timeout) {
  const t0 = Date.now();
  try {
    const r = await request(srv, 'GET', srv.path('/health'), { timeout });
    return { ms: Date.now() - t0, status: r.status };
  } catch (e) {
    return { ms: Date.now() - t0, error: e.message };
  }
}

test('200 trickling requests are ended; health answered within 1 s throughout', { skip, timeout: 40000 }, async () => {
  const srv = await startServer({});
  const conns = [];
  try {
    const base = srv.base;
    for (let i = 0; i < 120; i++) conns.push(trickle(srv.port, bodyHead(base, 3000), '{"type":"route"'));
    for (let i = 0; i < 80; i++) conns.push(trickle(srv.port, unfinishedHead(base), 'X-Slow: aaaaaaaaaa'));
    const t0 = Date.now();
    await within(5000, Promise.all(conns.map((c) => c.connected)), 'the 200 connections are made');
    const checks = [];
    while (Date.now() - t0 < 25000) {
      checks.push(await timedHealth(srv, 3000));
      await sleep(500);
    }
    const bad = checks.filter((c) => c.status !== 200 || c.ms > 1000);
    const worst = Math.max(...checks.map((c) => c.ms));
    const ended = conns.filter((c) => c.endedByServer).length;
    console.log(`# ${checks.length} health checks, worst ${worst} ms; ${ended}/200 trickling connections ended by the server`);
    assert.deepEqual(bad, [], `health checks slower than 1 s or failed (of ${checks.length})`);
    assert.ok(ended >= 180, `only ${ended} of 200 trickling connections were ended by the server after 25 s`);
    // the reaped ones are counted in /metrics
    const m = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(m.status, 200);
    const v = /^skew_defence_slow_requests_reaped_total (\d+)$/m.exec(m.text);
    assert.ok(v, `no skew_defence_slow_requests_reaped_total in /metrics:\n${m.text.slice(-800)}`);
    assert.ok(Number(v[1]) >= 180, `slow requests reaped: ${v[1]}`);
  } finally {
    for (const c of conns) c.stop();
    await srv.stop();
  }
});

test('at the descriptor limit: accepting pauses (no spinning), the server recovers', { skip, timeout: 40000 }, async () => {
  const bin = serverBinary();
  const port = await freePort();
  const args = ['--host', HOST, '--port', String(port), '--base', '/__skew', '--admin-token', TOKEN];
  // a hard limit of 64 descriptors: the server cannot raise it (skew_ex_tune_fd_limit)
  const srv = new Server('/bin/sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', bin, ...args], port, { base: '/__skew' });
  const conns = [];
  try {
    await srv.waitHealthy();
    for (let i = 0; i < 90; i++) conns.push(trickle(port, unfinishedHead('/__skew'), 'X-Slow: aaaaaaaaaa'));
    await sleep(2000); // filled: the rest wait in the listen backlog
    const c0 = cpuTicks(srv.pid);
    const h = await timedHealth(srv, 3000); // cannot be accepted now: waits in the backlog
    await sleep(Math.max(0, 3000 - h.ms));
    const used = (cpuTicks(srv.pid) - c0) / 100 / 3; // cores busy over those 3 s
    console.log(`# filled: server CPU ${(used * 100).toFixed(1)} % of a core over 3 s; health then: ${JSON.stringify(h)}`);
    assert.ok(used < 0.15, `the server spins at the descriptor limit: ${(used * 100).toFixed(1)} % of a core`);
    // the trickling requests reach their deadline, descriptors free up, new clients get in
    const t0 = Date.now();
    await eventually(async () => (await timedHealth(srv, 1000)).status === 200,
      { timeout: 25000, interval: 250, what: 'health answered after the slow requests were reaped' });
    console.log(`# recovered: health answered ${Date.now() - t0} ms after the spin check`);
    for (const c of conns) c.stop();
    await eventually(async () => (await timedHealth(srv, 1000)).status === 200, { timeout: 5000, what: 'health' });
  } finally {
    for (const c of conns) c.stop();
    await srv.stop();
  }
});
