// nuxt-skew-protection's own browser client against a C example server: a Nuxt app built with
// the module (tests/nuxt/app, one build per live-update transport) is served by the server with
// --root and opened in Chromium. Checked through the admin API and the module's composables on
// the page: the client connects over the transport, is counted on its build, a client-side
// navigation moves its route, an admin version push and a redeploy reach the module, closing the
// page untracks it.
// Environment: SKEW_SERVER (the server binary), SKEW_NUXT_BUILDS (directory with sse/ and ws/
// build outputs, from tests/nuxt/run.sh), SKEW_NUXT_ARTIFACTS (screenshots on failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const HOST = '127.0.0.1';
const TOKEN = 'nuxt-e2e-admin-token-0123456789';
const BASE = '/__skew';
// A desktop Chrome: the servers and the module both refuse HeadlessChrome as a bot.
const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const CHROMIUM = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const SERVER = process.env.SKEW_SERVER;
const BUILDS = process.env.SKEW_NUXT_BUILDS;
const ARTIFACTS = process.env.SKEW_NUXT_ARTIFACTS || os.tmpdir();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function eventually(fn, what, timeout = 8000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout} ms: ${last && last.message}`);
    await sleep(50);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The server on `root` without --build-id, so its build id is root's latest.json. */
async function startServer(root) {
  const port = await freePort();
  const args = ['--host', HOST, '--port', String(port), '--base', BASE, '--root', root,
    '--admin-token', TOKEN, '--route-tracking', '--stats-interval-ms', '0', '--drain-ms', '0'];
  const proc = spawn(SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const srv = {
    url: (p) => `http://${HOST}:${port}${p}`,
    output: () => out,
    async get(p, headers = {}) {
      const r = await fetch(srv.url(p), { headers: { 'user-agent': CHROME_UA, ...headers } });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    stats: () => srv.get(`${BASE}/admin/stats`, { authorization: `Bearer ${TOKEN}` }),
    async adminVersion(version) {
      const r = await fetch(srv.url(`${BASE}/admin/version`), {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version }),
      });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    async stop() {
      proc.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(5000).then(() => null)]);
      if (!r) {
        proc.kill('SIGKILL');
        throw new Error(`server did not stop within 5 s of SIGTERM: ${out.slice(-2000)}`);
      }
      assert.equal(r.code, 0, `server exit on SIGTERM: ${JSON.stringify(r)}: ${out.slice(-2000)}`);
    },
  };
  process.on('exit', () => proc.kill('SIGKILL'));
  await eventually(async () => {
    const r = await srv.get(`${BASE}/health`);
    assert.equal(r.status, 200);
    return r;
  }, `server healthy (${out.slice(-500)})`, 10000);
  return srv;
}

/** A copy of a build's public/ directory, so a test can redeploy into it. */
function deployCopy(strategy) {
  const from = path.join(BUILDS, strategy, 'output', 'public');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `skew-nuxt-${strategy}-`));
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** What a deploy does to builds/latest.json: a new id, the file replaced in one rename. */
function redeploy(dir, id) {
  const builds = path.join(dir, '_nuxt', 'builds');
  const manifest = JSON.stringify({ id, timestamp: Date.now() });
  fs.writeFileSync(path.join(builds, 'meta', `${id}.json`), manifest);
  fs.writeFileSync(path.join(builds, '.latest.tmp'), manifest);
  fs.renameSync(path.join(builds, '.latest.tmp'), path.join(builds, 'latest.json'));
}

const text = (page, id) => page.getByTestId(id).textContent({ timeout: 10000 });

async function expectText(page, id, want, what, timeout = 8000) {
  await eventually(async () => assert.equal((await text(page, id)).trim(), want), `${what} (${id} = ${want})`, timeout);
}

for (const strategy of ['sse', 'ws']) {
  test(`nuxt-skew-protection's client over ${strategy.toUpperCase()}`, { timeout: 90000 }, async () => {
    assert.ok(SERVER && BUILDS, 'SKEW_SERVER and SKEW_NUXT_BUILDS are set (tests/nuxt/run.sh)');
    const root = deployCopy(strategy);
    const buildId = JSON.parse(fs.readFileSync(path.join(root, '_nuxt', 'builds', 'latest.json'), 'utf8')).id;
    const srv = await startServer(root);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30000 });
    let page;
    try {
      assert.equal((await srv.get(`${BASE}/health`)).json.version, buildId, 'server build id from latest.json');
      const ctx = await browser.newContext({ userAgent: CHROME_UA });
      // the admin cookie authorizes the page's own useActiveConnections() subscription
      await ctx.addCookies([{ name: 'skew_admin', value: TOKEN, url: srv.url('/') }]);
      page = await ctx.newPage();
      const opened = { sse: [], ws: [] };
      const posts = [];
      page.on('request', (r) => {
        if (r.url().includes(`${BASE}/sse`)) opened.sse.push(r.url());
        if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
      });
      page.on('websocket', (w) => { if (w.url().includes(`${BASE}/ws`)) opened.ws.push(w.url()); });
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));

      await page.goto(srv.url('/'));
      await expectText(page, 'client-version', buildId, 'the page runs the build served');
      await expectText(page, 'server-version', buildId, 'connected message reached useSkewProtection()');
      const cookie = (await ctx.cookies()).find((c) => c.name === '__nkpv');
      assert.equal(cookie && cookie.value, buildId, '__nkpv cookie names the build');

      // the module connected over exactly its configured transport, with its initial route
      const other = strategy === 'sse' ? 'ws' : 'sse';
      assert.equal(opened[strategy].length, 1, `one ${strategy} connection: ${JSON.stringify(opened)}`);
      assert.equal(opened[other].length, 0, `no ${other} connection: ${JSON.stringify(opened)}`);
      assert.match(opened[strategy][0], /\?route=%2F$/);

      const first = await eventually(async () => {
        const r = await srv.stats();
        assert.equal(r.status, 200);
        assert.equal(r.json.total, 1);
        return r.json;
      }, 'the page is tracked');
      assert.deepEqual(first.versions, { [buildId]: 1 }, 'counted on its build');
      assert.deepEqual(first.routes, { '/': 1 });
      const id = first.connections[0].id;
      // the page's own stats subscription: authorized, and it knows itself
      await expectText(page, 'authorized', 'true', 'useActiveConnections() authorized');
      await expectText(page, 'your-id', id, 'useActiveConnections() yourId is the tracked id');
      await expectText(page, 'total', '1', 'useActiveConnections() total');

      // a client-side navigation (no page load): the module reports the new route
      await page.getByTestId('to-about').click();
      await page.waitForURL('**/about');
      await eventually(async () => {
        const s = (await srv.stats()).json;
        assert.deepEqual(s.routes, { '/about': 1 }, JSON.stringify(s));
        assert.equal(s.connections[0].id, id, 'same connection, not a reconnect');
      }, 'route update reached the server');
      await expectText(page, 'routes', JSON.stringify({ '/about': 1 }), 'stats pushed to the page');
      assert.equal(opened[strategy].length, 1, 'navigation kept the connection');
      // SSE clients send on the POST endpoints, WebSocket clients on their socket
      if (strategy === 'sse') {
        assert.ok(posts.includes(`${BASE}/route`) && posts.includes(`${BASE}/subscribe-stats`), JSON.stringify(posts));
      } else {
        assert.deepEqual(posts, [], 'a WebSocket client sends route and subscription on its socket');
      }

      // an admin version push: the module records the server version, checks builds/latest.json,
      // which still names the page's build, so the app is not outdated
      const pushed = await srv.adminVersion('v-pushed');
      assert.equal(pushed.status, 200);
      assert.equal(pushed.json.notified, 1);
      await expectText(page, 'server-version', 'v-pushed', 'version push reached useSkewProtection()');
      await sleep(500);
      assert.equal((await text(page, 'app-outdated')).trim(), 'false', 'latest.json unchanged: not outdated');

      // a redeploy: latest.json replaced; the server pushes the new id and the module, having
      // fetched latest.json, declares the app outdated (onAppOutdated, isAppOutdated)
      const next = `${buildId.slice(0, 8)}-redeployed`;
      redeploy(root, next);
      await expectText(page, 'server-version', next, 'redeploy pushed to the page');
      await expectText(page, 'outdated-id', next, 'onAppOutdated() called with the new manifest');
      await expectText(page, 'app-outdated', 'true', 'isAppOutdated');
      assert.equal((await srv.get(`${BASE}/health`)).json.version, next);
      assert.deepEqual((await srv.stats()).json.versions, { [buildId]: 1 }, 'the page still runs its build');

      assert.deepEqual(errors, [], 'no page errors');
      await page.close();
      page = null;
      await eventually(async () => {
        const s = (await srv.stats()).json;
        assert.equal(s.total, 0);
        assert.deepEqual(s.versions, {});
      }, 'closing the page untracks it');
    } catch (e) {
      if (page) {
        const shot = path.join(ARTIFACTS, `nuxt-${strategy}-failure.png`);
        await page.screenshot({ path: shot }).catch(() => {});
      }
      throw new Error(`${e.message}\n--- server output ---\n${srv.output().slice(-2000)}`, { cause: e });
    } finally {
      await browser.close().catch(() => {});
      await srv.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}
