// Readiness, the graceful drain and sd_notify (issue 19 items 5, 6, 9): /ready is 503 while
// starting (before the first cluster view) and while draining; /health stays 200 and says the
// cluster state; SIGTERM refuses new streams at once and closes the open ones spread over
// --drain-ms, so their clients reconnect to another instance gradually; READY=1, WATCHDOG=1
// and STOPPING=1 reach a NOTIFY_SOCKET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  servers, kind, start, tmpdir, withRedis, Redis, freePort, eventually, request, within, sleep, HOST,
} from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ready = (srv) => request(srv, 'GET', '/__skew/ready');

for (const bin of servers()) {
  test(`${kind(bin)}: /ready 503 until the first cluster view, 200 after; /health 200 with the cluster state`,
    { timeout: 40000 }, async () => {
      const standalone = await start(bin, []);
      try {
        const r = await ready(standalone);
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { ok: true, ready: true });
        assert.equal((await standalone.health()).json.cluster, undefined, 'no cluster field standalone');
        assert.equal((await request(standalone, 'POST', '/__skew/ready')).status, 405);
      } finally {
        await standalone.stop();
      }
      const port = await freePort();
      const dir = tmpdir('redis');
      const srv = await start(bin, ['--redis', `redis://${HOST}:${port}`, '--cluster', 'rd', '--cluster-interval-ms', '200']);
      const redis = new Redis(port, dir, []);
      try {
        const before = await ready(srv);
        assert.equal(before.status, 503, 'no redis yet: starting');
        assert.equal(before.json.error, 'starting');
        const h = await srv.health();
        assert.equal(h.status, 200, 'alive all the same');
        assert.equal(h.json.cluster, 'degraded');
        await redis.start();
        await eventually(async () => (await ready(srv)).status === 200, { timeout: 10000, what: 'ready once synced' });
        assert.equal((await srv.health()).json.cluster, 'ok');
      } finally {
        await srv.stop();
        await redis.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

  test(`${kind(bin)}: draining: /ready 503 and new streams refused at once, exit 0 after the drain`,
    { timeout: 40000 }, async () => {
      const srv = await start(bin, ['--drain-ms', '3000']);
      const ws = await srv.ws();
      const t0 = Date.now();
      srv.proc.kill('SIGTERM');
      await eventually(async () => (await ready(srv)).status === 503, { timeout: 1000, what: '/ready 503 at once' });
      assert.equal((await ready(srv)).json.error, 'draining');
      assert.equal((await srv.health()).status, 200, 'still alive');
      const refused = await request(srv, 'GET', '/__skew/sse');
      assert.equal(refused.status, 503, 'a new stream is refused');
      const closed = await within(6000, ws.closed, 'the open stream closed within the drain');
      assert.equal(closed.code, 1001, 'going away');
      const exit = await within(8000, srv.exited, 'exit after the drain');
      assert.equal(exit.code, 0);
      const ms = Date.now() - t0;
      assert.ok(ms < 3000 + 4000, `exited after ${ms} ms`);
    });
}

test('SIGTERM drain: reconnects seen by the other instance spread over --drain-ms (at most 20 % in any second)',
  { timeout: 90000 }, () => withRedis({}, async (redis) => {
    const bins = servers();
    const N = 50;
    const args = ['--redis', redis.url, '--cluster', 'dr', '--cluster-interval-ms', '200', '--max-connections', '500'];
    const a = await start(bins[0], args); // default --drain-ms: 10000
    const b = await start(bins[1 % bins.length], args);
    const problems = [];
    const reconnectAt = [];
    const clients = [];
    try {
      for (let i = 0; i < N; i++) {
        const sse = i % 5 === 4;
        const c = sse ? await a.sseRaw({ route: `/r${i}` }) : await a.ws({ route: `/r${i}` });
        if (sse) await c.inbox.nextType('connected');
        clients.push(c);
      }
      const t0 = Date.now();
      // every client that loses A reconnects to B (what an SSE/WS client behind a balancer does)
      const done = clients.map(async (c, i) => {
        if (c.kind === 'ws') {
          const r = await c.closed;
          if (r.code !== 1001) problems.push(`ws ${i}: close ${r.code}`);
          if (c.error) problems.push(`ws ${i}: error ${c.error.message}`);
        } else {
          const how = await c.ended;
          if (how === 'error') problems.push(`sse ${i}: stream error`);
        }
        const again = c.kind === 'ws' ? await b.ws({ route: `/r${i}` }) : await b.sse({ route: `/r${i}` });
        if (!again.id) problems.push(`client ${i}: no connected from B`);
        reconnectAt.push(Date.now() - t0);
      });
      a.proc.kill('SIGTERM');
      await within(20000, Promise.all(done), 'every client reconnected to B');
      const exit = await within(8000, a.exited, 'A exits');
      assert.equal(exit.code, 0);
      const perSecond = new Array(Math.ceil(Math.max(...reconnectAt) / 1000) + 1).fill(0);
      for (const ms of reconnectAt) perSecond[Math.floor(ms / 1000)]++;
      const most = Math.max(...perSecond);
      console.log(`figure: drain of ${N} streams (--drain-ms 10000): reconnects on B per second: ${perSecond.join(' ')}; ` +
        `first ${Math.min(...reconnectAt)} ms, last ${Math.max(...reconnectAt)} ms, busiest second ${most} (${(100 * most / N).toFixed(0)} %)`);
      assert.deepEqual(problems, []);
      assert.ok(most <= 0.2 * N, `busiest second had ${most} of ${N} reconnects`);
      assert.ok(Math.max(...reconnectAt) >= 7000, 'spread over most of the drain, not front-loaded');
      await eventually(async () => (await b.total()) >= N, { timeout: 5000, what: `B holds all ${N}` });
    } finally {
      await a.kill();
      await b.stop();
    }
  }));

test('sd_notify: READY=1 once ready, WATCHDOG=1 on the timer, STOPPING=1 on SIGTERM', { timeout: 40000 }, async () => {
  for (const bin of servers()) {
    const dir = tmpdir('notify');
    const sock = path.join(dir, 'notify.sock');
    const listener = spawn('python3', [path.join(HERE, 'notify_listen.py'), sock, '30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = [];
    let buf = '';
    listener.stdout.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop();
      lines.push(...parts.map((l) => ({ l, at: Date.now() })));
    });
    try {
      await eventually(() => lines.some((x) => x.l === 'LISTENING'), { timeout: 5000, what: 'notify socket bound' });
      const srv = await start(bin, ['--drain-ms', '0'], { env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '400000' } });
      await eventually(() => lines.some((x) => x.l === 'READY=1'), { timeout: 5000, what: 'READY=1' });
      assert.equal((await ready(srv)).status, 200);
      await sleep(1200);
      const dogs = lines.filter((x) => x.l === 'WATCHDOG=1').length;
      assert.ok(dogs >= 3, `${kind(bin)}: ${dogs} WATCHDOG=1 in ~1.2 s at WatchdogSec 0.4 s (every 0.2 s)`);
      srv.proc.kill('SIGTERM');
      await eventually(() => lines.some((x) => x.l === 'STOPPING=1'), { timeout: 5000, what: 'STOPPING=1' });
      const exit = await within(5000, srv.exited, 'exit');
      assert.equal(exit.code, 0);
      assert.equal(lines.filter((x) => x.l === 'READY=1').length, 1, 'READY=1 once');
    } finally {
      listener.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
      lines = [];
    }
  }
});
