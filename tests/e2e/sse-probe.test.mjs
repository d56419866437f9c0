// --sse-probe-ms (skew_config.sse_probe_ms, README "Liveness"): for a server whose library hides
// the socket, the tracker sends a keepalive to each new SSE stream at those delays after its
// open, so a stream its client closed is found by the write in seconds rather than at the
// keepalives (30 s). --test-no-sse-eof-check leaves out the servers' own end-of-stream check, as
// such a library would, so what finds the closed stream below is the probe alone.
// A stream closed before probe k is untracked at probe k + 1 at the latest: probe k draws the
// client's reset, k + 1 fails (lws: it hears of the reset only then); at probe k where the
// library reports socket errors at once (mongoose).
// Closes are a close() of the socket, as a browser closing an EventSource does: a FIN, and a
// reset only for bytes that arrive later (a reset at once would be seen without any probe).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, rawSocket, sleep, HOST, CHROME_UA } from './lib/harness.mjs';

const PROBES = [2000, 4000, 6000];
const MARGIN = 1500; // a loaded machine: the tick after the open stamps it, RTT, the stats poll

/** A raw SSE stream; resolves with it, its id and the time `connected` arrived (the open). */
async function rawSse(srv) {
  const c = await rawSocket(srv);
  c.write(`GET ${srv.path('/sse')} HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\n` +
    `User-Agent: ${CHROME_UA}\r\n\r\n`);
  const t0 = Date.now();
  let m;
  while (!(m = /"connectionId":"([0-9a-f-]{36})"/.exec(c.text()))) {
    if (Date.now() - t0 > 5000) throw new Error('SSE: no `connected` within 5 s');
    await sleep(5);
  }
  return { c, id: m[1], opened: Date.now() };
}

/** Ids of the connections srv tracks now. */
async function trackedIds(srv) {
  const r = await srv.adminStats();
  assert.equal(r.status, 200, r.text);
  return new Set(r.json.connections.map((x) => x.id));
}

/** Poll srv every 100 ms until `until`: when each stream (by id) left the list, or null. */
async function untrackedAt(srv, streams, until) {
  const gone = new Map(streams.map((s) => [s.id, null]));
  while (Date.now() < until && [...gone.values()].includes(null)) {
    const ids = await trackedIds(srv);
    for (const s of streams) if (gone.get(s.id) === null && !ids.has(s.id)) gone.set(s.id, Date.now());
    await sleep(100);
  }
  return streams.map((s) => gone.get(s.id));
}

test('--sse-probe-ms 2000,4000,6000 without the EOF check: a closed stream is untracked by the second probe after its close', { timeout: 60000 }, () =>
  withServer({ extraArgs: ['--sse-probe-ms', PROBES.join(','), '--test-no-sse-eof-check'] }, async (srv) => {
    const a = await rawSse(srv); // closed at once: found at the 2 s or the 4 s probe
    const b = await rawSse(srv); // closed after the 2 s probe went out: found at 4 s or 6 s
    assert.equal(await srv.total(), 2);
    a.c.sock.destroy(); // close(): a FIN, and a reset for whatever comes after
    const closedA = Date.now();
    let closedB = 0;
    const closeB = sleep(b.opened + PROBES[0] + 500 - Date.now()).then(() => {
      assert.ok(b.c.text().includes('"type":"keepalive"'), 'B got the first probe (a keepalive) before its close');
      b.c.sock.destroy();
      closedB = Date.now();
    });
    const [gotA, gotB] = await untrackedAt(srv, [a, b], b.opened + PROBES[2] + MARGIN);
    await closeB;
    assert.ok(gotA, `closed stream A not untracked within ${PROBES[1] + MARGIN} ms of its open`);
    assert.ok(gotA - a.opened <= PROBES[1] + MARGIN, `A untracked ${gotA - a.opened} ms after its open: after its second probe`);
    // the probe is never early, and nothing else looks: still counted until the first probe
    assert.ok(gotA - a.opened >= PROBES[0] - 100, `A untracked ${gotA - a.opened} ms after its open: before its probe`);
    assert.ok(gotB, `closed stream B not untracked within ${PROBES[2] + MARGIN} ms of its open`);
    assert.ok(gotB - b.opened >= PROBES[1] - 100, `B untracked ${gotB - b.opened} ms after its open: before its probe`);
    console.log(`# probe ${PROBES.join(',')}: close -> untracked A ${gotA - closedA} ms, B ${gotB - closedB} ms`);
  }));

test('without --sse-probe-ms and without the EOF check, a closed stream stays counted past that bound', { timeout: 60000 }, () =>
  withServer({ extraArgs: ['--test-no-sse-eof-check'] }, async (srv) => {
    const a = await rawSse(srv);
    a.c.sock.destroy(); // close(): a FIN, and a reset for whatever comes after
    const bound = a.opened + PROBES[1] + MARGIN; // where the probe test found A at the latest
    assert.deepEqual(await untrackedAt(srv, [a], bound), [null],
      'untracked without probe and EOF check: something else found it, so the probe test proves nothing');
    assert.equal(a.c.text().includes('"type":"keepalive"'), false, 'no probe without --sse-probe-ms');
  }));
