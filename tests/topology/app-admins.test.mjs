// The Nuxt app's OWN admins authorized through the C servers, the way the Nuxt module does it:
// the real app of tests/nuxt (nuxt-auth-utils + nuxt-skew-protection, its node server) behind
// nginx with deploy/nginx/skew.conf (/__skew/ to a skew instance, the rest to the app), Chromium
// on the app's /admin page, which reads live stats through the module's useActiveConnections().
// For each build (WebSocket, SSE), each server (lws, mongoose) and each way of recognizing the
// app's admin:
//   session  the instance unseals the app's nuxt-auth-utils cookie itself (NUXT_SESSION_PASSWORD
//            in its environment, --admin-email on lws, --admin-claim user.role=admin on mongoose)
//   forward  the instance asks the app (--auth-url .../api/skew-auth, the app's own check)
// the page is NOT authorized before sign-in (stats-unauthorized, no stats), IS after sign-in and
// a reload (a WebSocket asks at its open), and is NOT after sign-out and a reload. A wrong
// password signs nobody in. As the reference, the same flow against the app serving /__skew
// itself: its skew:authorize-stats hook (server/plugins/skew-auth.ts) decides the same way.
// Environment: SKEW_SERVER_LWS, SKEW_SERVER_MONGOOSE, SKEW_NUXT_BUILDS (with ws/ and sse/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  HOST, CHROME_UA, CHROMIUM_ARGS, chromium, eventually, freePort, needTool, request, startProc, stats, tmpDir,
  waitHealthy,
} from '../tls/lib.mjs';
import { startNginx } from './nginx.mjs';

const BASE = '/__skew';
const TOKEN = 'app-admins-token-0123456789abcdef'; // the test's own reads of the instance only
// the app's session password (32+ characters), shared by the app and the session-mode instance
const SESSION_PASSWORD = crypto.randomBytes(24).toString('hex');
const ADMIN_PASSWORD = crypto.randomBytes(12).toString('hex'); // the test admin's sign-in password
const BUILDS = process.env.SKEW_NUXT_BUILDS;
const SERVERS = { lws: process.env.SKEW_SERVER_LWS, mongoose: process.env.SKEW_SERVER_MONGOOSE };

/** The app's node server of one build, with its session password and the test admin's. */
async function startApp(strategy) {
  const entry = path.join(BUILDS, strategy, 'output/server/index.mjs');
  assert.ok(fs.existsSync(entry), `missing ${entry}`);
  const port = await freePort();
  const p = startProc(process.execPath, [entry], {
    env: { PORT: String(port), HOST, NITRO_PORT: String(port), NITRO_HOST: HOST,
      NUXT_SESSION_PASSWORD: SESSION_PASSWORD, SKEW_TEST_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  p.port = port;
  p.origin = `http://${HOST}:${port}`;
  await eventually(async () => {
    if (p.exit) throw new Error(`app exited: ${p.out.slice(-1500)}`);
    return (await request(`${p.origin}/`, { timeout: 1000 })).status === 200;
  }, 'Nuxt app up', 30000);
  p.buildId = JSON.parse(fs.readFileSync(path.join(BUILDS, strategy, 'output/public/_nuxt/builds/latest.json'), 'utf8')).id;
  return p;
}

/** A skew instance on `port` recognizing the app's admins one way (`mode`). */
async function startInstance(flavor, port, mode, app) {
  const args = ['--host', HOST, '--port', String(port), '--base', BASE, '--build-id', app.buildId,
    '--stats-interval-ms', '0', '--drain-ms', '0', '--trust-proxy', '127.0.0.1/32'];
  const env = { SKEW_ADMIN_TOKEN: TOKEN, NUXT_SESSION_PASSWORD: '' };
  if (mode === 'session') {
    env.NUXT_SESSION_PASSWORD = SESSION_PASSWORD; // as the app gets it: never on the command line
    args.push(...(flavor === 'lws' ? ['--admin-email', 'admin@example.com'] : ['--admin-claim', 'user.role=admin']));
  } else {
    args.push('--auth-url', `${app.origin}/api/skew-auth`);
  }
  const p = startProc(SERVERS[flavor], args, { env });
  p.origin = `http://${HOST}:${port}`;
  await waitHealthy(p.origin, BASE, p);
  return p;
}

const text = (page, id) => page.getByTestId(id).textContent({ timeout: 15000 });
const shows = (page, id, want, what) => eventually(async () => {
  const got = (await text(page, id)).trim();
  if (got !== want) throw new Error(`${id} is "${got}"`);
  return true;
}, what, 20000);

/** Not authorized: the module got stats-unauthorized, the page shows no stats. */
async function expectRefused(page, what) {
  await shows(page, 'admin-authorized', 'false', `${what}: stats-unauthorized`);
  assert.equal(await page.getByTestId('admin-stats').count(), 0, `${what}: no stats shown`);
}

/** The whole flow on one origin; `live` reads the true count (null: not checked). */
async function signInFlow(browser, origin, what, live) {
  const ctx = await browser.newContext({ userAgent: CHROME_UA });
  try {
    const page = await ctx.newPage();
    assert.equal((await page.goto(`${origin}/admin`, { timeout: 30000 })).status(), 200);
    await shows(page, 'signed-in', 'false', `${what}: signed out at first`);
    await expectRefused(page, `${what}, before sign-in`);

    await page.getByTestId('password').fill('not-the-password');
    await page.getByTestId('login').click();
    await shows(page, 'login-status', 'refused', `${what}: a wrong password refused`);
    await page.reload({ timeout: 30000 });
    await expectRefused(page, `${what}, after a refused sign-in`);

    await page.getByTestId('password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login').click();
    await shows(page, 'login-status', 'signed in', `${what}: signed in`);
    await page.reload({ timeout: 30000 });
    await shows(page, 'signed-in', 'true', `${what}: the session survives the reload`);
    await shows(page, 'admin-authorized', 'true', `${what}, after sign-in: stats authorized`);
    await eventually(async () => {
      const total = Number(await text(page, 'admin-total'));
      if (!(total >= 1)) throw new Error(`the page counts ${total}`);
      if (live && total !== await live()) throw new Error(`the page counts ${total}, the instance ${await live()}`);
      return true;
    }, `${what}: the page's stats count itself${live ? ', as the instance does' : ''}`, 15000);

    await page.getByTestId('logout').click();
    await shows(page, 'login-status', 'signed out', `${what}: signed out`);
    await page.reload({ timeout: 30000 });
    await shows(page, 'signed-in', 'false', `${what}: no session after sign-out`);
    await expectRefused(page, `${what}, after sign-out`);
  } finally {
    await ctx.close();
  }
}

test('the app\'s own admins through nginx and both C servers (session and forward auth)', { timeout: 400000 }, async (t) => {
  for (const [f, bin] of Object.entries(SERVERS)) assert.ok(bin && fs.existsSync(bin), `missing the ${f} server (${bin})`);
  const nginxBin = needTool('nginx', ['/usr/sbin/nginx']);
  const chromiumPath = needTool('chromium', [process.env.SKEW_CHROMIUM || '/usr/bin/chromium']);
  const dir = tmpDir('app-admins');
  const procs = [];
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 30000 });
  t.after(async () => {
    await browser.close().catch(() => {});
    for (const p of procs.reverse()) await p.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const strategy of ['ws', 'sse']) {
    const app = await startApp(strategy);
    procs.push(app);
    // the reference: the app serves /__skew itself, its skew:authorize-stats hook decides
    await t.test(`${strategy}: the app's own hook (no C server)`, async () => {
      await signInFlow(browser, app.origin, `${strategy} app hook`, null);
    });

    // nginx in front: /__skew/ to the instance's port (both upstream entries), the rest to the app
    const skewPort = await freePort();
    const edgePort = await freePort();
    const nginx = startNginx(nginxBin, path.join(dir, `nginx-${strategy}`), {
      LISTEN: `${HOST}:${edgePort}`, SKEW_A: `${HOST}:${skewPort}`, SKEW_B: `${HOST}:${skewPort}`, NUXT: `${HOST}:${app.port}`,
    });
    procs.push(nginx);
    const edge = `http://${HOST}:${edgePort}`;
    for (const flavor of Object.keys(SERVERS)) {
      for (const mode of ['session', 'forward']) {
        await t.test(`${strategy}: ${flavor}, ${mode}`, async () => {
          const inst = await startInstance(flavor, skewPort, mode, app);
          try {
            await waitHealthy(edge, BASE, inst, undefined, 15000); // through nginx
            await signInFlow(browser, edge, `${strategy} ${flavor} ${mode}`, async () => (await stats(inst.origin, BASE, TOKEN)).total);
          } catch (e) {
            e.message += `\n--- ${flavor} ---\n${inst.out.slice(-1500)}\n--- app ---\n${app.out.slice(-800)}`;
            throw e;
          } finally {
            const r = await inst.stop();
            assert.equal(r.code, 0, `${flavor} exit: ${JSON.stringify(r)}`);
          }
        });
      }
    }
    await nginx.stop();
    await app.stop();
  }
});
