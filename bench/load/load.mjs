#!/usr/bin/env node
// Load benchmark for the skew example servers (not a test): raw sockets (node:net) so that the
// client stays cheap at tens of thousands of connections. Only 127.x.y.z (loopback); every phase is bounded.
//
//   node bench/load/load.mjs [--server build/skew_server_lws] [--max 50000] [--quick]
//                            [--only rss,cap,latency,churn,close,window] [--interval-ms 200]
//                            [--latency-at N] [--samples N] [--probes N] [--scale 1000,5000,...] [--at N]
//   node bench/load/load.mjs --nuxt build/nuxt-app/ws ...   the Nuxt original, as the baseline
//
// Measures, for the server given (or SKEW_SERVER, default build/skew_server_lws):
//   rss      RSS per idle WS and SSE connection at 1k and 10k (from /proc/PID/status VmRSS)
//   cap      the most concurrent idle connections held (half WS, half SSE), in steps up to --max,
//            with the count checked exactly against {base}/admin/stats and a subscriber's stats
//   latency  open-to-stats latency seen by a subscriber with 10k idle connections (--latency-at N; held by a
//            child process, see holdIdle),
//            of WS opens and of SSE opens (--probes N of each)
//   scale    at 1k, 5k, 10k, 19k idle (--scale, capped by the fd limit): RSS per connection and the
//            open-to-stats median of WS and SSE opens, to show the cost per connection stays flat
//   churn    2000 open+close with 1000 idle and one subscriber: server CPU seconds (/proc/PID/stat),
//            stats messages and bytes the subscriber received
//   close    default keepalive, 1000 idle: an SSE client closes (FIN or RST, alternating) at a random
//            moment; time until a subscriber (interval 0) sees it gone; median, p99, max of 100
//   window   default --stats-interval-ms (250), 1000 idle: a WS opens or closes at a random moment;
//            time from the change (the new client's `connected`, or its close) to the
//            subscriber's stats; median, p99, max of 40 each
// Raises its own open-file limit (prlimit, as root) and spreads client sockets over several
// loopback source addresses (127.A.B.1, .2, ...) when one address runs out of ports.
import { fork, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const TOKEN = 'bench-admin-token';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
const PAGE_KB = 4;

/* ---------------------------------------------------------------- options */
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) { // the options of bench/load/README.md, then nothing runs
  console.log(`usage: node bench/load/load.mjs [options]   (make bench-load; see bench/load/README.md)
  --server PATH            the server binary (default: SKEW_SERVER or build/skew_server_lws)
  --nuxt DIR               the Nuxt original as the baseline (build/nuxt-app/ws or .../sse)
  --only LIST              phases, comma-separated (default rss,cap,latency,churn,close,window,scale)
  --quick                  2k instead of 10k (to check the bench itself)
  --at N                   rss: the larger count (default 10000)
  --max N                  cap: the most idle connections tried (default 50000)
  --max-connections N      given to the server (default --max + 10000)
  --latency-at N           idle connections in the latency phase (default --at)
  --probes N               latency, scale: opens of each kind (default 30)
  --scale N,N,...          scale: the steps (default 1000,5000,10000,19000)
  --interval-ms N          churn: the server's --stats-interval-ms (default 200)
  --samples N              close, window: samples (default 100 / 40)
  --budget-s N             the whole run's time budget (default 900)
  --help, -h               this text
Environment: SKEW_SERVER (the server), BENCH_SAMPLES=1 (print every close/window sample).`);
  process.exit(0);
}
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
};
const quick = !!opt('quick', false);
const MAX = Number(opt('max', quick ? 2000 : 50000));
const ONLY = String(opt('only', 'rss,cap,latency,churn,close,window,scale')).split(',');
const SAMPLES = Number(opt('samples', 0)); // close/window samples (0: 100 / 40)
const INTERVAL = Number(opt('interval-ms', 200));
const BIG = Number(opt('at', quick ? 2000 : 10000)); // rss: the larger count (--at N)
const LATENCY_AT = Number(opt('latency-at', BIG)); // idle connections during the latency phase
const PROBES = Number(opt('probes', 30)); // latency: opens of each kind (WS, SSE)
const SETTLE_MS = Number(opt('settle-ms', 5000)); // latency: pause between the idle ramp and the probes
// scale: idle connections (half WS, half SSE) at each step; the last is capped by the fd limit
const SCALE = String(opt('scale', quick ? '500,1000,2000' : '1000,5000,10000,19000')).split(',').map(Number);
const SMALL = quick ? 500 : 1000;
const CHURN = quick ? 400 : 2000;
const CHURN_IDLE = quick ? 200 : 1000;
const CHURN_REPS = 5; // the median of 5: one phase is ~0.15 s of server CPU, and runs vary by ±15 %
// --max-connections given to the server (default: --max + 10000). lws 4.1.6 (Debian's build)
// scans its whole fd table, sized from it, on every close: see bench/load/README.md.
const MAXCONN = Number(opt('max-connections', MAX + 10000));
const DEADLINE = Date.now() + Number(opt('budget-s', 900)) * 1000;
// --nuxt DIR: the Nuxt original as the baseline (nuxt-skew-protection on Node): DIR is a node-server
// build of tests/nuxt/app (build/nuxt-app/ws or build/nuxt-app/sse, made by
// `SKEW_NUXT_BUILD_ONLY=1 tests/nuxt/run.sh lws`); one transport per build, so every open uses it.
const NUXT = opt('nuxt', '');
const given = NUXT ? path.join(String(NUXT), 'output/server/index.mjs') : opt('server', process.env.SKEW_SERVER || 'build/skew_server_lws');
const SERVER = [path.resolve(given), path.resolve(ROOT, given)].find((p) => fs.existsSync(p));
if (!SERVER) {
  console.error(`load bench: server ${NUXT ? 'build' : 'binary'} not found: ${given}`);
  process.exit(2);
}
const NUXT_KIND = NUXT ? (/route: '\/__skew\/ws'/.test(fs.readFileSync(path.join(path.dirname(SERVER), 'chunks/nitro/nitro.mjs'), 'utf8')) ? 'ws' : 'sse') : '';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function checkBudget(what) {
  if (Date.now() > DEADLINE) throw new Error(`time budget exhausted during ${what}`);
}

/* ---------------------------------------------------------------- fd limit */
function nofile() {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line.trim().split(/\s+/)[3]);
}
function raiseNofile(want) {
  if (nofile() >= want) return nofile();
  for (const n of [want, 262144, 200000, 131072, 65536]) {
    const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${n}:${n}`], { stdio: 'ignore' });
    if (r.status === 0 && nofile() >= n) break;
  }
  // without CAP_SYS_RESOURCE: the soft limit can still go up to the hard one
  const hard = Number(fs.readFileSync('/proc/self/limits', 'utf8').split('\n')
    .find((l) => l.startsWith('Max open files')).trim().split(/\s+/)[4]);
  if (nofile() < want && hard > nofile()) {
    spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${hard}:${hard}`], { stdio: 'ignore' });
  }
  return nofile();
}

/* ---------------------------------------------------------------- server */
const children = new Set();
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch { /* gone */ } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

async function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on('error', rej);
    s.listen(0, HOST, () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

function httpGet(port, p, headers = {}, timeout = 15000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path: p, method: 'GET', agent: false,
      headers: { 'user-agent': UA, ...headers } });
    const t = setTimeout(() => req.destroy(new Error(`GET ${p} timeout`)), timeout);
    req.on('error', (e) => { clearTimeout(t); reject(e); });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => { clearTimeout(t); resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }); });
    });
    req.end();
  });
}

// A per-client-IP connection cap would stop the bench at its default (all clients are on 127.A.B.x):
// off when the server has the flag.
const HELP = NUXT ? { stdout: '', stderr: '' } : spawnSync(SERVER, ['--help'], { encoding: 'utf8' });
const PER_IP_OFF = /--max-connections-per-ip\b/.test(`${HELP.stdout}${HELP.stderr}`) ? ['--max-connections-per-ip', '0'] : [];

// The Nuxt server: its admin/stats key (NUXT_SEO_PRO_KEY) is the bench token; a stats subscriber
// signs in as the app's admin (tests/nuxt/app/server/api/login.post.ts) and sends its cookie.
const NUXT_ENV = NUXT ? { NUXT_SEO_PRO_KEY: TOKEN, NUXT_SESSION_PASSWORD: crypto.randomBytes(24).toString('hex'),
  SKEW_TEST_ADMIN_PASSWORD: crypto.randomBytes(12).toString('hex'), NODE_ENV: 'production' } : {};
let subHeaders = { Authorization: `Bearer ${TOKEN}` };
async function nuxtLogin(port) {
  const body = JSON.stringify({ email: 'admin@example.com', password: NUXT_ENV.SKEW_TEST_ADMIN_PASSWORD });
  const cookie = await new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port, path: '/api/login', method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'user-agent': UA } });
    req.on('error', reject);
    req.on('response', (res) => { res.resume(); resolve((res.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ')); });
    req.end(body);
  });
  if (!/nuxt-session=/.test(cookie)) throw new Error('nuxt: admin login gave no session cookie');
  subHeaders = { Cookie: cookie };
}

async function startServer(extra = []) {
  if (NUXT) return startNuxt(extra);
  const port = await freePort();
  const args = [...PER_IP_OFF, '--host', HOST, '--port', String(port), '--build-id', 'v-bench', '--base', '/__skew',
    '--admin-token', TOKEN, '--route-tracking', '--max-connections', String(MAXCONN), ...extra];
  const pre = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0
    ? ['setpriv', '--pdeathsig', 'KILL'] : [];
  const cmd = [...pre, SERVER, ...args];
  return watchServer(port, spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] }));
}

/** The Nuxt original: --stats-interval-ms and --keepalive-ms have no equivalent there (it
 *  broadcasts every change at once) and are ignored. */
async function startNuxt() {
  const port = await freePort();
  const pre = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0
    ? ['setpriv', '--pdeathsig', 'KILL'] : [];
  const cmd = [...pre, process.execPath, SERVER];
  const srv = await watchServer(port, spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...NUXT_ENV, NITRO_HOST: HOST, NITRO_PORT: String(port), HOST, PORT: String(port) } }));
  await nuxtLogin(port);
  return srv;
}

async function watchServer(port, proc) {
  children.add(proc);
  let err = '';
  proc.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => { children.delete(proc); r({ code, signal }); }));
  const end = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${err}`);
    try {
      const h = await httpGet(port, '/__skew/health', {}, 1000);
      if (h.status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`server not healthy: ${err}`);
    await sleep(50);
  }
  return {
    port, proc, pid: proc.pid,
    rssKB() {
      const s = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(s)[1]);
    },
    cpuSec() {
      const t = this.cpuTimes();
      return t.user + t.sys;
    },
    cpuTimes() {
      const s = fs.readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      // utime and stime come in clock ticks (10 ms): too coarse for a 0.15 s phase. The run time
      // of every thread (schedstat, ns) is exact; a thread that ends between two readings loses
      // its share, so `run` may undercount a process that ends threads (Node's pool keeps them).
      let run = 0;
      for (const tid of fs.readdirSync(`/proc/${proc.pid}/task`)) {
        try { run += Number(fs.readFileSync(`/proc/${proc.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]); } catch { /* gone */ }
      }
      return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK, run: run / 1e9 }; // utime, stime
    },
    async total() {
      const r = await httpGet(port, '/__skew/admin/stats', { authorization: `Bearer ${TOKEN}` }, 30000);
      if (r.status !== 200) throw new Error(`admin/stats ${r.status}`);
      const m = /^\{"total":(\d+)/.exec(r.text);
      return m ? Number(m[1]) : JSON.parse(r.text).total;
    },
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(10000).then(() => null)]);
      if (!r) { proc.kill('SIGKILL'); await exited; }
    },
    stderr: () => err,
  };
}

/* ---------------------------------------------------------------- raw clients */
// Source addresses: a new one when a source runs out of ports.
const [portLo, portHi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
const PORTS_PER_SOURCE = Math.max(1000, portHi - portLo - 2000);
let opened = 0;
// Each run starts at a source address of its own (127.A.B.1, then .2, ...): a run right after
// another found the ports of 127.0.0.1 in TIME_WAIT, and its churn took 10x the wall time and 3x
// the server CPU.
const SRC_NET = `127.${1 + crypto.randomInt(254)}.${crypto.randomInt(256)}`;
// The next open uses a source address of its own. Churn starts every run on one: bind() takes
// its port from half of the range, and as that half fills with TIME_WAIT sockets the search for a
// free one grows (the 4th and 5th runs of one source took 1.7 s of wall instead of 0.3 s, and
// the servers more CPU for the slower, less batched clients).
function freshSource() {
  opened = Math.ceil(opened / PORTS_PER_SOURCE) * PORTS_PER_SOURCE;
}
function sourceAddress() {
  const idx = Math.floor(opened / PORTS_PER_SOURCE);
  opened++;
  return `${SRC_NET}.${idx + 1}`;
}

function maskedFrame(opcode, payload) {
  const p = Buffer.from(payload);
  const key = crypto.randomBytes(4);
  const head = p.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | p.length])
    : Buffer.from([0x80 | opcode, 0x80 | 126, p.length >> 8, p.length & 0xff]);
  const out = Buffer.alloc(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] ^ key[i & 3];
  return Buffer.concat([head, key, out]);
}

/**
 * One raw client. kind 'ws' or 'sse'. Resolves when `connected` arrived.
 * onMessage(data, c, at) for subscribers: data is the WS payload as a Buffer (an SSE event's data
 * as a string), at the time the message's last byte reached this script (the start of the 'data'
 * event that completed it), so the bench's own concatenating and decoding of a 79 KB stats message
 * is not counted as the server's latency; idle clients keep only what they must (pongs).
 */
function openClient(port, kindAsked, { route = '/', headers = {}, onMessage = null, timeout = 20000 } = {}) {
  const kind = NUXT_KIND && !onMessage ? NUXT_KIND : kindAsked; // a Nuxt build speaks one transport
  return new Promise((resolve, reject) => {
    const localAddress = sourceAddress();
    const sock = net.connect({ host: HOST, port, localAddress });
    let buf = Buffer.alloc(0);
    let headDone = false;
    let ready = false;
    const c = { sock, kind, closed: false };
    const t = setTimeout(() => { sock.destroy(); reject(new Error(`${kind} open timeout`)); }, timeout);
    const fail = (e) => { clearTimeout(t); if (!ready) reject(e); };
    sock.on('error', fail);
    sock.on('close', () => { c.closed = true; if (!ready) fail(new Error(`${kind} closed before connected`)); });
    sock.on('connect', () => {
      c.tConnect = performance.now();
      let h = '';
      for (const [k, v] of Object.entries(headers)) h += `${k}: ${v}\r\n`;
      const p = `/__skew/${kind}?route=${encodeURIComponent(route)}`;
      if (kind === 'ws') {
        sock.write(`GET ${p} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `User-Agent: ${UA}\r\n${h}\r\n`);
      } else {
        sock.write(`GET ${p} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nAccept: text/event-stream\r\nUser-Agent: ${UA}\r\n${h}\r\n`);
      }
    });
    const deliver = (data, at) => {
      if (!ready) {
        ready = true;
        c.tReady = at;
        clearTimeout(t);
        const m = /"connectionId":"([0-9a-f-]{36})"/.exec(String(data));
        c.id = m && m[1];
        resolve(c);
      } else if (onMessage) onMessage(data, c, at);
    };
    let sseChunked = false;
    sock.on('data', (d) => {
      const at = performance.now();
      if (!onMessage && ready && kind === 'sse') return; // idle SSE: discard keepalives
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      if (!headDone) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const head = buf.subarray(0, i).toString('latin1');
        const status = Number(head.split(' ')[1]);
        const want = kind === 'ws' ? 101 : 200;
        if (status !== want) { sock.destroy(); fail(new Error(`${kind} status ${status}`)); return; }
        sseChunked = /transfer-encoding:\s*chunked/i.test(head);
        headDone = true;
        buf = buf.subarray(i + 4);
      }
      if (kind === 'ws') {
        for (;;) {
          if (buf.length < 2) break;
          const op = buf[0] & 0x0f;
          let len = buf[1] & 0x7f;
          let j = 2;
          if (len === 126) { if (buf.length < 4) break; len = buf.readUInt16BE(2); j = 4; }
          else if (len === 127) { if (buf.length < 10) break; len = Number(buf.readBigUInt64BE(2)); j = 10; }
          if (buf.length < j + len) break;
          const payload = buf.subarray(j, j + len);
          buf = buf.subarray(j + len);
          if (op === 0x9) sock.write(maskedFrame(0xA, payload));
          else if (op === 0x1 || op === 0x2) deliver(payload, at);
          else if (op === 0x8) {
            c.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
            c.closeReason = payload.subarray(2).toString();
            sock.end();
          }
        }
        if (!buf.length) buf = Buffer.alloc(0);
      } else {
        // SSE: events end with a blank line; chunk sizes (if chunked) are skipped by the split
        let s = buf.toString('utf8');
        let k;
        while ((k = s.indexOf('\n\n')) >= 0) {
          const ev = s.slice(0, k);
          s = s.slice(k + 2);
          const line = ev.split('\n').find((l) => l.startsWith('data: '));
          if (line) deliver(line.slice(6), at);
        }
        buf = Buffer.from(s);
        void sseChunked;
      }
    });
  });
}

async function openMany(port, n, kindOf, { inFlight = 200, route = (i) => `/r${i % 20}` } = {}) {
  const clients = [];
  const errors = {};
  let next = 0;
  let stop = false;
  async function worker() {
    while (!stop && next < n) {
      const i = next++;
      try {
        clients.push(await openClient(port, kindOf(i), { route: route(i) }));
      } catch (e) {
        const k = e.code || e.message;
        errors[k] = (errors[k] || 0) + 1;
        if (Object.values(errors).reduce((a, b) => a + b, 0) > 50) stop = true;
      }
      if (Date.now() > DEADLINE) stop = true;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { clients, errors };
}

/* Idle connections held by a child process (this script with --hold-port P --hold N): the process
 * that times opens then holds only the subscriber and the probe. With 10k sockets in the timing
 * process, its own handling of each 79 KB stats message took ~3 ms (strace on the server: 0.2 ms
 * from reading the probe's request to writing the stats, yet 2-4 ms measured). Resolves with
 * {count, close()}. */
function holdIdle(port, n) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [...argv, '--hold-port', String(port), '--hold', String(n)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`idle holder exited (${code})`)));
    child.once('message', (m) => resolve({
      count: m.opened, errors: m.errors,
      close: () => new Promise((r) => { child.removeAllListeners('exit'); child.once('exit', r); child.send('close'); }),
    }));
  });
}

async function closeAll(clients) {
  for (const c of clients) c.sock.destroy();
  await sleep(200);
}

async function waitTotal(srv, want, timeout = 30000) {
  const end = Date.now() + timeout;
  let t;
  for (;;) {
    t = await srv.total();
    if (t === want || Date.now() > end) return t;
    await sleep(200);
  }
}

/** A subscriber over a raw WS that records stats arrivals: {at, total, bytes}. */
async function subscriber(port) {
  const log = [];
  const c = await openClient(port, 'ws', {
    route: '/bench-sub',
    headers: subHeaders,
    onMessage: (data, _c, at) => {
      // only the head is decoded: the total is in its first 40 bytes
      const head = typeof data === 'string' ? data.slice(0, 64) : data.toString('latin1', 0, 64);
      const m = /^\{"type":"stats","total":(\d+)/.exec(head);
      if (m) {
        const e = { at, total: Number(m[1]), bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length };
        log.push(e);
        for (const w of [...c.waiters]) w(e);
      }
    },
  });
  c.waiters = new Set();
  c.log = log;
  c.sock.write(maskedFrame(0x1, '{"type":"subscribe-stats"}'));
  // Resolves with the next stats arrival that satisfies pred; with latest=true the last one
  // already received counts too.
  c.waitStats = (pred, timeout = 10000, latest = false) => new Promise((resolve, reject) => {
    if (latest && log.length && pred(log[log.length - 1])) { resolve(log[log.length - 1]); return; }
    const t = setTimeout(() => { c.waiters.delete(w); reject(new Error('stats wait timeout')); }, timeout);
    const w = (e) => { if (pred(e)) { clearTimeout(t); c.waiters.delete(w); resolve(e); } };
    c.waiters.add(w);
  });
  await c.waitStats(() => true);
  return c;
}

/* ---------------------------------------------------------------- phases */
const results = [];
const row = (what, value, note = '') => { results.push([what, value, note]); console.log(`  ${what}: ${value} ${note}`); };
const kb = (x) => `${x.toFixed(2)} KB`;

async function phaseRss(kind) {
  const srv = await startServer();
  try {
    await sleep(300);
    const base = srv.rssKB();
    const a = await openMany(srv.port, SMALL, () => kind);
    await sleep(500);
    const t1 = await waitTotal(srv, a.clients.length);
    const r1 = srv.rssKB();
    row(`RSS per idle ${kind.toUpperCase()} @${SMALL}`, kb((r1 - base) / SMALL),
      `(base ${base} KB, ${r1} KB with ${t1} counted${t1 === SMALL ? '' : ' MISMATCH'})`);
    checkBudget('rss');
    const b = await openMany(srv.port, BIG - SMALL, () => kind);
    await sleep(800);
    const n = a.clients.length + b.clients.length;
    const t2 = await waitTotal(srv, n);
    const r2 = srv.rssKB();
    row(`RSS per idle ${kind.toUpperCase()} @${BIG}`, kb((r2 - base) / BIG),
      `(${r2} KB with ${t2} counted${t2 === BIG ? '' : ' MISMATCH'}${Object.keys(b.errors).length ? ' errors ' + JSON.stringify(b.errors) : ''})`);
    await closeAll([...a.clients, ...b.clients]);
    const t0 = await waitTotal(srv, 0);
    if (t0 !== 0) row(`after closing all ${kind}`, `total ${t0}`, 'NOT 0');
  } finally {
    await srv.stop();
  }
}

async function phaseCapacity() {
  const srv = await startServer(['--keepalive-ms', '30000']);
  const all = [];
  let held = 0;
  try {
    const sub = await subscriber(srv.port);
    const step = quick ? 500 : 10000;
    // Server and client each hold one fd per connection: the open-file limit bounds what can be tried.
    const reachable = Math.min(MAX, FD_LIMIT - 150);
    const targets = [];
    for (let t = step; t < reachable; t += step) targets.push(t);
    targets.push(reachable);
    for (const target of targets) {
      checkBudget('capacity');
      const { clients, errors } = await openMany(srv.port, target - all.length, (i) => (i % 2 ? 'sse' : 'ws'),
        { inFlight: 250 });
      all.push(...clients);
      await sleep(500);
      const live = all.filter((c) => !c.closed).length;
      const total = await waitTotal(srv, live + 1, 20000);
      const seen = await sub.waitStats((e) => e.total === live + 1, 20000, true).then((e) => e.total, () => sub.log.at(-1)?.total);
      const exact = total === live + 1 && seen === live + 1;
      console.log(`  capacity: ${live} idle + subscriber; admin total ${total}, subscriber saw ${seen}; RSS ${srv.rssKB()} KB` +
        `${Object.keys(errors).length ? ' errors ' + JSON.stringify(errors) : ''}`);
      if (!exact || Object.keys(errors).length) break;
      held = live;
    }
    row('most concurrent idle connections, exact count', `${held}`,
      `(half WS, half SSE, +1 subscriber; server RSS ${srv.rssKB()} KB; tried up to ${targets.at(-1)}` +
      `${targets.at(-1) < MAX ? `: open-file limit ${FD_LIMIT} stops it below ${MAX}` : ''})`);
    await closeAll(all);
    const t0 = await waitTotal(srv, 1, 30000);
    if (t0 !== 1) row('after closing all', `total ${t0}`, 'NOT 1');
    sub.sock.destroy();
  } finally {
    await srv.stop();
  }
}

/**
 * Open-to-stats latency: n rounds of one open of each of `kinds` (ws, sse) in turn, with `base`
 * connections counted; each open is timed from the open to the subscriber's stats that count it,
 * then closed and seen gone. Returns {kind: sorted latencies in ms}. The kinds alternate so that
 * both meet the same conditions: measured one kind after the other, whichever went first was
 * slower (it ran in the tail of the idle ramp: mongoose 3.55 vs 1.06 ms for WS first or second).
 */
async function probeLatency(srv, sub, base, kinds, n) {
  // kind: from the open; kind:req from the TCP connect (when the request goes out): the part the
  // server can act on, without the client's own wait for a CPU before the connect completes
  const lat = Object.fromEntries(kinds.flatMap((k) => [[k, []], [`${k}:req`, []]]));
  for (let i = 0; i < n * kinds.length; i++) {
    const kind = kinds[i % kinds.length];
    checkBudget('latency');
    const want = base + 1;
    const t0 = performance.now();
    const waiting = sub.waitStats((e) => e.total === want, 10000);
    const c = await openClient(srv.port, kind, { route: '/lat' });
    const e = await waiting.catch((err) => {
      throw new Error(`${kind} open not seen in stats: last total ${sub.log.at(-1)?.total}, want ${want}: ${err.message}`);
    });
    lat[kind].push(e.at - t0);
    lat[`${kind}:req`].push(e.at - c.tConnect);
    // BENCH_TRACE=1: where each probe's time goes, from the client's side
    if (process.env.BENCH_TRACE) {
      console.log(`  trace ${kind}: connected ${(c.tConnect - t0).toFixed(3)} probe answered ${(c.tReady - t0).toFixed(3)} ` +
        `stats received ${(e.at - t0).toFixed(3)} ms`);
    }
    c.sock.destroy();
    await sub.waitStats((x) => x.total === base, 15000, true).catch(async (err) => {
      throw new Error(`admin total ${await srv.total()}, subscriber socket closed: ${sub.closed} (close frame ${sub.closeCode} ${sub.closeReason}; server: ${srv.stderr().slice(-300)}); close of a ${kind} client not seen in stats: last total ${sub.log.at(-1)?.total}, want ${base}: ${err.message}`);
    });
  }
  for (const k of Object.keys(lat)) lat[k].sort((x, y) => x - y);
  return lat;
}
const medianMs = (xs) => xs[xs.length >> 1];

async function phaseLatency() {
  const srv = await startServer(['--stats-interval-ms', '0']);
  try {
    const o0 = Date.now();
    const idle = await holdIdle(srv.port, LATENCY_AT);
    console.log(`  latency: ${idle.count} idle opened in ${((Date.now() - o0) / 1000).toFixed(1)} s (held by a child process)`);
    const sub = await subscriber(srv.port);
    const base = idle.count + 1;
    await sub.waitStats((e) => e.total === base, 30000, true);
    const kinds = NUXT_KIND ? [NUXT_KIND] : ['ws', 'sse'];
    // The ramp's tail settles first: the probes measure 10k idle. On lws the first 30 probes after
    // a 1 s pause took 3-6 ms and the next 30 0.8 ms (load 7-9); after 6 s both kinds 1.2-1.5 ms.
    // mongoose did better after 1 s than after 5 s (README): --settle-ms.
    await sleep(SETTLE_MS);
    const c0 = srv.cpuSec();
    const lats = await probeLatency(srv, sub, base, kinds, PROBES);
    // the server's CPU per probe (open, its stats, close, its stats): the work, apart from the machine's load
    const cpuMs = ((srv.cpuSec() - c0) * 1000) / (PROBES * kinds.length);
    for (const kind of kinds) {
      const lat = lats[kind];
      const bytes = sub.log.at(-1).bytes;
      row(`open-to-stats latency, ${kind.toUpperCase()} open @${LATENCY_AT} (interval 0)`,
        `median ${medianMs(lat).toFixed(2)} ms, p95 ${lat[Math.floor(lat.length * 0.95)].toFixed(1)} ms; from the request median ${medianMs(lats[`${kind}:req`]).toFixed(2)} ms`,
        `(${PROBES} ${kind.toUpperCase()} opens, WS and SSE in turn; ${LATENCY_AT} idle half WS/half SSE; each stats message ${(bytes / 1024).toFixed(0)} KB; ` +
        `server CPU ${cpuMs.toFixed(2)} ms per open+close, both kinds)`);
    }
    await idle.close();
    sub.sock.destroy();
  } finally {
    await srv.stop();
  }
}

/** The cost per connection as it grows: at each --scale step, RSS per idle connection (half WS,
 *  half SSE) and the open-to-stats median of WS and SSE opens, one server, interval 0. */
async function phaseScale() {
  const srv = await startServer(['--stats-interval-ms', '0']);
  const holders = []; // the idle connections, one child process per step (see holdIdle)
  let held = 0;
  try {
    await sleep(300);
    const rss0 = srv.rssKB();
    const cap = FD_LIMIT - 300; // the client holds one descriptor per connection too
    const steps = [...new Set(SCALE.map((n) => Math.min(n, cap)))];
    const probes = PROBES;
    for (const target of steps) {
      checkBudget('scale');
      const h = await holdIdle(srv.port, target - held);
      holders.push(h);
      held += h.count;
      const { errors } = h;
      const n = held;
      const base = n + 1;
      // a subscriber per step: with interval 0, one stats message per open during the ramp would
      // outrun a subscriber (the server drops a slow one)
      const sub = await subscriber(srv.port);
      const total = await waitTotal(srv, base, 20000);
      await sub.waitStats((e) => e.total === base, 20000, true).catch((err) => {
        throw new Error(`stats never counted ${base}: last ${sub.log.at(-1)?.total}, subscriber closed: ${sub.closed} (${sub.closeCode} ${sub.closeReason}): ${err.message}`);
      });
      await sleep(500);
      const perConn = (srv.rssKB() - rss0) / n;
      const lats = await probeLatency(srv, sub, base, NUXT_KIND === 'ws' ? ['ws'] : ['ws', 'sse'], probes);
      const { ws } = lats;
      const sse = lats.sse || [NaN];
      sub.sock.destroy();
      await waitTotal(srv, n);
      row(`scale @${n}${target < Math.max(...SCALE) && target === cap ? ` (fd limit ${FD_LIMIT})` : ''}`,
        `RSS ${kb(perConn)}/conn, open-to-stats median WS ${medianMs(ws).toFixed(2)} ms, SSE ${medianMs(sse).toFixed(2)} ms`,
        `(${probes} opens each; admin total ${total}${total === base ? '' : ' MISMATCH'}` +
        `${Object.keys(errors).length ? '; errors ' + JSON.stringify(errors) : ''})`);
      if (Object.keys(errors).length) break;
    }
    for (const h of holders) await h.close();
  } finally {
    await srv.stop();
  }
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const dist = (xs) => {
  xs.sort((a, b) => a - b);
  if (process.env.BENCH_SAMPLES) console.log(xs.map((x) => x.toFixed(0)).join(" "));
  return `median ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms, max ${xs.at(-1).toFixed(1)} ms`;
};
const pause = (lo, hi) => sleep(lo + Math.random() * (hi - lo));

// A server started with `args`, SMALL idle clients (SSE and WS in turn) and a stats subscriber
// that has seen them all: fn(srv, sub, base) with base = the connections open; all closed after.
async function withIdle(args, fn) {
  const srv = await startServer(args);
  try {
    const { clients } = await openMany(srv.port, SMALL, (i) => (i % 2 ? 'sse' : 'ws'));
    const sub = await subscriber(srv.port);
    const base = clients.length + 1;
    await sub.waitStats((e) => e.total === base, 30000, true);
    await fn(srv, sub, base);
    await closeAll(clients);
    sub.sock.destroy();
  } finally {
    await srv.stop();
  }
}

async function phaseClose() {
  const n = SAMPLES || 100;
  await withIdle(['--stats-interval-ms', '0'], async (srv, sub, base) => {
    const lat = [];
    for (let i = 0; i < n; i++) {
      checkBudget('close');
      const c = await openClient(srv.port, 'sse', { route: '/close' });
      await sub.waitStats((e) => e.total === base + 1, 10000, true);
      await pause(20, 250);
      const gone = sub.waitStats((e) => e.total === base, 15000);
      const t0 = performance.now();
      if (i % 2) c.sock.resetAndDestroy();
      else c.sock.end();
      lat.push((await gone).at - t0);
      c.sock.destroy();
    }
    row(`SSE close (FIN/RST) to untracked @${SMALL} (default keepalive)`, dist(lat), `(${n} closes)`);
  });
}

async function phaseWindow() {
  const n = SAMPLES || 40;
  await withIdle([], async (srv, sub, base) => {
    const opens = [];
    const closes = [];
    for (let i = 0; i < n; i++) {
      checkBudget('window');
      await pause(300, 700);
      const seen = sub.waitStats((e) => e.total === base + 1, 5000);
      const c = await openClient(srv.port, 'ws', { route: '/window' });
      const tOpen = performance.now(); // `connected` just arrived: the change is made
      opens.push((await seen).at - tOpen);
      await pause(300, 700);
      const gone = sub.waitStats((e) => e.total === base, 5000);
      const t0 = performance.now();
      c.sock.destroy();
      closes.push((await gone).at - t0);
    }
    row('stats after an open, default window (250 ms)', dist(opens), `(${n} opens, ${SMALL} idle)`);
    row('stats after a close, default window (250 ms)', dist(closes), `(${n} closes, ${SMALL} idle)`);
  });
}

async function phaseChurn() {
  const srv = await startServer(['--stats-interval-ms', String(INTERVAL)]);
  try {
    const { clients } = await openMany(srv.port, CHURN_IDLE, (i) => (i % 2 ? 'sse' : 'ws'));
    const sub = await subscriber(srv.port);
    await sub.waitStats((e) => e.total === clients.length + 1, 30000, true);
    const runs = [];
    for (let rep = 0; rep < CHURN_REPS; rep++) {
      freshSource();
      await sleep(INTERVAL + 300);
      const n0 = sub.log.length;
      const cpu0 = srv.cpuTimes();
      const t0 = performance.now();
      let done = 0;
      const worker = async (k) => {
        while (done < CHURN) {
          done++;
          checkBudget('churn');
          const c = await openClient(srv.port, k % 2 ? 'sse' : 'ws', { route: '/churn' });
          c.sock.destroy();
        }
      };
      await Promise.all(Array.from({ length: 10 }, (_, k) => worker(k)));
      const wall = performance.now() - t0;
      // settle: the subscriber's latest stats are exact again (an SSE close may only be noticed
      // at the server's liveness sweep), then one more interval; CPU counts all of it
      const settleEnd = Date.now() + 15000;
      while (Date.now() < settleEnd && !(sub.log.length > n0 && sub.log.at(-1).total === clients.length + 1)) await sleep(50);
      const settled = (performance.now() - t0 - wall) / 1000;
      await sleep(INTERVAL + 500);
      const msgs = sub.log.slice(n0);
      const cpu1 = srv.cpuTimes();
      runs.push({
        cpu: cpu1.run - cpu0.run, ticks: cpu1.user + cpu1.sys - cpu0.user - cpu0.sys, user: cpu1.user - cpu0.user, wall: wall / 1000, settled, msgs: msgs.length,
        bytes: msgs.reduce((x, e) => x + e.bytes, 0), exact: msgs.length > 0 && msgs.at(-1).total === clients.length + 1,
      });
    }
    const med = (k) => runs.map((r) => r[k]).sort((x, y) => x - y)[runs.length >> 1];
    const all = (k, f) => runs.map((r) => f(r[k])).join(' / ');
    row(`churn ${CHURN} open+close, ${CHURN_IDLE} idle, 1 subscriber: server CPU`, `${med('cpu').toFixed(3)} s (median of ${runs.length})`,
      `(runs ${all('cpu', (x) => x.toFixed(3))} s of run time (schedstat); in clock ticks ${all('ticks', (x) => x.toFixed(2))} s, of which user ${all('user', (x) => x.toFixed(2))} s; wall ${all('wall', (x) => x.toFixed(2))} s + ${all('settled', (x) => x.toFixed(1))} s to exact;` +
      ` half WS, half SSE; --stats-interval-ms ${INTERVAL}${sub.closed ? '; SUBSCRIBER WAS DISCONNECTED' : ''})`);
    row('churn: stats to the subscriber', `${med('msgs')} messages, ${(med('bytes') / 1048576).toFixed(2)} MB (median)`,
      `(runs ${all('msgs', String)} messages, ${all('bytes', (x) => (x / 1048576).toFixed(2))} MB; last exact: ${all('exact', (x) => (x ? 'yes' : 'NO'))})`);
    await closeAll(clients);
    sub.sock.destroy();
  } finally {
    await srv.stop();
  }
}

/* ---------------------------------------------------------------- main */
const limit = raiseNofile(Math.max(MAX + 20000, 65536));
const FD_LIMIT = limit;
console.log(`load bench: ${path.relative(ROOT, SERVER)}${NUXT ? ` (Nuxt original, ${NUXT_KIND} only, Node ${process.version})` : ''}; ${os.cpus().length} cores; open-file limit ${limit}; ` +
  `ports ${portLo}-${portHi} (${PORTS_PER_SOURCE} per source address)${quick ? '; QUICK' : ''}`);
if (limit < MAX + 1000) {
  console.log(`  note: open-file limit ${limit} (hard limit; raising it needs CAP_SYS_RESOURCE) is below ${MAX}:` +
    ' capacity is measured up to that limit');
}
if (opt('hold', false)) { // the idle holder of holdIdle(): opens, reports, closes when told
  const { clients, errors } = await openMany(Number(opt('hold-port')), Number(opt('hold')), (i) => (i % 2 ? 'sse' : 'ws'),
    { inFlight: 250 });
  process.send({ opened: clients.length, errors });
  process.on('message', async () => { await closeAll(clients); process.exit(0); });
  process.on('disconnect', () => process.exit(0)); // the bench is gone: so are its idle clients
  await new Promise(() => {});
}
const t0 = Date.now();
let failed = false;
// churn first: the other phases leave tens of thousands of client sockets in TIME_WAIT (60 s), and
// the kernel's search for a free port then took 10x the wall time and 3x the server CPU.
for (const [name, fn] of [['churn', phaseChurn], ['rss', async () => { for (const k of NUXT_KIND ? [NUXT_KIND] : ['ws', 'sse']) await phaseRss(k); }],
  ['cap', phaseCapacity], ['latency', phaseLatency], ['close', phaseClose],
  ['window', phaseWindow], ['scale', phaseScale]]) {
  if (!ONLY.includes(name)) continue;
  const p0 = Date.now();
  try {
    await fn();
    console.log(`  (${name}: ${((Date.now() - p0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed = true;
    row(`${name}`, 'FAILED', e.message);
  }
}
const w = Math.max(...results.map((r) => r[0].length));
console.log('\n' + '-'.repeat(w + 60));
for (const [a, b, c] of results) console.log(`${a.padEnd(w)}  ${b}  ${c}`);
console.log('-'.repeat(w + 60));
console.log(`load bench done in ${((Date.now() - t0) / 1000).toFixed(0)} s (page ${PAGE_KB} KB; RSS deltas include allocator slack)`);
process.exit(failed ? 1 : 0);
