// --version-cookie NAME: the Nuxt module names its version cookie __nkpv_<base> for an app with a
// baseURL, so the server must read and set that name instead of __nkpv; bad names are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { withServer, request, eventually, serverBinary } from './lib/harness.mjs';

const HTML = { accept: 'text/html,application/xhtml+xml' };

function cookieNames(r) {
  return [].concat(r.headers['set-cookie'] || []).map((c) => c.split('=')[0]);
}

test('--version-cookie __nkpv_app: HTML sets it, connections are counted by it, __nkpv is ignored', { timeout: 30000 }, () =>
  withServer({ buildId: 'v-ck', extraArgs: ['--version-cookie', '__nkpv_app'] }, async (srv) => {
    const page = await request(srv, 'GET', '/', { headers: HTML });
    assert.equal(page.status, 200);
    assert.deepEqual(cookieNames(page), ['__nkpv_app']);
    assert.match([].concat(page.headers['set-cookie'])[0], /^__nkpv_app=v-ck;/);
    const a = await srv.ws({ cookie: '__nkpv_app=v-old', route: '/a' });
    const b = await srv.ws({ cookie: '__nkpv=v-default-name', route: '/b' });
    const st = await eventually(async () => {
      const r = await srv.adminStats();
      return r.json.total === 2 && r;
    }, { what: 'two connections in the stats' });
    assert.equal(st.json.versions['v-old'], 1, 'read from the configured cookie');
    assert.equal(st.json.versions['v-default-name'], undefined, 'the default name is not read');
    await Promise.all([a.close(), b.close()]);
  }));

test('--version-cookie takes a 128-byte name', { timeout: 30000 }, () => {
  const name = 'k'.repeat(125) + '_-.';
  return withServer({ buildId: 'v-long', extraArgs: [`--version-cookie=${name}`] }, async (srv) => {
    const page = await request(srv, 'GET', '/', { headers: HTML });
    assert.deepEqual(cookieNames(page), [name]);
  });
});

test('--version-cookie refuses anything but 1..128 letters, digits, _ - . (exit 2)', () => {
  for (const bad of ['', 'a b', 'a;b', 'a=b', 'a,b', '(a)', 'a"b', 'a~b', 'a/b', 'caf\u00e9', 'k'.repeat(129)]) {
    const r = spawnSync(serverBinary(), ['--port', '0', '--version-cookie', bad], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `${JSON.stringify(bad)}: ${r.stderr}`);
    assert.match(r.stderr, /bad value for --version-cookie/);
  }
  const help = spawnSync(serverBinary(), ['--help'], { encoding: 'utf8', timeout: 10000 });
  assert.match(help.stdout, /--version-cookie NAME .*default __nkpv/);
});
