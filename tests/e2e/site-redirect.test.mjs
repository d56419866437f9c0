// --root directory redirects stay on this origin (issue 17, item 10): GET //evil.example with a
// directory "evil.example" under the root was answered 308 Location: //evil.example/, a
// network-path reference browsers follow to another host (an open redirect). Both servers (the
// redirect is the shared site code). On mongoose, every --root answer (file, redirect, 404, 405)
// also carries X-Content-Type-Options: nosniff (lws: h-lws's test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withServer, request, serverBinary, within, HOST } from './lib/harness.mjs';

const mongoose = /mongoose/.test(path.basename(serverBinary()));

/** One raw request (the path exactly as given: no client normalises it); the answer's head. */
async function rawHead(srv, target) {
  const s = net.connect({ host: HOST, port: srv.port });
  let data = '';
  s.on('data', (d) => { data += d.toString('latin1'); });
  const closed = new Promise((r) => s.on('close', r));
  s.on('error', () => {});
  s.write(`GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`);
  await within(5000, closed, `answer to GET ${target}`);
  const head = data.split('\r\n\r\n')[0];
  const status = Number((/^HTTP\/1\.1 (\d{3})/.exec(head) || [])[1]);
  const loc = /\r\nLocation: ([^\r]*)/i.exec(head);
  return { status, location: loc ? loc[1] : null, head };
}

test('--root: a directory redirect never names another host', { timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-redirect-'));
  try {
    for (const d of ['evil.example', 'docs', '\\evil.example']) {
      fs.mkdirSync(path.join(dir, d));
      fs.writeFileSync(path.join(dir, d, 'index.html'), `<p>${d}</p>`);
    }
    await withServer({ root: dir }, async (srv) => {
      const docs = await rawHead(srv, '/docs');
      assert.equal(docs.status, 308, docs.head);
      assert.equal(docs.location, '/docs/', 'the ordinary redirect stays');
      for (const target of ['//evil.example', '///evil.example', '/\\evil.example', '//docs']) {
        const r = await rawHead(srv, target);
        if (r.status === 308) {
          assert.ok(r.location && r.location.startsWith('/'), `${target}: Location ${r.location}`);
          assert.ok(!/^[/\\]{2}/.test(r.location) && !/^\/[\\]/.test(r.location) && !/^[a-z][a-z0-9+.-]*:/i.test(r.location),
            `${target}: Location ${JSON.stringify(r.location)} leaves the origin`);
          // and where it points is served here
          const next = await request(srv, 'GET', r.location, { headers: { accept: 'text/html' } });
          assert.equal(next.status, 200, `${target} -> ${r.location}: ${next.status}`);
        } else {
          assert.equal(r.status, 404, `${target}: ${r.head}`);
        }
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mongoose --root: files, redirects and errors carry nosniff', { skip: !mongoose && 'lws: h-lws', timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-nosniff-'));
  try {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<p>home</p>');
    fs.writeFileSync(path.join(dir, 'data.txt'), '<script>alert(1)</script>');
    fs.writeFileSync(path.join(dir, '404.html'), '<p>not here</p>');
    await withServer({ root: dir }, async (srv) => {
      const answers = {
        file: await request(srv, 'GET', '/data.txt'),
        html: await request(srv, 'GET', '/', { headers: { accept: 'text/html' } }),
        'error page': await request(srv, 'GET', '/missing', { headers: { accept: 'text/html' } }),
        'json 404': await request(srv, 'GET', '/missing.js'),
        405: await request(srv, 'DELETE', '/data.txt'),
        'hidden 404': await request(srv, 'GET', '/.env'),
      };
      assert.equal(answers.file.status, 200);
      assert.equal(answers['error page'].status, 404);
      assert.equal(answers[405].status, 405);
      for (const [what, r] of Object.entries(answers))
        assert.equal(r.headers['x-content-type-options'], 'nosniff', `${what} (${r.status})`);
      const redirect = await rawHead(srv, '/docs');
      assert.equal(redirect.status, 308);
      assert.match(redirect.head, /\r\nX-Content-Type-Options: nosniff/i, 'redirect');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
