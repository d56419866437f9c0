// --root serving a `nuxt generate` output without --build-id: the server's build id is
// _nuxt/builds/latest.json's id, a deploy that replaces that file is picked up live (clients get
// the version push), and HTML is never stamped with another build than the one being served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withServer, request, eventually } from './lib/harness.mjs';

const HTML = { accept: 'text/html,application/xhtml+xml' };

function versionCookie(r) {
  const sc = [].concat(r.headers['set-cookie'] || []);
  const c = sc.find((x) => x.startsWith('__nkpv='));
  return c ? decodeURIComponent(c.split(';')[0].slice('__nkpv='.length)) : null;
}

/** A directory shaped like `nuxt generate` output for build `id`. */
function nuxtOutput(id) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-nuxt-'));
  fs.mkdirSync(path.join(dir, '_nuxt', 'builds', 'meta'), { recursive: true });
  deploy(dir, id);
  fs.writeFileSync(path.join(dir, '200.html'), '<!doctype html><title>spa</title>SPA');
  return dir;
}

/** What a deploy does: new pages, then latest.json replaced in one rename. */
function deploy(dir, id) {
  fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><title>home</title>BUILD-${id}`);
  fs.writeFileSync(path.join(dir, '_nuxt', 'builds', 'meta', `${id}.json`), JSON.stringify({ id, timestamp: Date.now() }));
  const tmp = path.join(dir, '_nuxt', 'builds', `.latest-${id}.json`);
  fs.writeFileSync(tmp, JSON.stringify({ id, timestamp: Date.now() }));
  fs.renameSync(tmp, path.join(dir, '_nuxt', 'builds', 'latest.json'));
}

test('--root with _nuxt/builds/latest.json and no --build-id: its id is the build, redeploys are live', { timeout: 60000 }, async () => {
  const dir = nuxtOutput('b-1111');
  const latest = path.join(dir, '_nuxt', 'builds', 'latest.json');
  try {
    await withServer({ buildId: null, root: dir }, async (srv) => {
      assert.equal((await srv.health()).json.version, 'b-1111', 'server version from latest.json');
      const home = await request(srv, 'GET', '/', { headers: HTML });
      assert.match(home.text, /BUILD-b-1111/);
      assert.equal(versionCookie(home), 'b-1111', 'HTML stamped with the build served');
      const w = await srv.ws({ cookie: '__nkpv=b-1111' });
      const s = await srv.sse({ cookie: '__nkpv=b-1111' });
      assert.equal(w.connected.version, 'b-1111');
      assert.equal(s.connected.version, 'b-1111');
      const stats = await srv.adminStats();
      assert.deepEqual(stats.json.versions, { 'b-1111': 2 }, 'visitors counted on the build, not "dev"');

      // a deploy: the next HTML answer already names the new build, old clients are told
      deploy(dir, 'b-2222');
      const next = await request(srv, 'GET', '/', { headers: HTML });
      assert.match(next.text, /BUILD-b-2222/);
      assert.equal(versionCookie(next), 'b-2222', 'no stale build id on new files');
      for (const c of [w, s]) assert.equal((await c.inbox.nextType('version', 3000)).version, 'b-2222');
      assert.equal((await srv.health()).json.version, 'b-2222');

      // a deploy nobody asks a page of: picked up by the server's own check
      deploy(dir, 'b-3333');
      for (const c of [w, s]) assert.equal((await c.inbox.nextType('version', 4000)).version, 'b-3333');

      // latest.json half written or gone: the files' build is unknown, so no cookie at all
      fs.writeFileSync(latest, '{"id":"b-44');
      const partial = await request(srv, 'GET', '/', { headers: HTML });
      assert.equal(partial.status, 200);
      assert.equal(versionCookie(partial), null, 'no cookie while latest.json is unreadable');
      fs.writeFileSync(latest, JSON.stringify({ id: 'b-4444', timestamp: Date.now() }));
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'b-4444');
      assert.equal((await w.inbox.nextType('version', 3000)).version, 'b-4444');
      fs.rmSync(latest);
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), null, 'no cookie without latest.json');
      // an id that cannot be a version is not used
      fs.writeFileSync(latest, JSON.stringify({ id: 'x'.repeat(300) }));
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), null, 'unusable id');
      assert.equal((await srv.health()).json.version, 'b-4444');
      deploy(dir, 'b-5555');
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'b-5555');
      // an admin version announcement is pushed, but pages still carry the build they are
      const v = await srv.admin('/admin/version', { version: 'v-announced' });
      assert.equal(v.status, 200, v.text);
      await w.inbox.next((m) => m.type === 'version' && m.version === 'v-announced', 3000, 'the announcement');
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'b-5555', 'cookie names the files');
      await new Promise((r) => setTimeout(r, 1500)); // the periodic check does not undo the announcement
      assert.equal((await srv.health()).json.version, 'v-announced');
      // a rewrite in place with the same size right away is still seen (timestamps can be coarse)
      const same = (id) => fs.writeFileSync(latest, JSON.stringify({ id, timestamp: 1 }));
      same('b-6666');
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'b-6666');
      same('b-7777');
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'b-7777', 'same size, same moment');
      await eventually(async () => (await srv.adminStats()).json.versions['b-1111'] === 2,
        { timeout: 3000, what: 'the old clients still counted on the build they run' });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--build-id wins over latest.json; a --root without it keeps the --build-id default', { timeout: 30000 }, async () => {
  const dir = nuxtOutput('b-aaaa');
  const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-plain-'));
  fs.writeFileSync(path.join(plain, 'index.html'), '<!doctype html>PLAIN');
  try {
    await withServer({ buildId: 'v-given', root: dir }, async (srv) => {
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'v-given');
      deploy(dir, 'b-bbbb');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await srv.health()).json.version, 'v-given', 'latest.json ignored with --build-id');
    });
    await withServer({ buildId: null, root: plain }, async (srv) => {
      assert.equal(versionCookie(await request(srv, 'GET', '/', { headers: HTML })), 'dev');
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(plain, { recursive: true, force: true });
  }
});
