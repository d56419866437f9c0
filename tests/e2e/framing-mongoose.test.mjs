// Request framing on mongoose (issue 17, items 8 and 16): every badly framed request gets an
// answer and a close, never a hang or a silent drop, and is counted in /metrics
// (skew_defence_framing_refused_total). Content-Length and Transfer-Encoding together, two
// different Content-Lengths, a Content-Length that is not plain decimal: 400. Chunked bodies
// (with or without chunk extensions) are not read: 411. More header fields than mongoose keeps:
// 431. A plain Content-Length body is read. lws: h-lws's test; SKEW_E2E_FRAMING_ALL=1 runs this
// file against any server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { withServer, rawSocket, request, serverBinary, within, HOST, TOKEN } from './lib/harness.mjs';

const onlyMongoose = !process.env.SKEW_E2E_FRAMING_ALL && !/mongoose/.test(path.basename(serverBinary()));
const skip = onlyMongoose && 'mongoose only (lws: its own test); SKEW_E2E_FRAMING_ALL=1 runs it here';

/** Send raw bytes; resolve with what came back once the server closes (bounded). */
async function exchange(srv, bytes, what) {
  const c = await rawSocket(srv);
  c.write(bytes);
  await within(5000, c.closed, `${what}: the server closes the connection`);
  return c.text();
}

const post = (base, headers, body = '') =>
  `POST ${base}/route HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

async function framingCount(srv) {
  const m = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(m.status, 200);
  const v = /^skew_defence_framing_refused_total (\d+)$/m.exec(m.text);
  assert.ok(v, `no skew_defence_framing_refused_total in /metrics:\n${m.text.slice(-600)}`);
  return Number(v[1]);
}

const cases = [
  ['Content-Length and Transfer-Encoding', 'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n', 400],
  ['Transfer-Encoding and Content-Length', 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', '5\r\nhello\r\n0\r\n\r\n', 400],
  ['two different Content-Lengths', 'Content-Length: 2\r\nContent-Length: 3\r\n', '{}x', 400],
  ['two equal Content-Lengths', 'Content-Length: 2\r\nContent-Length: 2\r\n', '{}', 400],
  ['Content-Length +2', 'Content-Length: +2\r\n', '{}', 400],
  ['Content-Length 0x2', 'Content-Length: 0x2\r\n', '{}', 400],
  ['Content-Length -1', 'Content-Length: -1\r\n', '{}', 400],
  ['Content-Length 2, 2', 'Content-Length: 2, 2\r\n', '{}', 400],
  ['Content-Length empty', 'Content-Length: \r\n', '', 400],
  ['chunked', 'Transfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n', 411],
  ['a chunk extension', 'Transfer-Encoding: chunked\r\n', '2;name=value\r\n{}\r\n0\r\n\r\n', 411],
  ['a chunk extension, head alone first', 'Transfer-Encoding: chunked\r\n', '2;ext', 411],
  ['Transfer-Encoding gzip, chunked', 'Transfer-Encoding: gzip, chunked\r\n', '2\r\n{}\r\n0\r\n\r\n', 411],
  ['HTTP/1.0 with Transfer-Encoding', 'Transfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n', 411, 'HTTP/1.0'],
];

test('badly framed requests: answered and closed, counted', { skip, timeout: 60000 }, () =>
  withServer({}, async (srv) => {
    let before = await framingCount(srv);
    for (const [what, headers, body, status, proto] of cases) {
      let bytes = post(srv.base, headers, body);
      if (proto) bytes = bytes.replace('HTTP/1.1', proto);
      const text = await exchange(srv, bytes, what);
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      assert.ok(m, `${what}: no status line, got ${JSON.stringify(text.slice(0, 200))}`);
      assert.equal(Number(m[1]), status, `${what}: ${text.slice(0, 300)}`);
      assert.match(text, /\r\nConnection: close\r\n/i, `${what}: Connection: close`);
      assert.match(text, /\r\nX-Content-Type-Options: nosniff\r\n/i, `${what}: nosniff`);
      assert.equal((text.match(/^HTTP\/1\.1 /gm) || []).length, 1, `${what}: one answer only: ${text}`);
      const after = await framingCount(srv);
      assert.equal(after, before + 1, `${what}: framing refusals counted ${before} -> ${after}`);
      before = after;
    }
    // a well-framed POST is still read (a JSON error about its content, not its framing)
    const ok = await request(srv, 'POST', srv.path('/route'), {
      headers: { 'content-type': 'application/json' }, body: '{"type":"route"}',
    });
    assert.notEqual(ok.status, 411);
    assert.notEqual(ok.status, 408);
    assert.equal(await framingCount(srv), before, 'a good request is not counted');
  }));

test('more header fields than mongoose keeps: 431, not a silently cut head', { skip, timeout: 20000 }, () =>
  withServer({}, async (srv) => {
    let fields = '';
    for (let i = 0; i < 60; i++) fields += `X-F${i}: ${i}\r\n`;
    const text = await exchange(srv, `GET ${srv.base}/health HTTP/1.1\r\nHost: ${HOST}\r\n${fields}\r\n`, '60 fields');
    assert.match(text, /^HTTP\/1\.1 431 /, text.slice(0, 200));
    // a normal browser-sized head is fine
    let few = '';
    for (let i = 0; i < 30; i++) few += `X-F${i}: ${i}\r\n`;
    const c = await rawSocket(srv);
    c.write(`GET ${srv.base}/health HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n${few}\r\n`);
    await within(5000, c.closed, '30 fields answered');
    assert.match(c.text(), /^HTTP\/1\.1 200 /);
  }));
