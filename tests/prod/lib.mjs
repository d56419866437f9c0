// Helpers of the production suite: both example servers started with the flags under test
// (no --build-id unless asked), temp release trees with a `current` symlink, and the real
// redis-server of tests/cluster/lib.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Server, freePort, HOST, TOKEN, ROOT } from '../cluster/lib.mjs';

export * from '../cluster/lib.mjs';

/** The server binaries: SKEW_PROD_SERVERS="path1 path2" (from run.sh). */
export function servers() {
  const list = (process.env.SKEW_PROD_SERVERS || 'build/skew_server_lws').split(/\s+/).filter(Boolean);
  return list.map((b) => path.resolve(ROOT, b));
}
export const kind = (bin) => path.basename(bin).replace('skew_server_', '');

/** Start bin with args (plus host, port, base, admin token); waits until /health answers. */
export async function start(bin, args = [], { env = {}, wait = true } = {}) {
  const port = await freePort();
  const all = ['--host', HOST, '--port', String(port), '--admin-token', TOKEN, '--stats-interval-ms', '0', ...args];
  const saved = {};
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
  let srv;
  try {
    srv = new Server(bin, all, port, { base: '/__skew', adminToken: TOKEN });
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
  if (wait) await srv.waitHealthy();
  return srv;
}

export function tmpdir(tag) { return fs.mkdtempSync(path.join(os.tmpdir(), `skew-prod-${tag}-`)); }

/** releases/<n>/_nuxt/builds/latest.json ({"id": id}) and an index.html naming the release. */
export function release(dir, n, id) {
  const r = path.join(dir, 'releases', String(n));
  fs.mkdirSync(path.join(r, '_nuxt/builds'), { recursive: true });
  fs.writeFileSync(path.join(r, '_nuxt/builds/latest.json'), JSON.stringify({ id, timestamp: Date.now() }));
  fs.writeFileSync(path.join(r, 'index.html'), `<!doctype html><title>release ${n}</title>`);
  return r;
}

/** Point dir/current at releases/<n> atomically (a new link renamed over the old one). */
export function switchTo(dir, n) {
  const tmp = path.join(dir, `current.tmp-${n}`);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.join('releases', String(n)), tmp);
  fs.renameSync(tmp, path.join(dir, 'current'));
}
