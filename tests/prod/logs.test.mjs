// Logs (issue 19 item 7, issue 17 item 18): every line has an RFC 3339 timestamp, the level and
// the instance; --log-format json writes one JSON object per line; --access-log logs requests
// and stream open/close with the client IP the trust policy resolved; --log-file and SIGUSR1
// reopen; and nothing a client sends (paths, User-Agents, hosts) can forge a line: control
// characters, newlines, ANSI escapes, C1 and bidi controls arrive escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { servers, kind, start, tmpdir, eventually, request, sleep, HOST } from './lib.mjs';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|info|debug|audit|access) \S+ /;

/** A raw HTTP/1.1 request with bytes no HTTP client library would send; resolves the answer. */
function raw(srv, bytes) {
  return new Promise((resolve) => {
    const s = net.connect(srv.port, HOST);
    let got = '';
    const done = () => { s.destroy(); resolve(got); };
    const timer = setTimeout(done, 3000);
    s.on('data', (d) => { got += d.toString('latin1'); if (/\r\n\r\n/.test(got)) { clearTimeout(timer); setTimeout(done, 50); } });
    s.on('error', () => { clearTimeout(timer); done(); });
    s.on('connect', () => s.write(Buffer.from(bytes, 'latin1')));
  });
}

// A path with an encoded newline and an ANSI escape, a User-Agent with a C1 control (U+0085 as
// UTF-8) and a bidi override (U+202E as UTF-8); then a Host and a User-Agent with raw ESC and
// BEL (mongoose refuses that request with 400 before any log line, lws answers it).
const EVIL = 'GET /x%0A2026-01-01T00:00:00.000Z%20error%20forged%1b[31m HTTP/1.1\r\n' +
  'Host: evil.example\r\n' +
  'User-Agent: Mozilla/5.0 \xc2\x85 \xe2\x80\xae gnp.exe\r\n' +
  'X-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n';
const EVIL2 = 'GET /y HTTP/1.1\r\nHost: evil\x1b[2J.example\r\n' +
  'User-Agent: Mozilla/5.0 \x1b]0;pwn\x07\r\nConnection: close\r\n\r\n';

/** The escaping of whatever was logged of the two requests (lines: text or JSON values). */
function checkEvil(lines) {
  const c1 = lines.find((l) => l.includes('gnp.exe'));
  assert.ok(c1, 'the first request was logged');
  assert.match(c1, /203\.0\.113\.9/, 'client IP from a trusted proxy header (loopback)');
  assert.match(c1, /\\xc2\\x85/, 'C1 control escaped');
  assert.match(c1, /\\xe2\\x80\\xae/, 'bidi override escaped');
  if (c1.includes('forged')) { // mongoose keeps the decoded newline in the path; lws ends the path there
    assert.match(c1, /\\x0a2026/, 'the newline escaped');
    assert.match(c1, /\\x1b\[31m/, 'the ANSI escape escaped');
  }
  const pwn = lines.find((l) => l.includes('pwn'));
  if (pwn) assert.match(pwn, /\\x1b\]0;pwn\\x07/, 'ESC and BEL escaped');
}

const bad = (text) => /[\x00-\x08\x0b-\x1f\x7f]|\u0085|\u202e|\r/.test(text);

for (const bin of servers()) {
  test(`${kind(bin)}: text log lines: timestamp, level, instance; access log escaped; SIGUSR1 reopens`,
    { timeout: 30000 }, async () => {
      const dir = tmpdir('logs');
      const file = path.join(dir, 'skew.log');
      const srv = await start(bin, ['--verbose', '--access-log', '--log-file', file, '--instance-id', 'web-7',
        '--route-tracking']);
      try {
        await raw(srv, EVIL);
        await raw(srv, EVIL2);
        const ws = await srv.ws({ route: '/r', headers: { 'x-forwarded-for': '198.51.100.4' } });
        await ws.close();
        await eventually(() => /event="close"/.test(fs.readFileSync(file, 'latin1')), { what: 'the close line' });
        const text = fs.readFileSync(file, 'latin1');
        const lines = text.split('\n').filter(Boolean);
        for (const l of lines) assert.match(l, LINE, `line format: ${JSON.stringify(l)}`);
        for (const l of lines) assert.ok(/ web-7 /.test(l), 'the instance id');
        assert.ok(!bad(text), 'no raw control character, C1 or bidi control in the file');
        assert.ok(!lines.some((l) => /^2026-01-01T00:00:00.000Z/.test(l)), 'no forged line');
        checkEvil(lines);
        const open = lines.find((l) => /event="open"/.test(l));
        assert.match(open, /ip="198\.51\.100\.4"/);
        const close = lines.find((l) => /event="close"/.test(l));
        assert.match(close, /ip="198\.51\.100\.4"/, 'the close line has the IP too');
        assert.match(close, new RegExp(`id="${ws.id}"`));
        // logrotate: move the file away, SIGUSR1, the next lines go to a new file
        fs.renameSync(file, file + '.1');
        srv.proc.kill('SIGUSR1');
        await sleep(700);
        await request(srv, 'GET', '/__skew/health?after-rotate');
        await eventually(() => fs.existsSync(file) && /after-rotate/.test(fs.readFileSync(file, 'latin1')),
          { what: 'a new log file after SIGUSR1' });
        assert.match(fs.readFileSync(file, 'latin1'), /audit web-7 log file reopened/);
        assert.ok(!/after-rotate/.test(fs.readFileSync(file + '.1', 'latin1')), 'nothing more in the old file');
      } finally {
        await srv.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

  test(`${kind(bin)}: --log-format json: one JSON object per line, client text escaped inside strings`,
    { timeout: 30000 }, async () => {
      const srv = await start(bin, ['--verbose', '--access-log', '--log-format', 'json']);
      try {
        await raw(srv, EVIL);
        await raw(srv, EVIL2);
        await eventually(() => /gnp\.exe/.test(srv.output()), { what: 'the access line' });
        const lines = srv.output().split('\n').filter((l) => l.startsWith('{'));
        assert.ok(lines.length >= 3);
        for (const l of lines) {
          const j = JSON.parse(l);
          assert.match(j.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          assert.ok(['error', 'info', 'debug', 'audit', 'access'].includes(j.level));
          assert.ok(j.instance);
        }
        const values = lines.map((l) => JSON.parse(l)).filter((j) => j.event === 'request')
          .map((j) => `${j.ip} ${j.path} ${j.host} ${j.ua}`);
        for (const v of values) assert.ok(!bad(v), `decoded values hold no control characters: ${JSON.stringify(v)}`);
        checkEvil(values);
      } finally {
        await srv.stop();
      }
    });
}

test('stderr is the default: the start line is a log line', { timeout: 20000 }, async () => {
  const srv = await start(servers()[0], ['--verbose']);
  try {
    await eventually(() => srv.output().includes('listening on'), { what: 'the start line' });
    const l = srv.output().split('\n').find((x) => x.includes('listening on'));
    assert.match(l, LINE);
  } finally {
    await srv.stop();
  }
});
