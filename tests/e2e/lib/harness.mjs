// Test harness for the end-to-end suite: starts the server binary named by SKEW_SERVER on a free
// 127.0.0.1 port, waits for {base}/health, always stops it (SIGTERM, then SIGKILL after a bound),
// and offers clients built on real libraries (ws, eventsource) plus raw sockets where a library
// would hide what is being tested. Every wait here is bounded.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { EventSource } from 'eventsource';
import { HOST, freePort, pollUntil, sleep } from '../../lib/net.mjs';

export { WebSocket, EventSource };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = path.resolve(ROOT, process.env.SKEW_E2E_ARTIFACTS || 'build/e2e-artifacts');
export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
export const GOOGLEBOT_UA =
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
export const CURL_UA = 'curl/8.5.0';
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export { HOST, freePort };
export const TOKEN = 'e2e-admin-token-0123456789';

export { sleep };

/** Resolve p or reject after ms with a message naming what was awaited. */
export function within(ms, p, what) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, rej) => {
      timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Poll fn until it returns a truthy value (or throws no more), bounded by ms. */
export function eventually(fn, { timeout = 5000, interval = 50, what = 'condition' } = {}) {
  return pollUntil(fn, {
    timeout, interval, got: `${what}: `,
    failure: (last) => {
      const err = new Error(`not true within ${timeout} ms: ${what}: ${last && last.message}`);
      err.cause = last;
      return err;
    },
  });
}

export function serverBinary() {
  const given = process.env.SKEW_SERVER || 'build/skew_server_lws';
  for (const cand of [path.resolve(given), path.resolve(ROOT, given)]) {
    if (fs.existsSync(cand)) return cand;
  }
  throw new Error(`server binary not found: SKEW_SERVER=${given} (build it, e.g. make build/skew_server_lws)`);
}

// Servers still running when this process exits are killed, whatever happened.
const live = new Set();
process.on('exit', () => {
  for (const s of live) {
    try { s.proc.kill('SIGKILL'); } catch { /* gone */ }
  }
});

let pdeathsig = null;
function pdeathsigPrefix() {
  if (pdeathsig === null) {
    const r = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' });
    pdeathsig = r.status === 0;
  }
  return pdeathsig ? ['setpriv', '--pdeathsig', 'KILL'] : [];
}

/**
 * Start a server. Options map to the command line:
 *   buildId (null: no --build-id), base, adminToken (null: none), routeTracking, ipTracking, trustProxy [cidr..],
 *   statsIntervalMs, keepaliveMs, maxConnections, root, maxOutputBytes, drainMs (default 0), extraArgs [..],
 *   host (default HOST, 127.0.0.1; '::1' for IPv6: every client helper below connects there)
 */
export async function startServer(opts = {}) {
  const bin = serverBinary();
  const o = {
    buildId: 'v-e2e-1',
    base: '/__skew',
    adminToken: TOKEN,
    routeTracking: true,
    ipTracking: false,
    trustProxy: [],
    statsIntervalMs: 0,
    ...opts,
  };
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['--host', o.host || HOST, '--port', String(port), '--base', o.base];
    if (o.buildId != null) args.push('--build-id', o.buildId); // null: the server picks (--root)
    if (o.adminToken) args.push('--admin-token', o.adminToken);
    if (o.routeTracking) args.push('--route-tracking');
    if (o.ipTracking) args.push('--ip-tracking');
    for (const c of o.trustProxy) args.push('--trust-proxy', c);
    if (o.statsIntervalMs != null) args.push('--stats-interval-ms', String(o.statsIntervalMs));
    if (o.keepaliveMs != null) args.push('--keepalive-ms', String(o.keepaliveMs));
    if (o.maxConnections != null) args.push('--max-connections', String(o.maxConnections));
    if (o.root != null) args.push('--root', o.root);
    if (o.maxOutputBytes != null) args.push('--max-output-bytes', String(o.maxOutputBytes));
    // SIGTERM closes streams at once unless a test asks for the graceful drain (tests/prod)
    args.push('--drain-ms', String(o.drainMs ?? 0));
    if (o.extraArgs) args.push(...o.extraArgs);
    const srv = new Server(bin, args, port, o);
    try {
      await srv.waitHealthy();
      return srv;
    } catch (e) {
      lastErr = e;
      await srv.kill();
      if (!/EADDRINUSE|address already in use|bind/i.test(srv.output())) break;
    }
  }
  throw lastErr;
}

export class Server {
  constructor(bin, args, port, opts) {
    this.bin = bin;
    this.args = args;
    this.port = port;
    this.opts = opts;
    this.base = opts.base;
    this.buildId = opts.buildId;
    this.token = opts.adminToken;
    this.host = opts.host || HOST;
    this.clients = new Set();
    this.out = '';
    const pre = pdeathsigPrefix();
    const argv = [...pre, bin, ...args];
    this.proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d) => {
      this.out += d.toString('utf8');
      if (this.out.length > 65536) this.out = this.out.slice(-32768);
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        live.delete(this);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    live.add(this);
  }

  output() { return this.out; }
  get hostInUrl() { return this.host.includes(':') ? `[${this.host}]` : this.host; }
  url(p = '/') { return `http://${this.hostInUrl}:${this.port}${p}`; }
  wsUrl(p) { return `ws://${this.hostInUrl}:${this.port}${p}`; }
  path(p) { return this.base + p; }
  get pid() { return this.proc.pid; }

  async waitHealthy(timeout = 10000) {
    const end = Date.now() + timeout;
    for (;;) {
      if (this.exit) throw new Error(`server exited early (${JSON.stringify(this.exit)}): ${this.out.slice(-2000)}`);
      try {
        const r = await request(this, 'GET', this.path('/health'), { timeout: 1000 });
        if (r.status === 200 && r.json && r.json.ok === true) return r.json;
      } catch { /* not up yet */ }
      if (Date.now() > end) throw new Error(`server not healthy within ${timeout} ms: ${this.out.slice(-2000)}`);
      await sleep(40);
    }
  }

  async kill() {
    if (this.exit) return this.exit;
    this.proc.kill('SIGKILL');
    return within(5000, this.exited, 'SIGKILL exit');
  }

  /** SIGTERM, wait up to `bound` ms, SIGKILL after that. Returns {code, signal, ms}. */
  async terminate(bound = 5000) {
    if (this.exit) return { ...this.exit, ms: 0 };
    const t0 = Date.now();
    this.proc.kill('SIGTERM');
    let timer;
    const r = await Promise.race([
      this.exited,
      new Promise((res) => { timer = setTimeout(() => res(null), bound); }),
    ]);
    clearTimeout(timer);
    if (r) return { ...r, ms: Date.now() - t0 };
    await this.kill();
    return { code: null, signal: 'SIGKILL', ms: Date.now() - t0, hung: true };
  }

  /** Close this server's clients, stop the server, and check it exited 0 on SIGTERM. */
  async stop() {
    await closeAll([...this.clients]);
    this.clients.clear();
    const r = await this.terminate();
    if (r.hung) throw new Error(`server did not exit within 5 s of SIGTERM (killed): ${this.out.slice(-2000)}`);
    if (r.code !== 0) throw new Error(`server exit on SIGTERM: ${JSON.stringify(r)}: ${this.out.slice(-2000)}`);
    return r;
  }

  // Convenience wrappers
  ws(o) { return openWs(this, o); }
  sse(o) { return openSse(this, o); }
  sseRaw(o) { return openSseRaw(this, o); }
  req(method, p, o) { return request(this, method, p, o); }
  health() { return request(this, 'GET', this.path('/health')); }
  adminStats(token = this.token) {
    return request(this, 'GET', this.path('/admin/stats'), { headers: { authorization: `Bearer ${token}` } });
  }
  async total() {
    const r = await this.adminStats();
    assert.equal(r.status, 200, `admin/stats: ${r.status} ${r.text}`);
    return r.json.total;
  }
  admin(p, body, token = this.token) {
    return request(this, 'POST', this.path(p), {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
  /** An authorized WebSocket subscriber, already holding its first stats. */
  async subscriber(o = {}) {
    const c = await openWs(this, { token: this.token, ...o });
    c.send({ type: 'subscribe-stats' });
    c.first = await c.inbox.nextStats(() => true);
    return c;
  }
}

/** Start a server, run fn(server), stop it (always). */
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime (14), stime (15)
}

/** Share of one core the server uses over `ms` while nobody talks to it. */
export async function idleCpuShare(srv, ms = 1500) {
  const a = cpuSeconds(srv.pid);
  await sleep(ms);
  return (cpuSeconds(srv.pid) - a) / (ms / 1000);
}

export async function withServer(opts, fn) {
  const srv = await startServer(opts);
  let failed = null;
  try {
    return await fn(srv);
  } catch (e) {
    failed = e;
    const tail = srv.output().slice(-1500);
    if (tail) e.message += `\n--- server output (tail) ---\n${tail}`;
    throw e;
  } finally {
    try {
      await srv.stop();
    } catch (e) {
      if (!failed) throw e; // eslint-disable-line no-unsafe-finally
    }
  }
}

async function closeAll(clients) {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
}

/* ------------------------------------------------------------------ inbox */

export function parseMsg(raw) {
  try { return JSON.parse(raw); } catch { return undefined; }
}

/** Received messages in order, with bounded waits for the next one that matches. */
export class Inbox {
  constructor(label) {
    this.label = label;
    this.all = [];
    this.pos = 0;
    this.waiters = new Set();
  }

  push(raw) {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    this.all.push({ raw: text, msg: parseMsg(text), at: Date.now() });
    for (const w of this.waiters) w();
  }

  /** Take the first unconsumed message matching pred (skipping others); wait up to timeout. */
  async next(pred = () => true, timeout = 5000, what = 'message') {
    const end = Date.now() + timeout;
    for (;;) {
      for (let i = this.pos; i < this.all.length; i++) {
        const m = this.all[i];
        if (m.msg !== undefined && pred(m.msg, m.raw)) {
          this.pos = i + 1;
          return m.msg;
        }
      }
      this.pos = this.all.length;
      const left = end - Date.now();
      if (left <= 0) {
        const recent = this.all.slice(-5).map((m) => m.raw.slice(0, 300));
        throw new Error(`${this.label}: no ${what} within ${timeout} ms; last messages: ${JSON.stringify(recent)}`);
      }
      await new Promise((resolve) => {
        const w = () => { this.waiters.delete(w); clearTimeout(t); resolve(); };
        const t = setTimeout(w, left);
        this.waiters.add(w);
      });
    }
  }

  /** Raw text of the first unconsumed message matching pred. */
  async nextRaw(pred = () => true, timeout = 5000, what = 'message') {
    const before = this.pos;
    await this.next(pred, timeout, what);
    void before;
    return this.all[this.pos - 1].raw;
  }

  nextType(type, timeout = 5000) {
    return this.next((m) => m && m.type === type, timeout, `"${type}" message`);
  }

  /** Next stats message that satisfies pred (coalesced intermediate states are skipped). */
  nextStats(pred, timeout = 5000, what = 'matching stats') {
    return this.next((m) => m && m.type === 'stats' && pred(m), timeout, what);
  }

  /** The last stats received, if it satisfies pred; else the next one that does. */
  latestStats(pred, timeout = 5000, what = 'matching stats') {
    for (let i = this.all.length - 1; i >= 0; i--) {
      const m = this.all[i];
      if (m.msg && m.msg.type === 'stats') {
        if (pred(m.msg)) { this.pos = Math.max(this.pos, i + 1); return Promise.resolve(m.msg); }
        break;
      }
    }
    return this.nextStats(pred, timeout, what);
  }

  /** Wait for stats whose {total, versions[, routes]} equal the given ones. */
  statsEqual(expected, timeout = 8000) {
    return this.nextStats((m) => isDeepEqual(countsOf(m, expected), expected), timeout,
      `stats equal to ${JSON.stringify(expected)}`);
  }

  /** Assert that within ms no further message matching pred arrives (from now). */
  async none(pred, ms, what = 'message') {
    const from = this.all.length;
    await sleep(ms);
    const hits = this.all.slice(from).filter((m) => m.msg !== undefined && pred(m.msg, m.raw));
    assert.equal(hits.length, 0, `${this.label}: unexpected ${what}: ${hits.map((h) => h.raw.slice(0, 200)).join(' | ')}`);
  }

  /** Assert that no message received so far matches pred. */
  never(pred, what = 'message') {
    const hits = this.all.filter((m) => m.msg !== undefined && pred(m.msg, m.raw));
    assert.equal(hits.length, 0, `${this.label}: unexpected ${what}: ${hits.map((h) => h.raw.slice(0, 200)).join(' | ')}`);
  }

  since(index) { return this.all.slice(index); }
  get length() { return this.all.length; }
}

export function countsOf(m, like = { total: 0, versions: 0, routes: 0 }) {
  const o = {};
  if ('total' in like) o.total = m.total;
  if ('versions' in like) o.versions = m.versions;
  if ('routes' in like) o.routes = m.routes;
  return o;
}

export function isDeepEqual(a, b) {
  try { assert.deepStrictEqual(a, b); return true; } catch { return false; }
}

/* ------------------------------------------------------------------ clients */

function headerSet({ ua = CHROME_UA, cookie, token, headers = {} }) {
  const h = {};
  if (ua !== null) h['user-agent'] = ua;
  const cookies = [];
  if (cookie) cookies.push(cookie);
  if (cookies.length) h.cookie = cookies.join('; ');
  if (token) h.authorization = `Bearer ${token}`;
  return { ...h, ...headers };
}

function wsPath(srv, route, p) {
  const base = p ?? srv.path('/ws');
  return route === undefined ? base : `${base}?route=${encodeURIComponent(route)}`;
}

/**
 * Open a WebSocket with the `ws` library. Options: route, cookie, token (Bearer on the
 * handshake), headers, ua, path, waitConnected (default true).
 * Resolves to a client with .id, .connected, .inbox, .send(obj|string), .close(), .closed.
 */
export function openWs(srv, o = {}) {
  const url = srv.wsUrl(wsPath(srv, o.route, o.path));
  const ws = new WebSocket(url, { headers: headerSet(o), perMessageDeflate: false, handshakeTimeout: 5000 });
  const c = {
    kind: 'ws',
    ws,
    inbox: new Inbox(`ws${o.route ? ' ' + o.route : ''}`),
    send(m) { ws.send(typeof m === 'string' || Buffer.isBuffer(m) ? m : JSON.stringify(m)); },
    close(code = 1000) {
      if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
      if (ws.readyState === WebSocket.CONNECTING) { ws.terminate(); return Promise.resolve(); }
      try { ws.close(code); } catch { ws.terminate(); }
      return within(3000, c.closed, 'ws close').catch(() => ws.terminate());
    },
    terminate() { ws.terminate(); },
  };
  c.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
    c.closeCode = code;
    resolve({ code, reason: reason.toString() });
  }));
  ws.on('message', (data) => c.inbox.push(data));
  ws.on('error', (e) => { c.error = e; });
  srv.clients.add(c);
  const opened = new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('unexpected-response', (req, res) => {
      const e = new Error(`ws handshake answered ${res.statusCode}`);
      e.status = res.statusCode;
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => { e.body = body; reject(e); });
      res.on('error', () => reject(e));
    });
    ws.on('error', reject);
    ws.on('close', () => reject(new Error('ws closed before open')));
  });
  const ready = (async () => {
    await within(5000, opened, `ws open ${url}`);
    if (o.waitConnected !== false) {
      c.connected = await c.inbox.nextType('connected');
      c.connectedRaw = c.inbox.all[c.inbox.pos - 1].raw;
      c.id = c.connected.connectionId;
    }
    return c;
  })();
  ready.catch(() => srv.clients.delete(c));
  return ready;
}

/** Status of a WebSocket handshake (101 when it opened), closing at once. */
export async function wsHandshakeStatus(srv, o = {}) {
  try {
    const c = await openWs(srv, { ...o, waitConnected: false });
    c.terminate();
    return { status: 101 };
  } catch (e) {
    if (e.status) return { status: e.status, body: e.body };
    throw e;
  }
}

/**
 * SSE with the `eventsource` library (reconnection disabled by closing on error).
 * Options: route, cookie, token, headers, ua, path.
 */
export function openSse(srv, o = {}) {
  const base = o.path ?? srv.path('/sse');
  const url = srv.url(o.route === undefined ? base : `${base}?route=${encodeURIComponent(o.route)}`);
  const hdrs = headerSet(o);
  const es = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...hdrs } }),
  });
  const c = {
    kind: 'sse',
    es,
    inbox: new Inbox(`sse${o.route ? ' ' + o.route : ''}`),
    errors: [],
    close() { es.close(); return Promise.resolve(); },
  };
  es.onmessage = (e) => c.inbox.push(e.data);
  es.onerror = (e) => { c.errors.push(e); };
  srv.clients.add(c);
  const ready = (async () => {
    c.connected = await c.inbox.nextType('connected');
    c.connectedRaw = c.inbox.all[c.inbox.pos - 1].raw;
    c.id = c.connected.connectionId;
    return c;
  })();
  ready.catch(() => { es.close(); srv.clients.delete(c); });
  return ready;
}

/**
 * SSE over a plain http.request, to see status, headers, framing and the end of the stream.
 * Resolves once the response head arrived: {status, headers, inbox, frames(), ended, destroy()}.
 */
export function openSseRaw(srv, o = {}) {
  const base = o.path ?? srv.path('/sse');
  const p = o.route === undefined ? base : `${base}?route=${encodeURIComponent(o.route)}`;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: srv.host, port: srv.port, method: o.method || 'GET', path: p, agent: false,
      headers: { accept: 'text/event-stream', ...headerSet(o) },
    });
    const timer = setTimeout(() => { req.destroy(new Error('SSE response head timeout')); }, 5000);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.on('response', (res) => {
      clearTimeout(timer);
      const c = {
        kind: 'sse-raw',
        req, res,
        status: res.statusCode,
        headers: res.headers,
        inbox: new Inbox('sse-raw'),
        text: '',
        badLines: [],
        destroy() { req.destroy(); res.destroy(); },
        close() { c.destroy(); return Promise.resolve(); },
      };
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        c.text += d;
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of ev.split('\n')) {
            if (line.startsWith('data: ')) c.inbox.push(line.slice(6));
            else c.badLines.push(line);
          }
        }
      });
      c.ended = new Promise((r) => {
        res.on('end', () => r('end'));
        res.on('close', () => r('close'));
        res.on('error', () => r('error'));
      });
      srv.clients.add(c);
      resolve(c);
    });
    req.end();
  });
}

/** Plain HTTP request (no keep-alive). Resolves {status, headers, text, json}. */
export function request(srv, method, p, { headers = {}, body, timeout = 5000, ua = CHROME_UA } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...(ua ? { 'user-agent': ua } : {}), ...headers };
    if (body !== undefined && h['content-length'] === undefined) h['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host: srv.host, port: srv.port, method, path: p, headers: h, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${p}: no answer within ${timeout} ms`)), timeout);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, json: parseMsg(text) });
      });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Assert a JSON error answer: status, JSON content type, {"ok":false,"error":"..."}. */
export function assertJsonError(r, status, what = '') {
  assert.equal(r.status, status, `${what}: status ${r.status}, body ${r.text.slice(0, 300)}`);
  assert.match(String(r.headers['content-type'] || ''), /application\/json/, `${what}: content-type`);
  assert.ok(r.json && typeof r.json === 'object', `${what}: body is not JSON: ${r.text.slice(0, 300)}`);
  assert.equal(r.json.ok, false, `${what}: ok`);
  assert.equal(typeof r.json.error, 'string', `${what}: error`);
  assert.ok(r.json.error.length > 0, `${what}: error text`);
  assert.deepEqual(Object.keys(r.json), ['ok', 'error'], `${what}: keys ${r.text}`);
}

/* ------------------------------------------------------------------ raw sockets */

/** A raw TCP connection that collects what it reads. */
export function rawSocket(srv, { host = HOST } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: srv.host, port: srv.port, localAddress: host === HOST ? undefined : host });
    const c = {
      sock: s, data: Buffer.alloc(0), closedFlag: false,
      write(b) { s.write(b); },
      close() { s.destroy(); return Promise.resolve(); },
      text() { return c.data.toString('latin1'); },
    };
    c.closed = new Promise((r) => s.on('close', () => { c.closedFlag = true; r(); }));
    s.on('data', (d) => { c.data = Buffer.concat([c.data, d]); });
    s.on('error', (e) => { c.error = e; });
    s.setTimeout(0);
    const t = setTimeout(() => { s.destroy(); reject(new Error('raw connect timeout')); }, 5000);
    s.on('connect', () => { clearTimeout(t); srv.clients.add(c); resolve(c); });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

/** Frame a client→server WebSocket frame (masked unless mask=false). */
export function wsFrame(opcode, payload, { fin = true, mask = true, rsv = 0 } = {}) {
  const p = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const m = mask ? 0x80 : 0;
  if (p.length < 126) head.push(m | p.length);
  else if (p.length < 65536) head.push(m | 126, p.length >> 8, p.length & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((p.length >>> 24) & 0xff, (p.length >>> 16) & 0xff, (p.length >>> 8) & 0xff, p.length & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), p]);
  const key = crypto.randomBytes(4);
  const out = Buffer.alloc(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), key, out]);
}

/** Raw WebSocket handshake over a TCP socket; resolves once the 101 head is read. */
export async function rawWs(srv, { route, headers = {}, ua = CHROME_UA } = {}) {
  const c = await rawSocket(srv);
  const key = crypto.randomBytes(16).toString('base64');
  const p = wsPath(srv, route);
  let head = `GET ${p} HTTP/1.1\r\nHost: ${HOST}:${srv.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  if (ua) head += `User-Agent: ${ua}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  c.write(head + '\r\n');
  await eventually(() => c.text().includes('\r\n\r\n'), { timeout: 5000, what: 'raw ws 101' });
  const status = Number(c.text().split(' ')[1]);
  assert.equal(status, 101, `raw ws handshake: ${c.text().slice(0, 200)}`);
  return c;
}

/** Decode the server→client frames in buf (unmasked). Returns [{opcode, payload}] and rest. */
export function parseFrames(buf) {
  const frames = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const op = buf[i] & 0x0f;
    let len = buf[i + 1] & 0x7f;
    let j = i + 2;
    if (len === 126) { if (j + 2 > buf.length) break; len = buf.readUInt16BE(j); j += 2; }
    else if (len === 127) { if (j + 8 > buf.length) break; len = Number(buf.readBigUInt64BE(j)); j += 8; }
    if (buf[i + 1] & 0x80) j += 4;
    if (j + len > buf.length) break;
    frames.push({ opcode: op, payload: buf.subarray(j, j + len) });
    i = j + len;
  }
  return { frames, rest: buf.subarray(i) };
}

/* ------------------------------------------------------------------ stats checks */

/** Check a stats message's structure; returns it. */
export function assertStatsShape(m, raw, { routes = true, ip = false, yourId } = {}) {
  const keys = Object.keys(m);
  const want = ['type', 'total', 'versions', ...(routes ? ['routes'] : []), 'connections', ...(yourId ? ['yourId'] : [])];
  assert.deepEqual(keys, want, `stats keys in order: ${raw ? raw.slice(0, 300) : JSON.stringify(m)}`);
  assert.equal(m.type, 'stats');
  assert.ok(Number.isInteger(m.total) && m.total >= 0);
  const vsum = Object.values(m.versions).reduce((a, b) => a + b, 0);
  assert.equal(vsum, m.total, 'versions add up to total');
  for (const v of Object.values(m.versions)) assert.ok(Number.isInteger(v) && v > 0, 'version counts > 0');
  if (routes) {
    const rsum = Object.values(m.routes).reduce((a, b) => a + b, 0);
    assert.equal(rsum, m.total, 'routes add up to total');
    for (const v of Object.values(m.routes)) assert.ok(Number.isInteger(v) && v > 0, 'route counts > 0');
  }
  assert.ok(Array.isArray(m.connections));
  for (const e of m.connections) {
    const ek = ['id', 'version', ...(routes ? ['route'] : []), ...(ip ? ['ip'] : [])];
    assert.deepEqual(Object.keys(e), ek, `connection entry keys: ${JSON.stringify(e)}`);
    assert.match(e.id, UUID_V4);
  }
  if (yourId) assert.equal(m.yourId, yourId, 'yourId');
  return m;
}

export function tally(list, key) {
  const o = {};
  for (const e of list) o[e[key]] = (o[e[key]] || 0) + 1;
  return o;
}

/** Compare maps ignoring key order. */
export function sameMap(a, b) {
  return isDeepEqual(sortKeys(a), sortKeys(b));
}
export function sortKeys(o) {
  return Object.fromEntries(Object.entries(o || {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

export function isValidUtf8(buf) {
  try { new TextDecoder('utf-8', { fatal: true }).decode(buf); return true; } catch { return false; }
}

/** n idle raw SSE streams (cheap: plain sockets that discard what they read), opened 100 at a time. */
export async function idleSse(srv, n, { route = '/idle' } = {}) {
  const out = [];
  const one = async () => {
    const c = await rawSocket(srv);
    c.write(`GET ${srv.path('/sse')}?route=${encodeURIComponent(route)} HTTP/1.1\r\nHost: ${HOST}\r\n` +
      `Accept: text/event-stream\r\nUser-Agent: ${CHROME_UA}\r\n\r\n`);
    await eventually(() => c.data.includes('"connected"'), { timeout: 15000, interval: 20, what: 'idle SSE connected' }); // generous: a loaded machine
    c.sock.removeAllListeners('data');
    c.sock.on('data', () => {});
    c.data = Buffer.alloc(0);
    return c;
  };
  for (let i = 0; i < n; i += 100) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, one))));
  }
  return out;
}
