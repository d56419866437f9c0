// The example servers' pages and static files (the mongoose issue's "What it serves"): built-in
// pages without --root, files from --root with the __nkpv version cookie on HTML responses,
// no path escapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withServer, request, rawSocket, eventually, HOST } from './lib/harness.mjs';

const HTML = { accept: 'text/html,application/xhtml+xml' };

function versionCookie(r) {
  const sc = [].concat(r.headers['set-cookie'] || []);
  const c = sc.find((x) => x.startsWith('__nkpv='));
  return c ? decodeURIComponent(c.split(';')[0].slice('__nkpv='.length)) : null;
}

async function rawGet(srv, target) {
  const c = await rawSocket(srv);
  c.write(`GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/html\r\nConnection: close\r\n` +
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36\r\n\r\n');
  await Promise.race([c.closed, eventually(() => c.text().includes('\r\n\r\n'), { timeout: 5000 })]);
  await new Promise((r) => setTimeout(r, 100));
  const text = c.text();
  await c.close();
  return { status: Number(text.split(' ')[1]), text };
}

test('built-in pages without --root: demo at /, dashboard at /admin, version cookie on HTML', { timeout: 30000 }, () =>
  withServer({ buildId: 'v-pages' }, async (srv) => {
    const root = await request(srv, 'GET', '/', { headers: HTML });
    assert.equal(root.status, 200);
    assert.match(String(root.headers['content-type']), /^text\/html/);
    assert.equal(versionCookie(root), 'v-pages', 'the HTML response sets __nkpv to the server version');
    assert.match(root.text, /<meta name="skew-base" content="\/__skew">/, 'the page is rendered for the base path');
    const admin = await request(srv, 'GET', '/admin', { headers: HTML });
    assert.equal(admin.status, 200);
    assert.match(admin.text, /Total users/i);
    // a pushState route reloaded: the demo page again
    const deep = await request(srv, 'GET', '/products/42', { headers: HTML });
    assert.equal(deep.status, 200);
    assert.match(deep.text, /skew-base/);
    // assets
    for (const asset of ['/skew-client.js', '/demo.js', '/admin.js']) {
      const r = await request(srv, 'GET', asset);
      assert.equal(r.status, 200, asset);
      assert.match(String(r.headers['content-type']), /javascript/, asset);
      assert.equal(versionCookie(r), null, `no version cookie on ${asset}`);
    }
    const css = await request(srv, 'GET', '/skew-ui.css');
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const post = await request(srv, 'POST', '/', { body: 'x' });
    assert.equal(post.status, 405);
    // after a version change the cookie names the new version
    await srv.admin('/admin/version', { version: 'v-next' });
    assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'v-next');
    assert.equal(await srv.total(), 0, 'page requests are not connections');
  }));

test('--root DIR: static files, directory index, 200.html fallback, no escapes, UI under /_skew-ui/', { timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-root-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-outside-'));
  try {
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app home</title>ROOT-INDEX');
    fs.writeFileSync(path.join(dir, '200.html'), '<!doctype html><title>spa</title>SPA-FALLBACK');
    fs.writeFileSync(path.join(dir, 'app.js'), 'console.log("APP-JS");');
    fs.writeFileSync(path.join(dir, '.env'), 'SECRET=HIDDEN-ENV');
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', 'index.html'), '<!doctype html>DOCS-INDEX');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'OUTSIDE-SECRET');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'link.txt'));
    const rel = path.relative(dir, path.join(outside, 'secret.txt'));

    await withServer({ buildId: 'v-root', root: dir }, async (srv) => {
      const home = await request(srv, 'GET', '/', { headers: HTML });
      assert.equal(home.status, 200);
      assert.match(home.text, /ROOT-INDEX/);
      assert.equal(versionCookie(home), 'v-root');
      const js = await request(srv, 'GET', '/app.js');
      assert.equal(js.status, 200);
      assert.match(js.text, /APP-JS/);
      assert.match(String(js.headers['content-type']), /javascript/);
      assert.equal(versionCookie(js), null);
      const docs = await request(srv, 'GET', '/docs', { headers: HTML });
      assert.ok([301, 302, 307, 308].includes(docs.status), `directory without slash: ${docs.status}`);
      assert.equal(docs.headers.location, '/docs/');
      const docs2 = await request(srv, 'GET', '/docs/', { headers: HTML });
      assert.match(docs2.text, /DOCS-INDEX/);
      const spa = await request(srv, 'GET', '/some/client/route', { headers: HTML });
      assert.equal(spa.status, 200);
      assert.match(spa.text, /SPA-FALLBACK/);
      const missing = await request(srv, 'GET', '/missing.js', { headers: { accept: '*/*' } });
      assert.equal(missing.status, 404);
      for (const p of ['/.env', '/link.txt']) {
        const r = await request(srv, 'GET', p, { headers: { accept: '*/*' } });
        assert.notEqual(r.status, 200, `${p} must not be served`);
        assert.ok(!/HIDDEN-ENV|OUTSIDE-SECRET/.test(r.text), `${p} leaked`);
      }
      for (const target of [`/../${rel}`, `/%2e%2e/${rel}`, `/docs/../../${rel}`, `/..%2f${rel.replace(/\//g, '%2f')}`,
        '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/../../../../etc/passwd']) {
        const r = await rawGet(srv, target);
        assert.ok(!/OUTSIDE-SECRET|root:x:0/.test(r.text), `path escape with ${target}: ${r.text.slice(0, 200)}`);
      }
      const ui = await request(srv, 'GET', '/_skew-ui/admin', { headers: HTML });
      assert.equal(ui.status, 200);
      assert.match(ui.text, /Total users/i);
      const uiRoot = await request(srv, 'GET', '/_skew-ui', { headers: HTML });
      assert.ok([301, 302, 307, 308].includes(uiRoot.status));
      const demo = await request(srv, 'GET', '/_skew-ui/', { headers: HTML });
      assert.match(demo.text, /skew-base/);
      assert.equal((await srv.health()).status, 200);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});
