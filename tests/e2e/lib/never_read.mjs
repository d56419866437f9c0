// A load client for hostile.test.mjs: N WebSocket clients that send P pings each right behind
// their handshake and never read. Usage: node never_read.mjs PORT PATH N P UA
// Prints "ready" once everything is written, then waits for stdin to close (the test ends it).
import net from 'node:net';
import crypto from 'node:crypto';

const [port, wsPath, n, pings, ua] = process.argv.slice(2);
function frame(text) {
  const b = Buffer.from(text);
  const key = crypto.randomBytes(4);
  const o = Buffer.alloc(b.length);
  for (let i = 0; i < b.length; i++) o[i] = b[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from([0x81, 0x80 | b.length]), key, o]);
}
const burst = Buffer.concat(Array(1000).fill(frame('ping')));
const socks = [];
for (let i = 0; i < Number(n); i++) {
  const s = net.connect(Number(port), '127.0.0.1');
  s.pause(); // never reads
  s.on('error', () => {});
  await new Promise((r) => s.on('connect', r));
  s.write(`GET ${wsPath} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
    `User-Agent: ${ua}\r\n\r\n`);
  socks.push(s);
}
for (let k = 0; k < Number(pings) / 1000; k++) {
  for (const s of socks) s.write(burst);
  await new Promise((r) => setTimeout(r, 5));
}
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => { for (const s of socks) s.destroy(); process.exit(0); });
