// --ip-header (issue 17, item 12): from a trusted proxy CF-Connecting-IP was believed first, so
// behind a proxy that only sets X-Forwarded-For every client could name its own address.
// --ip-header names the headers to believe (repeatable or a comma list; default all four, in
// the tracker's order). Both servers (a shared flag).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { withServer, serverBinary } from './lib/harness.mjs';

// The client is 127.0.0.1 (a trusted proxy by default); the headers name documentation addresses.
const FORGED_AND_REAL = {
  'cf-connecting-ip': '198.51.100.66', // passed through by the proxy: the client's forgery
  'x-forwarded-for': '203.0.113.9',   // set by the proxy
  'x-real-ip': '192.0.2.44',
};

async function ipSeen(srv, kind) {
  const sub = await srv.subscriber({ route: '/dash' });
  const c = kind === 'sse' ? await srv.sse({ headers: FORGED_AND_REAL }) : await srv.ws({ headers: FORGED_AND_REAL });
  const m = await sub.inbox.nextStats((x) => x.connections.some((e) => e.id === c.id));
  const ip = m.connections.find((e) => e.id === c.id).ip;
  await c.close();
  await sub.close();
  return ip;
}

test('without --ip-header: today\'s order (CF-Connecting-IP first)', { timeout: 30000 }, () =>
  withServer({ ipTracking: true }, async (srv) => {
    assert.equal(await ipSeen(srv, 'ws'), '198.51.100.66');
  }));

test('--ip-header x-forwarded-for: only that header is believed (WS and SSE)', { timeout: 30000 }, () =>
  withServer({ ipTracking: true, extraArgs: ['--ip-header', 'x-forwarded-for'] }, async (srv) => {
    assert.equal(await ipSeen(srv, 'ws'), '203.0.113.9');
    assert.equal(await ipSeen(srv, 'sse'), '203.0.113.9');
  }));

test('--ip-header x-real-ip,forwarded and repeated flags; the peer when none is present', { timeout: 30000 }, async () => {
  await withServer({ ipTracking: true, extraArgs: ['--ip-header', 'x-real-ip,forwarded'] }, async (srv) => {
    assert.equal(await ipSeen(srv, 'ws'), '192.0.2.44');
  });
  await withServer({ ipTracking: true, extraArgs: ['--ip-header=forwarded', '--ip-header', 'Forwarded'] }, async (srv) => {
    assert.equal(await ipSeen(srv, 'sse'), '127.0.0.1');
  });
});

test('--ip-header: a bad name exits 2 with a message; --help lists the flag', () => {
  for (const bad of ['x-forwarded', '', 'x-real-ip,', 'true-client-ip']) {
    const r = spawnSync(serverBinary(), ['--port', '0', '--ip-header', bad], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `--ip-header '${bad}': ${r.stderr}`);
    assert.match(r.stderr, /--ip-header/);
  }
  const help = spawnSync(serverBinary(), ['--help'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--ip-header NAME/);
});
