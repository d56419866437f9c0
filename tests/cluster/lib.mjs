// Cluster test helpers: a real redis-server on a free loopback port in its own temp dir (stopped
// by the test), a minimal RESP client to look at it and write hostile data, and instances of
// both example servers joined to it. Built on tests/e2e/lib/harness.mjs (same clients, same
// bounded waits); the npm packages come from tests/e2e's lockfile.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Server, freePort, sleep, within, eventually, request, TOKEN, HOST, ROOT } from '../e2e/lib/harness.mjs';

export * from '../e2e/lib/harness.mjs';
export const e2eRequire = createRequire(path.join(ROOT, 'tests/e2e/package.json'));

export const P = Number(process.env.SKEW_CLUSTER_P || 200); // --cluster-interval-ms in tests

/** The server binaries to mix: SKEW_CLUSTER_SERVERS="path1 path2" (from run.sh). */
export function binaries() {
  const list = (process.env.SKEW_CLUSTER_SERVERS || 'build/skew_server_lws').split(/\s+/).filter(Boolean);
  return list.map((b) => path.resolve(ROOT, b));
}
/** Three instance kinds: both servers when mongoose is there (lws, mongoose, lws), else lws x3. */
export function threeKinds() {
  const b = binaries();
  return [b[0], b[1 % b.length], b[0]];
}

// ---- redis ---------------------------------------------------------------------------------

const redisLive = new Set();
process.on('exit', () => { for (const r of redisLive) try { r.proc.kill('SIGKILL'); } catch { /* gone */ } });

export class Redis {
  constructor(port, dir, extra) {
    this.port = port;
    this.dir = dir;
    this.extra = extra;
    this.url = `redis://${HOST}:${port}`;
  }

  async start() {
    const args = ['--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'no',
      '--dir', this.dir, '--enable-debug-command', 'local', '--daemonize', 'no', ...this.extra];
    this.out = '';
    this.proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d) => { this.out = (this.out + d).slice(-8192); });
    this.proc.stderr.on('data', (d) => { this.out = (this.out + d).slice(-8192); });
    this.exited = new Promise((r) => this.proc.on('exit', () => { redisLive.delete(this); r(); }));
    redisLive.add(this);
    await eventually(async () => (await this.cmd('PING').catch(() => null)) === 'PONG',
      { timeout: 5000, what: `redis-server on ${this.port}: ${this.out}` });
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGKILL');
    await within(5000, this.exited, 'redis exit');
  }

  /** One command over a fresh connection; resolves to the decoded reply. */
  cmd(...args) { return respCommand(this.port, args, this.password); }
}

export async function startRedis({ extra = [], password } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-redis-'));
  const port = await freePort();
  const r = new Redis(port, dir, password ? [...extra, '--requirepass', password] : extra);
  r.password = password;
  await r.start();
  return r;
}

export async function withRedis(opts, fn) {
  const r = await startRedis(opts);
  try {
    return await fn(r);
  } finally {
    await r.stop();
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
}

function encode(args) {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(`$${b.length}\r\n`, b, '\r\n');
  }
  return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
}

/** Parse one RESP reply from buf at i: [value, next] or null when incomplete. */
function parse(buf, i = 0) {
  const eol = buf.indexOf('\r\n', i);
  if (eol < 0) return null;
  const t = String.fromCharCode(buf[i]);
  const line = buf.toString('utf8', i + 1, eol);
  if (t === '+') return [line, eol + 2];
  if (t === '-') return [new Error(line), eol + 2];
  if (t === ':') return [Number(line), eol + 2];
  if (t === '$') {
    const n = Number(line);
    if (n < 0) return [null, eol + 2];
    if (buf.length < eol + 2 + n + 2) return null;
    return [buf.toString('utf8', eol + 2, eol + 2 + n), eol + 2 + n + 2];
  }
  if (t === '*') {
    const n = Number(line);
    if (n < 0) return [null, eol + 2];
    const out = [];
    let j = eol + 2;
    for (let k = 0; k < n; k++) {
      const r = parse(buf, j);
      if (!r) return null;
      out.push(r[0]);
      j = r[1];
    }
    return [out, j];
  }
  throw new Error(`bad RESP type ${t}`);
}

export function respCommand(port, args, password, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, HOST);
    let buf = Buffer.alloc(0);
    let want = password ? 2 : 1;
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`redis ${args[0]}: timeout`)); }, timeout);
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('connect', () => {
      if (password) s.write(encode(['AUTH', password]));
      s.write(encode(args));
    });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      let r;
      while (want && (r = parse(buf))) {
        buf = buf.subarray(r[1]);
        if (--want === 0) {
          clearTimeout(timer);
          s.end();
          if (r[0] instanceof Error) reject(r[0]); else resolve(r[0]);
        }
      }
    });
  });
}

// ---- instances ------------------------------------------------------------------------------

/**
 * Start one instance of bin joined to redis: opts.id, opts.buildId, opts.cluster ('c'), opts.P,
 * opts.env (extra environment), opts.extraArgs, and the harness' usual options.
 */
export async function startInstance(bin, redis, opts = {}) {
  const o = {
    buildId: 'v1', base: '/__skew', adminToken: TOKEN, routeTracking: true, statsIntervalMs: 0,
    cluster: 'c', P, id: `i${Math.random().toString(16).slice(2, 8)}`, ...opts,
  };
  const port = await freePort();
  const args = ['--host', HOST, '--port', String(port), '--build-id', o.buildId, '--base', o.base,
    '--admin-token', o.adminToken, '--stats-interval-ms', String(o.statsIntervalMs), '--verbose'];
  if (o.routeTracking) args.push('--route-tracking');
  if (o.keepaliveMs) args.push('--keepalive-ms', String(o.keepaliveMs));
  if (redis) args.push('--redis', typeof redis === 'string' ? redis : redis.url);
  args.push('--cluster', o.cluster, '--instance-id', o.id, '--cluster-interval-ms', String(o.P));
  // SIGTERM: streams closed at once unless asked (drainMs: null for a server older than the flag)
  if (o.drainMs !== null) args.push('--drain-ms', String(o.drainMs ?? 0));
  if (o.extraArgs) args.push(...o.extraArgs);
  const saved = {};
  for (const [k, v] of Object.entries(o.env || {})) { saved[k] = process.env[k]; process.env[k] = v; }
  let srv;
  try {
    srv = new Server(bin, args, port, o);
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
  srv.id = o.id;
  srv.kind = path.basename(bin);
  await srv.waitHealthy();
  return srv;
}

/** admin/stats JSON of an instance. */
export async function stats(srv) {
  const r = await srv.adminStats();
  if (r.status !== 200) throw new Error(`admin/stats ${r.status}: ${r.text}`);
  return r.json;
}

export async function metrics(srv) {
  const r = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
  return r.text;
}

/** Wait until every instance reports cluster "ok", total n and instances count k. */
export function clusterShows(instances, total, k, timeout = 8 * P + 3000) {
  return Promise.all(instances.map((s) => eventually(async () => {
    const j = await stats(s);
    return j.cluster === 'ok' && j.total === total && (j.instances || []).length === k && j;
  }, { timeout, interval: 50, what: `${s.id}: cluster ok, total ${total}, ${k} instances` })));
}

/** Two instances (kinds[0] and kinds[1]) of `cluster`, named ids[0] and ids[1], pushed onto list;
 *  then on instance i one client of each kind in opens[i] ('sse' or 'ws'), in order, and wait
 *  until both show them all. */
export async function startTwo(redis, list, kinds, cluster, ids, opens) {
  for (let i = 0; i < 2; i++) list.push(await startInstance(kinds[i], redis, { id: ids[i], cluster }));
  for (let i = 0; i < 2; i++) for (const kind of opens[i]) await list[i][kind]();
  await clusterShows(list, opens[0].length + opens[1].length, 2);
}

/** Stop every instance (SIGKILL when it does not exit), then nothing is left running. An
 *  instance that was not killed on purpose must exit 0 on SIGTERM, with no sanitizer report. */
export async function stopAll(list) {
  const problems = [];
  await Promise.all(list.map(async (s) => {
    for (const c of s.clients) { try { await c.close(); } catch { /* gone */ } }
    s.clients.clear();
    const r = await s.terminate(5000);
    if (r.signal === 'SIGKILL' && !r.hung) return; // killed by the test itself
    if (r.hung || r.code !== 0) problems.push(`${s.id} (${s.kind}): exit ${JSON.stringify(r)}`);
    if (/AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:/.test(s.output())) problems.push(`${s.id}: sanitizer report`);
    if (problems.length) problems.push(s.output().slice(-3000));
  }));
  if (problems.length) throw new Error(problems.join('\n'));
}

/** withRedis (opts) with a list of instances always stopped at the end (stopAll, which throws
 *  on an unclean exit): fn(redis, list, kinds), kinds the three binaries of threeKinds(). */
export function withCluster(opts, fn) {
  return withRedis(opts, async (redis) => {
    const kinds = threeKinds();
    const list = [];
    try {
      return await fn(redis, list, kinds);
    } finally {
      await stopAll(list);
    }
  });
}

export function haveRedis() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export { sleep, within, eventually, request, TOKEN, HOST };
