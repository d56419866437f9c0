// WebSocket upgrades the server refuses, over raw sockets (a client library would hide the status
// line): every answer is HTTP/1.1 with a JSON error, malformed handshakes get 400, nothing is
// tracked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, rawSocket, eventually, parseMsg, HOST, CHROME_UA, GOOGLEBOT_UA } from './lib/harness.mjs';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Send one upgrade request; resolve {line, status, headers, body} once the whole answer is in. */
async function upgrade(srv, path, { ua = CHROME_UA, key = KEY, version = '13' } = {}) {
  const c = await rawSocket(srv);
  let head = `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${srv.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `User-Agent: ${ua}\r\n`;
  if (key !== null) head += `Sec-WebSocket-Key: ${key}\r\n`;
  if (version !== null) head += `Sec-WebSocket-Version: ${version}\r\n`;
  c.write(`${head}\r\n`);
  const parsed = () => {
    const t = c.text();
    const end = t.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const lines = t.slice(0, end).split('\r\n');
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const body = t.slice(end + 4);
    const len = Number(headers['content-length'] ?? 0);
    if (lines[0].split(' ')[1] !== '101' && Buffer.byteLength(body, 'latin1') < len) return null;
    return { line: lines[0], status: Number(lines[0].split(' ')[1]), headers, body, json: parseMsg(body) };
  };
  const r = await eventually(parsed, { timeout: 5000, interval: 10, what: `answer to the upgrade of ${path}` });
  await c.close();
  return r;
}

function assertRefusal(r, status, what) {
  assert.match(r.line, /^HTTP\/1\.1 \d{3} /, `${what}: status line ${JSON.stringify(r.line)}`);
  assert.equal(r.status, status, `${what}: ${r.line} ${r.body}`);
  assert.match(r.headers['content-type'] || '', /application\/json/, `${what}: content-type`);
  assert.equal(r.json && r.json.ok, false, `${what}: body ${r.body}`);
  assert.equal(typeof r.json.error, 'string', `${what}: error text`);
}

test('refused WebSocket upgrades (unknown path, bot, full) answer HTTP/1.1', { timeout: 30000 }, () =>
  withServer({ maxConnections: 1 }, async (srv) => {
    assertRefusal(await upgrade(srv, srv.path('/nope')), 404, 'unknown path under base');
    assertRefusal(await upgrade(srv, '/elsewhere'), 404, 'unknown path');
    assertRefusal(await upgrade(srv, srv.path('/ws'), { ua: GOOGLEBOT_UA }), 403, 'bot');
    const one = await srv.ws();
    assertRefusal(await upgrade(srv, srv.path('/ws')), 503, 'full');
    await one.close();
    // a well-formed one after all that is accepted, with an HTTP/1.1 101
    await eventually(async () => (await srv.total()) === 0, { timeout: 3000, what: 'slot free again' });
    const ok = await upgrade(srv, srv.path('/ws'));
    assert.match(ok.line, /^HTTP\/1\.1 101 /, ok.line);
  }));

test('malformed WebSocket upgrades (no key, empty key, wrong or no version) get 400', { timeout: 30000 }, () =>
  withServer({}, async (srv) => {
    const cases = [
      ['no Sec-WebSocket-Key', { key: null }],
      ['empty Sec-WebSocket-Key', { key: '' }],
      ['Sec-WebSocket-Version 8', { version: '8' }],
      ['Sec-WebSocket-Version 14', { version: '14' }],
      ['no Sec-WebSocket-Version', { version: null }],
    ];
    for (const [what, o] of cases) {
      const r = await upgrade(srv, srv.path('/ws'), o);
      assertRefusal(r, 400, what);
      assert.equal(r.headers['sec-websocket-version'], '13', `${what}: the version the server speaks`);
    }
    assert.equal(await srv.total(), 0, 'nothing tracked');
    const h = await srv.health();
    assert.equal(h.status, 200);
  }));
