// The app's own admins (skew_person.h) through the server: session cookies sealed by npm h3's
// sealSession and JWTs signed by npm jose (person_vectors.mjs) authorize live stats on a
// WebSocket (the upgrade's Cookie / Authorization) and on SSE (POST subscribe-stats), exactly
// when the vector says so; --person-scope admin opens the admin endpoints too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withServer, request, HOST, TOKEN } from './lib/harness.mjs';
import { makeVectors, personArgs, JWT_COOKIE, ADMIN } from './person_vectors.mjs';

let dir;
let vectors;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skew-person-'));
  vectors = (await makeVectors(dir)).items;
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

const origin = (srv) => ({ origin: `http://${HOST}:${srv.port}` }); // same-origin, as the app's own page
const cookieOf = (v) => (v.kind === 'session' ? `theme=dark; nuxt-session=${v.value}` : `${JWT_COOKIE}=${v.value}`);

async function wsVerdict(srv, headers) {
  const c = await srv.ws({ headers: { ...origin(srv), ...headers } });
  c.send({ type: 'subscribe-stats' });
  const m = await c.inbox.next((x) => x.type === 'stats' || x.type === 'stats-unauthorized');
  await c.close();
  return m.type === 'stats';
}

async function sseVerdict(srv, headers) {
  const s = await srv.sse();
  const r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
    headers: { 'content-type': 'application/json', ...origin(srv), ...headers },
    body: JSON.stringify({ connectionId: s.id }),
  });
  assert.equal(r.status, 200, r.text);
  const m = await s.inbox.next((x) => x.type === 'stats' || x.type === 'stats-unauthorized');
  await s.close();
  return m.type === 'stats';
}

test('sessions and JWTs from npm h3/jose: WS upgrade and SSE subscribe-stats give each vector its verdict', { timeout: 90000 }, () =>
  withServer({ extraArgs: personArgs(dir) }, async (srv) => {
    for (const v of vectors) {
      assert.equal(await wsVerdict(srv, { cookie: cookieOf(v) }), v.granted, `ws cookie: ${v.name}`);
      assert.equal(await sseVerdict(srv, { cookie: cookieOf(v) }), v.granted, `sse cookie: ${v.name}`);
      if (v.kind === 'jwt' && v.value.split('.').length === 3)
        assert.equal(await wsVerdict(srv, { authorization: `Bearer ${v.value}` }), v.granted, `ws bearer: ${v.name}`);
    }
    // the admin token still works next to them, and no credential at all is no stats
    assert.equal(await wsVerdict(srv, { authorization: `Bearer ${TOKEN}` }), true);
    assert.equal(await wsVerdict(srv, {}), false);
    // every refusal was one log line, never the credential itself
    const out = srv.output();
    assert.match(out, /admins: session cookie refused: bad mac/);
    assert.match(out, /admins: (JWT cookie|bearer JWT) refused: algorithm not allowed/);
    for (const v of vectors) assert.ok(!out.includes(v.value.slice(-20)), `credential in the log: ${v.name}`);
  }));

test('--person-scope: stats by default (admin endpoints refused), admin when asked', { timeout: 30000 }, async () => {
  const admin = vectors.find((v) => v.name === 'session: valid admin (email rule)');
  const get = (srv) => request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie: cookieOf(admin), ...origin(srv) } });
  // an admin action: the stats scope reads (admin/stats) but never acts
  const act = (srv) => request(srv, 'POST', srv.path('/admin/version'), { headers: { cookie: cookieOf(admin),
    'content-type': 'application/json', ...origin(srv) }, body: JSON.stringify({ version: 'v-person' }) });
  await withServer({ extraArgs: personArgs(dir) }, async (srv) => {
    assert.equal((await get(srv)).status, 200); // reading is the stats scope
    assert.equal((await act(srv)).status, 401);
  });
  await withServer({ adminToken: null, extraArgs: [...personArgs(dir), '--person-scope', 'admin'] }, async (srv) => {
    const r = await get(srv);
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.total, 'number');
    assert.equal((await act(srv)).status, 200, 'admin when asked');
    const other = vectors.find((v) => v.name === 'session: another user (matches no rule)');
    const denied = await request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie: cookieOf(other), ...origin(srv) } });
    assert.equal(denied.status, 401);
  });
});

test('start-up refuses rules without a credential and a short password', { timeout: 20000 }, async () => {
  await assert.rejects(withServer({ extraArgs: ['--admin-email', ADMIN, '--session-password-env', 'SKEW_E2E_UNSET_VAR'] }, async () => {}),
    /need a session password/);
  const short = path.join(dir, 'short');
  fs.writeFileSync(short, 'too-short\n');
  await assert.rejects(withServer({ extraArgs: ['--admin-email', ADMIN, '--session-password-file', short] }, async () => {}),
    /at least 32 characters/);
});
