// Hostile clients (issue 17): pipelined bodies, ambiguous request framing, oversized bodies and
// heads, slow requests, nosniff, WebSocket close frames. Tests run against both servers
// (tests/e2e/run.sh lws|mongoose) except those named "lws" or skipped as an lws item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  withServer, rawSocket, rawWs, wsFrame, parseFrames, sleep, within, eventually, serverBinary, HOST, CHROME_UA,
  cpuSeconds, idleCpuShare,
} from './lib/harness.mjs';

const isLws = /lws/.test(path.basename(serverBinary()));

/** Send raw bytes on a new connection; collect what comes back until the server closes or
    `wait` ms pass. Returns {text, closed}. */
async function exchange(srv, bytes, wait = 2000) {
  const c = await rawSocket(srv);
  c.write(Buffer.from(bytes, 'latin1'));
  await Promise.race([c.closed, sleep(wait)]);
  const out = { text: c.text(), closed: c.closedFlag };
  await c.close();
  return out;
}

const statusLines = (text) => [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));

async function assertHealthy(srv, what) {
  const r = await within(2000, srv.health(), `${what}: health check`);
  assert.equal(r.status, 200, `${what}: health ${r.status}`);
}

test('a request with a body pipelined behind another leaves the server idle and answering', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const attacks = {
      'GET then POST with a body':
        'GET /__skew/health HTTP/1.1\r\nHost: x\r\n\r\nPOST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
      'two POSTs with bodies':
        'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}' +
        'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
    };
    for (const [what, bytes] of Object.entries(attacks)) {
      const r = await exchange(srv, bytes, 1500);
      assert.ok(statusLines(r.text).length >= 1, `${what}: answered: ${r.text.slice(0, 200)}`);
      const share = await idleCpuShare(srv);
      assert.ok(share < 0.5, `${what}: the idle server uses ${(share * 100).toFixed(0)} % of a core`);
      await assertHealthy(srv, what);
    }
  }));

// RFC 9112 §6.1, §6.3: a length two parties may read differently is refused, never guessed.
const AMBIGUOUS = {
  'Content-Length and Transfer-Encoding':
    'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}',
  'two different Content-Lengths':
    'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x',
  'a hexadecimal Content-Length': 'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n{}',
  'a Content-Length with a space': 'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: 1 0\r\n\r\n{}',
  'a negative Content-Length': 'POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Length: -2\r\n\r\n{}',
};

test('ambiguous request framing is refused with 400 and the connection closes', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    for (const [what, bytes] of Object.entries(AMBIGUOUS)) {
      // a smuggled request follows: it must never be answered
      const r = await exchange(srv, `${bytes}GET /__skew/health HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.deepEqual(statusLines(r.text), [400], `${what}: ${r.text.slice(0, 300)}`);
      assert.ok(r.closed, `${what}: connection closed after the 400`);
    }
    await assertHealthy(srv, 'after the refusals');
  }));

// The chunk data is a request of its own; a real request follows the body. A server that reads
// chunked bodies answers the POST and then that real request (one health answer); one that does
// not must refuse (411/400) and close. Old lws answered the POST at once and then read the body's
// bytes as requests, so the real one was never answered.
test('a chunked body is read as a body or refused (411/400), never as the next request', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const smuggled = 'GET /__skew/health HTTP/1.1\r\nHost: x\r\n\r\n';
    const chunk = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const next = 'GET /__skew/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const r = await exchange(srv,
      `POST /__skew/route HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${next}`);
    const st = statusLines(r.text);
    const healthAnswers = (r.text.match(/"ok":true/g) || []).length;
    if (st.length === 1 && (st[0] === 411 || st[0] === 400)) {
      assert.ok(r.closed, `a refused chunked body closes the connection: ${r.text.slice(0, 300)}`);
      assert.equal(healthAnswers, 0, 'nothing after the refusal is answered');
    } else {
      assert.equal(st.length, 2, `the POST, then the real next request: ${r.text.slice(0, 500)}`);
      assert.equal(st[1], 200, 'the real next request answered');
      assert.equal(healthAnswers, 1, 'the chunk data was not answered as a request');
    }
    await assertHealthy(srv, 'after the chunked body');
  }));

test('a Content-Length past the body limit gets 413 before the body is sent', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const c = await rawSocket(srv);
    c.write('POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{');
    await within(3000, (async () => {
      while (!/\r\n\r\n/.test(c.text()) && !c.closedFlag) await sleep(20);
    })(), '413 before the body');
    assert.deepEqual(statusLines(c.text()), [413], c.text().slice(0, 300));
    await within(3000, c.closed, 'connection closed after the 413');
    await assertHealthy(srv, 'after the 413');
  }));

// 200 connections trickling a byte a second: 120 with a body under the size limit, 80 with a
// head that never ends. The server ends them by its request deadlines (lws: head 10 s, body
// 10 s) while a normal client's health check is answered within 1 s throughout (asserted: 2 s).
test('slow requests are ended in time and do not starve other clients', { timeout: 40000 }, () =>
  withServer({}, async (srv) => {
    const slow = [];
    for (let i = 0; i < 200; i++) {
      const c = await rawSocket(srv);
      if (i < 120) {
        c.write('POST /__skew/route HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n');
      } else {
        c.write('GET /__skew/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      }
      slow.push(c);
    }
    const trickle = setInterval(() => {
      for (const c of slow) if (!c.closedFlag) c.write(c === slow[0] || slow.indexOf(c) < 120 ? ' ' : 'a');
    }, 1000);
    const t0 = Date.now();
    const cpu0 = cpuSeconds(srv.pid);
    let worst = 0;
    let checks = 0;
    try {
      while (Date.now() - t0 < 25000) {
        const s = Date.now();
        // the target is 1 s (measured: under 0.3 s); 2 s leaves room for a loaded shared CI machine
        const r = await within(2000, srv.health(), `health check at ${((s - t0) / 1000).toFixed(1)} s`);
        assert.equal(r.status, 200);
        worst = Math.max(worst, Date.now() - s);
        checks++;
        await sleep(250);
      }
    } finally {
      clearInterval(trickle);
    }
    const ended = slow.filter((c) => c.closedFlag).length;
    const share = (cpuSeconds(srv.pid) - cpu0) / ((Date.now() - t0) / 1000);
    console.log(`# slow requests: ${ended}/200 ended by the server after 25 s; ${checks} health checks, worst ${worst} ms; ` +
      `server CPU ${(share * 100).toFixed(1)} % of a core`);
    assert.ok(ended >= 180, `only ${ended} of 200 slow connections ended by the server after 25 s`);
  }));

test('--root files and the server\'s own error pages say nosniff', { timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-hostile-root-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
  try {
    await withServer({ root: dir }, async (srv) => {
      for (const p of ['/notes.txt', '/']) {
        const r = await srv.req('GET', p);
        assert.equal(r.status, 200, p);
        assert.equal(r.headers['x-content-type-options'], 'nosniff', `${p}: nosniff once`);
      }
      // a request the HTTP library refuses itself (lws: 403 page for an unknown method)
      const r = await exchange(srv, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n');
      const head = r.text.split('\r\n\r\n')[0];
      if (statusLines(head).length) assert.match(head, /\r\nx-content-type-options: nosniff/i, head);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an oversized head is a client fault: no error in the log', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const r = await exchange(srv, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70000)}\r\n\r\n`);
    const st = statusLines(r.text);
    if (st.length) assert.ok(st[0] === 431 || st[0] === 400, `status ${st[0]}`);
    await assertHealthy(srv, 'after an oversized head');
    assert.doesNotMatch(srv.output(), /header data space|error/i, srv.output().slice(-500));
  }));

/** The frames a raw WebSocket got after its 101 head. */
function framesOf(c) {
  const t = c.data.indexOf('\r\n\r\n');
  return parseFrames(c.data.subarray(t + 4)).frames;
}

/** Close payload (code 2 bytes + reason). */
const closePayload = (code, reason = '') => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);

// (issue 17 item 15 is about lws; mongoose 7.22 echoes invalid codes: not covered here yet)
test('WebSocket close: invalid codes answered 1002, reasons not echoed, nothing sent after', { timeout: 30000, skip: !isLws && 'lws item' }, () =>
  withServer({}, async (srv) => {
    const cases = [
      { sent: closePayload(999, 'hello'), want: 1002 },
      { sent: closePayload(2999, 'x'), want: 1002 },
      { sent: closePayload(1005), want: 1002 },
      { sent: Buffer.from([3]), want: 1002 },
      { sent: closePayload(1000, 'a reason the server must not echo'), want: 1000 },
      { sent: closePayload(4000, 'app'), want: 4000 },
    ];
    for (const { sent, want } of cases) {
      const c = await rawWs(srv);
      c.write(wsFrame(0x8, sent));
      await within(5000, c.closed, `close ${sent.toString('hex')}: connection closed`);
      const frames = framesOf(c);
      const i = frames.findIndex((f) => f.opcode === 0x8);
      assert.ok(i >= 0, `close ${sent.toString('hex')}: a close frame came back`);
      const p = frames[i].payload;
      assert.equal(p.length >= 2 ? p.readUInt16BE(0) : 1000, want, `close ${sent.toString('hex')}: code`);
      assert.ok(p.length <= 2 || !p.subarray(2).toString().includes(sent.subarray(2).toString()) || sent.length <= 2,
        `close ${sent.toString('hex')}: reason echoed: ${p.toString()}`);
      assert.deepEqual(frames.slice(i + 1).map((f) => f.opcode), [], 'nothing after the close frame');
    }
  }));

test('WebSocket: a close frame sent with the handshake gets no message after the close', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const crypto = await import('node:crypto');
    const c = await rawSocket(srv);
    const key = crypto.randomBytes(16).toString('base64');
    c.write(Buffer.concat([
      Buffer.from(`GET ${srv.path('/ws')} HTTP/1.1\r\nHost: ${HOST}:${srv.port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      wsFrame(0x8, closePayload(1000)),
    ]));
    await within(5000, c.closed, 'connection closed');
    if (!/^HTTP\/1\.1 101/.test(c.text())) return; // refused before the upgrade: nothing to check
    const frames = framesOf(c);
    const i = frames.findIndex((f) => f.opcode === 0x8);
    assert.ok(i >= 0, 'a close frame came back');
    assert.deepEqual(frames.slice(i + 1).map((f) => f.opcode), [], 'nothing after the close frame');
  }));

/** Resident and peak resident memory of a process, in MB. */
function memMb(pid) {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((st.match(new RegExp(`${k}:\\s+(\\d+)`)) || [0, 0])[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

// 100 WebSocket clients send 30000 pings each right behind the handshake and never read: the
// 15-byte pongs pile up. Each queue is bounded by --max-output-bytes of heap (not of payload), and the memory goes back to
// the system once they are gone.
test('clients that never read stay within the output bound, and memory falls back', { timeout: 100000 }, () =>
  withServer({ maxOutputBytes: 262144, maxConnections: 1000 }, async (srv) => {
    const base = memMb(srv.pid);
    // a separate process: its writes go out while this one samples the server
    // (at a lower priority than the server: a server that keeps up reads every ping, which is
    // the case that piled up pongs; a starved one stops reading and the test would prove nothing)
    const client = spawn('nice', ['-n', '10', process.execPath,
      path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib/never_read.mjs'),
      String(srv.port), srv.path('/ws'), '100', '30000', CHROME_UA], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await within(30000, new Promise((r) => client.stdout.on('data', (d) => /ready/.test(d) && r())), 'clients ready');
      // until the server has read everything (it goes idle), 40 s at most
      for (let t = 0; t < 40 && (await idleCpuShare(srv, 1000)) > 0.1; t++);
      const mid = memMb(srv.pid);
      const grew = mid.peak - base.rss;
      console.log(`# never-reading clients: RSS ${base.rss.toFixed(1)} MB before, peak ${mid.peak.toFixed(1)} MB`);
      // 100 queues of 256 KiB = 25 MB, plus room for lws' buffers and the allocator
      assert.ok(grew < 45, `peak RSS grew ${grew.toFixed(1)} MB for 100 queues of 256 KiB`);
    } finally {
      client.stdin.end();
      await within(10000, new Promise((r) => client.on('exit', r)), 'client exit').catch(() => client.kill('SIGKILL'));
    }
    await assertHealthy(srv, 'after the slow readers');
    await eventually(() => memMb(srv.pid).rss - base.rss < 20, { timeout: 8000, what: 'RSS back within 20 MB of the start' })
      .catch((e) => { e.message += ` (RSS ${memMb(srv.pid).rss.toFixed(1)} MB, was ${base.rss.toFixed(1)} MB)`; throw e; });
  }));

// The server's descriptor limit lowered to 100 (prlimit), then 150 idle connections: no accept
// loop (lws 4.1.6 spun on accept() logging "accept: errno 24"), and once they are gone the
// server answers at once.
// (lws item of issue 17; mongoose 7.22 leaves the health check hanging at the limit: not covered yet)
test('lws: at the descriptor limit the server neither spins nor floods its log', { timeout: 30000, skip: !isLws && 'lws item' }, () =>
  withServer({ maxConnections: 50 }, async (srv) => {
    execFileSync('prlimit', ['--pid', String(srv.pid), '--nofile=100:100']);
    const idle = [];
    for (let i = 0; i < 150; i++) {
      const c = await rawSocket(srv).catch(() => null);
      if (c) idle.push(c);
    }
    await sleep(500);
    const share = await idleCpuShare(srv, 2000);
    assert.ok(share < 0.5, `at the limit the server uses ${(share * 100).toFixed(0)} % of a core`);
    const t0 = Date.now();
    await within(3000, srv.health().catch(() => null), 'a health check at the limit is answered or refused at once');
    const dt = Date.now() - t0;
    for (const c of idle) await c.close();
    await eventually(async () => (await srv.health().catch(() => ({}))).status === 200, { timeout: 5000, what: 'health after' });
    const errors = (srv.output().match(/accept/gi) || []).length;
    console.log(`# descriptor limit: ${share.toFixed(2)} of a core, health check ${dt} ms, ${errors} accept errors logged`);
    assert.ok(errors < 10, `${errors} accept errors in the log: ${srv.output().slice(-300)}`);
  }));

test('lws: /metrics counts the defences', { timeout: 30000, skip: !isLws && 'lws only' }, () =>
  withServer({}, async (srv) => {
    await exchange(srv, AMBIGUOUS['a hexadecimal Content-Length']);
    const r = await srv.req('GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${srv.token}` } });
    assert.equal(r.status, 200);
    assert.match(r.text, /^skew_lws_framing_refused_total 1$/m, r.text.slice(-800));
    assert.match(r.text, /^skew_lws_slow_heads_total 0$/m);
  }));

// 300 request heads in flight at once hold 300 header tables from the server's own region
// (examples/lws/header_arena.c, not malloc's heap); once they are gone, none is held and the pages
// of all but the 16 most recent free tables went back to the kernel.
test('lws: header tables come from their region and go back after a burst', { timeout: 30000, skip: !isLws && 'lws only' }, () =>
  withServer({}, async (srv) => {
    const metric = async (name) => {
      const r = await srv.req('GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${srv.token}` } });
      assert.equal(r.status, 200);
      const m = r.text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
      assert.ok(m, `${name} in /metrics: ${r.text.slice(-600)}`);
      return Number(m[1]);
    };
    const burst = [];
    for (let i = 0; i < 300; i++) {
      const c = await rawSocket(srv);
      c.write('GET /__skew/health HTTP/1.1\r\nHost: x\r\nX-Unfinished: ');
      burst.push(c);
    }
    await eventually(async () => (await metric('skew_lws_header_tables_in_use')) >= 300, { timeout: 5000, what: '300 tables held' });
    for (const c of burst) await c.close();
    await eventually(async () => (await metric('skew_lws_header_tables_in_use')) <= 1, { timeout: 5000, what: 'tables given back' });
    await eventually(async () => (await metric('skew_lws_header_tables_released_total')) >= 284, { timeout: 5000, what: 'pages released' });
    assert.equal(await metric('skew_lws_header_tables_outside_region_total'), 0);
    await assertHealthy(srv, 'after the burst');
  }));
