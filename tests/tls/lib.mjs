// Helpers of the edge tests (tests/tls, tests/topology): a test PKI made with `openssl` in a temp
// dir, processes started and always stopped, HTTP(S) requests, SSE and WebSocket clients that
// trust the test CA. Node packages (ws, playwright-core) come from the e2e suite's node_modules.
// Every wait here is bounded.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { HOST, freePort, pollUntil, sleep } from '../lib/net.mjs';

const require = createRequire(new URL('../e2e/package.json', import.meta.url));
export const WebSocket = require('ws');
export const { chromium } = require('playwright-core');

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export { HOST, freePort };
export const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
export const CHROMIUM = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export { sleep };

/** A tool the test needs: its path, or throws (the step then fails: never a silent skip). */
export function needTool(name, cands = []) {
  for (const c of cands) if (fs.existsSync(c)) return c;
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  throw new Error(`${name} not found (Debian: see .ci/install-deps)`);
}

export function eventually(fn, what, timeout = 8000, interval = 50) {
  return pollUntil(fn, {
    timeout, interval, failure: (last) => new Error(`${what}: not within ${timeout} ms: ${last && last.message}`),
  });
}

export function tmpDir(tag) {
  return fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', `skew-${tag}-`));
}

/* ------------------------------------------------------------------ PKI */

const openssl = (args, cwd) => execFileSync(needTool('openssl'), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** A test CA in dir: {dir, ca: path of ca.pem}. */
export function makeCa(dir, cn = 'skew test CA') {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  return { dir, ca: path.join(dir, 'ca.pem'), pem: fs.readFileSync(path.join(dir, 'ca.pem')) };
}

/** A server certificate for 127.0.0.1/localhost signed by the CA, with a fresh key:
    {cert, key} paths named after `name`, pem, fingerprint (SHA-256 hex), spki (base64 SHA-256). */
export function makeLeaf(ca, name) {
  const d = ca.dir;
  fs.writeFileSync(path.join(d, `${name}.ext`),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`], d);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', `${name}.ext`, '-out', `${name}.pem`], d);
  const pem = fs.readFileSync(path.join(d, `${name}.pem`));
  const x = new crypto.X509Certificate(pem);
  const spki = crypto.createHash('sha256').update(x.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return { cert: path.join(d, `${name}.pem`), key: path.join(d, `${name}.key`), pem, fingerprint: x.fingerprint256, spki };
}

/** Put a leaf's files at the paths a server reads (atomic renames, as a deploy would). */
export function installLeaf(leaf, certPath, keyPath) {
  fs.copyFileSync(leaf.key, `${keyPath}.new`);
  fs.copyFileSync(leaf.cert, `${certPath}.new`);
  fs.renameSync(`${keyPath}.new`, keyPath);
  fs.renameSync(`${certPath}.new`, certPath);
}

/* ------------------------------------------------------------------ processes */

const live = new Set();
process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/** Start a program; output kept (tail). Stopped by stop() or at exit. */
export function startProc(bin, args, { env = {}, cwd } = {}) {
  const pre = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0
    ? ['setpriv', '--pdeathsig', 'KILL'] : [];
  const argv = [...pre, bin, ...args];
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, cwd });
  live.add(proc);
  const p = { proc, out: '', exit: null };
  const keep = (d) => {
    p.out += d.toString('utf8');
    if (p.out.length > 65536) p.out = p.out.slice(-32768);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  p.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
    live.delete(proc);
    p.exit = { code, signal };
    resolve(p.exit);
  }));
  p.signal = (s) => { if (!p.exit) proc.kill(s); };
  p.stop = async (bound = 6000) => {
    if (p.exit) return p.exit;
    proc.kill('SIGTERM');
    let t;
    const r = await Promise.race([p.exited, new Promise((res) => { t = setTimeout(() => res(null), bound); })]);
    clearTimeout(t);
    if (r) return r;
    proc.kill('SIGKILL');
    await p.exited;
    return { code: null, signal: 'SIGKILL', hung: true };
  };
  return p;
}

/* ------------------------------------------------------------------ clients */

function mod(url) { return url.startsWith('https:') ? https : http; }

/** One request: {status, headers, text, json, cert} (cert: the server's fingerprint over TLS). */
export function request(url, { method = 'GET', headers = {}, body, ca, timeout = 5000, rawPath } = {}) {
  return new Promise((resolve, reject) => {
    // rawPath: sent exactly as given (a URL string would have its dot segments resolved)
    const u = new URL(url);
    const h = { 'user-agent': CHROME_UA, ...headers };
    if (body !== undefined) h['content-length'] = Buffer.byteLength(body); // not chunked
    const opts = { method, ca, agent: false, timeout, headers: h };
    const onRes = (res) => {
      const cert = res.socket.getPeerCertificate ? res.socket.getPeerCertificate().fingerprint256 : undefined;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json, cert });
      });
    };
    const req = rawPath ? mod(url).request({ host: u.hostname, port: u.port, path: rawPath, ...opts }, onRes)
      : mod(url).request(url, opts, onRes);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Messages as they come, with a bounded wait for the next match. */
export class Inbox {
  constructor(label) { this.label = label; this.all = []; this.pos = 0; this.wake = null; }
  push(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { msg = undefined; }
    this.all.push(msg);
    if (this.wake) this.wake();
  }
  async next(pred = () => true, timeout = 5000) {
    const end = Date.now() + timeout;
    for (;;) {
      while (this.pos < this.all.length) {
        const m = this.all[this.pos++];
        if (m !== undefined && pred(m)) return m;
      }
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${this.label}: no matching message within ${timeout} ms`);
      await new Promise((r) => { const t = setTimeout(r, left); this.wake = () => { clearTimeout(t); r(); }; });
    }
  }
}

/** An SSE stream: resolves when the head arrived: {status, inbox, cert, closed, close()}. */
export function openSse(url, { ca, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const inbox = new Inbox(`sse ${url}`);
    const req = mod(url).request(url, {
      ca, agent: false, headers: { 'user-agent': CHROME_UA, accept: 'text/event-stream', ...headers },
    }, (res) => {
      req.setTimeout(0); // the head came: an idle stream is not a timeout
      let buf = '';
      const s = { status: res.statusCode, inbox, cert: res.socket.getPeerCertificate?.().fingerprint256 };
      s.closed = new Promise((r) => { res.on('close', r); res.on('end', r); });
      s.close = () => { req.destroy(); return s.closed; };
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = ev.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
          if (data) inbox.push(data);
        }
      });
      res.on('error', () => {});
      resolve(s);
    });
    req.setTimeout(8000, () => req.destroy(new Error(`no SSE head: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket: resolves when open: {ws, inbox, cert, closed, close()}. */
export function openWs(url, { ca, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const inbox = new Inbox(`ws ${url}`);
    const ws = new WebSocket(url, { ca, headers: { 'user-agent': CHROME_UA, ...headers }, perMessageDeflate: false,
      handshakeTimeout: 8000 });
    const closed = new Promise((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => inbox.push(d.toString('utf8')));
    ws.on('error', (e) => reject(e));
    ws.on('open', () => {
      const cert = ws._socket.getPeerCertificate ? ws._socket.getPeerCertificate().fingerprint256 : undefined;
      resolve({ ws, inbox, cert, closed, send: (m) => ws.send(JSON.stringify(m)), close: () => { ws.close(); return closed; } });
    });
  });
}

/** GET base/admin/stats with a Bearer token: the JSON, or throws. */
export async function stats(origin, base, token, ca) {
  const r = await request(`${origin}${base}/admin/stats`, { headers: { authorization: `Bearer ${token}` }, ca });
  if (r.status !== 200) throw new Error(`admin/stats: ${r.status} ${r.text.slice(0, 200)}`);
  return r.json;
}

/** Wait until base/health answers 200 (the server is up). */
export async function waitHealthy(origin, base, p, ca, timeout = 10000) {
  return eventually(async () => {
    if (p && p.exit) throw new Error(`exited early ${JSON.stringify(p.exit)}: ${p.out.slice(-1500)}`);
    const r = await request(`${origin}${base}/health`, { ca, timeout: 1000 });
    return r.status === 200 && r.json;
  }, `health of ${origin}`, timeout);
}
