// The embedding contract through a real server (README "Writing an adapter"): the SSE head goes
// out before `connected`, split cookies count as the client's build, a refused bot is logged
// with its reason, and the first run prints where the server and its dashboard are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import {
  withServer, rawSocket, request, eventually, serverBinary, freePort, within, sleep,
  CHROME_UA, CURL_UA, HOST, TOKEN,
} from './lib/harness.mjs';

const mongoose = /mongoose/.test(serverBinary());

function rawGet(path, lines) {
  return `GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\nUser-Agent: ${CHROME_UA}\r\nAccept: text/event-stream\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
}

async function versionsOf(srv) {
  const r = await srv.adminStats();
  assert.equal(r.status, 200, r.text);
  return r.json.versions;
}

test('SSE: the response head goes out before the first event', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const c = await rawSocket(srv);
    c.write(rawGet(srv.path('/sse'), []));
    await eventually(() => c.text().includes('"type":"connected"'), { what: 'connected' });
    const t = c.text();
    assert.match(t, /^HTTP\/1\.1 200 OK\r\n/i, t.slice(0, 200));
    const end = t.indexOf('\r\n\r\n');
    assert.ok(end > 0 && end < t.indexOf('data: '), `head before data: ${JSON.stringify(t.slice(0, 400))}`);
    assert.match(t.slice(0, end), /\r\ncontent-type: text\/event-stream/i);
    assert.ok(t.slice(end + 4).startsWith('data: {"type":"connected"'), 'the first body bytes are `connected`');
    await c.close();
  }));

test('cookies: "a=1, __nkpv=v7" (repeated fields joined with a comma) counts as v7', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const c = await rawSocket(srv);
    c.write(rawGet(srv.path('/sse'), ['Cookie: a=1, __nkpv=v7']));
    await eventually(() => c.text().includes('"type":"connected"'), { what: 'connected' });
    assert.deepEqual(await versionsOf(srv), { v7: 1 });
    await c.close();
  }));

test('cookies: two Cookie fields (an HTTP/2 split cookie passed on) count as v7 or are refused whole', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const c = await rawSocket(srv);
    c.write(rawGet(srv.path('/sse'), ['Cookie: a=1', 'Cookie: __nkpv=v7']));
    await eventually(() => /\r\n\r\n/.test(c.text()), { what: 'an answer' });
    if (mongoose) {
      // mongoose's parser refuses a repeated Cookie field; nothing may be counted
      assert.match(c.text(), /^HTTP\/1\.1 400 /, c.text().slice(0, 200));
      assert.deepEqual(await versionsOf(srv), {});
    } else {
      // lws joins the fields with "; ", as RFC 9113 8.2.3 says
      await eventually(() => c.text().includes('"type":"connected"'), { what: 'connected' });
      assert.deepEqual(await versionsOf(srv), { v7: 1 });
    }
    await c.close();
  }));

test('a refused bot: 204 and an info line with the reason (--verbose)', { timeout: 30000 }, () =>
  withServer({ extraArgs: ['--verbose'] }, async (srv) => {
    const r = await request(srv, 'GET', srv.path('/sse'), { ua: CURL_UA });
    assert.equal(r.status, 204);
    await eventually(() => /bot refused \(SSE 204\): User-Agent "curl\/8\.5\.0" matches the bot filter/.test(srv.output()),
      { what: 'bot log line' });
    const ok = await request(srv, 'GET', srv.path('/health'), { ua: CURL_UA });
    assert.equal(ok.status, 200, 'health is for everyone');
  }));

test('first run: one line with the URL and the dashboard; no token given, none printed (not a terminal)', { timeout: 30000 }, () =>
  withServer({ adminToken: null }, async (srv) => {
    await eventually(() => srv.output().includes('dashboard:'), { what: 'start-up line' });
    const line = srv.output().split('\n').find((l) => l.includes('dashboard:'));
    assert.ok(line.includes(`http://${HOST}:${srv.port}/ `), line);
    assert.ok(line.includes(`http://${HOST}:${srv.port}/admin `), line);
    assert.ok(!/token=/.test(srv.output()), 'no token without a terminal');
    assert.equal((await srv.adminStats('x')).status, 503);
  }));

test('first run on a terminal: a token made for this run, in the dashboard link only', { timeout: 30000 }, async (t) => {
  if (spawnSync('script', ['--version'], { stdio: 'ignore' }).status !== 0) {
    t.skip('skipped: script(1) not available to give the server a terminal');
    return;
  }
  const port = await freePort();
  const cmd = `exec ${serverBinary()} --host ${HOST} --port ${port}`;
  const p = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => p.on('exit', r));
  try {
    await eventually(() => /#token=([0-9a-f]{32})/.test(out), { timeout: 10000, what: `token link in ${JSON.stringify(out)}` });
    const token = /#token=([0-9a-f]{32})/.exec(out)[1];
    assert.match(out, new RegExp(`http://${HOST}:${port}/admin#token=${token}`));
    assert.equal(out.split(token).length, 2, 'printed once');
    const srv = { port, path: (x) => `/__skew${x}` };
    const ok = await request(srv, 'GET', srv.path('/admin/stats'), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200, ok.text);
    const no = await request(srv, 'GET', srv.path('/admin/stats'));
    assert.equal(no.status, 401);
  } finally {
    p.kill('SIGTERM');
    await within(5000, exited, 'script exit').catch(async () => { p.kill('SIGKILL'); await sleep(100); });
  }
});

test('dashboard link: the #token= fragment authorizes the dashboard and leaves the address bar', { timeout: 60000 }, async (t) => {
  const chromiumPath = process.env.SKEW_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) {
    t.skip(`skipped: no Chromium at ${chromiumPath}`);
    return;
  }
  const { chromium } = await import('playwright-core');
  await withServer({}, async (srv) => {
    const browser = await chromium.launch({
      executablePath: chromiumPath, headless: true, timeout: 30000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const ctx = await browser.newContext({ userAgent: CHROME_UA });
      const page = await ctx.newPage();
      const seen = [];
      page.on('request', (r) => seen.push(r.url()));
      await page.goto(srv.url(`/admin#token=${TOKEN}`));
      await eventually(async () => (await page.locator('#auth-state').textContent()) === 'authorized',
        { timeout: 10000, what: 'dashboard authorized by the link' });
      assert.equal(await page.evaluate(() => location.hash), '', 'the token left the address bar');
      assert.ok(seen.every((u) => !u.includes(TOKEN)), `no request URL carries the token: ${seen.join(' ')}`);
    } finally {
      await browser.close().catch(() => {});
    }
  });
});
