// Keepalive, dead peers, slow consumers, hostile input, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withServer, startServer, request, rawSocket, rawWs, wsFrame, parseFrames, sleep, within,
  eventually, isValidUtf8, TOKEN, HOST, idleSse,
} from './lib/harness.mjs';

test('SSE keepalive every --keepalive-ms', { timeout: 30000 }, () =>
  withServer({ keepaliveMs: 300 }, async (srv) => {
    const s = await srv.sseRaw();
    await s.inbox.nextType('connected');
    const t0 = Date.now();
    const k1 = await s.inbox.nextType('keepalive', 2000);
    const k2 = await s.inbox.nextType('keepalive', 2000);
    const k3 = await s.inbox.nextType('keepalive', 2000);
    const dt = Date.now() - t0;
    assert.ok(dt < 1800, `three keepalives took ${dt} ms`);
    const raw = s.inbox.all.find((m) => m.msg.type === 'keepalive').raw;
    assert.match(raw, /^\{"type":"keepalive","timestamp":\d+\}$/);
    assert.ok(Math.abs(k1.timestamp - Date.now()) < 10000);
    assert.ok(k3.timestamp >= k2.timestamp && k2.timestamp >= k1.timestamp);
    assert.deepEqual(s.badLines, []);
    // the eventsource library stays connected through them
    const es = await srv.sse();
    await es.inbox.nextType('keepalive', 2000);
    assert.equal(es.errors.length, 0);
  }));

test('a client that vanishes without a close frame is dropped (WS and SSE)', { timeout: 30000 }, () =>
  withServer({ keepaliveMs: 300 }, async (srv) => {
    const sub = await srv.subscriber();
    const w = await srv.ws();
    const s = await srv.sse();
    const raw = await srv.sseRaw();
    await raw.inbox.nextType('connected');
    await sub.inbox.nextStats((m) => m.total === 4);
    w.ws._socket.destroy(); // no close frame
    const t0 = Date.now();
    await sub.inbox.nextStats((m) => m.total === 3 && !m.connections.some((e) => e.id === w.id), 3000);
    raw.destroy();
    await sub.inbox.nextStats((m) => m.total === 2, 3000, 'raw SSE client dropped');
    s.es.close();
    await sub.inbox.nextStats((m) => m.total === 1, 3000, 'eventsource client dropped');
    assert.ok(Date.now() - t0 < 9000);
    assert.equal(await srv.total(), 1);
  }));

test('finding dead SSE peers among many does not drop live subscribers', { timeout: 60000 }, () =>
  withServer({ keepaliveMs: 300, statsIntervalMs: 0, maxConnections: 3000 }, async (srv) => {
    const idle = await idleSse(srv, 1500);
    const subs = [await srv.subscriber(), await srv.subscriber()];
    // streams opened before and after the subscribers, so a sweep meets them on either side
    const victims = [...idle.slice(0, 3), ...(await idleSse(srv, 3, { route: '/late' }))];
    const n = idle.length + 3 + subs.length;
    for (const s of subs) await s.inbox.latestStats((m) => m.total === n, 10000);
    // dead SSE peers are found by the server's liveness checks, while stats are pushed
    for (let i = 0; i < victims.length; i++) {
      victims[victims.length - 1 - i].sock.destroy();
      for (const s of subs) await s.inbox.nextStats((m) => m.total === n - i - 1, 8000, `total ${n - i - 1} after a dead SSE peer`);
    }
    for (const s of subs) assert.equal(s.closeCode, undefined, 'subscriber still connected');
    assert.equal(await srv.total(), n - 6);
  }));

test('a WebSocket peer that answers no ping is dropped within a few keepalive intervals', { timeout: 30000 }, () =>
  withServer({ keepaliveMs: 300 }, async (srv) => {
    const sub = await srv.subscriber();
    const dead = await rawWs(srv); // reads, never answers pings, never closes
    await sub.inbox.nextStats((m) => m.total === 2);
    const t0 = Date.now();
    await sub.inbox.nextStats((m) => m.total === 1, 6000, 'silent WS peer dropped');
    const dt = Date.now() - t0;
    const { frames } = parseFrames(dead.data.subarray(dead.data.indexOf('\r\n\r\n') + 4));
    assert.ok(frames.some((f) => f.opcode === 0x9), 'the server sent protocol pings');
    assert.ok(dt < 6000, `dropped after ${dt} ms`);
    // the subscriber itself (the ws library answers pings) stays
    await sleep(1200);
    assert.equal(await srv.total(), 1);
  }));

test('a consumer that never reads is dropped (small --max-output-bytes)', { timeout: 90000 }, () =>
  withServer({ maxOutputBytes: 262144, statsIntervalMs: 20, keepaliveMs: 1000 }, async (srv) => {
    const mon = await srv.subscriber({ route: '/mon' });
    // 150 idle connections with long routes (within the 256-byte bound) make every stats message
    // large (~45 KB); a push every 20 ms fills a non-reader's socket buffers within seconds, while
    // a reader (the monitor) keeps up: the bound (256 KB) holds a few whole messages.
    const idle = [];
    for (let i = 0; i < 150; i++) idle.push(await srv.ws({ route: `/idle/${i}/${'r'.repeat(200)}` }));
    await mon.inbox.nextStats((m) => m.total === 151, 10000);
    // the slow consumer: raw SSE GET, reads the head and connected, then stops reading
    const slow = await rawSocket(srv);
    slow.write(`GET ${srv.path('/sse')}?route=%2Fslow HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\n` +
      'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\r\n\r\n');
    const id = await eventually(() => {
      const m = /"connectionId":"([0-9a-f-]{36})"/.exec(slow.text());
      return m && m[1];
    }, { timeout: 5000, what: 'slow consumer connected' });
    slow.sock.pause();
    const r = await request(srv, 'POST', srv.path('/subscribe-stats'), {
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ connectionId: id }),
    });
    assert.equal(r.status, 200);
    await mon.inbox.nextStats((m) => m.total === 152);
    // push stats until the server gives up on it (bounded)
    const mover = idle[0];
    const t0 = Date.now();
    let dropped = false;
    for (let i = 0; i < 3000 && Date.now() - t0 < 20000; i++) {
      mover.send({ type: 'route-update', route: `/idle/0/${i}/${'m'.repeat(200)}` });
      if (i % 20 === 19) {
        await sleep(20);
        const last = mon.inbox.all[mon.inbox.all.length - 1];
        if (last && last.msg && last.msg.type === 'stats' && !last.msg.connections.some((e) => e.id === id)) {
          dropped = true;
          break;
        }
      }
    }
    if (!dropped) {
      await mon.inbox.nextStats((m) => !m.connections.some((e) => e.id === id), 5000, 'slow consumer dropped');
    }
    const m = await mon.inbox.nextStats((x) => x.total === 151, 5000);
    assert.equal(m.total, 151);
    // the server is still fine and answers quickly
    const h = await srv.health();
    assert.equal(h.status, 200);
    const pm = await request(srv, 'GET', srv.path('/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } });
    const slowLine = pm.text.split('\n').find((l) => /slow/.test(l) && !l.startsWith('#'));
    assert.ok(slowLine && Number(slowLine.trim().split(/\s+/).pop()) >= 1, `slow-consumer counter: ${slowLine}`);
    slow.sock.resume();
    await within(5000, slow.closed, 'slow consumer socket closed by the server');
  }));

test('garbage frames, malformed JSON, invalid UTF-8: ignored or closed, server healthy, counts right', { timeout: 45000 }, () =>
  withServer({ routeTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/mon' });
    const c = await srv.ws({ route: '/ok' });
    for (const junk of ['{"type":', '{}', '[]', '"str"', '42', 'null', '{"type":"route-update"}',
      '{"type":"route-update","route":5}', '{"type":"route-update","route":{"a":1}}',
      '{"type":"route-update","route":"no-slash"}', '{"type":"nope"}', '\u0000\u0001', 'x'.repeat(70000),
      '{"type":"subscribe-stats"'.repeat(100), '['.repeat(10000), '{"a":'.repeat(5000)]) {
      c.send(junk);
    }
    c.send(Buffer.from([0xff, 0xfe, 0xc3, 0x28]));
    c.send('ping');
    assert.equal(await c.inbox.nextRaw((m) => m.type === 'pong'), '{"type":"pong"}', 'connection kept after junk');
    let a = await srv.adminStats();
    assert.deepEqual(a.json.routes, { '/mon': 1, '/ok': 1 }, 'no junk route recorded');

    // invalid UTF-8 in a text frame (raw): the server may close that connection (1007), no more
    const bad = await rawWs(srv, { route: '/bad' });
    await sub.inbox.nextStats((m) => m.total === 3);
    bad.write(wsFrame(0x1, Buffer.from('{"type":"route-update","route":"/\xff\xfe"}', 'latin1')));
    bad.write(wsFrame(0x1, Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80])));
    // reserved opcode, reserved bits, impossible length: protocol errors, the connection goes
    // (a close frame and the close handshake's own timeout are fine: bounded at 10 s here)
    const bad3 = await rawWs(srv);
    bad3.write(wsFrame(0x3, 'x'));
    const bad4 = await rawWs(srv);
    bad4.write(wsFrame(0x1, 'ping', { rsv: 0x4 }));
    const bad5 = await rawWs(srv);
    bad5.write(Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])); // 2^64-1 length
    await Promise.all([bad3, bad4, bad5].map((b) => within(10000, b.closed, 'protocol error closes')));
    // an unmasked client frame (RFC 6455 says fail the connection; lws 4.1.6 accepts it): either
    // closed, or the connection is still well and counted
    const bad2 = await rawWs(srv);
    bad2.write(wsFrame(0x1, '{"type":"route-update","route":"/unmasked"}', { mask: false }));
    // random bytes on a raw TCP connection, and a garbage HTTP request
    const g = await rawSocket(srv);
    g.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)));
    const g2 = await rawSocket(srv);
    g2.write('NONSENSE / HTTP/9.9\r\nX: ' + 'y'.repeat(20000) + '\r\n\r\n');
    await sleep(300);
    await g.close(); await g2.close();
    await sleep(100);
    assert.equal((await srv.health()).status, 200);
    const expected = 2 + (bad.closedFlag ? 0 : 1) + (bad2.closedFlag ? 0 : 1);
    a = await srv.adminStats();
    assert.equal(a.json.total, expected, `total: sub, ok${bad.closedFlag ? '' : ', bad utf-8'}${bad2.closedFlag ? '' : ', unmasked'}`);
    await eventually(() => sub.inbox.all.at(-1).msg.total === expected, { timeout: 3000, what: `subscriber sees ${expected}` });
    assert.ok(!Object.keys(a.json.routes).some((r) => r.includes('\ufffd')), `routes: ${JSON.stringify(a.json.routes)}`);
    await bad.close();
    await bad2.close();
    await eventually(async () => (await srv.total()) === 2, { timeout: 8000, what: 'total back to 2' });
    await eventually(() => sub.inbox.all.at(-1).msg.total === 2, { timeout: 3000, what: 'subscriber sees 2' });
    // every message received was valid UTF-8 JSON
    for (const msg of sub.inbox.all) assert.ok(msg.msg, `valid JSON: ${msg.raw.slice(0, 100)}`);
  }));

test('huge routes and cookies, invalid UTF-8 in query and cookie: bounded, healthy, counts right', { timeout: 30000 }, () =>
  withServer({ routeTracking: true }, async (srv) => {
    const sub = await srv.subscriber({ route: '/mon' });
    const rawMsgs = [];
    sub.ws.on('message', (d) => rawMsgs.push(Buffer.from(d)));
    const outcomes = [];
    const tryWs = async (what, o) => {
      try {
        const c = await srv.ws(o);
        outcomes.push([what, 'open']);
        return c;
      } catch (e) {
        outcomes.push([what, e.status || e.message]);
        return null;
      }
    };
    const big = await tryWs('huge route', { route: '/' + 'a'.repeat(60000) });
    const bigCookie = await tryWs('huge cookie', { cookie: '__nkpv=' + 'v'.repeat(6000) });
    const badUtf8Route = await tryWs('invalid utf8 route', { path: `${srv.path('/ws')}?route=%2F%FF%FE%C3%28` });
    const badUtf8Cookie = await tryWs('invalid utf8 cookie', { headers: { cookie: Buffer.from('__nkpv=v\xff\xfe', 'latin1').toString('latin1') } });
    const ctl = await tryWs('control chars route', { route: '/a\u0001\u0002b' });
    const two = await tryWs('repeated route', { path: `${srv.path('/ws')}?route=%2Ffirst&route=%2Fsecond` });
    const sseBig = await request(srv, 'GET', srv.path('/sse') + '?route=/' + 'b'.repeat(100000), { timeout: 3000 })
      .then((r) => r.status, (e) => e.message);
    outcomes.push(['huge SSE URL', sseBig]);
    const live = [big, bigCookie, badUtf8Route, badUtf8Cookie, ctl, two].filter(Boolean);
    const a = await srv.adminStats();
    assert.equal(a.status, 200);
    assert.equal(a.json.total, 1 + live.length, `outcomes ${JSON.stringify(outcomes)}`);
    if (two) assert.equal(a.json.connections.find((e) => e.id === two.id).route, '/first', 'first route parameter wins');
    for (const e of a.json.connections) {
      assert.ok(e.route.startsWith('/'), `route ${e.route.slice(0, 50)}`);
      assert.ok(e.route.length <= 4096, `route bounded: ${e.route.length}`);
      assert.ok(!/[\u0000-\u001f\u007f]/.test(e.route), 'no control characters in routes');
      assert.ok(!e.route.includes('\ufffd'), 'no invalid UTF-8 passed through');
    }
    // a huge route update is ignored or bounded, the connection is kept
    const c = await srv.ws({ route: '/ok' });
    c.send({ type: 'route-update', route: '/' + 'z'.repeat(200000) });
    c.send('ping');
    await c.inbox.nextType('pong');
    await sleep(200);
    const b = await srv.adminStats();
    for (const e of b.json.connections) assert.ok(e.route.length <= 4096, `route bounded: ${e.route.length}`);
    await sub.inbox.nextStats((m) => m.total === b.json.total, 3000);
    for (const buf of rawMsgs) assert.ok(isValidUtf8(buf), 'stats are valid UTF-8');
    assert.equal((await srv.health()).status, 200);
  }));

test('SIGTERM: WS clients get close 1001, SSE streams end, exit 0', { timeout: 30000 }, async () => {
  const srv = await startServer({});
  try {
    const w1 = await srv.ws();
    const w2 = await srv.subscriber();
    const s = await srv.sseRaw();
    await s.inbox.nextType('connected');
    const es = await srv.sse();
    const r = await srv.terminate(5000);
    assert.ok(!r.hung, 'exited within 5 s of SIGTERM');
    assert.equal(r.code, 0, `exit ${JSON.stringify(r)}`);
    for (const w of [w1, w2]) {
      const cl = await within(3000, w.closed, 'ws close');
      assert.equal(cl.code, 1001, 'close code 1001 (going away)');
    }
    const how = await within(3000, s.ended, 'SSE stream end');
    assert.ok(s.res.complete, `SSE stream ended cleanly (${how})`);
    es.close();
  } finally {
    await srv.kill();
  }
});
