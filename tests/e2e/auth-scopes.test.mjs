// Authorization scopes and secrets (examples/common/skew_auth.c): the admin token has every
// scope, the stats token reads (live stats, admin/stats), the metrics token and --metrics-allow
// open /metrics only; tokens come from files or the environment (argv warns); SIGHUP re-reads
// the files: a rotated token stops working at once, streams stay up, and the stats a revoked
// credential authorized stop. Every admin action and stats decision is in the audit log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withServer, eventually, request, sleep } from './lib/harness.mjs';

const ADMIN = 'adm-0123456789-secret';
const STATS = 'sta-0123456789-secret';
const METRICS = 'met-0123456789-secret';

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'skew-auth-'));
}
function writeSecret(dir, name, value) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `${value}\n`, { mode: 0o600 });
  return p;
}
const bearer = (t) => ({ authorization: `Bearer ${t}` });
const get = (srv, p, t) => request(srv, 'GET', srv.path(p), { headers: t ? bearer(t) : {} });
const post = (srv, p, body, t) => request(srv, 'POST', srv.path(p), {
  headers: { ...(t ? bearer(t) : {}), 'content-type': 'application/json' }, body: JSON.stringify(body),
});
/** A WebSocket that asked for stats with this token; resolves with its first answer. */
async function statsWs(srv, token) {
  const c = await srv.ws({ token });
  c.send({ type: 'subscribe-stats' });
  c.first = await c.inbox.next((m) => m.type === 'stats' || m.type === 'stats-unauthorized', 5000, 'stats answer');
  return c;
}
function metricValue(text, name) {
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

test('scopes: admin token everything, stats token reads, metrics token /metrics only (tokens from files and env)', { timeout: 30000 }, async () => {
  const dir = tmpdir();
  process.env.SKEW_METRICS_TOKEN = METRICS;
  try {
    await withServer({
      adminToken: null,
      extraArgs: ['--admin-token-file', writeSecret(dir, 'admin', ADMIN), '--stats-token-file', writeSecret(dir, 'stats', STATS)],
    }, async (srv) => {
      // admin: every scope
      assert.equal((await get(srv, '/admin/stats', ADMIN)).status, 200);
      assert.equal((await get(srv, '/metrics', ADMIN)).status, 200);
      assert.equal((await post(srv, '/admin/version', { version: 'v-admin' }, ADMIN)).status, 200);
      assert.equal((await statsWs(srv, ADMIN)).first.type, 'stats');
      // stats: reads only
      assert.equal((await get(srv, '/admin/stats', STATS)).status, 200, 'stats token reads admin/stats');
      assert.equal((await statsWs(srv, STATS)).first.type, 'stats', 'stats token: live stats');
      assert.equal((await post(srv, '/admin/version', { version: 'v-stats' }, STATS)).status, 401, 'stats token cannot act');
      assert.equal((await post(srv, '/admin/invalidate', { route: '/' }, STATS)).status, 401);
      assert.equal((await get(srv, '/metrics', STATS)).status, 401, 'stats token is not a metrics token');
      // metrics (from the environment): /metrics only
      assert.equal((await get(srv, '/metrics', METRICS)).status, 200);
      assert.equal((await get(srv, '/admin/stats', METRICS)).status, 401);
      assert.equal((await post(srv, '/admin/version', { version: 'v-m' }, METRICS)).status, 401);
      assert.equal((await statsWs(srv, METRICS)).first.type, 'stats-unauthorized', 'metrics token: no live stats');
      // no token at all
      assert.equal((await get(srv, '/metrics')).status, 401);
      assert.equal((await get(srv, '/admin/stats')).status, 401);
      assert.equal((await get(srv, '/health')).json.version, 'v-admin', 'only the admin push took');
      const out = srv.output();
      assert.doesNotMatch(out, /visible to every user in ps/, 'files and env: no argv warning');
      for (const t of [ADMIN, STATS, METRICS]) assert.ok(!out.includes(t), 'no secret in the log');
    });
  } finally {
    delete process.env.SKEW_METRICS_TOKEN;
  }
});

test('a token on the command line still works and warns that ps shows it; a file and argv together are refused', { timeout: 30000 }, async () => {
  await withServer({ adminToken: ADMIN }, async (srv) => {
    assert.equal((await get(srv, '/admin/stats', ADMIN)).status, 200);
    assert.match(srv.output(), /warning: --admin-token on the command line is visible to every user in ps/);
  });
  const dir = tmpdir();
  await assert.rejects(withServer({ adminToken: ADMIN, extraArgs: ['--admin-token-file', writeSecret(dir, 'a', ADMIN)] }, async () => {}),
    /--admin-token and --admin-token-file: give one/);
  await assert.rejects(withServer({ adminToken: null, extraArgs: ['--stats-token-file', path.join(dir, 'missing')] }, async () => {}),
    /--stats-token-file .*missing: No such file/);
});

test('--metrics-allow matches the socket peer, never a forwarded address', { timeout: 30000 }, async () => {
  await withServer({ extraArgs: ['--metrics-allow', '127.0.0.0/8'] }, async (srv) => {
    const r = await get(srv, '/metrics');
    assert.equal(r.status, 200, 'loopback peer allowed without a token');
    assert.match(r.text, /^skew_auth_denied_total\{method="bearer"\} 0$/m);
    assert.equal((await get(srv, '/admin/stats')).status, 401, 'the allow list is for /metrics only');
  });
  // the peer is 127.0.0.1 (a trusted proxy by default) and says the client is 10.1.2.3: not believed
  await withServer({ extraArgs: ['--metrics-allow', '10.0.0.0/8'] }, async (srv) => {
    const r = await request(srv, 'GET', srv.path('/metrics'), { headers: { 'x-forwarded-for': '10.1.2.3' } });
    assert.equal(r.status, 401);
    const m = await get(srv, '/metrics', srv.token);
    assert.equal(metricValue(m.text, 'skew_auth_denied_total{method="cidr"}'), 1, m.text);
  });
});

test('SIGHUP: a rotated stats token stops at once, streams stay up, the stats it authorized stop', { timeout: 60000 }, async () => {
  const dir = tmpdir();
  const statsFile = writeSecret(dir, 'stats', STATS);
  const adminFile = writeSecret(dir, 'admin', ADMIN);
  await withServer({ adminToken: null, extraArgs: ['--admin-token-file', adminFile, '--stats-token-file', statsFile] }, async (srv) => {
    const a = await statsWs(srv, STATS);   // WebSocket, authorized at its handshake
    const b = await statsWs(srv, ADMIN);   // stays authorized
    const c = await srv.sse({ route: '/sse-sub' }); // SSE, authorized by its subscribe POST
    const sub = await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { ...bearer(STATS), 'content-type': 'application/json' }, body: JSON.stringify({ connectionId: c.id }),
    });
    assert.equal(sub.status, 200);
    await c.inbox.nextType('stats');
    for (const x of [a, b]) assert.equal(x.first.type, 'stats');

    const NEW = 'sta-rotated-9876543210';
    fs.writeFileSync(statsFile, `${NEW}\n`);
    srv.proc.kill('SIGHUP');
    await eventually(() => /reload \(SIGHUP\): admin-token unchanged, stats-token rotated, metrics-token not from a file; \d+ other module\(s\) reloaded; 0 session\(s\) ended; 2 stats subscription\(s\) revoked/.test(srv.output()),
      { timeout: 5000, what: `one reload line in ${srv.output().slice(-600)}` });
    assert.equal((srv.output().match(/reload \(SIGHUP\)/g) || []).length, 1, 'one line per reload');
    await a.inbox.nextType('stats-unauthorized');
    await c.inbox.nextType('stats-unauthorized');
    assert.equal((await get(srv, '/admin/stats', STATS)).status, 401, 'the old token stopped');
    assert.equal((await get(srv, '/admin/stats', NEW)).status, 200, 'the new one works');

    // a change: the admin subscriber hears of it, the revoked ones do not; nobody was closed
    const extra = await srv.ws({ route: '/after' });
    await b.inbox.nextStats((m) => m.total === 4);
    await a.inbox.none((m) => m.type === 'stats', 500, 'stats after revocation (ws)');
    await c.inbox.none((m) => m.type === 'stats', 10, 'stats after revocation (sse)');
    assert.equal(a.ws.readyState, 1, 'the revoked WebSocket stays open');
    assert.equal((await get(srv, '/admin/stats', ADMIN)).json.total, 4, 'every stream is still tracked');
    // the handshake's grant is forgotten: asking again over the same WebSocket is refused
    a.send({ type: 'subscribe-stats' });
    await a.inbox.nextType('stats-unauthorized');
    await extra.close();
  });
});

test('SIGHUP: rotating the admin token ends the sessions made from it; an unreadable file keeps the old value', { timeout: 30000 }, async () => {
  const dir = tmpdir();
  const adminFile = writeSecret(dir, 'admin', ADMIN);
  await withServer({ adminToken: null, extraArgs: ['--admin-token-file', adminFile] }, async (srv) => {
    const login = await post(srv, '/admin/login', { token: ADMIN });
    assert.equal(login.status, 200);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const viaSession = () => request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie } });
    assert.equal((await viaSession()).status, 200);

    fs.rmSync(adminFile);
    srv.proc.kill('SIGHUP');
    await eventually(() => /admin-token kept \(No such file or directory\)/.test(srv.output()), { timeout: 5000, what: 'reload line' });
    assert.equal((await get(srv, '/admin/stats', ADMIN)).status, 200, 'a missing file keeps the old token');
    assert.equal((await viaSession()).status, 200, 'and its sessions');

    writeSecret(dir, 'admin', 'adm-new-0000000000');
    srv.proc.kill('SIGHUP');
    await eventually(() => /admin-token rotated, .*1 session\(s\) ended/.test(srv.output()), { timeout: 5000, what: 'rotation line' });
    assert.equal((await viaSession()).status, 401, 'the session of the old token ended');
    assert.equal((await get(srv, '/admin/stats', ADMIN)).status, 401);
    assert.equal((await get(srv, '/admin/stats', 'adm-new-0000000000')).status, 200);
  });
});

test('audit: admin actions and stats decisions are logged with who, even with --quiet; /metrics counts denials per method', { timeout: 30000 }, async () => {
  const dir = tmpdir();
  await withServer({ adminToken: null, extraArgs: ['--quiet', '--admin-token-file', writeSecret(dir, 'a', ADMIN), '--stats-token-file', writeSecret(dir, 's', STATS)] }, async (srv) => {
    assert.equal((await post(srv, '/admin/version', { version: 'v-audit' }, ADMIN)).status, 200);
    assert.equal((await post(srv, '/admin/invalidate', { route: '/x' }, ADMIN)).status, 200);
    assert.equal((await post(srv, '/admin/version', { version: 'v-no' }, 'wrong')).status, 401);
    await statsWs(srv, STATS);
    await statsWs(srv, 'wrong-token');
    const login = await post(srv, '/admin/login', { token: STATS });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    assert.equal((await request(srv, 'GET', srv.path('/admin/stats'), { headers: { cookie } })).status, 200);
    assert.equal((await request(srv, 'POST', srv.path('/admin/version'), { headers: { cookie, 'content-type': 'application/json' }, body: '{"version":"x"}' })).status, 401,
      'a session from the stats token cannot act');
    await sleep(100);
    const out = srv.output();
    assert.match(out, / audit \S+ skew_server_\w+: \/admin\/version version="v-audit" by admin-token from 127\.0\.0\.1: 200/);
    assert.match(out, /\/admin\/invalidate route="\/x" by admin-token from 127\.0\.0\.1: 200/);
    assert.match(out, /\/admin\/version version="v-no" by - from 127\.0\.0\.1: 401/);
    assert.match(out, /stats granted to stats-token from 127\.0\.0\.1/);
    assert.match(out, /stats denied from 127\.0\.0\.1: bearer/);
    assert.match(out, /login: session #1 \(stats-token\) from 127\.0\.0\.1/);
    assert.match(out, /stats granted to session #1 \(stats-token\) from 127\.0\.0\.1/);
    const m = (await get(srv, '/metrics', ADMIN)).text;
    assert.equal(metricValue(m, 'skew_auth_denied_total{method="bearer"}'), 2, m);
    assert.equal(metricValue(m, 'skew_auth_denied_total{method="session"}'), 1, m);
    assert.equal(metricValue(m, 'skew_auth_sessions'), 1, m);
    assert.match(m, /^skew_connections_opened_total /m, 'the tracker\'s own series are still there');
  });
});
