#!/usr/bin/env node
// A small node implementation of PROTOCOL.md with the example servers' command line, used only to
// check the end-to-end suite itself (SKEW_SERVER=tests/e2e/mock/server.mjs). Not a product: the
// C servers are what the suite is for. No pages, no --root.
import http from 'node:http';
import crypto from 'node:crypto';
import net from 'node:net';
import { WebSocketServer } from 'ws';

const a = process.argv.slice(2);
const o = { host: '127.0.0.1', port: 8000, build: 'dev', base: '/__skew', token: process.env.SKEW_ADMIN_TOKEN || null,
  routes: false, ips: false, trust: [], interval: 0, keepalive: 30000, max: 1024, maxOut: 1 << 20 };
for (let i = 0; i < a.length; i++) {
  const f = a[i];
  const v = () => a[++i];
  if (f === '--host') o.host = v(); else if (f === '--port') o.port = Number(v());
  else if (f === '--build-id') o.build = v(); else if (f === '--base') o.base = v();
  else if (f === '--admin-token') o.token = v(); else if (f === '--route-tracking') o.routes = true;
  else if (f === '--ip-tracking') o.ips = true; else if (f === '--trust-proxy') o.trust.push(v());
  else if (f === '--stats-interval-ms') o.interval = Number(v());
  else if (f === '--keepalive-ms') o.keepalive = Number(v());
  else if (f === '--max-connections') o.max = Number(v());
  else if (f === '--max-output-bytes') o.maxOut = Number(v());
  else if (f === '--root') v();
  else if (f === '--timeline-samples' || f === '--timeline-period-ms') v(); // no timeline here
  else if (f === '--drain-ms') v(); // SIGTERM ends at once here
  else { console.error(`unknown flag ${f}`); process.exit(2); }
}
if (!o.trust.length) o.trust = ['127.0.0.0/8', '::1/128'];
let version = o.build;
const started = Date.now();
const conns = new Map(); // id -> {id, version, route, ip, kind, send, close, sub, authStats}
const m = { opened: 0, closed: 0, bots: 0, sent: 0, slow: 0 };

function inCidr(ip, cidr) {
  const [net0, bits] = cidr.split('/');
  if (net.isIPv4(ip) !== net.isIPv4(net0)) return false;
  if (net.isIPv4(ip)) {
    const n = (s) => s.split('.').reduce((x, y) => (x << 8) + Number(y), 0) >>> 0;
    const b = Number(bits ?? 32);
    const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
    return ((n(ip) & mask) >>> 0) === ((n(net0) & mask) >>> 0);
  }
  return canon(ip) === canon(net0);
}
const trusted = (ip) => o.trust.some((c) => inCidr(ip, c));
function canon(ip) {
  if (!ip) return null;
  ip = ip.trim().replace(/^\[|\]$/g, '');
  if (net.isIPv4(ip)) return ip;
  if (!net.isIPv6(ip)) return null;
  const u = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(u);
  if (mapped) { const h = parseInt(mapped[1], 16), l = parseInt(mapped[2], 16); return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`; }
  return u;
}
function clientIp(req) {
  const peer = canon(req.socket.remoteAddress);
  if (!trusted(peer)) return peer;
  const h = req.headers;
  const cf = canon(h['cf-connecting-ip']);
  if (cf) return cf;
  if (h['x-forwarded-for']) {
    const hops = h['x-forwarded-for'].split(',').map(canon);
    for (let i = hops.length - 1; i >= 0; i--) { if (!hops[i]) break; if (!trusted(hops[i])) return hops[i]; }
  }
  const xr = canon(h['x-real-ip']);
  if (xr) return xr;
  const fw = /for="?\[?([^\]";,]+?)\]?(:\d+)?"?(;|,|$)/i.exec(h.forwarded || '');
  if (fw && canon(fw[1])) return canon(fw[1]);
  return peer;
}
const isBot = (ua) => !ua || /bot|crawl|spider|curl|wget|python|http|slurp/i.test(ua);
function cookie(req, name) {
  for (const p of String(req.headers.cookie || '').split(';')) {
    const i = p.indexOf('=');
    if (i > 0 && p.slice(0, i).trim() === name) return p.slice(i + 1).trim();
  }
  return null;
}
function authorized(req) {
  if (!o.token) return null;
  const a0 = String(req.headers.authorization || '');
  const t = a0.startsWith('Bearer ') ? a0.slice(7) : a0;
  return t === o.token || cookie(req, 'skew_admin') === o.token;
}
function cleanRoute(r) {
  if (typeof r !== 'string' || !r.startsWith('/') || r.length > 2048 || /[\u0000-\u001f\u007f\ufffd]/.test(r)) return null;
  return r.split(/[?#]/)[0];
}
function routeFromUrl(u) {
  const raw = /(?:^|&)route=([^&]*)/.exec(u.search.slice(1));
  if (!raw) return '/';
  try { return cleanRoute(decodeURIComponent(raw[1])) || '/'; } catch { return '/'; }
}
const countBy = (k) => { const x = {}; for (const c of conns.values()) x[c[k]] = (x[c[k]] || 0) + 1; return x; };
function snapshot(you) {
  const s = { type: 'stats', total: conns.size, versions: countBy('version') };
  if (o.routes) s.routes = countBy('route');
  s.connections = [...conns.values()].map((c) => {
    const e = { id: c.id, version: c.version };
    if (o.routes) e.route = c.route;
    if (o.ips) e.ip = c.ip;
    return e;
  });
  if (you) s.yourId = you;
  return s;
}
function send(c, obj) { m.sent++; c.send(JSON.stringify(obj)); }
let timer = null;
let lastPush = 0;
function changed() {
  if (timer) return;
  const wait = Math.max(0, lastPush + o.interval - Date.now());
  timer = setTimeout(() => {
    timer = null; lastPush = Date.now();
    for (const c of conns.values()) if (c.sub) send(c, snapshot(c.id));
  }, wait);
}
function open(req, kind, sendFn, closeFn) {
  const c = { id: crypto.randomUUID(), version: cookie(req, '__nkpv') || version, route: routeFromUrl(new URL(req.url, 'http://x')),
    ip: clientIp(req), kind, send: sendFn, close: closeFn, sub: false, auth: authorized(req) };
  conns.set(c.id, c);
  m.opened++;
  send(c, { type: 'connected', version, connectionId: c.id, timestamp: Date.now() });
  changed();
  return c;
}
function drop(c) { if (conns.delete(c.id)) { m.closed++; changed(); } }
function subscribe(c, ok) {
  if (ok) { c.sub = true; send(c, snapshot(c.id)); } else send(c, { type: 'stats-unauthorized' });
}
const json = (res, status, obj) => {
  const b = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
  res.end(b);
};
const err = (res, status, e) => json(res, status, { ok: false, error: e });
function body(req) {
  return new Promise((r) => { let b = ''; req.on('data', (d) => { b += d; }); req.on('end', () => r(b)); });
}
function parseBody(req, b) {
  if (/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) {
    return Object.fromEntries(new URLSearchParams(b));
  }
  try { const v = JSON.parse(b); return v && typeof v === 'object' && !Array.isArray(v) ? v : null; } catch { return null; }
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const server = http.createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  if (!p.startsWith(o.base + '/')) { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<p>app</p>'); return; }
  const ep = p.slice(o.base.length);
  if (ep === '/sse') {
    if (req.method !== 'GET') return err(res, 405, 'method not allowed');
    if (isBot(req.headers['user-agent'])) { m.bots++; res.writeHead(204); res.end(); return; }
    if (conns.size >= o.max) return err(res, 503, 'too many connections');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const c = open(req, 'sse', (t) => {
      res.write(`data: ${t}\n\n`);
      if (res.writableLength > o.maxOut) { m.slow++; res.destroy(); }
    }, () => res.end());
    const ka = setInterval(() => send(c, { type: 'keepalive', timestamp: Date.now() }), o.keepalive);
    res.on('close', () => { clearInterval(ka); drop(c); });
    return;
  }
  if (ep === '/ws') return err(res, 426, 'upgrade required');
  if (ep === '/health') return json(res, 200, { ok: true, version, uptime: Math.floor((Date.now() - started) / 1000) });
  if (ep === '/route' || ep === '/subscribe-stats') {
    if (req.method !== 'POST') return err(res, 405, 'method not allowed');
    const b = parseBody(req, await body(req));
    if (!b || typeof b.connectionId !== 'string' || !UUID.test(b.connectionId)) return err(res, 400, 'missing connectionId');
    const c = conns.get(b.connectionId);
    if (!c) return err(res, 404, 'unknown connectionId');
    if (ep === '/route') {
      const r = cleanRoute(b.route);
      if (!r) return err(res, 400, 'invalid route');
      c.route = r; changed();
    } else subscribe(c, authorized(req));
    return json(res, 200, { ok: true });
  }
  if (ep.startsWith('/admin/')) {
    const ok = authorized(req);
    if (ok === null) return err(res, 503, 'admin token not configured');
    if (!ok) return err(res, 401, 'unauthorized');
    if (ep === '/admin/stats') { const s = snapshot(); delete s.type; return json(res, 200, s); }
    const b = parseBody(req, await body(req));
    if (ep === '/admin/version') {
      if (!b || typeof b.version !== 'string' || !b.version) return err(res, 400, 'missing version');
      version = b.version;
      for (const c of conns.values()) send(c, { type: 'version', version });
      return json(res, 200, { ok: true });
    }
    if (ep === '/admin/invalidate') {
      const r = b && cleanRoute(b.route);
      if (!r) return err(res, 400, 'invalid route');
      let n = 0;
      for (const c of conns.values()) if (o.routes && c.route.startsWith(r)) { n++; send(c, { type: 'version', version, force: true }); }
      return json(res, 200, { ok: true, count: n });
    }
  }
  if (ep === '/metrics') {
    let t = '# TYPE skew_connections gauge\nskew_connections ' + conns.size + '\n';
    t += '# TYPE skew_connections_by_version gauge\n';
    for (const [k, v] of Object.entries(countBy('version'))) t += `skew_connections_by_version{version="${k}"} ${v}\n`;
    if (o.routes) {
      t += '# TYPE skew_connections_by_route gauge\n';
      for (const [k, v] of Object.entries(countBy('route'))) t += `skew_connections_by_route{route="${k}"} ${v}\n`;
    }
    for (const [k, v] of [['opened', m.opened], ['closed', m.closed], ['bots_rejected', m.bots], ['messages_sent', m.sent], ['slow_dropped', m.slow]]) {
      t += `# TYPE skew_${k}_total counter\nskew_${k}_total ${v}\n`;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(t);
    return;
  }
  return err(res, 404, 'not found');
});
server.maxHeaderSize = 16384;
const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
server.on('upgrade', (req, sock, head) => {
  const u = new URL(req.url, 'http://x');
  const reject = (s, extra = '') => {
    const body = JSON.stringify({ ok: false, error: `refused ${s}` });
    sock.end(`HTTP/1.1 ${s} X\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${extra}` +
      `connection: close\r\n\r\n${body}`);
  };
  if (u.pathname !== o.base + '/ws') return reject(404);
  if (!req.headers['sec-websocket-key'] || req.headers['sec-websocket-version'] !== '13') {
    return reject(400, 'sec-websocket-version: 13\r\n');
  }
  if (isBot(req.headers['user-agent'])) { m.bots++; return reject(403); }
  if (conns.size >= o.max) return reject(503);
  wss.handleUpgrade(req, sock, head, (ws) => {
    const c = open(req, 'ws', (t) => ws.send(t), () => ws.close(1001));
    let alive = true;
    ws.on('pong', () => { alive = true; });
    const ka = setInterval(() => { if (!alive) return ws.terminate(); alive = false; ws.ping(); }, o.keepalive);
    ws.on('close', () => { clearInterval(ka); drop(c); });
    ws.on('error', () => {});
    ws.on('message', (d) => {
      const s = d.toString();
      if (s === 'ping') return send(c, { type: 'pong' });
      let msg; try { msg = JSON.parse(s); } catch { return; }
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'ping') send(c, { type: 'pong' });
      else if (msg.type === 'subscribe-stats') subscribe(c, c.auth);
      else if (msg.type === 'route-update') { const r = cleanRoute(msg.route); if (r) { c.route = r; changed(); } }
    });
  });
});
server.on('clientError', (e, sock) => sock.destroy());
server.listen(o.port, o.host);
process.on('SIGTERM', () => {
  for (const c of conns.values()) c.close();
  server.close();
  setTimeout(() => process.exit(0), 100);
});
