// TLS on an example server (SKEW_SERVER): --tls-cert/--tls-key with a test CA and server
// certificates made here with `openssl`. Over HTTPS: health, an SSE stream and a WSS socket from
// node clients that trust only that CA, Chromium (no ignoreHTTPSErrors: the leaf's SPKI hash is
// the only thing it accepts) loading the demo page and connecting; then SIGHUP with a new
// certificate: new connections see it, an open socket goes on; a broken file on SIGHUP keeps the
// pair in force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import tls from 'node:tls';
import path from 'node:path';
import {
  HOST, CHROME_UA, CHROMIUM_ARGS, chromium, eventually, freePort, installLeaf, makeCa, makeLeaf, needTool, openSse,
  openWs, request, startProc, stats, tmpDir, waitHealthy,
} from './lib.mjs';

const SERVER = process.env.SKEW_SERVER;
const BASE = '/__skew';
const TOKEN = 'tls-test-admin-token-0123456789';

test('TLS: HTTPS, SSE, WSS, Chromium, SIGHUP reload', { timeout: 90000 }, async (t) => {
  assert.ok(SERVER && fs.existsSync(SERVER), `SKEW_SERVER=${SERVER}`);
  const chromiumPath = needTool('chromium', [process.env.SKEW_CHROMIUM || '/usr/bin/chromium']);
  const dir = tmpDir('tls');
  const ca = makeCa(dir);
  const a = makeLeaf(ca, 'leaf-a');
  const b = makeLeaf(ca, 'leaf-b');
  assert.notEqual(a.fingerprint, b.fingerprint);
  const certPath = path.join(dir, 'server.pem');
  const keyPath = path.join(dir, 'server.key');
  installLeaf(a, certPath, keyPath);

  const port = await freePort();
  const origin = `https://${HOST}:${port}`;
  // the admin token from the environment, never argv
  const srv = startProc(SERVER, ['--host', HOST, '--port', String(port), '--base', BASE, '--build-id', 'v-tls',
    '--stats-interval-ms', '0', '--tls-cert', certPath, '--tls-key', keyPath], { env: { SKEW_ADMIN_TOKEN: TOKEN } });
  const clients = [];
  let browser;
  t.after(async () => {
    for (const c of clients) c.close();
    if (browser) await browser.close().catch(() => {});
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const expectTotal = (n, what, timeout = 8000) => eventually(async () => {
    const st = await stats(origin, BASE, TOKEN, ca.pem);
    if (st.total !== n) throw new Error(`total ${st.total}, want ${n}`);
    return true;
  }, what, timeout);
  try {
    await waitHealthy(origin, BASE, srv, ca.pem);

    await t.test('health over HTTPS with the CA; the server certificate is leaf A; no cleartext', async () => {
      const r = await request(`${origin}${BASE}/health`, { ca: ca.pem });
      assert.equal(r.status, 200);
      assert.equal(r.json.version, 'v-tls');
      assert.equal(r.cert, a.fingerprint);
      // without the CA the client refuses: the server really presents a cert of that CA
      await assert.rejects(request(`${origin}${BASE}/health`), /self[- ]signed|unable to (get|verify)/i);
      // plain HTTP on the TLS port gets no answer
      await assert.rejects(request(`http://${HOST}:${port}${BASE}/health`, { timeout: 3000 }));
    });

    await t.test('a client offering h2 gets HTTP/1.1 (ALPN pinned: the adapters speak HTTP/1.1 only)', async () => {
      const alpn = await new Promise((resolve, reject) => {
        const s = tls.connect({ host: HOST, port, ca: ca.pem, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
          resolve(s.alpnProtocol);
          s.end();
        });
        s.on('error', reject);
      });
      assert.notEqual(alpn, 'h2');
    });

    await t.test('SSE over HTTPS: connected, counted', async () => {
      const s = await openSse(`${origin}${BASE}/sse`, { ca: ca.pem });
      clients.push(s);
      assert.equal(s.status, 200);
      const m = await s.inbox.next((x) => x.type === 'connected');
      assert.equal(m.version, 'v-tls');
      await expectTotal(1, 'total 1');
    });

    let wss;
    await t.test('WSS: connected, counted, answers pings', async () => {
      wss = await openWs(`wss://${HOST}:${port}${BASE}/ws`, { ca: ca.pem });
      clients.push(wss);
      assert.equal(wss.cert, a.fingerprint);
      const m = await wss.inbox.next((x) => x.type === 'connected');
      assert.equal(m.version, 'v-tls');
      await expectTotal(2, 'total 2');
    });

    await t.test('Chromium without the certificate trusted refuses the page', async () => {
      const br = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 30000 });
      try {
        const page = await (await br.newContext({ userAgent: CHROME_UA })).newPage();
        await assert.rejects(page.goto(`${origin}/`, { timeout: 15000 }), /ERR_CERT/);
      } finally {
        await br.close();
      }
    });

    await t.test('Chromium trusting leaf A and B by SPKI loads the demo page and connects over TLS', async () => {
      browser = await chromium.launch({
        executablePath: chromiumPath, timeout: 30000,
        args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${a.spki},${b.spki}`],
      });
      const page = await (await browser.newContext({ userAgent: CHROME_UA })).newPage();
      const res = await page.goto(`${origin}/`, { timeout: 20000 });
      assert.equal(res.status(), 200);
      assert.equal(await page.evaluate(() => location.protocol), 'https:');
      await page.waitForSelector('#state[data-state="open"]', { timeout: 30000 });
      await expectTotal(3, 'the page counted');
    });

    await t.test('SIGHUP with a new certificate: new connections get leaf B, the open WSS goes on', async () => {
      installLeaf(b, certPath, keyPath);
      srv.signal('SIGHUP');
      await eventually(async () => (await request(`${origin}${BASE}/health`, { ca: ca.pem })).cert === b.fingerprint,
        'leaf B served', 8000);
      const w2 = await openWs(`wss://${HOST}:${port}${BASE}/ws`, { ca: ca.pem });
      clients.push(w2);
      assert.equal(w2.cert, b.fingerprint);
      await w2.inbox.next((x) => x.type === 'connected');
      // the socket opened before the reload is still served
      const pong = new Promise((r) => wss.ws.once('pong', () => r(true)));
      wss.ws.ping();
      assert.equal(await Promise.race([pong, new Promise((r) => setTimeout(() => r(false), 5000))]), true);
      await expectTotal(4, 'total 4');
      assert.match(srv.out, /TLS certificate reloaded/);
    });

    await t.test('SIGHUP with a broken certificate file: the pair in force stays', async () => {
      fs.writeFileSync(certPath, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
      srv.signal('SIGHUP');
      await eventually(() => /not reloaded/.test(srv.out), 'the refusal logged', 5000);
      const r = await request(`${origin}${BASE}/health`, { ca: ca.pem });
      assert.equal(r.status, 200);
      assert.equal(r.cert, b.fingerprint);
      assert.equal(srv.exit, null);
    });

    await t.test('SIGTERM: the server exits 0 (sanitizer builds: no report)', async () => {
      for (const c of clients.splice(0)) c.close();
      if (browser) await browser.close();
      browser = null;
      const r = await srv.stop();
      assert.deepEqual(r, { code: 0, signal: null });
      assert.doesNotMatch(srv.out, /Sanitizer|runtime error/);
    });
  } catch (e) {
    e.message += `\n--- server output ---\n${srv.out.slice(-2000)}`;
    throw e;
  }
});
