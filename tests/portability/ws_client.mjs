// A minimal WebSocket client with node's built-in modules only (net, crypto), for the
// valgrind run of the libwebsockets server. Usage: node ws_client.mjs PORT PATH TOKEN
// Opens the socket, subscribes to stats, pings, updates the route, then closes; prints one
// line per received message and "ws: ok" when everything expected arrived.
import net from 'node:net';
import crypto from 'node:crypto';

const [port, path, token] = process.argv.slice(2);
const key = crypto.randomBytes(16).toString('base64');
const sock = net.connect(Number(port), '127.0.0.1');
let buf = Buffer.alloc(0);
let upgraded = false;
const seen = [];

function frame(text, opcode = 1) {
  const payload = Buffer.from(text);
  const mask = crypto.randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len])
                         : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 255]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}

function messages() {
  for (;;) {
    if (buf.length < 2) return;
    let len = buf[1] & 127, off = 2;
    if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
    else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
    if (buf.length < off + len) return;
    const op = buf[0] & 15, data = buf.subarray(off, off + len).toString();
    buf = buf.subarray(off + len);
    if (op === 1) { seen.push(data); console.log('ws <- ' + data.slice(0, 100)); step(data); }
    if (op === 8) { finish(); return; }
  }
}

let stage = 0;
function step(msg) {
  const type = JSON.parse(msg).type;
  if (stage === 0 && type === 'connected') { stage = 1; sock.write(frame('{"type":"subscribe-stats"}')); }
  else if (stage === 1 && type === 'stats') { stage = 2; sock.write(frame('ping')); }
  else if (stage === 2 && type === 'pong') {
    stage = 3;
    sock.write(frame('{"type":"route-update","route":"/shipping"}'));
  } else if (stage === 3 && type === 'stats' && msg.includes('/shipping')) {
    stage = 4;
    sock.write(frame(Buffer.from([0x03, 0xe8]).toString('latin1'), 8)); // close 1000
    setTimeout(finish, 500);
  }
}

function finish() {
  console.log(stage === 4 ? 'ws: ok' : 'ws: stopped at stage ' + stage);
  sock.destroy();
  process.exit(stage === 4 ? 0 : 1);
}

sock.on('connect', () => {
  sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
    `User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36\r\n` +
    `Authorization: Bearer ${token}\r\n\r\n`);
});
sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  if (!upgraded) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buf.subarray(0, end).toString();
    if (!/^HTTP\/1\.1 101/.test(head)) { console.log('ws: no upgrade: ' + head.split('\r\n')[0]); process.exit(1); }
    upgraded = true;
    buf = buf.subarray(end + 4);
  }
  messages();
});
sock.on('error', (e) => { console.log('ws: ' + e.message); process.exit(1); });
setTimeout(() => { console.log('ws: timeout at stage ' + stage); process.exit(1); }, 60000);
