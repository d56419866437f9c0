// The listening socket. Both servers bind exactly the --host address (IPv6 v6-only: a server on
// ::1 is not reachable on 127.0.0.1, nor the other way round) and serve streams on it; the lws
// server, whose adapter accepts itself on libev (examples/lws/README.md, "Accepting"), rests its
// listener when accept() runs out of descriptors instead of spinning, and counts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  withServer, rawSocket, request, serverBinary, eventually, sleep, idleCpuShare,
} from './lib/harness.mjs';

const isLws = /lws/.test(path.basename(serverBinary()));

/** Can this machine bind `host` (no IPv6 loopback on some CI machines)? */
function canBind(host) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, host, () => s.close(() => resolve(true)));
  });
}

/** The error code a TCP connect to host:port ends with, or 'connected'. */
function connectOutcome(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, 3000);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve('connected'); });
    s.once('error', (e) => { clearTimeout(t); resolve(e.code); });
  });
}

for (const [host, other] of [['::1', '127.0.0.1'], ['127.0.0.1', '::1']]) {
  test(`--host ${host}: streams there, nothing on ${other}`, { timeout: 30000 }, async (t) => {
    if (!(await canBind('::1'))) return t.skip('no IPv6 loopback on this machine');
    await withServer({ host }, async (srv) => {
      const w = await srv.ws();
      assert.match(w.connectedRaw, /^\{"type":"connected"/, `a WebSocket over ${host}`);
      const s = await srv.sse();
      assert.match(s.connectedRaw, /^\{"type":"connected"/, `an SSE stream over ${host}`);
      assert.equal(await connectOutcome(other, srv.port), 'ECONNREFUSED', `the port on ${other}`);
    });
  });
}

// The descriptor limit lowered below the descriptors already open: every accept() fails with
// EMFILE while the listener stays readable. The lws adapter rests its listener LISTEN_RESUME_S at
// a time (counted as skew_lws_accept_paused_total) instead of spinning; once the limit is back the
// connections that waited in the backlog are served.
test('lws: accept() out of descriptors rests the listener, then serves the backlog', { timeout: 30000, skip: !isLws && 'lws listener' },
  () => withServer({}, async (srv) => {
    const idle = [];
    for (let i = 0; i < 40; i++) idle.push(await rawSocket(srv));
    await eventually(async () => (await request(srv, 'GET', srv.path('/health')).catch(() => ({}))).status === 200,
      { what: 'health with 40 idle sockets' });
    execFileSync('prlimit', ['--pid', String(srv.pid), '--nofile=24:']); // soft limit only
    try {
      const waiting = [];
      // (settled here: a rejection never goes unhandled when an assertion below fails first)
      for (let i = 0; i < 3; i++) waiting.push(request(srv, 'GET', srv.path('/health'), { timeout: 4000 }).then((r) => r.status, (e) => e.message));
      await sleep(300);
      const share = await idleCpuShare(srv, 1500);
      assert.ok(share < 0.5, `out of descriptors the server uses ${(share * 100).toFixed(0)} % of a core`);
      execFileSync('prlimit', ['--pid', String(srv.pid), '--nofile=4096:']);
      const answered = await Promise.all(waiting);
      assert.deepEqual(answered, [200, 200, 200], 'the connections that waited are answered once the limit is back');
    } finally {
      execFileSync('prlimit', ['--pid', String(srv.pid), '--nofile=4096:']);
    }
    for (const c of idle) await c.close();
    const m = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${srv.token}` } });
    assert.equal(m.status, 200);
    const paused = Number((m.text.match(/^skew_lws_accept_paused_total (\d+)$/m) || [])[1]);
    assert.ok(paused >= 1, `skew_lws_accept_paused_total ${paused}`);
  }));
