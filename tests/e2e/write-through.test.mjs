// Tracker messages written at once when nothing is queued (write-through: examples/lws and
// examples/mongoose), the queue behind it when the socket is full. A subscriber that stops
// reading while big stats messages keep coming must get every one of them, whole and in the
// order a reading subscriber got them, once it reads again: a message written past the queue
// (reordered), lost, cut, or left in the server while an SSE stream's input is off shows here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withServer, rawSocket, rawWs, wsFrame, parseFrames, idleSse, eventually, request, HOST, CHROME_UA, TOKEN,
} from './lib/harness.mjs';

// Both servers. (mongoose spun for seconds after this test, its clients gone: every close
// broadcast a ~100 KB stats message to the subscriber that had stopped reading, and mg_send
// copied its whole queue, tens of MB, for each: examples/mongoose send_append.)

const IDLE = 300;   // idle streams, each on a long route of its own: stats of ~150 KB
const PUSHES = 60;  // opens after the slow subscribers stop reading: one stats push each (interval 0)
const pad = (i) => `/slow-reader/${i}/${'x'.repeat(200)}`;

/** Stats totals and the parse problems of a WebSocket byte stream (after the 101 head). */
function wsMessages(buf) {
  const { frames, rest } = parseFrames(buf);
  const msgs = [];
  const bad = [];
  for (const f of frames) {
    if (f.opcode !== 1) { if (f.opcode !== 9) bad.push(`opcode ${f.opcode}`); continue; } // pings are fine
    try { msgs.push(JSON.parse(f.payload.toString('utf8'))); } catch { bad.push(f.payload.toString('utf8').slice(0, 80)); }
  }
  if (rest.length) bad.push(`${rest.length} bytes of a cut frame`);
  return { msgs, bad };
}

/** The same for an SSE stream (after the response head): events "data: <json>\n\n". */
function sseMessages(text) {
  const msgs = [];
  const bad = [];
  const events = text.split('\n\n');
  const tail = events.pop();
  for (const ev of events) {
    if (!ev.startsWith('data: ') || ev.includes('\n')) { if (!ev.startsWith(':')) bad.push(ev.slice(0, 80)); continue; }
    try { msgs.push(JSON.parse(ev.slice(6))); } catch { bad.push(ev.slice(0, 80)); }
  }
  if (tail) bad.push(`${tail.length} bytes of a cut event`);
  return { msgs, bad };
}

const body = (c) => c.data.subarray(c.data.indexOf('\r\n\r\n') + 4);
const lastTotal = (msgs) => msgs.filter((m) => m.type === 'stats').map((m) => m.total).at(-1);

test('a subscriber that stops reading gets every stats message whole and in order (WS and SSE)', { timeout: 90000 }, () =>
  withServer({ statsIntervalMs: 0, maxOutputBytes: 256 << 20 }, async (srv) => {
    for (let i = 0; i < IDLE; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => idleSse(srv, 1, { route: pad(i + k) })));
    }
    const control = await srv.subscriber({ route: '/control' });

    const ws = await rawWs(srv, { route: '/slow-ws', headers: { Authorization: `Bearer ${TOKEN}` } });
    ws.write(wsFrame(1, '{"type":"subscribe-stats"}'));
    await eventually(() => wsMessages(body(ws)).msgs.some((m) => m.type === 'stats'), { timeout: 10000, what: 'slow WS first stats' });

    const sse = await rawSocket(srv);
    sse.write(`GET ${srv.path('/sse')}?route=%2Fslow-sse HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\n` +
      `User-Agent: ${CHROME_UA}\r\n\r\n`);
    await eventually(() => sseMessages(body(sse).toString('utf8')).msgs.length > 0, { timeout: 10000, what: 'slow SSE connected' });
    const id = sseMessages(body(sse).toString('utf8')).msgs[0].connectionId;
    const r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ connectionId: id }),
    });
    assert.equal(r.status, 200, r.text);
    const base = IDLE + 3;
    await eventually(() => lastTotal(sseMessages(body(sse).toString('utf8')).msgs) === base, { timeout: 10000, what: 'slow SSE stats' });
    await control.inbox.nextStats((m) => m.total === base, 10000);
    const from = control.inbox.length;

    ws.sock.pause();
    sse.sock.pause();
    const before = { ws: ws.data.length, sse: sse.data.length };
    for (let i = 0; i < PUSHES; i++) await idleSse(srv, 1, { route: '/more' });
    await control.inbox.nextStats((m) => m.total === base + PUSHES, 20000);
    const want = control.inbox.since(from).filter((e) => e.msg && e.msg.type === 'stats').map((e) => e.msg.total);
    const bytes = want.length ? control.inbox.all.at(-1).raw.length : 0;

    ws.sock.resume();
    sse.sock.resume();
    const wsDone = () => lastTotal(wsMessages(body(ws)).msgs) === base + PUSHES;
    const sseDone = () => lastTotal(sseMessages(body(sse).toString('utf8')).msgs) === base + PUSHES;
    await eventually(() => wsDone() && sseDone(), { timeout: 20000, what: 'both slow subscribers have the last stats' });
    const late = { ws: ws.data.length - before.ws, sse: sse.data.length - before.sse };
    console.log(`# ${want.length} pushes of ~${(bytes / 1024).toFixed(0)} KB; read after resuming: WS ${(late.ws / 1048576).toFixed(1)} MB, SSE ${(late.sse / 1048576).toFixed(1)} MB`);
    assert.ok(want.length >= PUSHES / 2, `only ${want.length} pushes for ${PUSHES} opens`);
    // the premise: they fell behind by more than the kernel holds for a WebSocket (SO_SNDBUF 256 KB,
    // doubled, and the paused reader's 128 KB window), so the server held and queued the rest
    assert.ok(late.ws > 1048576, `the slow WebSocket read only ${late.ws} bytes after resuming`);

    for (const [name, got] of [['WS', wsMessages(body(ws))], ['SSE', sseMessages(body(sse).toString('utf8'))]]) {
      assert.deepEqual(got.bad, [], `${name}: every message whole`);
      assert.equal(got.msgs[0].type, 'connected', `${name}: connected first`);
      const totals = got.msgs.filter((m) => m.type === 'stats').map((m) => m.total);
      assert.deepEqual(totals.slice(-want.length), want, `${name}: the pushes the reading subscriber got, in its order`);
      for (let i = 1; i < totals.length; i++) assert.ok(totals[i] >= totals[i - 1], `${name}: totals never go back: ${totals.join(',')}`);
    }
  }));
