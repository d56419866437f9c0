// The production topology, whole: a real nginx with deploy/nginx/skew.conf as shipped (only its
// @VARIABLES@ replaced), in front of the real Nuxt app of tests/nuxt (its node-server build, run
// with node) and two skew instances, one lws and one mongoose, on a real redis-server; three
// visitors in Chromium with a desktop User-Agent. Environment: SKEW_SERVER_LWS,
// SKEW_SERVER_MONGOOSE, SKEW_NUXT_APP (the sse build's output/ directory).
//
// Checked through nginx: the admin's stats (the app's own admin, signed in through the app's
// login route: its nuxt-auth-utils session cookie, which the instances unseal) show the true counts; a
// visitor's spoofed X-Forwarded-For / CF-Connecting-IP / X-Real-IP / Forwarded is not what is
// recorded (--ip-tracking); admin actions and metrics are unreachable (403), while streams,
// POSTs and GET admin/stats pass; SIGTERM of one instance drains its clients to the other
// (at most 20 % of the reconnects in any one second, none lost) with the totals right; an instance answering 503 (full) hands streams to the other
// (proxy_next_upstream http_503); `nginx -s reload` mid-run leaves the counts right; a deploy
// by symlink switch of the instances' --build-id-file (current -> releases/N/latest.json) tells
// every old client through nginx, on both instances, within 3 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST, ROOT, CHROME_UA, CHROMIUM_ARGS, chromium, eventually, freePort, needTool, openSse, openWs, request, sleep,
  startProc, stats, tmpDir, waitHealthy,
} from '../tls/lib.mjs';
import { CONF, startNginx } from './nginx.mjs';

const BASE = '/__skew';
const TOKEN = 'topology-admin-token-0123456789'; // the instances' own ports only (metrics, direct reads)
const SESSION_PASSWORD = crypto.randomBytes(24).toString('hex'); // the app's, given to the instances too
const ADMIN_PASSWORD = crypto.randomBytes(12).toString('hex'); // the app's test admin (tests/nuxt/app)
const DRAIN_MS = 10000; // --drain-ms of the instances
const SPOOF = {
  'x-forwarded-for': '203.0.113.7',
  'cf-connecting-ip': '203.0.113.8',
  'x-real-ip': '203.0.113.9',
  forwarded: 'for=203.0.113.10',
};
const DRAINERS = 40; // node streams for the drain's spread

/** An SSE stream through nginx that opens a new one when it ends (once), noting when. */
async function reconnectingSse(url) {
  const d = { endedAt: 0, reconnectedAt: 0, failed: '', stopped: false, streams: [] };
  const first = await openSse(url);
  d.streams.push(first);
  await first.inbox.next((m) => m.type === 'connected', 15000);
  first.closed.then(async () => {
    if (d.stopped) return;
    d.endedAt = Date.now();
    try {
      const again = await openSse(url);
      d.streams.push(again);
      if (again.status !== 200) throw new Error(`status ${again.status}`);
      await again.inbox.next((m) => m.type === 'connected', 15000);
      d.reconnectedAt = Date.now();
    } catch (e) {
      d.failed = e.message;
    }
  });
  d.close = async () => {
    d.stopped = true;
    for (const s of d.streams) await s.close();
  };
  return d;
}

/** A release's build file (releases/N/latest.json, as the Nuxt build writes it) under dir. */
function writeRelease(dir, n, id) {
  fs.mkdirSync(path.join(dir, 'releases', String(n)), { recursive: true });
  fs.writeFileSync(path.join(dir, 'releases', String(n), 'latest.json'), JSON.stringify({ id, timestamp: Date.now() }));
}

/** The deploy's switch: `current` pointed at release n in one rename (ln -sfn + mv -T). */
function switchRelease(dir, n) {
  const next = path.join(dir, 'current.new');
  fs.rmSync(next, { force: true });
  fs.symlinkSync(`releases/${n}/latest.json`, next);
  fs.renameSync(next, path.join(dir, 'current'));
}

async function startInstance(bin, redisPort, id, buildFile, port) {
  port = port || await freePort();
  const p = startProc(bin, ['--host', HOST, '--port', String(port), '--base', BASE, '--build-id-file', buildFile,
    '--stats-interval-ms', '0', '--route-tracking', '--ip-tracking', '--trust-proxy', '127.0.0.1/32',
    '--redis', `redis://127.0.0.1:${redisPort}`, '--cluster', 'topology', '--instance-id', id,
    '--cluster-interval-ms', '300', '--drain-ms', String(DRAIN_MS), '--admin-claim', 'user.role=admin'],
  { env: { SKEW_ADMIN_TOKEN: TOKEN, NUXT_SESSION_PASSWORD: SESSION_PASSWORD } });
  p.port = port;
  p.origin = `http://${HOST}:${port}`;
  await waitHealthy(p.origin, BASE, p);
  return p;
}

test('nginx + Nuxt + lws + mongoose + Redis + Chromium', { timeout: 260000 }, async (t) => {
  const lwsBin = process.env.SKEW_SERVER_LWS;
  const mgBin = process.env.SKEW_SERVER_MONGOOSE;
  const app = process.env.SKEW_NUXT_APP;
  for (const f of [lwsBin, mgBin, app && path.join(app, 'server/index.mjs')]) assert.ok(f && fs.existsSync(f), `missing ${f}`);
  const nginxBin = needTool('nginx', ['/usr/sbin/nginx']);
  const redisBin = needTool('redis-server');
  const chromiumPath = needTool('chromium', [process.env.SKEW_CHROMIUM || '/usr/bin/chromium']);
  const buildId = JSON.parse(fs.readFileSync(path.join(app, 'public/_nuxt/builds/latest.json'), 'utf8')).id;
  const dir = tmpDir('topology');
  // the instances follow a build file through a symlink, as in production (README "Deploying")
  const deployDir = path.join(dir, 'deploy');
  const buildFile = path.join(deployDir, 'current');
  writeRelease(deployDir, 1, buildId);
  switchRelease(deployDir, 1);
  const procs = [];
  const clients = [];
  let browser;
  t.after(async () => {
    for (const c of clients) c.close();
    if (browser) await browser.close().catch(() => {});
    for (const p of procs.reverse()) await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const redisPort = await freePort();
  const redis = startProc(redisBin, ['--port', String(redisPort), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir]);
  procs.push(redis);
  await eventually(() => /Ready to accept connections/.test(redis.out), 'redis-server up', 8000);
  const a = await startInstance(lwsBin, redisPort, 'lws-a', buildFile);
  procs.push(a);
  const b = await startInstance(mgBin, redisPort, 'mg-b', buildFile);
  procs.push(b);
  const nuxtPort = await freePort();
  const nuxt = startProc(process.execPath, [path.join(app, 'server/index.mjs')],
    { env: { PORT: String(nuxtPort), HOST, NITRO_PORT: String(nuxtPort), NITRO_HOST: HOST,
      NUXT_SESSION_PASSWORD: SESSION_PASSWORD, SKEW_TEST_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  procs.push(nuxt);
  await eventually(async () => (await request(`http://${HOST}:${nuxtPort}/`, { timeout: 1000 })).status === 200, 'Nuxt up', 20000);
  const edgePort = await freePort();
  const nginx = startNginx(nginxBin, path.join(dir, 'nginx'),
    { LISTEN: `${HOST}:${edgePort}`, SKEW_A: `${HOST}:${a.port}`, SKEW_B: `${HOST}:${b.port}`, NUXT: `${HOST}:${nuxtPort}` });
  procs.push(nginx);
  const edge = `http://${HOST}:${edgePort}`;
  await waitHealthy(edge, BASE, nginx);
  // the admin signs in through the app (its login route, through nginx) and reads the cluster's
  // stats through nginx with the app's session cookie only
  const login = await request(`${edge}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: ADMIN_PASSWORD }) });
  assert.equal(login.status, 200, login.text);
  const session = [].concat(login.headers['set-cookie'] || []).map((c) => c.split(';')[0]).find((c) => c.startsWith('nuxt-session='));
  assert.ok(session, `no session cookie: ${JSON.stringify(login.headers)}`);
  const adminStats = async () => {
    const r = await request(`${edge}${BASE}/admin/stats`, { headers: { cookie: session } });
    if (r.status !== 200) throw new Error(`admin/stats with the app's session: ${r.status} ${r.text.slice(0, 200)}`);
    return r.json;
  };

  /** The cluster's view through nginx: total and per-instance counts must be exactly these. */
  const expectCounts = (total, perInstance, what, timeout = 15000) => eventually(async () => {
    for (let i = 0; i < 2; i++) { // two reads: nginx alternates between the instances
      const j = await adminStats();
      const inst = Object.fromEntries((j.instances || []).map((e) => [e.id, e.total]));
      const ok = j.total === total && Object.entries(perInstance).every(([id, n]) => (inst[id] || 0) === n);
      if (!ok) throw new Error(JSON.stringify({ total: j.total, inst }));
    }
    return true;
  }, what, timeout);

  try {
    await t.test('the config passes: Nuxt pages from the app, health and streams from the instances', async () => {
      const page = await request(`${edge}/`);
      assert.equal(page.status, 200);
      assert.match(page.text, /<html/i);
      const h = await request(`${edge}${BASE}/health`);
      assert.equal(h.json.version, buildId);
      const conf = fs.readFileSync(CONF, 'utf8');
      const read = Number(conf.match(/proxy_read_timeout (\d+)s;/)[1]);
      assert.ok(read * 1000 > 30000, 'proxy_read_timeout above the default keepalive (30 s)');
    });

    let visitors;
    let nodeAlive = 0; // node clients (no reconnect) still connected
    let survivorLeft; // the instance left after the SIGTERM
    let victimLeft; // the instance stopped by it (its port stays in nginx's upstream)
    await t.test('three visitors in Chromium: the admin sees 3 through nginx, from a cluster of both instances', async () => {
      browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 30000 });
      visitors = [];
      for (let i = 0; i < 3; i++) {
        // every request of the page carries spoofed client-address headers
        const ctx = await browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: SPOOF });
        const page = await ctx.newPage();
        const res = await page.goto(`${edge}/`, { timeout: 30000 });
        assert.equal(res.status(), 200);
        visitors.push({ ctx, page });
      }
      await expectCounts(3, {}, 'three visitors counted', 30000);
      // all on the app's build and route, both instances in the view (settled: the module may
      // reconnect once while the page hydrates)
      await eventually(async () => {
        const j = await adminStats();
        assert.equal(j.versions[buildId], 3, JSON.stringify(j.versions));
        assert.equal(j.routes['/'], 3, JSON.stringify(j.routes));
        assert.deepEqual(j.instances.map((e) => e.id).sort(), ['lws-a', 'mg-b']);
        return true;
      }, 'versions, routes and instances', 10000);
    });

    await t.test('a spoofed X-Forwarded-For / CF-Connecting-IP is not what is recorded', async () => {
      // node clients too, with the same headers, straight through nginx: SSE and WebSocket
      const s = await openSse(`${edge}${BASE}/sse?route=/spoof`, { headers: SPOOF });
      const w = await openWs(`${edge.replace('http:', 'ws:')}${BASE}/ws?route=/spoof`, { headers: SPOOF });
      nodeAlive = 2;
      for (const c of [s, w]) {
        clients.push(c);
        c.closed.then(() => { nodeAlive--; });
        await c.inbox.next((m) => m.type === 'connected');
      }
      await expectCounts(5, {}, 'five connections');
      const j = await adminStats();
      assert.equal(j.connections.length, 5);
      for (const c of j.connections) assert.equal(c.ip, '127.0.0.1', JSON.stringify(c));
      // control: the same headers straight to an instance (a trusted loopback peer) ARE believed,
      // so it is nginx's header hygiene that keeps them out
      const d = await openSse(`${a.origin}${BASE}/sse?route=/direct`, { headers: SPOOF });
      const id = (await d.inbox.next((m) => m.type === 'connected')).connectionId;
      const direct = (await stats(a.origin, BASE, TOKEN)).connections.find((c) => c.id === id);
      await d.close();
      assert.equal(direct.ip, '203.0.113.8', 'CF-Connecting-IP believed from a trusted peer');
      await expectCounts(5, {}, 'back to five');
    });

    await t.test('admin actions and metrics are unreachable through nginx; streams, POSTs and stats pass', async () => {
      const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const blocked = [
        ['POST', '/admin/version', '{"version":"evil"}'], ['POST', '/admin/invalidate', '{"route":"/"}'],
        ['GET', '/metrics'], ['GET', '/metrics/'], ['POST', '//admin/version', '{"version":"evil"}'],
        ['POST', '/admin/%76ersion', '{"version":"evil"}'], ['POST', '/admin/version/', '{"version":"evil"}'],
        ['POST', '/admin/./version', '{"version":"evil"}'], ['POST', '/x/../admin/version', '{"version":"evil"}'],
      ];
      for (const [method, p, body] of blocked) {
        const r = await request(edge, { method, headers: auth, body, rawPath: `${BASE}${p}` });
        assert.ok(r.status === 403 || r.status === 404, `${method} ${p}: ${r.status}`);
      }
      // the same requests are served by an instance itself: the config is what blocks them
      const m = await request(`${a.origin}${BASE}/metrics`, { headers: auth });
      assert.equal(m.status, 200);
      const inv = await request(`${a.origin}${BASE}/admin/invalidate`, { method: 'POST', headers: auth, body: '{"route":"/nothing"}' });
      assert.equal(inv.status, 200, inv.text);
      assert.equal((await request(`${edge}${BASE}/health`)).json.version, buildId, 'version unchanged');
      // a POST passes (whichever instance nginx picks: the cluster relays it to the stream's owner)
      const s = clients[0];
      const id = s.inbox.all.find((x) => x && x.type === 'connected').connectionId;
      for (let i = 0; i < 2; i++) {
        const r = await request(`${edge}${BASE}/route`, { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ connectionId: id, route: `/moved${i}` }) });
        assert.equal(r.status, 200, r.text);
      }
      await eventually(async () => (await adminStats()).routes['/moved1'] === 1, 'the route moved');
      // the stats read without the credential, or with a session sealed with another password:
      // the instance's own 401, not nginx's 403
      assert.equal((await request(`${edge}${BASE}/admin/stats`)).status, 401);
      const forged = await request(`${edge}${BASE}/admin/stats`,
        { headers: { cookie: session.replace(/.{8}$/, (x) => x.split('').reverse().join('')) } });
      assert.equal(forged.status, 401, 'a tampered session cookie');
    });

    await t.test('SIGTERM of the instance with more visitors: drained to the other (at most 20 % a second), totals right', async () => {
      const before = await adminStats();
      const count = (id) => before.connections.filter((c) => c.instance === id && c.route !== '/spoof' &&
        !String(c.route).startsWith('/moved')).length;
      // three visitors over two instances: one of them holds at least two
      const [victim, survivor] = count('mg-b') >= count('lws-a') ? [b, a] : [a, b];
      const victimId = victim === b ? 'mg-b' : 'lws-a';
      const survivorId = victim === b ? 'lws-a' : 'mg-b';
      assert.ok(count(victimId) >= 2, JSON.stringify(before.connections));
      // streams that reconnect through nginx when theirs ends, as the module does; nginx spreads
      // them over both instances
      const drainers = [];
      for (let i = 0; i < DRAINERS; i++) drainers.push(await reconnectingSse(`${edge}${BASE}/sse?route=/drain`));
      let onVictim;
      try {
        await eventually(async () => (await adminStats()).routes['/drain'] === DRAINERS, 'the drain streams counted');
        // from the victim's own view: its own connections are listed at once (another
        // instance's list may lag behind the counts)
        onVictim = (await stats(victim.origin, BASE, TOKEN)).connections
          .filter((c) => c.route === '/drain' && (c.instance ?? victimId) === victimId).length;
        assert.ok(onVictim >= DRAINERS / 4, `${onVictim} of ${DRAINERS} streams on ${victimId}`);
        const t0 = Date.now();
        const r = await victim.stop(DRAIN_MS + 8000);
        assert.equal(r.code, 0, JSON.stringify(r));
        // the graceful drain: every stream of the victim ended and came back through nginx (none
        // lost), spread over --drain-ms: at most 20 % of the reconnects in any one second
        await eventually(() => drainers.filter((d) => d.endedAt).length === onVictim &&
          drainers.every((d) => !d.endedAt || d.reconnectedAt || d.failed), 'the drained streams back', 15000);
        const failed = drainers.filter((d) => d.failed);
        assert.equal(failed.length, 0, `reconnects failed: ${failed.map((d) => d.failed).join('; ')}`);
        const perSecond = [];
        for (const d of drainers.filter((x) => x.reconnectedAt)) {
          const sec = Math.floor((d.reconnectedAt - t0) / 1000);
          perSecond[sec] = (perSecond[sec] || 0) + 1;
        }
        const spread = Array.from(perSecond, (x) => x || 0);
        console.log(`# drain of ${victimId}: ${onVictim} reconnects per second after SIGTERM: ${spread.join(' ')}`);
        assert.ok(Math.max(...spread) <= 0.2 * onVictim, `busiest second above 20 %: ${spread.join(' ')}`);
        await eventually(async () => (await adminStats()).routes['/drain'] === DRAINERS, 'all drain streams counted again', 15000);
      } finally {
        for (const d of drainers) await d.close();
      }
      // the visitors' module reconnects and nginx sends it to the survivor; the node clients do
      // not reconnect, so they count only if they were on the survivor
      const n = 3 + nodeAlive;
      await expectCounts(n, { [survivorId]: n, [victimId]: 0 }, `after SIGTERM of ${victimId}`, 30000);
      const j = await stats(survivor.origin, BASE, TOKEN);
      assert.deepEqual(j.instances.map((e) => e.id), [survivorId]);
      assert.equal(j.versions[buildId], n);
      assert.equal(j.routes['/'], 3, JSON.stringify(j.routes));
      survivorLeft = survivorId;
      victimLeft = victim;
    });

    await t.test('a full instance\'s 503 sends the client to the other (proxy_next_upstream http_503)', async () => {
      // a new instance on the stopped one's port, full at one connection (held directly)
      const full = startProc(victimLeft === b ? mgBin : lwsBin, ['--host', HOST, '--port', String(victimLeft.port),
        '--base', BASE, '--build-id', buildId, '--max-connections', '1', '--stats-interval-ms', '0'],
      { env: { SKEW_ADMIN_TOKEN: TOKEN } });
      procs.push(full);
      const fullOrigin = `http://${HOST}:${victimLeft.port}`;
      await waitHealthy(fullOrigin, BASE, full);
      const held = await openSse(`${fullOrigin}${BASE}/sse?route=/held`);
      await held.inbox.next((m) => m.type === 'connected');
      const refused = async () => Number(((await request(`${fullOrigin}${BASE}/metrics`,
        { headers: { authorization: `Bearer ${TOKEN}` } })).text.match(/^skew_refused_full_total (\d+)$/m) || [])[1]);
      assert.equal(await refused(), 0);
      // streams through nginx: round robin offers some to the full instance (once nginx stops
      // skipping its address, up to fail_timeout = 10 s after the refused connects of the stop),
      // which answers 503; nginx then tries the other one, so every client gets its stream
      const extra = [];
      try {
        const end = Date.now() + 20000;
        while (extra.length < 4 || (await refused()) < 1) {
          assert.ok(Date.now() < end && extra.length < 80, `the full instance never asked (${extra.length} streams)`);
          const c = await openSse(`${edge}${BASE}/sse?route=/retry`);
          extra.push(c);
          assert.equal(c.status, 200, `stream ${extra.length}`);
          await c.inbox.next((m) => m.type === 'connected');
          await sleep(200);
        }
        console.log(`# ${extra.length} streams through nginx, ${await refused()} refused by the full instance, none lost`);
        await eventually(async () => (await adminStats()).routes['/retry'] === extra.length,
          'every retried stream counted');
      } finally {
        for (const c of extra) await c.close();
        await held.close();
        const r = await full.stop();
        assert.equal(r.code, 0);
      }
      await expectCounts(3 + nodeAlive, { [survivorLeft]: 3 + nodeAlive }, 'back to where it was', 15000);
    });

    await t.test('nginx -s reload mid-run: counts right afterwards', async () => {
      const exitedBefore = (nginx.errorLog().match(/exited with code/g) || []).length;
      nginx.reload();
      // the old worker closes its streams within worker_shutdown_timeout (3 s) and exits: the
      // visitors reconnect through the new one, the node clients (no reconnect) are gone
      await eventually(() => (nginx.errorLog().match(/exited with code/g) || []).length > exitedBefore,
        'the old nginx worker exited', 15000);
      await eventually(() => nodeAlive === 0, 'the node clients\' streams ended', 5000);
      await expectCounts(3, { [survivorLeft]: 3 }, 'after reload', 30000);
      const j = await adminStats();
      assert.equal(j.routes['/'], 3, `the three visitors: ${JSON.stringify(j.routes)}`);
      assert.equal(nginx.exit, null, 'nginx still running');
    });

    await t.test('a deploy by symlink switch: old clients are told within 3 s', async () => {
      // the stopped instance back on its port (nginx's upstream), so both instances hold clients
      const again = await startInstance(victimLeft === b ? mgBin : lwsBin, redisPort, victimLeft === b ? 'mg-b' : 'lws-a',
        buildFile, victimLeft.port);
      procs.push(again);
      const byId = { [survivorLeft]: survivorLeft === 'lws-a' ? a : b, [victimLeft === b ? 'mg-b' : 'lws-a']: again };
      await eventually(async () => (await adminStats()).instances.length === 2, 'both instances in the cluster', 15000);
      // node WebSocket and SSE clients through nginx, kept until each instance holds 4 (2 of each
      // kind), the extra ones closed again. nginx still counts the failed connects to the
      // restarted address: it lets one request a fail_timeout (10 s) through until one has ended
      // well, so the first stream landing there is closed at once (a stream ends only when closed)
      const restartedId = victimLeft === b ? 'mg-b' : 'lws-a';
      let cleared = false;
      const ownerOf = async (id) => {
        for (const [iid, p] of Object.entries(byId)) {
          const own = (await stats(p.origin, BASE, TOKEN)).connections;
          if (own.some((c) => c.id === id && (c.instance ?? iid) === iid)) return iid;
        }
        return '';
      };
      const olds = []; // the clients kept
      const opened = []; // and those closed again
      const held = { 'lws-a': { sse: 0, ws: 0 }, 'mg-b': { sse: 0, ws: 0 } };
      try {
        const end = Date.now() + 30000;
        for (let i = 0; Object.values(held).some((h) => h.sse < 2 || h.ws < 2); i++) {
          assert.ok(Date.now() < end, `clients on both instances within 30 s: ${JSON.stringify(held)}\n--- restarted ---\n${
            again.out.slice(-1500)}\n--- nginx ---\n${nginx.errorLog().slice(-1500)}`);
          // a kind still missing somewhere; not plainly alternating, which could fall in step with
          // nginx's round robin (every WebSocket to one instance)
          const missing = ['sse', 'ws'].filter((k) => Object.values(held).some((h) => h[k] < 2));
          const kind = missing.length === 1 ? missing[0] : missing[Math.floor(i / 2) % 2];
          const c = kind === 'ws' ? await openWs(`${edge.replace('http:', 'ws:')}${BASE}/ws?route=/deploy`)
            : await openSse(`${edge}${BASE}/sse?route=/deploy`);
          opened.push(c);
          const m = await c.inbox.next((x) => x.type === 'connected', 10000);
          assert.equal(m.version, buildId);
          const owner = await eventually(() => ownerOf(m.connectionId), `the owner of ${m.connectionId}`, 5000);
          if (owner === restartedId && !cleared) {
            cleared = true;
            await c.close();
          } else if (held[owner][kind] < 2) {
            held[owner][kind]++;
            olds.push(c);
          } else {
            await c.close();
            await sleep(250);
          }
        }
        const next = `${buildId.slice(0, 8)}-deployed`;
        writeRelease(deployDir, 2, next);
        switchRelease(deployDir, 2);
        const t0 = Date.now();
        const deadline = t0 + 3000;
        const told = await Promise.all([
          ...olds.map(async (c) => {
            const m = await c.inbox.next((x) => x.type === 'version', Math.max(1, deadline - Date.now()));
            assert.deepEqual(m, { type: 'version', version: next });
            return Date.now() - t0;
          }),
          // the Chromium visitors (on the survivor): the module's useSkewProtection() got the version
          ...visitors.map(async ({ page }) => {
            await page.waitForFunction((v) => document.querySelector('[data-testid="server-version"]')?.textContent.trim() === v,
              next, { timeout: Math.max(1, deadline - Date.now()), polling: 50 });
            return Date.now() - t0;
          }),
        ]);
        const worst = Math.max(...told);
        console.log(`# symlink switch: ${olds.length} node clients (${JSON.stringify(held)}) and ${visitors.length} visitors ` +
          `told within ${worst} ms`);
        assert.ok(worst <= 3000, `told within ${worst} ms`);
        for (const p of [a, b, again].filter((x) => !x.exit)) {
          assert.equal((await request(`${p.origin}${BASE}/health`)).json.version, next);
        }
      } finally {
        for (const c of opened) await c.close();
      }
    });
  } catch (e) {
    e.message += `\n--- lws ---\n${a.out.slice(-800)}\n--- mongoose ---\n${b.out.slice(-800)}\n--- nginx ---\n${
      nginx.out.slice(-800)}${fs.existsSync(path.join(dir, 'nginx/logs/error.log')) ? nginx.errorLog().slice(-1500) : ''}`;
    throw e;
  }
});
