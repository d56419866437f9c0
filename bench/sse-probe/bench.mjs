#!/usr/bin/env node
// SSE probe benchmark (not a test): how long a closed SSE stream stays counted, from the
// client's close() to the server's list losing it, on each example server in three setups:
//   eof-check   the servers as they ship: their end-of-stream check (README "Liveness")
//   probe       --test-no-sse-eof-check --sse-probe-ms LIST: a library that hides the socket,
//               with the tracker's early probes (skew_config.sse_probe_ms)
//   none        --test-no-sse-eof-check alone: only the keepalives (--keepalive-ms, 30 s) find it
// STREAMS streams, each closed CLOSE_MS after its open (a visit that leaves early).
//
//   node bench/sse-probe/bench.mjs [--probe 2000,5000,15000] [--streams 4] [--close-ms 200,700,1200,1700]
// Server binaries: SKEW_PROBE_SERVERS="build/skew_server_lws build/skew_server_mongoose".
import path from 'node:path';
import { startServer, rawSocket, sleep, HOST, CHROME_UA } from '../../tests/e2e/lib/harness.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};
const PROBE = opt('probe', '2000,5000,15000');
const CLOSE_MS = opt('close-ms', '200,700,1200,1700').split(',').map(Number);
const LIMIT_MS = 75000; // past two keepalives (30 s each) and the stall of a loaded machine

async function rawSse(srv) {
  const c = await rawSocket(srv);
  c.write(`GET ${srv.path('/sse')} HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\n` +
    `User-Agent: ${CHROME_UA}\r\n\r\n`);
  let m;
  const t0 = Date.now();
  while (!(m = /"connectionId":"([0-9a-f-]{36})"/.exec(c.text()))) {
    if (Date.now() - t0 > 5000) throw new Error('no `connected`');
    await sleep(5);
  }
  return { c, id: m[1], opened: Date.now(), closed: 0, gone: 0 };
}

/** Close each stream CLOSE_MS after its open; ms from each close to its leaving the list. */
async function measure(bin, extraArgs) {
  process.env.SKEW_SERVER = bin;
  const srv = await startServer({ extraArgs });
  try {
    const streams = [];
    for (const ms of CLOSE_MS) {
      const s = await rawSse(srv);
      streams.push(s);
      sleep(ms).then(() => { s.c.sock.destroy(); s.closed = Date.now(); });
    }
    const until = Date.now() + LIMIT_MS;
    while (Date.now() < until && streams.some((s) => !s.gone)) {
      const r = await srv.adminStats();
      const ids = new Set(r.json.connections.map((x) => x.id));
      for (const s of streams) if (s.closed && !s.gone && !ids.has(s.id)) s.gone = Date.now();
      await sleep(50);
    }
    return streams.map((s) => (s.gone ? s.gone - s.closed : null));
  } finally {
    await srv.stop();
  }
}

const fmt = (a) => a.map((x) => (x == null ? `>${LIMIT_MS}` : String(x))).join(' ');
const servers = (process.env.SKEW_PROBE_SERVERS || 'build/skew_server_lws').split(/\s+/).filter(Boolean);
console.log(`closed SSE stream: ms from close() to untracked; streams closed ${CLOSE_MS.join(',')} ms after open`);
for (const bin of servers) {
  const name = path.basename(bin).replace('skew_server_', '');
  const abs = path.resolve(bin);
  const rows = [
    ['eof-check', []],
    [`probe ${PROBE}`, ['--test-no-sse-eof-check', '--sse-probe-ms', PROBE]],
    ['none (keepalive 30 s)', ['--test-no-sse-eof-check']],
  ];
  for (const [what, args] of rows) {
    const ms = await measure(abs, args);
    const ok = ms.filter((x) => x != null);
    console.log(`${name.padEnd(9)} ${what.padEnd(24)} max ${ok.length === ms.length ? Math.max(...ok) : `>${LIMIT_MS}`} ms  (each: ${fmt(ms)})`);
  }
}
