// Deadlines both servers must keep at their default settings: a closed SSE client leaves the
// counts within 500 ms, and a change reaches a stats subscriber within the coalescing interval
// plus 20 ms. Changes happen at random moments so that a server which only notices them on a
// periodic sweep or timer misses the deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServer, request, rawSocket, sleep, eventually, HOST, CHROME_UA } from './lib/harness.mjs';

const pause = (lo, hi) => sleep(lo + Math.random() * (hi - lo));

/** A raw SSE stream, resolved once `connected` arrived. */
async function rawSse(srv) {
  const c = await rawSocket(srv);
  c.write(`GET ${srv.path('/sse')} HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\n` +
    `User-Agent: ${CHROME_UA}\r\n\r\n`);
  await eventually(() => c.data.includes('"connected"'), { timeout: 5000, interval: 10, what: 'SSE connected' });
  return c;
}

test('a closed SSE client (FIN or RST) is untracked within 500 ms at the default keepalive', { timeout: 60000 }, () =>
  // keepalive left at its default; stats pushed at once so the subscriber sees the close itself
  withServer({ statsIntervalMs: 0 }, async (srv) => {
    const sub = await srv.subscriber();
    const took = [];
    for (let i = 0; i < 8; i++) {
      const s = await rawSse(srv);
      await sub.inbox.nextStats((m) => m.total === 2, 3000, 'SSE client counted');
      await pause(100, 700);
      const t0 = Date.now();
      if (i % 2) s.sock.resetAndDestroy(); // RST
      else s.sock.end(); // FIN
      await sub.inbox.nextStats((m) => m.total === 1, 8000, `closed SSE client (${i % 2 ? 'RST' : 'FIN'}) untracked`);
      took.push({ how: i % 2 ? 'RST' : 'FIN', ms: Date.now() - t0 });
      await s.close();
    }
    const slow = took.filter((x) => x.ms > 500);
    assert.deepEqual(slow, [], `untracked after ${JSON.stringify(took)}`);
    assert.equal(await srv.total(), 1);
  }));

test('a change reaches a stats subscriber within --stats-interval-ms + 20 ms (default 250)', { timeout: 60000 }, () =>
  withServer({ statsIntervalMs: null }, async (srv) => {
    const sub = await srv.subscriber();
    const late = [];
    const seen = [];
    // when the subscriber got the stats matching pred, counted from t0 (the change)
    const check = async (what, t0, pred) => {
      await sub.inbox.nextStats(pred, 3000, what);
      const ms = sub.inbox.all[sub.inbox.pos - 1].at - t0;
      seen.push(ms);
      // 250 + 20 ms is the target, 70 ms more for a loaded machine (the old lws timer: up to 500)
      if (ms > 340) late.push(`${what}: ${ms} ms`);
    };
    for (let i = 0; i < 6; i++) {
      await pause(300, 600);
      const c = await srv.ws({ route: '/a' });
      // the change is made when the server opens the connection, just before `connected` goes out
      await check('open', c.inbox.all[0].at, (m) => m.total === 2);
      await pause(300, 600);
      let t0 = Date.now();
      c.send({ type: 'route-update', route: `/b${i}` });
      await check('route update', t0, (m) => m.routes && m.routes[`/b${i}`] === 1);
      await pause(300, 600);
      t0 = Date.now();
      const r = await request(srv, 'POST', srv.path('/route'), {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ connectionId: c.id, route: `/c${i}` }),
      });
      assert.equal(r.status, 200, r.text);
      await check('POST route', t0, (m) => m.routes && m.routes[`/c${i}`] === 1);
      await pause(300, 600);
      t0 = Date.now();
      c.ws.close();
      await check('close', t0, (m) => m.total === 1);
    }
    // a shared CI machine may stall a process now and then: two late samples of 24 are let pass
    // (the old lws behaviour was late about every other time)
    assert.ok(late.length <= 2, `stats later than the window allows: ${late.join(', ')}; all: ${seen.join(' ')} ms`);
    const sorted = [...seen].sort((a, b) => a - b);
    assert.ok(sorted[sorted.length >> 1] <= 290, `median ${sorted[sorted.length >> 1]} ms; all: ${seen.join(' ')} ms`);
  }));
