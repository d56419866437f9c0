// The real Nuxt app's own client over wss:// (issue 19): the prerendered build of tests/nuxt/app
// with nuxt-skew-protection's updateStrategy 'ws' (SKEW_NUXT_BUILDS/ws, built by tests/nuxt/run.sh)
// served by the example server (SKEW_SERVER) with --root and --tls-cert/--tls-key (a test CA made
// here with openssl), opened in Chromium over https trusting only that leaf (by SPKI). Checked:
// the module's client opens its WebSocket over wss://, gets the connected message (its
// useSkewProtection() shows the server's build) and is counted on its build in
// GET {base}/admin/stats over https; closing the page untracks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST, CHROME_UA, CHROMIUM_ARGS, chromium, eventually, freePort, makeCa, makeLeaf, needTool, request, startProc,
  stats, tmpDir, waitHealthy,
} from './lib.mjs';

const SERVER = process.env.SKEW_SERVER;
const BUILDS = process.env.SKEW_NUXT_BUILDS;
const BASE = '/__skew';
const TOKEN = 'tls-nuxt-admin-token-0123456789';

test('the Nuxt client over wss', { timeout: 90000 }, async (t) => {
  assert.ok(SERVER && fs.existsSync(SERVER), `SKEW_SERVER=${SERVER}`);
  const root = BUILDS && path.join(BUILDS, 'ws', 'output', 'public');
  const manifest = root && path.join(root, '_nuxt', 'builds', 'latest.json');
  assert.ok(manifest && fs.existsSync(manifest), `the Nuxt app's ws build (SKEW_NUXT_BUILDS=${BUILDS})`);
  const buildId = JSON.parse(fs.readFileSync(manifest, 'utf8')).id;
  const chromiumPath = needTool('chromium', [process.env.SKEW_CHROMIUM || '/usr/bin/chromium']);
  const dir = tmpDir('tls-nuxt');
  const ca = makeCa(dir);
  const leaf = makeLeaf(ca, 'leaf');
  const port = await freePort();
  const origin = `https://${HOST}:${port}`;
  // no --build-id: the server runs the build of root's latest.json; the admin token from the environment
  const srv = startProc(SERVER, ['--host', HOST, '--port', String(port), '--base', BASE, '--root', root,
    '--route-tracking', '--stats-interval-ms', '0', '--drain-ms', '0', '--tls-cert', leaf.cert, '--tls-key', leaf.key],
  { env: { SKEW_ADMIN_TOKEN: TOKEN } });
  let browser;
  t.after(async () => {
    if (browser) await browser.close().catch(() => {});
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  try {
    await waitHealthy(origin, BASE, srv, ca.pem);
    const h = await request(`${origin}${BASE}/health`, { ca: ca.pem });
    assert.equal(h.json.version, buildId, 'the server runs the app\'s build');
    assert.equal(h.cert, leaf.fingerprint);

    browser = await chromium.launch({ executablePath: chromiumPath, timeout: 30000,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${leaf.spki}`] });
    const page = await (await browser.newContext({ userAgent: CHROME_UA })).newPage();
    const sockets = [];
    const sse = [];
    const frames = [];
    const errors = [];
    page.on('websocket', (w) => {
      if (!w.url().includes(`${BASE}/ws`)) return;
      sockets.push(w.url());
      w.on('framereceived', (f) => frames.push(String(f.payload)));
    });
    page.on('request', (r) => { if (r.url().includes(`${BASE}/sse`)) sse.push(r.url()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const res = await page.goto(`${origin}/`, { timeout: 30000 });
    assert.equal(res.status(), 200);
    assert.equal(await page.evaluate(() => location.protocol), 'https:');
    const text = async (id) => (await page.getByTestId(id).textContent({ timeout: 10000 })).trim();
    await eventually(async () => (await text('server-version')) === buildId,
      'the connected message reached useSkewProtection()', 20000);
    assert.equal(await text('client-version'), buildId);

    // the module's own client, over wss:// to this server, and nothing else
    assert.ok(sockets.length >= 1, 'the module opened a WebSocket');
    for (const u of sockets) assert.match(u, new RegExp(`^wss://${HOST.replace(/\./g, '\\.')}:${port}${BASE}/ws\\?`));
    assert.deepEqual(sse, [], 'no SSE stream');
    assert.ok(frames.some((f) => /"type":"connected"/.test(f)), `connected frame over wss: ${frames.join(' | ')}`);

    const st = await eventually(async () => {
      const j = await stats(origin, BASE, TOKEN, ca.pem);
      if (j.total !== 1) throw new Error(`total ${j.total}`);
      return j;
    }, 'the page counted', 10000);
    assert.deepEqual(st.versions, { [buildId]: 1 }, 'counted on its build');
    assert.deepEqual(st.routes, { '/': 1 });
    console.log(`${path.basename(SERVER)}: the Nuxt client over ${sockets[0].split('?')[0]}, counted on ${buildId}`);

    assert.deepEqual(errors, [], 'no page errors');
    await page.close();
    await eventually(async () => (await stats(origin, BASE, TOKEN, ca.pem)).total === 0, 'closing the page untracks it');
  } catch (e) {
    e.message += `\n--- server output ---\n${srv.out.slice(-2000)}`;
    throw e;
  }
});
