#!/usr/bin/env node
// Slow-request ("slowloris") benchmark for the skew example servers (not a test: figures only).
// Only 127.0.0.1; every phase is bounded (about 65 s in all).
//
//   node bench/slow/slow.mjs [--server build/skew_server_mongoose] [--seconds 30]
//
//   trickle  200 connections trickling a byte a second (120 POSTs with a 3000-byte body under
//            the size limit, 80 heads never finished) for --seconds: the server's CPU
//            (/proc/PID/stat), a normal client's health-check latency every 500 ms (median, p99,
//            max, failures), and how many trickling connections the server has ended at 10 s,
//            20 s and the end
//   fdlimit  the server under `ulimit -n 64` filled by 90 trickling connections: its CPU over
//            5 s while full (a spinning accept loop shows as ~100 % of a core), then the time
//            until a health check is answered again (bounded by 30 s)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const server = path.resolve(opt('--server', process.env.SKEW_SERVER || 'build/skew_server_mongoose'));
const seconds = Number(opt('--seconds', '30'));
const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res) => { const s = net.createServer(); s.listen(0, HOST, () => { const p = s.address().port; s.close(() => res(p)); }); });
}
function cpuTicks(pid) {
  const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
function health(port, timeout) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({ host: HOST, port, path: '/__skew/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.statusCode }));
    });
    req.setTimeout(timeout, () => { req.destroy(); resolve({ ms: timeout, status: 0 }); });
    req.on('error', () => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, status: 0 }));
  });
}
function trickle(port, head, drip) {
  const c = { ended: false, mine: false, i: 0 };
  const s = net.connect({ host: HOST, port });
  const end = () => { if (!c.mine) c.ended = true; clearInterval(c.t); };
  s.on('error', end); s.on('end', end); s.on('close', end); s.on('data', () => {});
  s.on('connect', () => {
    if (head) s.write(head);
    c.t = setInterval(() => { if (s.writable) s.write(drip[c.i++ % drip.length]); }, 1000);
  });
  c.stop = () => { c.mine = true; clearInterval(c.t); s.destroy(); };
  return c;
}
async function start(prefix) {
  const port = await freePort();
  const argv = [...prefix, server, '--host', HOST, '--port', String(port)];
  const proc = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) { if ((await health(port, 500)).status === 200) break; await sleep(50); }
  return { port, proc };
}
const bodyHead = `POST /__skew/route HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n`;
const openHead = `GET /__skew/health HTTP/1.1\r\nHost: ${HOST}\r\n`;
const pct = (a, q) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };

console.log(`server: ${server}`);
{
  const { port, proc } = await start([]);
  const conns = [];
  for (let i = 0; i < 120; i++) conns.push(trickle(port, bodyHead, '{"type":"route"'));
  for (let i = 0; i < 80; i++) conns.push(trickle(port, openHead, 'X-Slow: aaaaaaaaaa'));
  const c0 = cpuTicks(proc.pid), t0 = Date.now();
  const lat = []; let fails = 0; const ended = {};
  while (Date.now() - t0 < seconds * 1000) {
    const h = await health(port, 3000);
    if (h.status === 200) lat.push(h.ms); else fails++;
    for (const mark of [10, 20]) if (ended[mark] === undefined && Date.now() - t0 >= mark * 1000) ended[mark] = conns.filter((c) => c.ended).length;
    await sleep(500);
  }
  const cpu = (cpuTicks(proc.pid) - c0) / 100 / ((Date.now() - t0) / 1000);
  const endedAll = conns.filter((c) => c.ended).length;
  console.log(`trickle: 200 connections, ${seconds} s: server CPU ${(cpu * 100).toFixed(1)} % of a core; ` +
    `health ${lat.length} answered, ${fails} failed, median ${pct(lat, 0.5)?.toFixed(1)} ms, p99 ${pct(lat, 0.99)?.toFixed(1)} ms, ` +
    `max ${Math.max(...lat).toFixed(1)} ms; ended by the server: ${ended[10]} at 10 s, ${ended[20]} at 20 s, ${endedAll} at ${seconds} s`);
  for (const c of conns) c.stop();
  proc.kill('SIGKILL');
}
{
  const { port, proc } = await start(['/bin/sh', '-c', 'ulimit -n 64 && exec "$0" "$@"']);
  const conns = [];
  for (let i = 0; i < 90; i++) conns.push(trickle(port, openHead, 'X-Slow: aaaaaaaaaa'));
  await sleep(2000);
  const c0 = cpuTicks(proc.pid), t0 = Date.now();
  await sleep(5000);
  const cpu = (cpuTicks(proc.pid) - c0) / 100 / ((Date.now() - t0) / 1000);
  const t1 = Date.now();
  let back = null;
  while (Date.now() - t1 < 30000) {
    if ((await health(port, 1000)).status === 200) { back = Date.now() - t1; break; }
    await sleep(250);
  }
  console.log(`fdlimit: ulimit -n 64, 90 trickling: server CPU ${(cpu * 100).toFixed(1)} % of a core while full; ` +
    `health answered again ${back === null ? 'not within 30 s' : `after ${(back / 1000).toFixed(1)} s`}`);
  for (const c of conns) c.stop();
  proc.kill('SIGKILL');
}
process.exit(0);
