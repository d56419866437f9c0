// Build ids from files (issue 19 items 1-3): --root with --redis runs latest.json's build from
// the first moment (not "dev"), a symlink deploy (current -> releases/N+1) is seen, and
// --build-id-file follows a file on every instance of a cluster within 3 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { servers, kind, start, tmpdir, release, switchTo, withRedis, eventually, request } from './lib.mjs';

const P = 200; // --cluster-interval-ms

for (const bin of servers()) {
  test(`${kind(bin)}: --root with --redis runs latest.json's build (health, clients, start line, cluster, restart)`,
    { timeout: 60000 }, () => withRedis({}, async (redis) => {
      const dir = tmpdir('root');
      release(dir, 1, 'S1');
      switchTo(dir, 1);
      const args = ['--root', path.join(dir, 'current'), '--redis', redis.url, '--cluster', 't',
        '--cluster-interval-ms', String(P), '--verbose'];
      let srv = await start(bin, args);
      try {
        assert.equal((await srv.health()).json.version, 'S1', 'health');
        const ws = await srv.ws();
        assert.equal(ws.connected.version, 'S1', 'connected');
        const sse = await srv.sse();
        assert.equal(sse.connected.version, 'S1', 'connected (SSE)');
        await eventually(() => /listening on .*build S1\)/.test(srv.output()), { what: 'start line with build S1' });
        assert.match(await redis.cmd('GET', 'skew:{t}:current'), / S1$/, 'the cluster\'s build');
        const builds = await redis.cmd('HKEYS', 'skew:{t}:builds');
        assert.deepEqual(builds, ['S1'], 'only S1 registered, never dev');
        await srv.stop();
        srv = await start(bin, args);
        assert.equal((await srv.health()).json.version, 'S1', 'a restarted instance');
        const again = await srv.ws();
        assert.equal(again.connected.version, 'S1');
        assert.deepEqual(await redis.cmd('HKEYS', 'skew:{t}:builds'), ['S1']);
      } finally {
        await srv.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }));

  test(`${kind(bin)}: --root through a symlink: a switch to the next release is seen (version, files, clients)`,
    { timeout: 30000 }, async () => {
      const dir = tmpdir('switch');
      release(dir, 1, 'R1');
      release(dir, 2, 'R2');
      switchTo(dir, 1);
      const srv = await start(bin, ['--root', path.join(dir, 'current')]);
      try {
        assert.equal((await srv.health()).json.version, 'R1');
        assert.match((await request(srv, 'GET', '/')).text, /release 1/);
        const ws = await srv.ws();
        switchTo(dir, 2);
        const t0 = Date.now();
        const m = await ws.inbox.nextType('version', 3000);
        assert.equal(m.version, 'R2', 'the client is told');
        console.log(`figure: ${kind(bin)} --root symlink switch told a client after ${Date.now() - t0} ms`);
        assert.equal((await srv.health()).json.version, 'R2');
        const page = await request(srv, 'GET', '/');
        assert.match(page.text, /release 2/, 'files come from the new release');
        assert.match(String(page.headers['set-cookie']), /__nkpv=R2/, 'cookie names the files\' build');
      } finally {
        await srv.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
}

test('--build-id-file on a cluster: a symlink switch reaches every instance and every old client within 3 s',
  { timeout: 60000 }, () => withRedis({}, async (redis) => {
    const bins = servers();
    const dir = tmpdir('bif');
    release(dir, 1, 'B1');
    release(dir, 2, 'B2');
    switchTo(dir, 1);
    const file = path.join(dir, 'current/_nuxt/builds/latest.json');
    const list = [];
    try {
      for (let i = 0; i < 2; i++) {
        list.push(await start(bins[i % bins.length], ['--build-id-file', file, '--redis', redis.url,
          '--cluster', 'bif', '--cluster-interval-ms', String(P)]));
      }
      for (const s of list) assert.equal((await s.health()).json.version, 'B1');
      // ready once the first cluster view arrived (the aggregator's first round: a few P)
      await eventually(async () => (await request(list[0], 'GET', '/__skew/ready')).status === 200,
        { timeout: 10000, what: 'ready once synced' });
      const page = await request(list[0], 'GET', '/index.html');
      assert.doesNotMatch(page.text, /release 1/, 'no files served from the build file\'s tree');
      const clients = [];
      for (const s of list) {
        clients.push(await s.ws(), await s.ws(), await s.sse());
      }
      for (const c of clients) assert.equal(c.connected.version, 'B1');
      switchTo(dir, 2);
      const t0 = Date.now();
      const got = await Promise.all(clients.map(async (c) => {
        const m = await c.inbox.nextType('version', 3000);
        return { v: m.version, ms: Date.now() - t0 };
      }));
      for (const g of got) assert.equal(g.v, 'B2');
      const worst = Math.max(...got.map((g) => g.ms));
      console.log(`figure: --build-id-file switch: ${clients.length} clients on 2 instances told within ${worst} ms (max)`);
      assert.ok(worst <= 3000, `told within ${worst} ms`);
      for (const s of list) assert.equal((await s.health()).json.version, 'B2');
    } finally {
      for (const s of list) await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }));

test('--build-id-file holding just the id (plain text), and a bad file leaves the version alone', { timeout: 30000 },
  async () => {
    const dir = tmpdir('plain');
    const file = path.join(dir, 'BUILD_ID');
    fs.writeFileSync(file, 'plain-7\n');
    const srv = await start(servers()[0], ['--build-id-file', file]);
    try {
      assert.equal((await srv.health()).json.version, 'plain-7');
      const ws = await srv.ws();
      fs.writeFileSync(file + '.new', 'plain-8');
      fs.renameSync(file + '.new', file);
      assert.equal((await ws.inbox.nextType('version', 3000)).version, 'plain-8');
      fs.writeFileSync(file + '.new', 'two words\n');
      fs.renameSync(file + '.new', file);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await srv.health()).json.version, 'plain-8', 'a file that holds no id changes nothing');
    } finally {
      await srv.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
